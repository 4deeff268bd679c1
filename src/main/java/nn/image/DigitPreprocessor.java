package nn.image;

import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * Turns a user's picture of a digit into what MNIST looks like, following how MNIST was made
 * (LeCun et al.): a white digit on black, its longer side scaled to 20 pixels with
 * anti-aliasing, placed in a 28x28 field so that its centre of mass is in the centre.
 * <ol>
 *   <li>composite transparency: ink may be carried by alpha alone (a canvas drawing is black
 *       ink on a transparent background), so the picture is laid on white and on black and the
 *       version with more contrast is kept;</li>
 *   <li>greyscale (ITU-R BT.601 luma);</li>
 *   <li>polarity: dark ink on light paper is detected from the border and inverted to MNIST's
 *       white on black ({@code --invert} overrides);</li>
 *   <li>clean-up: a contrast stretch from the paper level (median) to the ink level (99.5th
 *       percentile), faint values (paper texture, noise, light ruled lines) set to 0, dark ruled
 *       lines spanning the picture erased, and specks far smaller than the digit dropped;</li>
 *   <li>crop to the ink's bounding box, scale the longer side to 20 px keeping the aspect ratio
 *       (area averaging), paste into 28x28 and shift the centre of mass to the centre.</li>
 * </ol>
 * The result is in [0, 1], the normalisation training uses.
 */
public final class DigitPreprocessor {
    public enum Invert { AUTO, YES, NO }

    public static final int SIZE = 28, DIGIT = 20;
    private static final float FAINT = 0.2f;       // below this (after stretching) it is paper, not ink
    private static final float INK = 0.4f;         // at least this is certainly ink
    private static final double LINE_SPAN = 0.8;   // a straight run this long across the picture is a ruled line
    private static final double SPECK = 0.08;      // components below this fraction of the largest are noise

    /** The 28x28 input and what was decided on the way. */
    public record Result(float[] pixels, boolean inverted) {}

    private DigitPreprocessor() {}

    /** Returns null if the picture holds no ink at all (blank). */
    public static Result prepare(BufferedImage image, Invert invert) {
        GreyImage grey = toGrey(image);
        boolean inverted = switch (invert) {
            case YES -> true;
            case NO -> false;
            case AUTO -> borderMedian(grey) > 0.5;   // light border: dark ink on paper
        };
        if (inverted) for (int i = 0; i < grey.pixels().length; i++) grey.pixels()[i] = 1 - grey.pixels()[i];
        GreyImage ink = clean(grey);
        if (ink == null) return null;
        return new Result(centre(ink), inverted);
    }

