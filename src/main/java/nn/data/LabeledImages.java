package nn.data;

import java.util.List;

/**
 * Images and their labels, in memory. Pixels are kept as the IDX files hold them, grey levels
 * 0..255 in one byte each, image after image in row-major order, and become floats in [0, 1]
 * only as images are copied out ({@link #copyImages}, or an engine's {@code gatherRows} for a
 * training batch): MNIST's 60,000 training images take 47 MB this way instead of 188 MB as
 * floats. The image shape (28x28 for MNIST) is kept, not just the pixel count.
 */
public record LabeledImages(byte[] grey, int[] labels, int rows, int cols, List<String> classNames) {
    public LabeledImages {
        if ((long) labels.length * rows * cols != grey.length) {
            throw new IllegalArgumentException(labels.length + " labels but " + grey.length + " pixels of " + rows + "x" + cols + " images");
        }
    }

    /** Grey levels {@code grey[from..from+n)} into {@code dst[to..to+n)} as floats in [0, 1]. */
    public static void toUnit(byte[] grey, int from, float[] dst, int to, int n) {
        for (int i = 0; i < n; i++) dst[to + i] = unit(grey[from + i]);
    }

    /** A grey level 0..255 (an unsigned byte) as the float in [0, 1] the network sees: the one place it is scaled. */
    private static float unit(byte grey) {
        return (grey & 0xff) * (1f / 255f);
    }

    public int size() {
        return labels.length;
    }

    public int pixelsPerImage() {
        return rows * cols;
    }

    public int classCount() {
        return classNames.size();
    }

    /** The images at the given positions, in that order. */
    public LabeledImages select(int[] indices) {
        int p = pixelsPerImage();
        byte[] px = new byte[indices.length * p];
        int[] lb = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(grey, indices[i] * p, px, i * p, p);
            lb[i] = labels[indices[i]];
        }
        return new LabeledImages(px, lb, rows, cols, classNames);
    }

    /** The first n images (all of them if there are fewer). */
    public LabeledImages first(int n) {
        int k = Math.min(n, size());
        int[] idx = new int[k];
        for (int i = 0; i < k; i++) idx[i] = i;
        return select(idx);
    }

    /** Images start..start+n, as floats in [0, 1], into dst at offset. */
    public void copyImages(int start, int n, float[] dst, int offset) {
        toUnit(grey, start * pixelsPerImage(), dst, offset, n * pixelsPerImage());
    }

    /** Image i, as floats in [0, 1], into dst at offset. */
    public void copyImage(int i, float[] dst, int offset) {
        copyImages(i, 1, dst, offset);
    }

    /** Pixel {@code index} (row-major) of image {@code image}, as a float in [0, 1]. */
    public float pixel(int image, int index) {
        return unit(grey[image * pixelsPerImage() + index]);
    }

    /** Every image as floats in [0, 1], in a new array four times the size of {@link #grey} (for small sets). */
    public float[] toFloats() {
        float[] out = new float[grey.length];
        copyImages(0, size(), out, 0);
        return out;
    }
}
