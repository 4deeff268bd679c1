package nn.image;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

import nn.data.LabeledImages;
import nn.random.Rng;

/**
 * Renders real MNIST digits the way users' files look, for testing {@code nn predict}: the
 * digit's grey level becomes ink, drawn large and off-centre onto a canvas of 80-320 px.
 */
public final class UserPictures {
    public enum Kind {
        /** Dark ink on off-white paper with noise, PNG. */
        PAPER("png"),
        /** Black ink carried by alpha alone on a transparent background, PNG (a canvas drawing). */
        TRANSPARENT("png"),
        /** Blue ink on white, JPEG. */
        BLUE_JPEG("jpg"),
        /** Dark ink on ruled paper (light blue lines, a red margin), PNG. */
        RULED("png"),
        /** The 28x28 MNIST image itself, white on black, grey PNG. */
        PLAIN("png"),
        /**
         * A phone photo of the digit on a sheet of paper, JPEG: the sheet smaller than the frame on a
         * darker textured table, in slight perspective, light falling off across the frame, a little blur.
         */
        PHOTO("jpg");

        public final String extension;

        Kind(String extension) {
            this.extension = extension;
        }
    }

    private UserPictures() {}

    public static BufferedImage render(LabeledImages images, int index, Kind kind, Rng rng) {
        if (kind == Kind.PLAIN) {
            BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) img.getRaster().setSample(x, y, 0, Math.round(255 * ink(images, index, x, y)));
            }
            return img;
        }
        if (kind == Kind.PHOTO) return photo(images, index, rng);
        int size = 80 + rng.nextInt(241);
        int digit = (int) (size * (0.45 + 0.35 * rng.nextDouble()));           // the 28x28 field's size on the canvas
        int ox = rng.nextInt(Math.max(1, size - digit)), oy = rng.nextInt(Math.max(1, size - digit));
        BufferedImage img = new BufferedImage(size, size, kind == Kind.TRANSPARENT ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        double paper = 0.86 + 0.1 * rng.nextDouble();
        Color inkColour = kind == Kind.BLUE_JPEG ? new Color(20, 40, 170) : new Color(25, 25, 30);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                // Bilinear sample of the digit: coordinates in the 28x28 field.
                double fx = (x - ox) * 28.0 / digit - 0.5, fy = (y - oy) * 28.0 / digit - 0.5;
                double a = Math.max(0, Math.min(1, bilinear(images, index, fx, fy)));
                if (kind == Kind.TRANSPARENT) {
                    img.setRGB(x, y, ((int) Math.round(255 * a) << 24) | (inkColour.getRGB() & 0xffffff));
                    continue;
                }
                double bg = kind == Kind.BLUE_JPEG ? 1.0 : paper + 0.04 * rng.nextGaussian();
                double r = bg, g = bg, b = bg;
                if (kind == Kind.RULED && (y % 24 == 20 || y % 24 == 21)) {   // light blue ruled lines
                    r = 0.70;
                    g = 0.80;
                    b = 0.95;
                }
                if (kind == Kind.RULED && x == 12) {                           // a red margin
                    r = 0.9;
                    g = 0.45;
                    b = 0.45;
                }
                r = r * (1 - a) + a * inkColour.getRed() / 255.0;
                g = g * (1 - a) + a * inkColour.getGreen() / 255.0;
                b = b * (1 - a) + a * inkColour.getBlue() / 255.0;
                img.setRGB(x, y, rgb(r, g, b));
            }
        }
        return img;
    }

    public static void write(BufferedImage img, Kind kind, Path file) throws IOException {
        if (!kind.extension.equals("jpg")) {
            ImageIO.write(img, "png", file.toFile());
            return;
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.8f);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(img, null, null), param);
        } finally {
            writer.dispose();
        }
    }

    /** See {@link Kind#PHOTO}. */
    private static BufferedImage photo(LabeledImages images, int index, Rng rng) {
        int w = 200 + rng.nextInt(161), h = 200 + rng.nextInt(161);
        // The sheet: a rectangle that leaves the table visible on one to four sides, its corners moved for perspective.
        double[] edges = new double[4];   // left, top, right, bottom, as fractions of the frame
        int inside = rng.nextInt(4);
        for (int side = 0; side < 4; side++) {
            double margin = side == inside || rng.nextDouble() < 0.4 ? 0.06 + 0.14 * rng.nextDouble() : -0.1 * rng.nextDouble();
            edges[side] = side < 2 ? margin : 1 - margin;
        }
        double tilt = 0.06;
        double[] quad = {
                (edges[0] + tilt * (rng.nextDouble() - 0.5)) * w, (edges[1] + tilt * (rng.nextDouble() - 0.5)) * h,
                (edges[2] + tilt * (rng.nextDouble() - 0.5)) * w, (edges[1] + tilt * (rng.nextDouble() - 0.5)) * h,
                (edges[2] + tilt * (rng.nextDouble() - 0.5)) * w, (edges[3] + tilt * (rng.nextDouble() - 0.5)) * h,
                (edges[0] + tilt * (rng.nextDouble() - 0.5)) * w, (edges[3] + tilt * (rng.nextDouble() - 0.5)) * h};
        double[] toSheet = inverse(squareToQuad(quad));
        // The digit's 28x28 field on the sheet, near the middle of the frame.
        double field = (0.3 + 0.2 * rng.nextDouble()) * Math.min(w, h);
        double fx0 = w / 2.0 - field / 2 + 0.1 * w * (rng.nextDouble() - 0.5), fy0 = h / 2.0 - field / 2 + 0.1 * h * (rng.nextDouble() - 0.5);
        double[] fieldCorner = apply(toSheet, fx0, fy0), fieldEnd = apply(toSheet, fx0 + field, fy0 + field);
        double paper = 0.86 + 0.1 * rng.nextDouble(), ink = 0.08 + 0.12 * rng.nextDouble();
        double table = 0.25 + 0.3 * rng.nextDouble(), grain = 0.05 + 0.2 * rng.nextDouble();
        double angle = 2 * Math.PI * rng.nextDouble(), falloff = 0.25 + 0.3 * rng.nextDouble();
        double dx = Math.cos(angle), dy = Math.sin(angle), span = Math.abs(dx) * w + Math.abs(dy) * h;
        double lo = Math.min(0, dx * w) + Math.min(0, dy * h);
        float[][] rgb = new float[3][w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double[] uv = apply(toSheet, x + 0.5, y + 0.5);
                double v, warm;
                if (uv[0] >= 0 && uv[0] <= 1 && uv[1] >= 0 && uv[1] <= 1) {
                    double a = Math.max(0, Math.min(1, bilinear(images, index,
                            (uv[0] - fieldCorner[0]) / (fieldEnd[0] - fieldCorner[0]) * 28 - 0.5,
                            (uv[1] - fieldCorner[1]) / (fieldEnd[1] - fieldCorner[1]) * 28 - 0.5)));
                    v = paper * (1 - a) + ink * a;
                    warm = 0.02;
                } else {   // wood: stripes along x with a wavy grain
                    v = table * (1 + grain * Math.sin(y * 0.35 + 3 * Math.sin(x * 0.05)) + 0.05 * rng.nextGaussian());
                    warm = 0.12;
                }
                double light = 1 - falloff * ((dx * x + dy * y) - lo) / span;
                rgb[0][y * w + x] = (float) (v * light * (1 + warm));
                rgb[1][y * w + x] = (float) (v * light);
                rgb[2][y * w + x] = (float) (v * light * (1 - warm));
            }
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double[] c = new double[3];
                for (int ch = 0; ch < 3; ch++) c[ch] = blurred(rgb[ch], w, h, x, y) + 0.015 * rng.nextGaussian();
                img.setRGB(x, y, rgb(c[0], c[1], c[2]));
            }
        }
        return img;
    }

    /** A 3x3 box blur, the camera's slight defocus. */
    private static double blurred(float[] v, int w, int h, int x, int y) {
        double sum = 0;
        int n = 0;
        for (int j = Math.max(0, y - 1); j <= Math.min(h - 1, y + 1); j++) {
            for (int i = Math.max(0, x - 1); i <= Math.min(w - 1, x + 1); i++, n++) sum += v[j * w + i];
        }
        return sum / n;
    }

    /** The homography (3x3, row-major) taking the unit square's corners (0,0), (1,0), (1,1), (0,1) to quad's (Heckbert 1989). */
    private static double[] squareToQuad(double[] q) {
        double dx1 = q[2] - q[4], dx2 = q[6] - q[4], dx3 = q[0] - q[2] + q[4] - q[6];
        double dy1 = q[3] - q[5], dy2 = q[7] - q[5], dy3 = q[1] - q[3] + q[5] - q[7];
        double det = dx1 * dy2 - dx2 * dy1;
        double g = (dx3 * dy2 - dx2 * dy3) / det, hh = (dx1 * dy3 - dx3 * dy1) / det;
        return new double[] {q[2] - q[0] + g * q[2], q[6] - q[0] + hh * q[6], q[0],
                q[3] - q[1] + g * q[3], q[7] - q[1] + hh * q[7], q[1], g, hh, 1};
    }

    private static double[] inverse(double[] m) {
        double[] adj = {
                m[4] * m[8] - m[5] * m[7], m[2] * m[7] - m[1] * m[8], m[1] * m[5] - m[2] * m[4],
                m[5] * m[6] - m[3] * m[8], m[0] * m[8] - m[2] * m[6], m[2] * m[3] - m[0] * m[5],
                m[3] * m[7] - m[4] * m[6], m[1] * m[6] - m[0] * m[7], m[0] * m[4] - m[1] * m[3]};
        return adj;   // the adjugate: the inverse up to a scale, which a homography ignores
    }

    private static double[] apply(double[] m, double x, double y) {
        double z = m[6] * x + m[7] * y + m[8];
        return new double[] {(m[0] * x + m[1] * y + m[2]) / z, (m[3] * x + m[4] * y + m[5]) / z};
    }

    private static double ink(LabeledImages images, int index, int x, int y) {
        if (x < 0 || y < 0 || x >= 28 || y >= 28) return 0;
        return images.pixel(index, y * 28 + x);
    }

    static double bilinear(LabeledImages images, int index, double x, double y) {
        int x0 = (int) Math.floor(x), y0 = (int) Math.floor(y);
        double dx = x - x0, dy = y - y0;
        return (1 - dy) * ((1 - dx) * ink(images, index, x0, y0) + dx * ink(images, index, x0 + 1, y0))
                + dy * ((1 - dx) * ink(images, index, x0, y0 + 1) + dx * ink(images, index, x0 + 1, y0 + 1));
    }

    private static int rgb(double r, double g, double b) {
        return (clamp(r) << 16) | (clamp(g) << 8) | clamp(b);
    }

    private static int clamp(double v) {
        return (int) Math.round(255 * Math.max(0, Math.min(1, v)));
    }

    static {
        System.setProperty("java.awt.headless", "true");
    }
}