    /** Luma, after compositing transparency over white and over black and keeping the clearer one. */
    static GreyImage toGrey(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        float[] onWhite = new float[w * h], onBlack = new float[w * h];
        int[] row = new int[w];
        boolean transparent = false;
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);   // straight (not premultiplied) ARGB, 8 bits per channel
            for (int x = 0; x < w; x++) {
                int p = row[x];
                float a = (p >>> 24) / 255f;
                float luma = (0.299f * ((p >> 16) & 0xff) + 0.587f * ((p >> 8) & 0xff) + 0.114f * (p & 0xff)) / 255f;
                if (a < 1) transparent = true;
                onWhite[y * w + x] = a * luma + (1 - a);
                onBlack[y * w + x] = a * luma;
            }
        }
        if (!transparent) return new GreyImage(w, h, onWhite);
        return spread(onWhite) >= spread(onBlack) ? new GreyImage(w, h, onWhite) : new GreyImage(w, h, onBlack);
    }

    private static double spread(float[] v) {
        double mean = 0, sq = 0;
        for (float f : v) mean += f;
        mean /= v.length;
        for (float f : v) sq += (f - mean) * (f - mean);
        return sq / v.length;
    }

    /** The median of the outer 5% frame of the picture (at least one pixel wide). */
    static float borderMedian(GreyImage g) {
        int bw = Math.max(1, g.width() / 20), bh = Math.max(1, g.height() / 20);
        float[] border = new float[g.width() * g.height()];
        int n = 0;
        for (int y = 0; y < g.height(); y++) {
            for (int x = 0; x < g.width(); x++) {
                if (x < bw || y < bh || x >= g.width() - bw || y >= g.height() - bh) border[n++] = g.get(x, y);
            }
        }
        return percentile(Arrays.copyOf(border, n), 0.5);
    }

    /** Bright ink on 0; null when nothing stands out from the paper. */
    static GreyImage clean(GreyImage g) {
        float[] v = g.pixels();
        float paper = percentile(v.clone(), 0.5), ink = percentile(v.clone(), 0.995);
        if (ink - paper < 0.15f) return null;
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            float s = Math.max(0, Math.min(1, (v[i] - paper) / (ink - paper)));
            out[i] = s < FAINT ? 0 : s;
        }
        GreyImage c = new GreyImage(g.width(), g.height(), out);
        eraseRuledLines(c);
        dropSpecks(c);
        for (float f : out) if (f >= INK) return c;
        return null;
    }

    /** Clears rows (and columns) in which anything above paper runs across most of the picture: ruled paper, margins. */
    private static void eraseRuledLines(GreyImage g) {
        int w = g.width(), h = g.height();
        for (int y = 0; y < h; y++) {
            int row = y;
            if (longestInkRun(w, x -> g.get(x, row)) >= LINE_SPAN * w) for (int x = 0; x < w; x++) g.set(x, y, 0);
        }
        for (int x = 0; x < w; x++) {
            int column = x;
            if (longestInkRun(h, y -> g.get(column, y)) >= LINE_SPAN * h) for (int y = 0; y < h; y++) g.set(x, y, 0);
        }
    }

    /** The longest run of consecutive values above 0 among value(0..n-1). */
    private static int longestInkRun(int n, java.util.function.IntToDoubleFunction value) {
        int run = 0, longest = 0;
        for (int i = 0; i < n; i++) {
            run = value.applyAsDouble(i) > 0 ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        return longest;
    }

    /** Keeps the connected pieces of ink (8-neighbour) that are not tiny next to the largest. */
    private static void dropSpecks(GreyImage g) {
        int w = g.width(), h = g.height();
        int[] label = new int[w * h];
        int[] stack = new int[w * h];
        java.util.List<Integer> sizes = new java.util.ArrayList<>();
        sizes.add(0);
        for (int start = 0; start < w * h; start++) {
            if (label[start] != 0 || g.pixels()[start] <= 0) continue;
            int id = sizes.size(), size = 0, top = 0;
            stack[top++] = start;
            label[start] = id;
            while (top > 0) {
                int p = stack[--top];
                size++;
                int px = p % w, py = p / w;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int nx = px + dx, ny = py + dy;
                        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                        int q = ny * w + nx;
                        if (label[q] == 0 && g.pixels()[q] > 0) {
                            label[q] = id;
                            stack[top++] = q;
                        }
                    }
                }
            }
            sizes.add(size);
        }
        int largest = sizes.stream().mapToInt(Integer::intValue).max().orElse(0);
        for (int i = 0; i < w * h; i++) {
            if (label[i] != 0 && sizes.get(label[i]) < SPECK * largest) g.pixels()[i] = 0;
        }
    }

    /** Crop, scale the longer side to 20 px, paste into 28x28, centre of mass to the centre. */
    static float[] centre(GreyImage g) {
        int x0 = g.width(), y0 = g.height(), x1 = -1, y1 = -1;
        for (int y = 0; y < g.height(); y++) {
            for (int x = 0; x < g.width(); x++) {
                if (g.get(x, y) > 0) {
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x);
                    y1 = Math.max(y1, y);
                }
            }
        }
        int cw = x1 - x0 + 1, ch = y1 - y0 + 1;
        double scale = (double) DIGIT / Math.max(cw, ch);
        int tw = Math.max(1, (int) Math.round(cw * scale)), th = Math.max(1, (int) Math.round(ch * scale));
        GreyImage digit = Resample.area(g, x0, y0, cw, ch, tw, th);

        float[] field = new float[SIZE * SIZE];
        int ox = (SIZE - tw) / 2, oy = (SIZE - th) / 2;
        double mass = 0, mx = 0, my = 0;
        for (int y = 0; y < th; y++) {
            for (int x = 0; x < tw; x++) {
                float v = digit.get(x, y);
                field[(oy + y) * SIZE + ox + x] = v;
                mass += v;
                mx += v * (ox + x);
                my += v * (oy + y);
            }
        }
        // Shift by whole pixels so the centre of mass lands on (14, 14), where MNIST puts it (measured: 14.00 ± 0.29).
        int sx = (int) Math.round(14 - mx / mass), sy = (int) Math.round(14 - my / mass);
        float[] shifted = new float[SIZE * SIZE];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int fx = x - sx, fy = y - sy;
                if (fx >= 0 && fy >= 0 && fx < SIZE && fy < SIZE) shifted[y * SIZE + x] = field[fy * SIZE + fx];
            }
        }
        return shifted;
    }

    static float percentile(float[] values, double q) {
        Arrays.sort(values);
        return values[(int) Math.min(values.length - 1, Math.floor(q * values.length))];
    }
}
