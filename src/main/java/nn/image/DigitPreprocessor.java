package nn.image;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a user's picture of a digit, or of a number, into what MNIST looks like, following how
 * MNIST was made (LeCun et al.): a white digit on black, its longer side scaled to 20 pixels with
 * anti-aliasing, placed in a 28x28 field so that its centre of mass is in the centre.
 * <ol>
 *   <li>composite transparency: ink may be carried by alpha alone (a canvas drawing is black
 *       ink on a transparent background), so the picture is laid on white and on black and the
 *       version with more contrast is kept;</li>
 *   <li>greyscale (ITU-R BT.601 luma);</li>
 *   <li>polarity: dark ink on light paper (the picture is mostly light, or its middle is) is
 *       inverted to MNIST's white on black ({@code --invert} overrides);</li>
 *   <li>even out the light: the paper's level is estimated locally, at a scale far larger than a
 *       stroke, and ink is judged relative to it, so light falling off across a photo or a darker
 *       table beside the sheet is not taken for ink;</li>
 *   <li>clean-up: a contrast stretch up to the ink level (99.5th percentile), ruled lines
 *       spanning the picture erased, and faint values (paper texture, noise) set to 0;</li>
 *   <li>find the digits ({@link DigitFinder}): pieces touching the picture's edge, specks and
 *       anything out of the digits' row dropped, pieces in the same columns joined into one digit,
 *       touching digits split;</li>
 *   <li>per digit: crop to its ink, scale the longer side to 20 px keeping the aspect ratio (area
 *       averaging), paste into 28x28 and shift the centre of mass to the centre.</li>
 * </ol>
 * The result is in [0, 1], the normalisation training uses.
 */
public final class DigitPreprocessor {
    public enum Invert { AUTO, YES, NO }

    public static final int SIZE = 28, DIGIT = 20;
    private static final float FAINT = 0.2f;       // below this (after stretching) it is paper, not ink
    private static final float INK = 0.4f;         // at least this is certainly ink
    private static final double LINE_SPAN = 0.8;   // a row (column) this much of it above LINE_FAINT is a ruled line
    private static final float LINE_FAINT = 0.1f;
    private static final float CROSSING = 0.25f;   // this much above a line's level: a stroke crossing it
    private static final double LINE_THICKNESS = 0.03;   // ruled lines are at most this thick
    private static final double MIDDLE_LIGHT = 0.8;   // this share of the middle light: dark ink
    private static final int LIGHT_BLOCKS = 8;     // the paper's level is measured in blocks of 1/8 of the picture
    private static final double PAPER_SHARE = 0.5; // ... as the median of a block (half the pixels or more are paper)

    /** The 28x28 input and what was decided on the way. */
    public record Result(float[] pixels, boolean inverted) {}

    /** One digit of a number: the 28x28 input and where it is in the picture. */
    public record Digit(float[] pixels, Box box) {}

    private DigitPreprocessor() {}

    /** Both readings of a picture, from one pass of the clean-up over it. */
    public record Readings(Result whole, List<Digit> digits) {}

    /** The picture read as one digit: all the ink of the digits found, together. Null if the picture is blank. */
    public static Result prepare(BufferedImage image, Invert invert) {
        Found found = find(image, invert);
        return found == null ? null : whole(found);
    }

    /** The picture read as digits side by side, left to right. Null if the picture is blank. */
    public static List<Digit> prepareDigits(BufferedImage image, Invert invert) {
        Found found = find(image, invert);
        return found == null ? null : digits(found);
    }

    /** The picture read both ways (nn serve shows one digit, or a number). Null if the picture is blank. */
    public static Readings prepareBoth(BufferedImage image, Invert invert) {
        Found found = find(image, invert);
        return found == null ? null : new Readings(whole(found), digits(found));
    }

    private static Result whole(Found found) {
        DigitFinder.Glyph all = found.glyphs.stream().reduce(DigitFinder.Glyph::merge).orElseThrow();
        return new Result(centre(cut(found.ink, found.pieces, all)), found.inverted);
    }

    private static List<Digit> digits(Found found) {
        List<Digit> digits = new ArrayList<>();
        for (DigitFinder.Glyph g : found.glyphs) digits.add(new Digit(centre(cut(found.ink, found.pieces, g)), g.box()));
        return digits;
    }

