package nn.compute.cpu;

/**
 * Per-thread Java arrays for kernels that work on a copy of a slice of a tensor.
 *
 * <p>Why copy at all: the JIT vectorises loops over Java arrays (16 floats per instruction
 * here) but not loops over native memory, and a bulk copy runs at memory speed. So the
 * pixel-shuffling kernels (im2col, col2im, pooling, ReLU) copy one image or one chunk in, do
 * the work on arrays, and copy the result out: 5-10x faster than element-by-element native access.
 */
final class Scratch {
    private static final int SLOTS = 4;
    private static final ThreadLocal<float[][]> ARRAYS = ThreadLocal.withInitial(() -> new float[SLOTS][0]);

    private Scratch() {}

    /** This thread's array number {@code slot} (0-3), at least {@code length} long; contents undefined. */
    static float[] floats(int slot, int length) {
        float[][] mine = ARRAYS.get();
        if (mine[slot].length < length) mine[slot] = new float[length];
        return mine[slot];
    }
}
