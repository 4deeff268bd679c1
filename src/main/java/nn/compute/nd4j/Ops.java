package nn.compute.nd4j;

import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;

import nn.compute.Tensor;

/**
 * ND4J operations built once for a set of arrays (a declarable op with its OpContext) and
 * executed again on every later call with the same arrays (a layer passes the same output buffers every batch of one size, so after
 * the first batch of each size nothing is built). Arrays are named by identity. The engine
 * outlives networks (a pruning study builds dozens), so the least recently used ops are
 * dropped beyond a bound, and with them the arrays of networks no longer in use.
 */
final class Ops {
    private static final int BOUND = 2048;
    private final Map<Key, Object> built = recentlyUsed(BOUND);

    /** A map that keeps only its {@code bound} most recently used entries. */
    static <K, V> Map<K, V> recentlyUsed(int bound) {
        return new java.util.LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > bound;
            }
        };
    }

    /** Makes an op: a legacy one ({@link Op}) or a declarable one ({@link CustomOp}). */
    @FunctionalInterface
    interface Builder {
        Object build();
    }

    /** Objects compared by identity (an INDArray's equals and hashCode read all its values). */
    private record Key(Object[] parts) {
        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Key k) || k.parts.length != parts.length) return false;
            for (int i = 0; i < parts.length; i++) if (parts[i] != k.parts[i]) return false;
            return true;
        }

        @Override
        public int hashCode() {
            int h = 1;
            for (Object p : parts) h = 31 * h + System.identityHashCode(p);
            return h;
        }
    }

    /** A declarable op with its native context (arrays and arguments), set up once. */
    private record Prepared(CustomOp op, OpContext context) {}

    /** Runs the op for these objects (a name and the arrays it works on), building it the first time. */
    void run(Builder make, Object... arrays) {
        Object op = built.computeIfAbsent(new Key(arrays), k -> prepare(make.build()));
        if (op instanceof Prepared p) Nd4j.exec(p.op, p.context);
        else Nd4j.exec((Op) op);
    }

    private static Object prepare(Object op) {
        if (!(op instanceof CustomOp c)) return op;
        OpContext context = Nd4j.getExecutioner().buildContext();
        context.setInputArrays(c.inputArguments());
        context.setOutputArrays(c.outputArguments());
        context.setIArguments(c.iArgs());
        context.setTArguments(c.tArgs());
        context.setBArguments(c.bArgs());
        context.setDArguments(c.dArgs());
        return new Prepared(c, context);
    }

    /** A declarable op: inputs, outputs, integer arguments, floating-point arguments. */
    static DynamicCustomOp custom(String name, INDArray[] in, INDArray[] out, int[] ints, double... doubles) {
        DynamicCustomOp.DynamicCustomOpsBuilder b = DynamicCustomOp.builder(name).addInputs(in).addOutputs(out).addIntegerArguments(ints);
        if (doubles.length > 0) {
            Double[] boxed = new Double[doubles.length];
            for (int i = 0; i < doubles.length; i++) boxed[i] = doubles[i];
            b.addFloatingPointArguments(boxed);
        }
        return b.build();
    }

    /** The same memory as an image batch [n, h, w, c] (activations are [n, h·w·c] rows). */
    static INDArray nhwc(Tensor t, int h, int w, int c) {
        return t.array.reshape('c', new long[] {t.length / ((long) h * w * c), h, w, c});
    }

    /** The same memory as a flat vector. */
    static INDArray vector(Tensor t) {
        return t.array.reshape('c', new long[] {t.length});
    }

    /** The same memory as [rows, cols]. */
    static INDArray matrix(Tensor t, int cols) {
        return t.array.reshape('c', new long[] {t.length / cols, cols});
    }
}
