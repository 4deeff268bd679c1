package nn.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import nn.data.LabeledImages;
import nn.eval.Predictions;
import nn.eval.Predictor;
import nn.model.Inference;
import nn.model.ModelSpec;
import nn.model.Network;
import nn.random.Rng;
import nn.compute.Tensor;
import nn.train.EpochMetrics;
import nn.train.Schedule;
import nn.train.TrainConfig;
import nn.train.TrainListener;
import nn.train.Trainer;
import nn.train.TrainingState;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The speed of this machine and of nn on it, on the two reference workloads that
 * {@code bench/pytorch_reference.py mlp|cnn} runs in PyTorch (same model, optimiser,
 * batch, epochs, data), so the numbers compare:
 * <ul>
 *   <li>MLP: 784-128-10 ReLU, SGD classical momentum 0.9, lr 0.05, batch 64, 5 epochs;</li>
 *   <li>CNN: conv5x5x20-ReLU-pool2, conv5x5x50-ReLU-pool2, 500 ReLU, 10; SGD momentum 0.9, lr 0.01, batch 64, 3 epochs.</li>
 * </ul>
 * Seconds per epoch are the median of epochs 2..n (epoch 1 includes JIT warm-up); achieved
 * GFLOP/s counts 3x the forward FLOPs of the matrix products (forward, and two products backward).
 */
public final class Benchmark {
    public record Workload(String name, String spec, double lr, int epochs) {}

    public static final Workload MLP = new Workload("mlp", "dense(128),relu", 0.05, 5);
    public static final Workload CNN = new Workload("cnn", "conv(20,5),relu,pool(2),conv(50,5),relu,pool(2),dense(500),relu", 0.01, 3);

    private Benchmark() {}

    /**
     * Float32 GEMM 1024^3 into a preallocated result, best of {@code repeats}, through the same
     * BLAS and threads that training uses: the machine's reference.
     */
    public static double gemmPeakGflops(int repeats) {
        int n = 1024;
        Tensor a = Tensor.wrap(Nd4j.rand(DataType.FLOAT, n, n)), b = Tensor.wrap(Nd4j.rand(DataType.FLOAT, n, n));
        Tensor c = Tensor.zeros(DataType.FLOAT, n, n);
        nn.compute.Engine engine = nn.compute.Engines.current();
        double best = 0;
        for (int r = 0; r < repeats + 2; r++) {   // two warm-up calls
            long t = System.nanoTime();
            engine.gemm(a, false, b, false, c, 1.0, 0.0);
            double seconds = (System.nanoTime() - t) / 1e9;
            if (r >= 2) best = Math.max(best, 2.0 * n * n * n / seconds / 1e9);
        }
        return best;
    }

    /** Trains one workload on the full training set and scores the test set; returns its JSON fields. */
    public static Map<String, Object> train(Workload w, int epochs, LabeledImages train, LabeledImages test, double peak,
                                            Consumer<String> log, Path saveTo) throws IOException {
        Network net = ModelSpec.of(w.spec()).build(DataType.FLOAT);
        net.initialize(new Rng(1234));
        TrainingState state = new TrainingState(net, new TrainConfig(epochs, 64, w.lr(), "sgd", 0.9, 0, Schedule.CONSTANT, null, 1234));
        List<Double> seconds = new ArrayList<>();
        double[] offheapMb = new double[2];
        new Trainer(train, null, new TrainListener() {
            @Override
            public void epochDone(TrainingState s, EpochMetrics m, boolean improved) {
                seconds.add(m.seconds());
                double mb = offHeapMb();
                if (m.epoch() == 1) offheapMb[0] = mb;
                offheapMb[1] = mb;
                log.accept(String.format("%s epoch %d: %.2f s, loss %.4f", w.name(), m.epoch(), m.seconds(), m.trainLoss()));
            }
        }).run(state, () -> false);
        double median = median(seconds.size() > 1 ? seconds.subList(1, seconds.size()) : seconds);
        double gflops = 3.0 * net.forwardFlops() * train.size() / median / 1e9;
        Predictions p = Predictor.predict(net, test);
        if (saveTo != null) {
            nn.checkpoint.Checkpoint.save(saveTo, state, new nn.checkpoint.Checkpoint.Origin("mnist", test.classNames(), 0, -1, "bench", "bench"));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", w.spec());
        out.put("epoch_seconds", seconds);
        out.put("epoch_seconds_median", median);
        out.put("images_per_second", train.size() / median);
        out.put("forward_mflop_per_image", net.forwardFlops() / 1e6);
        out.put("gflops", gflops);
        out.put("fraction_of_peak", gflops / peak);
        out.put("test_accuracy", p.accuracy());
        out.put("inference_images_per_second", inferenceImagesPerSecond(net, test));
        out.put("offheap_mb_after_first_epoch", offheapMb[0]);
        out.put("offheap_mb_after_last_epoch", offheapMb[1]);
        return out;
    }

    /**
     * Test-set inference (the trained network, forward only, batches of {@link Inference#BATCH}):
     * the best pass of at least 3 and at least a second in all (the MLP's pass takes ~10 ms, and
     * the best of 3 such passes varied 2x from run to run on this shared machine).
     */
    public static double inferenceImagesPerSecond(Network net, LabeledImages test) {
        double best = 0;
        long start = System.nanoTime();
        for (int pass = 0; pass < 3 || System.nanoTime() - start < 1_000_000_000L; pass++) {
            long t = System.nanoTime();
            Inference.probabilities(net, test);
            best = Math.max(best, test.size() / ((System.nanoTime() - t) / 1e9));
        }
        return best;
    }

    /**
     * Resident memory outside the live Java heap, in MB: ND4J's native buffers, OpenBLAS, the
     * JIT's code (plus heap pages the collector has touched but not returned, so it is an upper
     * bound). ND4J 1.0.0-M2.1 does not count its CPU allocations (AllocationsTracker stays at 0),
     * so this is measured from the process: after a full GC (which also frees the native memory
     * of unreachable arrays), the resident set minus the heap still in use. What matters is
     * that it does not grow from epoch to epoch.
     */
    public static double offHeapMb() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return (Pointer.physicalBytes() - (rt.totalMemory() - rt.freeMemory())) / 1e6;
    }

    /** Peak resident memory of this process (VmHWM), in MB. */
    public static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: unknown
        }
        return Double.NaN;
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    public static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu", cpuModel());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("threads", nn.compute.cpu.Team.size());
        // The kernels of nn's OpenBLAS: scripts/nn picks them by the CPU's instruction sets.
        m.put("openblas_coretype", System.getenv("OPENBLAS_CORETYPE"));   // absent: OpenBLAS chose
        m.put("float_products", nn.compute.cpu.Blas.sgemmLibrary());   // the cpu engine's sgemm
        m.put("java", System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        return m;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
