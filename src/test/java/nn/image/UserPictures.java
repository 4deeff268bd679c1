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
        PLAIN("png");

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
        if (kind != Kind.BLUE_JPEG) {
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

    private static double ink(LabeledImages images, int index, int x, int y) {
        if (x < 0 || y < 0 || x >= 28 || y >= 28) return 0;
        return images.pixels()[index * 784 + y * 28 + x];
    }

    private static double bilinear(LabeledImages images, int index, double x, double y) {
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
