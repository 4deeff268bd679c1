package nn.train;

import nn.model.ModelSpec;
import org.bytedeco.javacpp.Pointer;

/**
 * What training a model spec will need, worked out from the spec before anything is allocated,
 * so a model that cannot fit is refused with one line instead of swapping or dying mid-run.
 * <pre>
 *   off-heap (ND4J arrays)  4 bytes · (parameters · (value + gradient + optimiser arrays)
 *                                      + batch · activations · 3)       output, dL/dx, working copy
 *   heap (checkpoint)       4 bytes · parameters · (value + optimiser arrays), encoded in one array
 * </pre>
 */
public record TrainingMemory(long offHeapBytes, long checkpointBytes, long largestArray) {
    /** A Java array (and so an nn tensor or a checkpoint in memory) holds at most this many elements. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    public static TrainingMemory estimate(ModelSpec spec, TrainConfig config) {
        ModelSpec.Footprint f = spec.footprint();
        int optimizerArrays = config.newOptimizer().arraysPerParam();
        long offHeap = Float.BYTES * (f.parameters() * (2 + optimizerArrays) + 3L * config.batchSize() * f.activationsPerExample());
        long checkpoint = Float.BYTES * f.parameters() * (1 + optimizerArrays);
        return new TrainingMemory(offHeap, checkpoint, f.largestArray());
    }

    /** Throws with the estimate and the limits named when the run would not fit this JVM. */
    public void check() {
        check(Pointer.maxBytes(), Runtime.getRuntime().maxMemory());
    }

    void check(long offHeapLimit, long heapLimit) {
        if (largestArray > MAX_ARRAY) {
            throw new IllegalArgumentException(String.format("one weight array would hold %,d values; at most %,d fit in an array",
                    largestArray, MAX_ARRAY));
        }
        if (offHeapBytes > offHeapLimit || checkpointBytes > Math.min(heapLimit / 2, MAX_ARRAY)) {
            throw new IllegalArgumentException(String.format("training this model needs about %s off-heap (limit %s) and %s of heap "
                            + "for its checkpoint (heap limit %s); choose a smaller model or batch, or raise the limits with "
                            + "NN_JAVA_OPTS=-Xmx...", gb(offHeapBytes), gb(offHeapLimit), gb(checkpointBytes), gb(heapLimit)));
        }
    }

    private static String gb(long bytes) {
        return String.format("%.1f GB", bytes / 1e9);
    }
}
