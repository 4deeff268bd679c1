package nn.model;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * An ND4J array plus a direct view of its memory.
 *
 * <p>Matrix products and vector updates go to BLAS ({@link #gemm}, {@link #axpy}; see
 * {@link Blas}); other element-wise work (activations, their derivatives, pooling) runs as
 * plain Java loops over the view. In ND4J 1.0.0-M2.1 each INDArray method costs 15-90 µs of JNI
 * and allocation overhead, while a Java loop over 8,192 floats takes a few µs; nothing here
 * allocates native memory per batch, so memory stays flat.
 *
 * <p>Training runs in float; the gradient checks run in double, through the plain loops.
 */
public abstract sealed class Tensor permits Tensor.F32, Tensor.F64 {
    public final INDArray array;
    public final int length;

    private Tensor(INDArray array) {
        if (array.ordering() != 'c' || array.offset() != 0 || array.length() != array.data().length()) {
            throw new IllegalArgumentException("a Tensor needs a whole contiguous c-order buffer");
        }
        this.array = array;
        this.length = (int) array.length();
    }

    public static Tensor zeros(DataType type, long... shape) {
        return wrap(Nd4j.create(type, shape));
    }

    public static Tensor wrap(INDArray array) {
        return switch (array.dataType()) {
            case FLOAT -> new F32(array);
            case DOUBLE -> new F64(array);
            default -> throw new IllegalArgumentException("only float and double arrays: " + array.dataType());
        };
    }

    public DataType type() {
        return array.dataType();
    }

    public long[] shape() {
        return array.shape();
    }

    public abstract double get(int i);

    public abstract void set(int i, double v);

    public final void add(int i, double v) {
        set(i, get(i) + v);
    }

    public void fill(double v) {
        for (int i = 0; i < length; i++) set(i, v);
    }

    /** Copies {@code count} values from {@code src} (starting at srcPos) to this tensor at dstPos. */
    public abstract void copyFrom(Tensor src, int srcPos, int dstPos, int count);

    /** Copies Java floats into this tensor at dstPos. */
    public abstract void copyFrom(float[] src, int srcPos, int dstPos, int count);

    /** Copies {@code count} values from srcPos on into a Java array. */
    public abstract void copyTo(int srcPos, float[] dst, int dstPos, int count);

    public float[] toFloatArray() {
        float[] out = new float[length];
        for (int i = 0; i < length; i++) out[i] = (float) get(i);
        return out;
    }

    /** The same memory under another shape (free: no copy). */
    public Tensor reshape(long... shape) {
        return wrap(array.reshape('c', shape));
    }

    /** Element-wise loops hand a thread at least this many values (fewer cost more to hand over than to do). */
    public static final int GRAIN = 4096;

    /** y[r, j] += b[j] for every row r of y (rows of b.length values): a bias added to each example. */
    public static void addToEachRow(Tensor y, Tensor b) {
        int cols = b.length, rows = y.length / cols;
        // y += 1·b, a product with a column of ones: BLAS does it vectorised, a Java loop would not.
        Blas.gemm(Blas.ones(y.type(), rows, 1), false, b, false, y, rows, cols, 1, 1, 1);
    }

    /** sum[j] = Σ_r δ[r, j]: the gradient of a bias that was added to every row. */
    public static void sumRows(Tensor delta, Tensor sum) {
        int cols = sum.length, rows = delta.length / cols;
        Blas.gemv(delta, true, rows, cols, Blas.ones(delta.type(), rows, 1), sum);   // δᵀ·1
    }

    /**
     * {@code c = alpha·op(a)·op(b) + beta·c}, where op transposes when asked: BLAS into the
     * preallocated c (see {@link Blas}). Transposing by flag costs nothing; {@code a.T().mmul(b)}
     * was ~20x slower.
     */
    public static void gemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, double alpha, double beta) {
        Blas.gemm(a, transA, b, transB, c, alpha, beta);
    }

    /** Whether every element is a finite number (no NaN, no infinity). */
    public boolean isFinite() {
        return !BooleanIndexing.or(array, Conditions.notFinite());
    }

    /** y += α·x (BLAS axpy). */
    public static void axpy(double alpha, Tensor x, Tensor y) {
        Blas.axpy(alpha, x, y);
    }

    /** x *= α (BLAS scal). */
    public static void scale(double alpha, Tensor x) {
        Blas.scal(alpha, x);
    }

    /** The memory from element {@code offset} on, for a BLAS call (float tensors only). */
    FloatPointer floats(long offset) {
        throw new UnsupportedOperationException("not a float tensor");
    }

    /** The memory from element {@code offset} on, for a BLAS call (double tensors only). */
    DoublePointer doubles(long offset) {
        throw new UnsupportedOperationException("not a double tensor");
    }

    static final class F32 extends Tensor {
        private final FloatBuffer data;
        private final long address;

        private final FloatPointer pointer;

        F32(INDArray array) {
            super(array);
            this.data = array.data().asNioFloat();
            this.address = array.data().address();
            this.pointer = new FloatPointer(array.data().pointer());
        }

        @Override
        FloatPointer floats(long offset) {
            return new FloatPointer(pointer).position(offset);
        }

        // Unsafe rather than data.get(i): in a full training step C2 stopped inlining the
        // FloatBuffer access chain and the optimiser loop ran 5x slower. The asserts (on in
        // the tests) keep every access inside the buffer.
        @Override public double get(int i) {
            assert i >= 0 && i < length : i;
            return UNSAFE.getFloat(address + ((long) i << 2));
        }

        @Override public void set(int i, double v) {
            assert i >= 0 && i < length : i;
            UNSAFE.putFloat(address + ((long) i << 2), (float) v);
        }

        @Override
        public void copyFrom(Tensor src, int srcPos, int dstPos, int count) {
            if (src instanceof F32 f) data.put(dstPos, f.data, srcPos, count);
            else for (int i = 0; i < count; i++) set(dstPos + i, src.get(srcPos + i));
        }

        @Override
        public void copyFrom(float[] src, int srcPos, int dstPos, int count) {
            data.put(dstPos, src, srcPos, count);
        }

        @Override
        public void copyTo(int srcPos, float[] dst, int dstPos, int count) {
            data.get(srcPos, dst, dstPos, count);
        }
    }

    private static final sun.misc.Unsafe UNSAFE = unsafe();

    private static sun.misc.Unsafe unsafe() {
        try {
            java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static final class F64 extends Tensor {
        private final DoubleBuffer data;

        private final DoublePointer pointer;

        F64(INDArray array) {
            super(array);
            this.data = array.data().asNioDouble();
            this.pointer = new DoublePointer(array.data().pointer());
        }

        @Override
        DoublePointer doubles(long offset) {
            return new DoublePointer(pointer).position(offset);
        }

        @Override public double get(int i) { return data.get(i); }

        @Override public void set(int i, double v) { data.put(i, v); }

        @Override
        public void copyFrom(Tensor src, int srcPos, int dstPos, int count) {
            if (src instanceof F64 d) data.put(dstPos, d.data, srcPos, count);
            else for (int i = 0; i < count; i++) set(dstPos + i, src.get(srcPos + i));
        }

        @Override
        public void copyFrom(float[] src, int srcPos, int dstPos, int count) {
            for (int i = 0; i < count; i++) data.put(dstPos + i, src[srcPos + i]);
        }

        @Override
        public void copyTo(int srcPos, float[] dst, int dstPos, int count) {
            for (int i = 0; i < count; i++) dst[dstPos + i] = (float) data.get(srcPos + i);
        }
    }
}
