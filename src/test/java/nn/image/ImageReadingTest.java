package nn.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import javax.imageio.ImageIO;

import nn.random.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A picture file is read whole and straight, or refused with one line before anything large is read or allocated. */
class ImageReadingTest {
    @TempDir Path dir;

    private static byte[] encode(String format, int width, int height) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.fillRect(0, 0, width, height);
        g.setColor(java.awt.Color.BLACK);
        g.drawLine(width / 2, 2, width / 2, height - 3);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }

    private Path file(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void readsAPictureAtItsSize() throws IOException {
        BufferedImage img = ImageReading.read(file("digit.png", encode("png", 40, 30)));
        assertEquals(40, img.getWidth());
        assertEquals(30, img.getHeight());
    }

    @Test
    void refusesAPngWhoseHeaderDeclaresHugeDimensions() throws IOException {
        byte[] png = encode("png", 40, 30);
        ByteBuffer.wrap(png).putInt(16, 100_000).putInt(20, 100_000);   // IHDR width and height
        String m = assertThrows(ImageLoadException.class, () -> ImageReading.read(file("bomb.png", png))).getMessage();
        assertTrue(m.endsWith("100000 x 100000 pixels is over the limit of 40,000,000 pixels"), m);
    }

    @Test
    void refusesAJpegWhoseHeaderDeclaresHugeDimensions() throws IOException {
        byte[] jpeg = encode("jpg", 40, 30);
        int sof = sofOffset(jpeg);
        ByteBuffer.wrap(jpeg).putShort(sof + 5, (short) 60_000).putShort(sof + 7, (short) 60_000);   // height, width
        String m = assertThrows(ImageLoadException.class, () -> ImageReading.read(file("bomb.jpg", jpeg))).getMessage();
        assertTrue(m.endsWith("60000 x 60000 pixels is over the limit of 40,000,000 pixels"), m);
    }

    /** Where the JPEG's start-of-frame marker (FF C0) is. */
    private static int sofOffset(byte[] jpeg) {
        for (int i = 2; i + 1 < jpeg.length; i++) if ((jpeg[i] & 0xff) == 0xff && (jpeg[i + 1] & 0xff) == 0xc0) return i;
        throw new AssertionError("no SOF0 marker");
    }

    @Test
    void refusesAHugeFileFromItsFirstBytes() throws IOException {
        Path huge = dir.resolve("huge.png");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.write("not a picture at all".getBytes());
            f.setLength(3L << 30);                       // sparse: 3 GB on paper, nothing on disk
        }
        long before = allocatedBytes();
        assertTrue(assertThrows(ImageLoadException.class, () -> ImageReading.read(huge)).getMessage().contains("not an image"));
        assertTrue(allocatedBytes() - before < 64 << 20, "the file is not read whole");
    }

    /**
     * Thousands of damaged copies of a small PNG (bits flipped, cut short, bytes inserted, header
     * numbers changed) are each read or refused with a one-line ImageLoadException, never another
     * exception, and never allocate more than the pixel limit allows.
     */
    @Test
    void survivesThousandsOfRandomDamages() throws IOException {
        byte[] valid = encode("png", 40, 30);
        long maxPixels = 10_000;
        long heapBudget = 16 * maxPixels + (8 << 20);
        Rng rng = new Rng(11);
        Path damaged = dir.resolve("damaged.png");
        for (int i = 0; i < 2000; i++) {
            Files.write(damaged, damage(valid, rng));
            long before = allocatedBytes();
            try {
                ImageReading.read(damaged, maxPixels);
            } catch (ImageLoadException e) {
                assertTrue(e.getMessage().startsWith(damaged + ": ") && !e.getMessage().contains("\n"), e.getMessage());
            }
            long allocated = allocatedBytes() - before;
            assertTrue(allocated < heapBudget, "damage " + i + " allocated " + allocated + " bytes");
        }
    }

    private static byte[] damage(byte[] valid, Rng rng) {
        byte[] b = valid.clone();
        switch (rng.nextInt(4)) {
            case 0 -> {
                for (int k = 1 + rng.nextInt(4); k > 0; k--) b[rng.nextInt(b.length)] ^= (byte) (1 << rng.nextInt(8));
            }
            case 1 -> b = Arrays.copyOf(valid, rng.nextInt(valid.length));
            case 2 -> {
                int at = rng.nextInt(valid.length), n = 1 + rng.nextInt(16);
                b = new byte[valid.length + n];
                System.arraycopy(valid, 0, b, 0, at);
                for (int k = 0; k < n; k++) b[at + k] = (byte) rng.nextInt(256);
                System.arraycopy(valid, at, b, at + n, valid.length - at);
            }
            default -> {
                int[] numbers = {8, 16, 20, 33};    // IHDR length, width, height; the next chunk's length
                ByteBuffer.wrap(b).putInt(numbers[rng.nextInt(numbers.length)], (int) rng.nextLong());
            }
        }
        return b;
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
