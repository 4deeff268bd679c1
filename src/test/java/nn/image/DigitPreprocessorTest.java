package nn.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import nn.data.LabeledImages;
import nn.data.RealData;
import nn.random.Rng;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Users' pictures come out looking like MNIST: white on black, 20 px, centred by mass. */
class DigitPreprocessorTest {
    private static LabeledImages digits;
    @TempDir Path dir;

    @BeforeAll
    static void load() throws IOException {
        digits = RealData.test();
    }

    private static double[] centreOfMass(float[] px) {
        double m = 0, x = 0, y = 0;
        for (int i = 0; i < px.length; i++) {
            m += px[i];
            x += px[i] * (i % 28);
            y += px[i] * (i / 28);
        }
        return new double[] {x / m, y / m};
    }

    /** Pearson correlation of two images. */
    private static double similarity(float[] a, float[] b) {
        double ma = 0, mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= a.length;
        mb /= b.length;
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (a[i] - ma) * (b[i] - mb);
            aa += (a[i] - ma) * (a[i] - ma);
            bb += (b[i] - mb) * (b[i] - mb);
        }
        return ab / Math.sqrt(aa * bb);
    }

    private static float[] original(int i) {
        float[] px = new float[784];
        digits.copyImage(i, px, 0);
        return px;
    }

    @Test
    void aPlainMnistDigitComesBackAlmostUnchanged() {
        double sum = 0;
        for (int i = 0; i < 20; i++) {
            BufferedImage img = UserPictures.render(digits, i, UserPictures.Kind.PLAIN, new Rng(i));
            DigitPreprocessor.Result r = DigitPreprocessor.prepare(img, DigitPreprocessor.Invert.AUTO);
            assertFalse(r.inverted(), "white on black stays");
            double s = similarity(original(i), r.pixels());
            assertTrue(s > 0.75, "digit " + i + ": " + s);   // a one-pixel shift of a thin stroke costs this much
            sum += s;
        }
        assertTrue(sum / 20 > 0.85, "mean similarity " + sum / 20);
    }

    @ParameterizedTest
    @EnumSource(value = UserPictures.Kind.class, names = {"PAPER", "TRANSPARENT", "BLUE_JPEG", "RULED"})
    void picturesOfEveryKindLookLikeTheDigit(UserPictures.Kind kind) throws IOException {
        Rng rng = new Rng(kind.ordinal());
        for (int i = 0; i < 10; i++) {
            Path file = dir.resolve(i + "." + kind.extension);
            UserPictures.write(UserPictures.render(digits, i, kind, rng), kind, file);
            DigitPreprocessor.Result r = DigitPreprocessor.prepare(ImageReading.read(file), DigitPreprocessor.Invert.AUTO);
            assertTrue(r.inverted(), kind + ": dark ink on light (or on transparent) is inverted");
            double s = similarity(original(i), r.pixels());
            assertTrue(s > 0.75, kind + " digit " + i + " similarity " + s);
            double[] com = centreOfMass(r.pixels());
            assertEquals(14, com[0], 0.75);
            assertEquals(14, com[1], 0.75);
        }
    }

    @Test
    void theLongerSideBecomes20Pixels() {
        BufferedImage img = new BufferedImage(200, 100, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 100; y++) for (int x = 0; x < 200; x++) img.setRGB(x, y, 0xffffff);
        for (int y = 30; y < 70; y++) for (int x = 50; x < 150; x++) img.setRGB(x, y, 0);   // a 100 x 40 dark bar
        float[] px = DigitPreprocessor.prepare(img, DigitPreprocessor.Invert.AUTO).pixels();
        int minX = 28, maxX = -1, minY = 28, maxY = -1;
        for (int i = 0; i < 784; i++) {
            if (px[i] > 0.5) {
                minX = Math.min(minX, i % 28);
                maxX = Math.max(maxX, i % 28);
                minY = Math.min(minY, i / 28);
                maxY = Math.max(maxY, i / 28);
            }
        }
        assertEquals(20, maxX - minX + 1);
        assertEquals(8, maxY - minY + 1);
    }

    @Test
    void inkIsDarkOnAScanAndOnAPhotoWhoseTableFillsMostOfTheFrame() {
        GreyImage scan = GreyImage.blank(40, 40), photo = GreyImage.blank(40, 40), drawing = GreyImage.blank(40, 40);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 40; x++) {
                boolean stroke = x >= 18 && x < 22 && y >= 10 && y < 30;
                boolean sheet = x >= 8 && x < 32 && y >= 8 && y < 32;   // 36% of the frame; the rest is table
                scan.set(x, y, stroke ? 0.1f : 0.9f);
                photo.set(x, y, stroke ? 0.1f : sheet ? 0.8f : 0.3f);
                drawing.set(x, y, stroke ? 1f : 0f);   // white on black, like MNIST
            }
        }
        assertTrue(DigitPreprocessor.darkInk(scan));
        assertTrue(DigitPreprocessor.darkInk(photo));
        assertFalse(DigitPreprocessor.darkInk(drawing));
    }

    @Test
    void lightFallingOffAcrossThePageIsEvenedOut() {
        // Ink-bright (inverted) paper from 0.05 on the left to 0.55 on the right, a stroke taking 80% of the light in two places.
        int w = 120, h = 60;
        GreyImage g = GreyImage.blank(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float paper = 0.05f + 0.5f * x / w;
                boolean stroke = (x >= 20 && x < 24 || x >= 96 && x < 100) && y >= 15 && y < 45;
                g.set(x, y, stroke ? paper + 0.8f * (1 - paper) : paper);
            }
        }
        GreyImage even = DigitPreprocessor.evenOutLight(g);
        // The paper's level is the lowest of a block and its neighbours, so on a slope this steep it lags by up to 0.15.
        for (int x : new int[] {5, 40, 80, 115}) assertEquals(0, even.get(x, 30), 0.15, "paper at x = " + x);
        assertEquals(0.8, even.get(21, 30), 0.08, "the stroke where the paper is bright");
        assertEquals(0.8, even.get(97, 30), 0.08, "the stroke where the paper is dim");
    }

    @Test
    void theTableBesideTheSheetIsNotTakenForPaper() {
        // Ink-bright: paper 0.1 with a thick blot, a darker table (0.6) along the right quarter.
        GreyImage g = GreyImage.blank(80, 80);
        for (int y = 0; y < 80; y++) {
            for (int x = 0; x < 80; x++) g.set(x, y, x >= 60 ? 0.6f : x >= 20 && x < 34 && y >= 20 && y < 34 ? 0.9f : 0.1f);
        }
        GreyImage paper = DigitPreprocessor.paperLevel(g);
        assertEquals(0.1, paper.get(27, 27), 0.01, "under the blot");
        assertEquals(0.1, paper.get(62, 40), 0.01, "next to the sheet's edge, the table is above the paper");
    }

    @Test
    void thinRuledLinesAreErasedButNotAStrokeCrossingThemNorAnAreaAlongTheEdge() {
        GreyImage g = DigitFinderTest.picture(
                "..........#...########",
                "..........#...########",
                "######################",   // a light ruled line (0.3), crossed by a stroke at x = 10
                "..........#...########",
                "..............########",
                "......#.......########",
                "......#.......########",
                "......#.......########",
                "......#.......########",
                "......#.......########");
        for (int x = 0; x < 14; x++) if (x != 10) g.set(x, 2, 0.3f);
        DigitPreprocessor.eraseRuledLines(g);
        assertEquals(0, g.get(3, 2), "the ruled line");
        assertEquals(1, g.get(10, 2), "the stroke crossing it");
        assertEquals(1, g.get(6, 5), "the digit");
        assertEquals(1, g.get(18, 5), "the area along the edge: a band of columns far thicker than a line");
    }

    @Test
    void aBlankPictureHasNoDigit() {
        BufferedImage img = new BufferedImage(50, 50, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 50; y++) for (int x = 0; x < 50; x++) img.setRGB(x, y, 0xf0f0f0);
        assertNull(DigitPreprocessor.prepare(img, DigitPreprocessor.Invert.AUTO));
    }

    @Test
    void refusesNonImagesMissingFilesAndOversizedPictures() throws IOException {
        Path text = dir.resolve("notes.png");
        Files.writeString(text, "this is not a picture");
        assertTrue(assertThrows(ImageLoadException.class, () -> ImageReading.read(text)).getMessage().contains("not an image"));
        assertTrue(assertThrows(ImageLoadException.class, () -> ImageReading.read(dir.resolve("none.png"))).getMessage().contains("no such file"));
        Path big = dir.resolve("big.png");
        javax.imageio.ImageIO.write(new BufferedImage(400, 300, BufferedImage.TYPE_BYTE_GRAY), "png", big.toFile());
        ImageLoadException e = assertThrows(ImageLoadException.class, () -> ImageReading.read(big, 100_000));
        assertTrue(e.getMessage().contains("400 x 300 pixels is over the limit"), e.getMessage());
    }
}
