package nn.inspect;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

import javax.imageio.ImageIO;

import nn.model.Conv2D;
import nn.model.Flatten;
import nn.model.Layer;
import nn.model.Network;
import nn.model.Shape;
import nn.model.WeightedLayer;

/** The pictures of {@code nn show} and {@code nn explain}, drawn in plain Java 2D. */
public final class InspectionPictures {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 14), TEXT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    private InspectionPictures() {}

    /** Where the weight layers (dense, conv) stand among a network's layers; nn show weights counts them from 1. */
    public static List<Integer> weightLayers(Network net) {
        List<Integer> weighted = new java.util.ArrayList<>();
        for (int i = 0; i < net.layers().size(); i++) if (net.layers().get(i) instanceof WeightedLayer) weighted.add(i);
        return weighted;
    }

    /** Weight layer {@code layer} (from 1) as a grid of tiles, one per unit or filter, titled with what it shows. */
    public static byte[] weights(Network net, int layer) throws IOException {
        int index = weightLayers(net).get(layer - 1);
        Layer l = net.layers().get(index);
        float[] w = l.params().get(0).value().toFloatArray();
        long[] shape = l.params().get(0).value().shape();
        int rows = (int) shape[0], columns = (int) shape[1];
        Shape tile = tileShape(net, index, l, rows);
        return weightGrid(w, rows, columns, tile.height(), tile.width(), tile.channels(),
                String.format("Layer %d, %s: %d tiles of %dx%d%s", layer, l.spec(), columns, tile.height(), tile.width(),
                        tile.channels() > 1 ? " (mean of " + tile.channels() + " channels)" : ""));
    }

    /** What one column of W looks like: a kernel, an image-shaped input, or a near-square block. */
    private static Shape tileShape(Network net, int index, Layer l, int rows) {
        if (l instanceof Conv2D c) return new Shape(c.kernel(), c.kernel(), rows / (c.kernel() * c.kernel()));
        int before = index - 1;
        while (before >= 0 && net.layers().get(before) instanceof Flatten) before--;
        Shape in = before < 0 ? net.inputShape() : net.outputShape(before);
        if (!in.isFlat()) return in;
        int side = (int) Math.ceil(Math.sqrt(rows));
        return new Shape((rows + side - 1) / side, side, 1);
    }

    /**
     * Weights as a grid of tiles, one per column of W (a hidden unit or a filter), each tile
     * th x tw values of that column, diverging colours scaled to the tile's largest |w|.
     */
    public static byte[] weightGrid(float[] w, int rows, int columns, int th, int tw, int channels, String title) throws IOException {
        int scale = Math.max(2, 84 / Math.max(th, tw)), gap = 4;
        int tiles = columns, perRow = (int) Math.ceil(Math.sqrt(tiles * 1.6));
        int cellW = tw * scale + gap, cellH = th * scale + gap;
        int gridRows = (tiles + perRow - 1) / perRow;
        BufferedImage img = new BufferedImage(Math.max(perRow * cellW + gap, 360), gridRows * cellH + gap + 28, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img, title);
        for (int t = 0; t < tiles; t++) {
            float max = 1e-12f;
            for (int r = 0; r < rows; r++) max = Math.max(max, Math.abs(w[r * columns + t]));
            int x0 = gap + (t % perRow) * cellW, y0 = 28 + (t / perRow) * cellH;
            for (int y = 0; y < th; y++) {
                for (int x = 0; x < tw; x++) {
                    double v = 0;   // the mean over input channels (weights are laid out (y, x, channel))
                    for (int c = 0; c < channels; c++) {
                        int r = (y * tw + x) * channels + c;
                        if (r < rows) v += w[r * columns + t];
                    }
                    g.setColor(ColourMap.diverging(v / channels / max));
                    g.fillRect(x0 + x * scale, y0 + y * scale, scale, scale);
                }
            }
        }
        g.dispose();
        return png(img);
    }

    /** Every layer's activations for one input, one band per layer, and the class probabilities. */
    public static byte[] activations(float[] input, List<Inspection.LayerOutput> layers, float[] probs, List<String> classes)
            throws IOException {
        int width = 900, y = 36;
        int height = 36 + 120 + layers.size() * 140 + 40;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img, "Activations, layer by layer (brighter = larger)");
        drawImage(g, input, 28, 28, 1, 10, y, 3, false);
        g.setColor(Color.BLACK);
        g.drawString("input (what the network sees)", 110, y + 40);
        y += 100;
        for (Inspection.LayerOutput l : layers) {
            g.setColor(Color.BLACK);
            g.drawString(l.spec() + "  " + l.shape(), 10, y + 12);
            Shape s = l.shape();
            float max = 1e-12f;
            for (float v : l.values()) max = Math.max(max, Math.abs(v));
            if (!s.isFlat()) {   // feature maps: one small grey image per channel
                int scale = Math.max(1, 48 / s.height()), step = s.width() * scale + 3;
                int maps = Math.min(s.channels(), (width - 20) / step);
                for (int c = 0; c < maps; c++) {
                    for (int yy = 0; yy < s.height(); yy++) {
                        for (int xx = 0; xx < s.width(); xx++) {
                            g.setColor(ColourMap.heat(Math.abs(l.values()[(yy * s.width() + xx) * s.channels() + c]) / max));
                            g.fillRect(10 + c * step + xx * scale, y + 20 + yy * scale, scale, scale);
                        }
                    }
                }
            } else {             // a strip: one bar per unit
                int n = s.channels(), barW = Math.max(1, (width - 20) / Math.max(1, n));
                for (int i = 0; i < Math.min(n, width - 20); i++) {
                    double v = l.values()[i] / max;
                    g.setColor(ColourMap.diverging(v));
                    g.fillRect(10 + i * barW, y + 20, barW, 60);
                }
            }
            y += 140;
        }
        g.setColor(Color.BLACK);
        StringBuilder p = new StringBuilder("probabilities: ");
        for (int k = 0; k < probs.length; k++) p.append(String.format("%s %.3f   ", classes.get(k), probs[k]));
        g.drawString(p.toString(), 10, y + 10);
        g.dispose();
        return png(img);
    }

    /** The digit, its saliency map and its occlusion map side by side. */
    public static byte[] explanation(float[] input, float[] saliency, float[] occlusion, String title) throws IOException {
        int scale = 8, size = 28 * scale, gap = 20;
        BufferedImage img = new BufferedImage(3 * size + 4 * gap, size + 70, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img, title);
        drawImage(g, input, 28, 28, 1, gap, 40, scale, false);
        drawImage(g, normalised(saliency), 28, 28, 1, 2 * gap + size, 40, scale, true);
        drawImage(g, normalised(occlusion), 28, 28, 1, 3 * gap + 2 * size, 40, scale, true);
        g.setColor(Color.BLACK);
        g.drawString("input", gap, size + 58);
        g.drawString("saliency |d score / d pixel|", 2 * gap + size, size + 58);
        g.drawString("occlusion: drop in probability", 3 * gap + 2 * size, size + 58);
        g.dispose();
        return png(img);
    }

    /**
     * A recurrent network reading the digit top to bottom: the digit on the left and, beside each
     * of its rows, the class probabilities after reading the image down to that row (black 0,
     * white 1); a line marks the row from which the final answer stays the likeliest, and its
     * column is outlined from there down.
     */
    public static byte[] rowByRow(float[] input, RowByRow reading, List<String> classes, String title) throws IOException {
        float[][] p = reading.probabilities();
        int rows = p.length, width = input.length / rows, scale = 8, gap = 20, top = 58, gutter = 30;
        int cell = 24;
        for (String name : classes) cell = Math.max(cell, textWidth(name, TEXT) + 8);
        int mapX = gap + width * scale + gutter, mapRight = mapX + classes.size() * cell, bottom = top + rows * scale;
        int decided = reading.decidedAtRow(), answer = reading.prediction();
        String note = "row " + decided + ": " + classes.get(answer) + " on top from here on";
        String caption = "probability of each class after reading down to the row (black 0, white 1)";
        int imageWidth = Math.max(mapRight + 10 + textWidth(note, TEXT), Math.max(mapX + textWidth(caption, TEXT), textWidth(title, TITLE) + 10));
        BufferedImage img = new BufferedImage(imageWidth + gap, bottom + 30, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img, title);
        drawImage(g, input, rows, width, 1, gap, top, scale, false);
        for (int t = 0; t < rows; t++) {
            for (int k = 0; k < classes.size(); k++) {
                g.setColor(ColourMap.heat(p[t][k]));
                g.fillRect(mapX + k * cell, top + t * scale, cell, scale);
            }
        }
        g.setColor(Color.BLACK);
        for (int k = 0; k < classes.size(); k++) {
            g.drawString(classes.get(k), mapX + k * cell + (cell - textWidth(classes.get(k), TEXT)) / 2, top - 6);
        }
        for (int t = 1; t <= rows; t++) {
            if (t == 1 || t % 7 == 0) {
                String row = String.valueOf(t);
                g.drawString(row, mapX - 6 - textWidth(row, TEXT), top + (t - 1) * scale + scale / 2 + 4);
            }
        }
        int decidedY = top + (decided - 1) * scale;
        g.drawString(note, mapRight + 10, decidedY + 4);
        g.drawString("input, read top to bottom", gap, bottom + 20);
        g.drawString(caption, mapX, bottom + 20);
        g.setColor(new Color(0, 170, 255));
        g.setStroke(new BasicStroke(2));
        g.drawLine(gap, decidedY, mapRight + 4, decidedY);
        g.drawRect(mapX + answer * cell, decidedY, cell, bottom - decidedY);
        g.dispose();
        return png(img);
    }

    /**
     * A vision transformer's attention over the digit: the input, then the attention rollout and
     * the last block's attention, each a heat map over the patch grid laid on the digit.
     */
    public static byte[] attention(float[] input, AttentionRollout a, String title) throws IOException {
        int scale = 8, size = 28 * scale, gap = 20;
        BufferedImage img = new BufferedImage(Math.max(3 * size + 4 * gap, textWidth(title, TITLE) + 20), size + 70, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img, title);
        drawImage(g, input, 28, 28, 1, gap, 40, scale, false);
        overPatches(g, input, stretched(a.rollout()), a, 2 * gap + size, 40, scale);
        overPatches(g, input, stretched(a.lastBlock()), a, 3 * gap + 2 * size, 40, scale);
        g.setColor(Color.BLACK);
        g.drawString("input", gap, size + 58);
        g.drawString("attention rollout (least to most)", 2 * gap + size, size + 58);
        g.drawString("last block's attention (least to most)", 3 * gap + 2 * size, size + 58);
        g.dispose();
        return png(img);
    }

    /** v mapped onto 0..1 from its smallest to its largest value (the residual gives every patch a floor). */
    private static float[] stretched(float[] v) {
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (float f : v) {
            min = Math.min(min, f);
            max = Math.max(max, f);
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = max > min ? (v[i] - min) / (max - min) : 0;
        return out;
    }

    /** The digit in grey under a translucent heat colour per patch, with the patch grid drawn. */
    private static void overPatches(Graphics2D g, float[] input, float[] heat, AttentionRollout a, int x0, int y0, int scale) {
        drawImage(g, input, 28, 28, 1, x0, y0, scale, false);
        int size = 28 * scale;   // a grid that does not divide 28 (a conv before the attention) still covers the digit
        for (int r = 0; r < a.gridHeight(); r++) {
            for (int c = 0; c < a.gridWidth(); c++) {
                int left = x0 + c * size / a.gridWidth(), top = y0 + r * size / a.gridHeight();
                int w = x0 + (c + 1) * size / a.gridWidth() - left, h = y0 + (r + 1) * size / a.gridHeight() - top;
                Color heatColour = ColourMap.heat(heat[r * a.gridWidth() + c]);
                g.setColor(new Color(heatColour.getRed(), heatColour.getGreen(), heatColour.getBlue(), 150));
                g.fillRect(left, top, w, h);
                g.setColor(new Color(255, 255, 255, 90));
                g.drawRect(left, top, w, h);
            }
        }
    }

    static float[] normalised(float[] v) {
        float max = 1e-12f;
        for (float f : v) max = Math.max(max, f);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Math.max(0, v[i]) / max;
        return out;
    }

    private static void drawImage(Graphics2D g, float[] v, int h, int w, int channels, int x0, int y0, int scale, boolean heat) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double value = v[(y * w + x) * channels];
                g.setColor(heat ? ColourMap.heat(value) : ColourMap.grey(value));
                g.fillRect(x0 + x * scale, y0 + y * scale, scale, scale);
            }
        }
    }

    private static Graphics2D canvas(BufferedImage img, String title) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(TITLE);
        g.drawString(title, 10, 20);
        g.setFont(TEXT);
        return g;
    }

    /** How wide {@code text} is drawn in {@code font}, to size a picture before drawing it. */
    private static int textWidth(String text, Font font) {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            return g.getFontMetrics(font).stringWidth(text);
        } finally {
            g.dispose();
        }
    }

    private static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
