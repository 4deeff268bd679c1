package nn.train;

import nn.random.Rng;

/**
 * Random distortions of training images, so the network sees a slightly different digit each
 * epoch: a random affine map (shift, rotation, scale) and, optionally, an elastic distortion
 * (Simard et al. 2003: a random displacement field smoothed by a Gaussian). Pixels are
 * resampled bilinearly; what falls outside the image is background (0).
 */
public record Augmentation(double maxShift, double maxRotationDegrees, double maxScale, boolean elastic) {
    /** Shifts up to 2 px, rotations up to 10°, scaling up to ±10%: digits stay readable. */
    public static final Augmentation STANDARD = new Augmentation(2, 10, 0.10, false);

    private static final double ELASTIC_ALPHA = 34, ELASTIC_SIGMA = 4;

    /** Writes a distorted copy of the h x w image at src[srcPos] into dst[dstPos]. */
    public void apply(float[] src, int srcPos, float[] dst, int dstPos, int h, int w, Rng rng) {
        double angle = Math.toRadians((2 * rng.nextDouble() - 1) * maxRotationDegrees);
        double scale = 1 + (2 * rng.nextDouble() - 1) * maxScale;
        double dx = (2 * rng.nextDouble() - 1) * maxShift, dy = (2 * rng.nextDouble() - 1) * maxShift;
        double cos = Math.cos(angle) / scale, sin = Math.sin(angle) / scale;
        double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
        float[][] field = elastic ? displacementField(h, w, rng) : null;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                // Inverse map: where in the source does this output pixel come from?
                double ox = x - cx - dx, oy = y - cy - dy;
                double sx = cos * ox + sin * oy + cx, sy = -sin * ox + cos * oy + cy;
                if (field != null) {
                    sx += field[0][y * w + x];
                    sy += field[1][y * w + x];
                }
                dst[dstPos + y * w + x] = bilinear(src, srcPos, h, w, sx, sy);
            }
        }
    }

    static float bilinear(float[] img, int pos, int h, int w, double x, double y) {
        int x0 = (int) Math.floor(x), y0 = (int) Math.floor(y);
        double fx = x - x0, fy = y - y0;
        return (float) ((1 - fy) * ((1 - fx) * pixel(img, pos, h, w, x0, y0) + fx * pixel(img, pos, h, w, x0 + 1, y0))
                + fy * ((1 - fx) * pixel(img, pos, h, w, x0, y0 + 1) + fx * pixel(img, pos, h, w, x0 + 1, y0 + 1)));
    }

    private static float pixel(float[] img, int pos, int h, int w, int x, int y) {
        return x < 0 || y < 0 || x >= w || y >= h ? 0f : img[pos + y * w + x];
    }

    private static float[][] displacementField(int h, int w, Rng rng) {
        float[][] field = new float[2][h * w];
        int radius = (int) Math.ceil(3 * ELASTIC_SIGMA);
        double[] kernel = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) sum += kernel[i + radius] = Math.exp(-i * i / (2 * ELASTIC_SIGMA * ELASTIC_SIGMA));
        for (int i = 0; i < kernel.length; i++) kernel[i] /= sum;
        for (float[] f : field) {
            double[] noise = new double[h * w], tmp = new double[h * w];
            for (int i = 0; i < noise.length; i++) noise[i] = 2 * rng.nextDouble() - 1;
            for (int y = 0; y < h; y++) {            // separable Gaussian: rows, then columns
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    for (int k = -radius; k <= radius; k++) s += kernel[k + radius] * noise[y * w + Math.min(w - 1, Math.max(0, x + k))];
                    tmp[y * w + x] = s;
                }
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    for (int k = -radius; k <= radius; k++) s += kernel[k + radius] * tmp[Math.min(h - 1, Math.max(0, y + k)) * w + x];
                    f[y * w + x] = (float) (ELASTIC_ALPHA * s);
                }
            }
        }
        return field;
    }
}