    /** The cleaned ink, its pieces, and the digits among them; null when no ink. */
    private record Found(GreyImage ink, InkComponents pieces, List<DigitFinder.Glyph> glyphs, boolean inverted) {}

    private static Found find(BufferedImage image, Invert invert) {
        GreyImage grey = toGrey(image);
        boolean inverted = switch (invert) {
            case YES -> true;
            case NO -> false;
            case AUTO -> darkInk(grey);
        };
        if (inverted) for (int i = 0; i < grey.pixels().length; i++) grey.pixels()[i] = 1 - grey.pixels()[i];
        GreyImage ink = clean(evenOutLight(grey));
        if (ink == null) return null;
        InkComponents pieces = new InkComponents(ink);
        List<DigitFinder.Glyph> glyphs = DigitFinder.digits(pieces, ink.width(), ink.height());
        if (glyphs.isEmpty()) return null;
        return new Found(ink, pieces, glyphs, inverted);
    }

    /** The ink of one glyph: its box, holding only its own pieces. */
    private static GreyImage cut(GreyImage ink, InkComponents pieces, DigitFinder.Glyph g) {
        Box b = g.box();
        GreyImage out = GreyImage.blank(b.w(), b.h());
        for (int y = 0; y < b.h(); y++) {
            for (int x = 0; x < b.w(); x++) {
                int p = (b.y() + y) * ink.width() + b.x() + x;
                if (g.labels().contains(pieces.labels[p])) out.set(x, y, ink.pixels()[p]);
            }
        }
        return out;
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

    /**
     * Ink relative to the paper around it: (v - paper) / (1 - paper), with ink bright and paper dark,
     * so the paper reads 0 wherever it is and ink the share of the paper's light it takes away.
     */
    static GreyImage evenOutLight(GreyImage g) {
        GreyImage paper = paperLevel(g);
        float[] out = new float[g.pixels().length];
        for (int i = 0; i < out.length; i++) {
            float p = paper.pixels()[i];
            out[i] = Math.max(0, (g.pixels()[i] - p) / Math.max(0.1f, 1 - p));
        }
        return new GreyImage(g.width(), g.height(), out);
    }

    /**
     * The paper's level around each pixel. The picture is cut into blocks of 1/8 of its size; a
     * block's level is its median (paper, where a stroke crosses it); each block takes the lowest level of itself and its neighbours (paper next to a block
     * that a thick stroke, a darker table or a shadow fills); the levels are interpolated
     * bilinearly between block centres, following light that falls off across the page.
     */
    static GreyImage paperLevel(GreyImage g) {
        int w = g.width(), h = g.height();
        int block = Math.max(4, (Math.max(w, h) + LIGHT_BLOCKS - 1) / LIGHT_BLOCKS);
        int bx = (w + block - 1) / block, by = (h + block - 1) / block;
        float[] level = new float[bx * by];
        for (int j = 0; j < by; j++) {
            for (int i = 0; i < bx; i++) {
                int x0 = i * block, y0 = j * block, x1 = Math.min(w, x0 + block), y1 = Math.min(h, y0 + block);
                float[] v = new float[(x1 - x0) * (y1 - y0)];
                for (int y = y0, n = 0; y < y1; y++) for (int x = x0; x < x1; x++) v[n++] = g.get(x, y);
                level[j * bx + i] = percentile(v, PAPER_SHARE);
            }
        }
        float[] lowest = new float[bx * by];
        for (int j = 0; j < by; j++) {
            for (int i = 0; i < bx; i++) {
                float m = Float.MAX_VALUE;
                for (int jj = Math.max(0, j - 1); jj <= Math.min(by - 1, j + 1); jj++) {
                    for (int ii = Math.max(0, i - 1); ii <= Math.min(bx - 1, i + 1); ii++) m = Math.min(m, level[jj * bx + ii]);
                }
                lowest[j * bx + i] = m;
            }
        }
        float[] out = new float[w * h];
        for (int y = 0; y < h; y++) {
            double fy = Math.max(0, Math.min(by - 1, (y + 0.5) / block - 0.5));
            int j0 = (int) fy, j1 = Math.min(by - 1, j0 + 1);
            for (int x = 0; x < w; x++) {
                double fx = Math.max(0, Math.min(bx - 1, (x + 0.5) / block - 0.5));
                int i0 = (int) fx, i1 = Math.min(bx - 1, i0 + 1);
                double dx = fx - i0, dy = fy - j0;
                out[y * w + x] = (float) ((1 - dy) * ((1 - dx) * lowest[j0 * bx + i0] + dx * lowest[j0 * bx + i1])
                        + dy * ((1 - dx) * lowest[j1 * bx + i0] + dx * lowest[j1 * bx + i1]));
            }
        }
        return new GreyImage(w, h, out);
    }

    /**
     * Whether the ink is darker than the paper: the picture is mostly light (a scan), or at least
     * 80% of its middle (the central half across and down) is on the light side of the middle's
     * range (a photo of a sheet on a darker table, which may fill most of the frame). No MNIST
     * digit's middle is that light: at most 78% of it is ink.
     */
    static boolean darkInk(GreyImage g) {
        if (percentile(g.pixels().clone(), 0.5) > 0.5) return true;
        int w = g.width(), h = g.height();
        float[] middle = new float[(w - w / 2) * (h - h / 2)];
        int n = 0;
        for (int y = h / 4; y < h / 4 + h - h / 2; y++) for (int x = w / 4; x < w / 4 + w - w / 2; x++) middle[n++] = g.get(x, y);
        float lo = percentile(middle.clone(), 0.05), hi = percentile(middle.clone(), 0.95), mid = (lo + hi) / 2;
        int light = 0;
        for (float v : middle) if (v > mid) light++;
        return hi - lo > 0.15f && light >= MIDDLE_LIGHT * middle.length;
    }

    /**
     * Ink (relative to the paper, which is 0) stretched to [0, 1], ruled lines erased, faint values
     * 0; null when no ink stands out.
     */
    static GreyImage clean(GreyImage g) {
        float[] v = g.pixels();
        float ink = percentile(v.clone(), 0.995);
        if (ink < 0.15f) return null;
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Math.min(1, v[i] / ink);
        GreyImage c = new GreyImage(g.width(), g.height(), out);
        eraseRuledLines(c);
        boolean any = false;
        for (int i = 0; i < out.length; i++) {
            if (out[i] < FAINT) out[i] = 0;
            any |= out[i] >= INK;
        }
        return any ? c : null;
    }

    /**
     * Clears the ruled lines: rows (and columns) mostly above the paper across the picture, while
     * the rows a little way above and below, past the thickest line, are not (so a table beside
     * the sheet, or the sheet's shaded side, is an area, not a line). Where a stroke darker than
     * the line crosses it, the stroke stays. It looks before faint values
     * are cut, at anything clearly above paper noise, since noise lifts only parts of a faint line
     * above the cut.
     */
    static void eraseRuledLines(GreyImage g) {
        int w = g.width(), h = g.height();
        int[] inRow = new int[h], inColumn = new int[w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (g.get(x, y) > LINE_FAINT) {
                    inRow[y]++;
                    inColumn[x]++;
                }
            }
        }
        boolean[] rows = lines(inRow, w), columns = lines(inColumn, h);
        float[] rowLevel = new float[h], columnLevel = new float[w];
        for (int y = 0; y < h; y++) {
            int row = y;
            if (rows[y]) rowLevel[y] = median(w, x -> g.get(x, row));
        }
        for (int x = 0; x < w; x++) {
            int column = x;
            if (columns[x]) columnLevel[x] = median(h, y -> g.get(column, y));
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean line = rows[y] && g.get(x, y) < rowLevel[y] + CROSSING || columns[x] && g.get(x, y) < columnLevel[x] + CROSSING;
                if (line) g.set(x, y, 0);
            }
        }
    }

    private static float median(int n, java.util.function.IntToDoubleFunction value) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) value.applyAsDouble(i);
        return percentile(v, 0.5);
    }

    /** Which of the rows (or columns), each with this much ink out of length, are ruled lines. */
    private static boolean[] lines(int[] ink, int length) {
        int n = ink.length, away = Math.max(2, (int) (LINE_THICKNESS * n)) + 1;
        boolean[] line = new boolean[n];
        for (int i = 0; i < n; i++) {
            line[i] = ink[i] >= LINE_SPAN * length
                    && (i - away < 0 || ink[i - away] < 0.5 * length) && (i + away >= n || ink[i + away] < 0.5 * length);
        }
        return line;
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
