package nn.compute.cpu;

/**
 * Per-thread Java arrays for kernels that work on a copy of a slice of a tensor.
 *
 * <p>Why copy at all: the JIT vectorises loops over Java arrays (16 floats per instruction
 * here) but not loops over native memory, and a bulk copy runs at memory speed. So the
 * pixel-shuffling kernels (im2col, col2im, pooling, ReLU) copy one image or one chunk in, do
 * the work on arrays, and copy the result out: 5-10x faster than element-by-element native access.
 *
 * <p>The JIT (C2, JDK 17) vectorises a loop only when all its arrays are indexed at one offset:
 * {@code a[i] += b[i]} over 10,000 floats took 1.2-1.8 µs, {@code a[i + p] += b[i + q]} 5-10 µs
 * (scalar). Kernels therefore first copy a run to the offset where it is used (the copy is a
 * vectorised intrinsic), as col2im does. Selects ({@code x > y ? a : b}) are not vectorised,
 * and on random data they cost like mispredicted branches, so hot ones use bit tricks.
 */
final class Scratch {
    private static final int SLOTS = 4;
    private static final ThreadLocal<float[][]> ARRAYS = ThreadLocal.withInitial(() -> new float[SLOTS][0]);
    private static final ThreadLocal<byte[][]> BYTES = ThreadLocal.withInitial(() -> new byte[1][0]);

    private Scratch() {}

    /** This thread's array number {@code slot} (0-3), at least {@code length} long; contents undefined. */
    static float[] floats(int slot, int length) {
        float[][] mine = ARRAYS.get();
        if (mine[slot].length < length) mine[slot] = new float[length];
        return mine[slot];
    }

    /** This thread's byte array, at least {@code length} long; contents undefined. */
    static byte[] bytes(int length) {
        byte[][] mine = BYTES.get();
        if (mine[0].length < length) mine[0] = new byte[length];
        return mine[0];
    }
}
