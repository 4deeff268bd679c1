package nn.image;

import java.awt.image.BufferedImage;

import nn.data.LabeledImages;
import nn.random.Rng;

/**
 * Numbers written with real MNIST digits side by side, dark ink on paper, for testing how
 * {@code nn predict} reads numbers: each digit's ink at its own size and baseline, with the gaps
 * a style asks for.
 */
public final class NumberPictures {
    /**
     * How the number is written.
     * @param minGap the least gap between digits, as a fraction of the digits' height (negative: overlapping boxes)
     * @param maxGap the largest gap
     * @param speck a dot of ink in each gap
     * @param detached each digit cut across a third of the way down, so its top is a separate stroke
     */
    public record Style(double minGap, double maxGap, boolean speck, boolean detached) {
        public static final Style SPACED = new Style(0.1, 0.6, false, false);
    }

    /** The picture and the number it shows. */
    public record Number(BufferedImage image, String text) {}

    private NumberPictures() {}

    /** The digits images[indices[0]], images[indices[1]], ... left to right. */
    public static Number render(LabeledImages images, int[] indices, Style style, Rng rng) {
        int n = indices.length;
        double base = 2 + 2 * rng.nextDouble();   // canvas pixels per MNIST pixel
        double height = 20 * base;
        int[][] ink = new int[n][];
        double[] scale = new double[n], left = new double[n], top = new double[n];
        double x = 0.4 * height;
        StringBuilder text = new StringBuilder();
        for (int d = 0; d < n; d++) {
            ink[d] = inkBox(images, indices[d]);
            scale[d] = base * (0.85 + 0.3 * rng.nextDouble());
            left[d] = x;
            top[d] = 0.4 * height + 0.1 * height * (2 * rng.nextDouble() - 1) + (20 - (ink[d][3] - ink[d][1])) * scale[d] / 2;
            x += (ink[d][2] - ink[d][0]) * scale[d];
            if (d < n - 1) x += height * (style.minGap() + (style.maxGap() - style.minGap()) * rng.nextDouble());
            text.append(images.labels()[indices[d]]);
        }
        int w = (int) (x + 0.4 * height), h = (int) (1.9 * height);
        float[] canvas = new float[w * h];
        for (int d = 0; d < n; d++) {
            int[] b = ink[d];
            int x0 = (int) left[d], y0 = (int) top[d];
            int x1 = (int) Math.ceil(left[d] + (b[2] - b[0]) * scale[d]), y1 = (int) Math.ceil(top[d] + (b[3] - b[1]) * scale[d]);
            for (int py = Math.max(0, y0); py < Math.min(h, y1); py++) {
                double my = b[1] + (py + 0.5 - top[d]) / scale[d] - 0.5;
                if (style.detached() && Math.abs(my - (b[1] + (b[3] - b[1]) / 3.0)) < 0.6) continue;
                for (int px = Math.max(0, x0); px < Math.min(w, x1); px++) {
                    double mx = b[0] + (px + 0.5 - left[d]) / scale[d] - 0.5;
                    canvas[py * w + px] = (float) Math.max(canvas[py * w + px], UserPictures.bilinear(images, indices[d], mx, my));
                }
            }
            if (style.speck() && d < n - 1) {   // a dot of radius 4% of the height, halfway to the next digit
                double cx = (left[d] + (b[2] - b[0]) * scale[d] + left[d + 1]) / 2, cy = 0.95 * height, r = 0.04 * height;
                for (int py = (int) (cy - r); py <= cy + r; py++) {
                    for (int px = (int) (cx - r); px <= cx + r; px++) {
                        if ((px - cx) * (px - cx) + (py - cy) * (py - cy) <= r * r) canvas[py * w + px] = 1;
                    }
                }
            }
        }
        double paper = 0.86 + 0.1 * rng.nextDouble();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int py = 0; py < h; py++) {
            for (int px = 0; px < w; px++) {
                double a = Math.min(1, canvas[py * w + px]);
                int v = (int) Math.round(255 * Math.max(0, Math.min(1, (paper + 0.04 * rng.nextGaussian()) * (1 - a) + 0.1 * a)));
                img.setRGB(px, py, v << 16 | v << 8 | v);
            }
        }
        return new Number(img, text.toString());
    }

    /** The digit's ink box in MNIST pixels: x0, y0, x1, y1 (exclusive). */
    private static int[] inkBox(LabeledImages images, int index) {
        int x0 = 28, y0 = 28, x1 = 0, y1 = 0;
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                if (images.pixel(index, y * 28 + x) > 0) {
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x + 1);
                    y1 = Math.max(y1, y + 1);
                }
            }
        }
        return new int[] {x0, y0, x1, y1};
    }
}
