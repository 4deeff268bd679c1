package nn.data;

import java.util.List;

/**
 * Images and their labels, in memory. Pixels are floats in [0, 1], image after image in
 * row-major order; the image shape (28x28 for MNIST) is kept, not just the pixel count.
 */
public record LabeledImages(float[] pixels, int[] labels, int rows, int cols, List<String> classNames) {
    public LabeledImages {
        if ((long) labels.length * rows * cols != pixels.length) {
            throw new IllegalArgumentException(labels.length + " labels but " + pixels.length + " pixels of " + rows + "x" + cols + " images");
        }
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
        float[] px = new float[indices.length * p];
        int[] lb = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * p, px, i * p, p);
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

    /** Copies image i into dst at offset. */
    public void copyImage(int i, float[] dst, int offset) {
        System.arraycopy(pixels, i * pixelsPerImage(), dst, offset, pixelsPerImage());
    }
}
