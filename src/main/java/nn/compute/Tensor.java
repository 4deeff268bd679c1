package nn.compute;

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
 * An ND4J array, plus (on the CPU backend) a direct view of its memory.
 *
 * <p>Layers hand tensors to an {@link Engine}, which does the arithmetic: the {@code cpu}
 * engine through the direct view (BLAS with host pointers, Java loops), the {@code nd4j}
 * engine through ND4J operations on {@link #array} only. The element accessors here
 * ({@link #get}, {@link #set}, the bulk copies) are for work outside a training step: filling
 * initial weights, checkpoints, tests, reading probabilities back. On a non-CPU backend
 * (CUDA) a tensor has no direct view ({@link Device}): the accessors then go through ND4J,
 * slowly but correctly, and only the nd4j engine may compute on it.
 *
 * <p>Training runs in float; the gradient checks run in double.
 */
public abstract sealed class Tensor permits Tensor.F32, Tensor.F64, Tensor.Device {
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

    /** Whether ND4J's arrays live in this process's memory (the CPU backend), so tensors get a direct view. */
    public static final boolean HOST_MEMORY = Nd4j.getBackend().getClass().getSimpleName().contains("Cpu");

    public static Tensor wrap(INDArray array) {
        if (!HOST_MEMORY) return new Device(array);
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

    /** Fills element i with {@code value.applyAsDouble(i)}, in order (initial weights drawn one after another). */
    public void fill(java.util.function.IntToDoubleFunction value) {
        for (int i = 0; i < length; i++) set(i, value.applyAsDouble(i));
    }

    /** Whether every element is a finite number (no NaN, no infinity). */
    public boolean isFinite() {
        return !BooleanIndexing.or(array, Conditions.notFinite());
    }

    /** The host memory from element {@code offset} on, for a BLAS call of the cpu engine (float tensors only). */
    public FloatPointer floats(long offset) {
        throw new UnsupportedOperationException("not a float tensor");
    }

    /** The same for double tensors. */
    public DoublePointer doubles(long offset) {
        throw new UnsupportedOperationException("not a double tensor");
    }

    /** A float array in host memory, read and written directly. */
    public static final class F32 extends Tensor {
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
        public FloatPointer floats(long offset) {
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

    /** A double array in host memory. */
    public static final class F64 extends Tensor {
        private final DoubleBuffer data;

        private final DoublePointer pointer;

        F64(INDArray array) {
            super(array);
            this.data = array.data().asNioDouble();
            this.pointer = new DoublePointer(array.data().pointer());
        }

        @Override
        public DoublePointer doubles(long offset) {
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

    /**
     * An array in memory this process cannot address (a GPU's): the accessors go through ND4J
     * one call at a time, fine for initialisation and checkpoints, never used in a training step.
     */
    public static final class Device extends Tensor {
        private final INDArray flat;

        Device(INDArray array) {
            super(array);
            this.flat = array.reshape(array.length());
        }

        @Override public double get(int i) { return flat.getDouble(i); }

        @Override public void set(int i, double v) { flat.putScalar(i, v); }

        @Override
        public void fill(java.util.function.IntToDoubleFunction value) {
            double[] values = new double[length];
            for (int i = 0; i < length; i++) values[i] = value.applyAsDouble(i);
            flat.assign(Nd4j.createFromArray(values).castTo(array.dataType()));
        }

        @Override
        public void copyFrom(Tensor src, int srcPos, int dstPos, int count) {
            flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(dstPos, dstPos + count))
                    .assign(src.array.reshape(src.length).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(srcPos, srcPos + count)));
        }

        @Override
        public void copyFrom(float[] src, int srcPos, int dstPos, int count) {
            float[] part = java.util.Arrays.copyOfRange(src, srcPos, srcPos + count);
            flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(dstPos, dstPos + count)).assign(Nd4j.createFromArray(part).castTo(array.dataType()));
        }

        @Override
        public void copyTo(int srcPos, float[] dst, int dstPos, int count) {
            float[] values = flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(srcPos, srcPos + count)).castTo(DataType.FLOAT).toFloatVector();
            System.arraycopy(values, 0, dst, dstPos, count);
        }
    }
}
