package nn.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads a picture file (PNG of any kind, JPEG, BMP, GIF's first frame) as straight RGBA.
 * The size is read from the header first, so a decompression bomb is refused before decoding.
 */
public final class ImageReading {
    /** 40 megapixels: a photo from a phone fits; a crafted 100,000 x 100,000 PNG does not. */
    public static final long MAX_PIXELS = 40_000_000L;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private ImageReading() {}

    public static BufferedImage read(Path file) throws IOException {
        return read(file, MAX_PIXELS);
    }

    public static BufferedImage read(Path file, long maxPixels) throws IOException {
        if (!Files.isRegularFile(file)) throw new ImageLoadException(file, "no such file");
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new ImageLoadException(file, "not an image nn can read (PNG, JPEG, BMP or GIF)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0), h = reader.getHeight(0);
                if (w * h > maxPixels) {
                    throw new ImageLoadException(file, String.format("%d x %d pixels is over the limit of %,d pixels", w, h, maxPixels));
                }
                BufferedImage img = reader.read(0);
                if (img == null) throw new ImageLoadException(file, "the image has no pixels");
                return img;
            } catch (ImageLoadException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw new ImageLoadException(file, "cannot decode the " + reader.getFormatName() + " image (" + e.getMessage() + ")");
            } finally {
                reader.dispose();
            }
        }
    }
}
