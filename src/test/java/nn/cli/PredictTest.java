package nn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import nn.checkpoint.Checkpoint;
import nn.data.DatasetKind;
import nn.data.LabeledImages;
import nn.data.RealData;
import nn.image.NumberPictures;
import nn.image.UserPictures;
import nn.random.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nn predict} on pictures made the way users' files look, from real MNIST test digits
 * (not hand-picked: the first 120 of the shipped slice for each kind, and numbers made of the
 * slice's digits in order), with the default cnn model shipped in data/models.
 */
class PredictTest {
    static final Path MODEL = Path.of("data/models/cnn.ckpt");
    static final int PER_KIND = UserPictureScore.PER_KIND, NUMBERS = 150;
    @TempDir Path dir;


    @Test
    void everyKindOfPictureIsReadAtLeast97PercentRight() throws IOException {
        Map<String, Integer> truth = UserPictureScore.render(dir, PER_KIND);
        List<String> args = new ArrayList<>(List.of("predict", "--checkpoint", MODEL.toString(), "--json"));
        for (UserPictures.Kind kind : UserPictures.Kind.values()) args.add(dir.resolve(kind.name().toLowerCase()).toString());
        Nn.Result r = Nn.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        Map<UserPictures.Kind, int[]> counts = new EnumMap<>(UserPictures.Kind.class);
        for (String line : r.out().split("\n")) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            String file = o.get("file").getAsString();
            UserPictures.Kind kind = UserPictures.Kind.valueOf(Path.of(file).getParent().getFileName().toString().toUpperCase());
            int[] c = counts.computeIfAbsent(kind, k -> new int[2]);
            c[1]++;
            if (o.has("number")) continue;   // read as several digits: wrong
            if (o.get("prediction").getAsInt() == truth.get(file)) c[0]++;
            assertEquals(3, o.getAsJsonArray("top").size());
        }
        StringBuilder summary = new StringBuilder();
        counts.forEach((k, c) -> summary.append(String.format("%s %d/%d (%.1f%%)  ", k, c[0], c[1], 100.0 * c[0] / c[1])));
        System.out.println("predict accuracy per kind: " + summary);
        for (UserPictures.Kind kind : UserPictures.Kind.values()) {
            int[] c = counts.get(kind);
            assertEquals(PER_KIND, c[1], kind + ": every picture predicted");
            assertTrue(c[0] >= 0.97 * PER_KIND, kind + " accuracy: " + summary);
        }
    }

    /** Numbers of 2-6 digits from the slice's digits in order, in the given style; returns the truth per file. */
    private Map<String, String> writeNumbers(LabeledImages digits, Path folder, int count, NumberPictures.Style style, long seed) throws IOException {
        Files.createDirectories(folder);
        Rng rng = new Rng(seed);
        Map<String, String> truth = new HashMap<>();
        int next = 0;
        for (int i = 0; i < count; i++) {
            int[] indices = new int[2 + rng.nextInt(5)];
            for (int k = 0; k < indices.length; k++) indices[k] = next++ % digits.size();
            NumberPictures.Number number = NumberPictures.render(digits, indices, style, rng);
            Path file = folder.resolve(String.format("%03d.png", i));
            ImageIO.write(number.image(), "png", file.toFile());
            truth.put(file.toString(), number.text());
        }
        return truth;
    }

    /** How many of the pictures were read as exactly their number, and how many as the right count of digits. */
    private static int[] readNumbers(Map<String, String> truth, Path folder) {
        Nn.Result r = Nn.run("predict", "--checkpoint", MODEL.toString(), "--json", folder.toString());
        assertEquals(0, r.code(), r.err());
        int exact = 0, count = 0;
        for (String line : r.out().split("\n")) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            String expected = truth.get(o.get("file").getAsString());
            String read = o.has("number") ? o.get("number").getAsString() : String.valueOf(o.get("prediction").getAsInt());
            if (read.equals(expected)) exact++;
            if (read.length() == expected.length()) count++;
        }
        return new int[] {exact, count};
    }

    @Test
    void numbersOfTwoToSixDigitsAreReadExactlyAtLeast95PercentOfTheTime() throws IOException {
        LabeledImages digits = RealData.test();
        Map<String, String> truth = writeNumbers(digits, dir.resolve("numbers"), NUMBERS, NumberPictures.Style.SPACED, 7);
        int[] read = readNumbers(truth, dir.resolve("numbers"));
        System.out.printf("numbers read exactly: %d/%d, with the right count of digits: %d%n", read[0], NUMBERS, read[1]);
        assertTrue(read[0] >= 0.95 * NUMBERS, read[0] + "/" + NUMBERS);
        assertTrue(read[1] >= 0.99 * NUMBERS, read[1] + "/" + NUMBERS);
    }

    @Test
    void aDigitInTwoPiecesStaysOneDigitAndASpeckBetweenDigitsIsNone() throws IOException {
        LabeledImages digits = RealData.test();
        for (NumberPictures.Style style : new NumberPictures.Style[] {
                new NumberPictures.Style(0.2, 0.6, false, true), new NumberPictures.Style(0.3, 0.6, true, false)}) {
            Path folder = dir.resolve(style.detached() ? "detached" : "speck");
            int[] read = readNumbers(writeNumbers(digits, folder, 40, style, 11), folder);
            System.out.printf("%s: read exactly %d/40, right count of digits %d/40%n", folder.getFileName(), read[0], read[1]);
            assertEquals(40, read[1], style + ": the count of digits");
            // A cut across every digit changes some shapes (a 4 or a 9 cut near the top), so the reading itself drops a little.
            assertTrue(read[0] >= 32, style + ": read exactly " + read[0] + "/40");
        }
    }

    @Test
    void aNumberPrintsItsDigitsAndJsonGivesThemWithBoxes() throws IOException {
        LabeledImages digits = RealData.test();
        // Test digits 1, 2, 3 are a 2, a 1 and a 0.
        NumberPictures.Number number = NumberPictures.render(digits, new int[] {1, 2, 3}, NumberPictures.Style.SPACED, new Rng(3));
        assertEquals("210", number.text());
        Path file = dir.resolve("note.png");
        ImageIO.write(number.image(), "png", file.toFile());
        Path seen = dir.resolve("seen");

        Nn.Result text = Nn.run("predict", "--checkpoint", MODEL.toString(), "--save-input", seen.toString(), file.toString());
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().matches("(?s)" + java.util.regex.Pattern.quote(file.toString())
                + "  210  [01]\\.\\d{3}  digits 2:[01]\\.\\d{3} 1:[01]\\.\\d{3} 0:[01]\\.\\d{3}\\s*"), text.out());
        for (int d = 1; d <= 3; d++) assertTrue(Files.isRegularFile(seen.resolve("note-" + d + "-28x28.png")), "one 28x28 picture per digit");

        JsonObject o = JsonParser.parseString(Nn.run("predict", "--checkpoint", MODEL.toString(), "--json", file.toString()).out()).getAsJsonObject();
        assertEquals("210", o.get("number").getAsString());
        JsonArray ds = o.getAsJsonArray("digits");
        assertEquals(3, ds.size());
        float product = 1;
        int lastX = -1;
        for (int d = 0; d < 3; d++) {
            JsonObject digit = ds.get(d).getAsJsonObject();
            assertTrue(digit.get("prediction").getAsJsonPrimitive().isNumber());
            assertEquals("210".charAt(d) - '0', digit.get("prediction").getAsInt());
            product *= digit.get("confidence").getAsFloat();
            JsonArray box = digit.getAsJsonArray("box");
            assertEquals(4, box.size());
            assertTrue(box.get(0).getAsInt() > lastX, "left to right");
            lastX = box.get(0).getAsInt();
        }
        assertEquals(product, o.get("confidence").getAsFloat(), 1e-5, "a number's confidence is the product of its digits'");

        JsonObject single = JsonParser.parseString(Nn.run("predict", "--checkpoint", MODEL.toString(), "--json", "--single", file.toString()).out()).getAsJsonObject();
        assertFalse(single.has("number"), "--single reads one digit");
        assertTrue(single.get("prediction").getAsJsonPrimitive().isNumber());
    }

    @Test
    void jsonGivesClassesAsNumbersAndNamesAsLabels() throws IOException {
        Path good = Path.of("data/samples/digit7-blue-ink.jpg");
        JsonObject digit = JsonParser.parseString(Nn.run("predict", "--checkpoint", MODEL.toString(), "--json", good.toString()).out()).getAsJsonObject();
        assertEquals(7, digit.get("prediction").getAsJsonPrimitive().getAsNumber().intValue());
        assertTrue(digit.get("prediction").getAsJsonPrimitive().isNumber(), digit.toString());
        JsonObject best = digit.getAsJsonArray("top").get(0).getAsJsonObject();
        assertTrue(best.get("class").getAsJsonPrimitive().isNumber(), digit.toString());
        assertFalse(digit.has("label"), "digits need no names");

        // The same network, as if trained on Fashion-MNIST: classes keep their numbers and gain their names.
        Checkpoint.Loaded m = Checkpoint.load(MODEL);
        Path fashion = dir.resolve("fashion.ckpt");
        Checkpoint.save(fashion, m.state(), new Checkpoint.Origin(DatasetKind.FASHION.id, DatasetKind.FASHION.classNames,
                m.origin().validationSize(), m.origin().limit(), m.origin().nnVersion(), m.origin().nd4jVersion()));
        JsonObject o = JsonParser.parseString(Nn.run("predict", "--checkpoint", fashion.toString(), "--json", good.toString()).out()).getAsJsonObject();
        int k = o.get("prediction").getAsInt();
        assertEquals(DatasetKind.FASHION.classNames.get(k), o.get("label").getAsString());
        JsonObject top = o.getAsJsonArray("top").get(0).getAsJsonObject();
        assertEquals(k, top.get("class").getAsInt());
        assertEquals(DatasetKind.FASHION.classNames.get(k), top.get("label").getAsString());
        assertFalse(o.has("number"), "pictures are read as numbers only with digit classes");
    }

    @Test
    void badFilesGetAnErrorEachWhileTheOthersArePredicted() throws IOException {
        Path good = Path.of("data/samples/digit7-blue-ink.jpg");
        Path text = dir.resolve("notes.png");
        Files.writeString(text, "not a picture");
        Path blank = dir.resolve("blank.png");
        java.awt.image.BufferedImage white = new java.awt.image.BufferedImage(40, 40, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 40; y++) for (int x = 0; x < 40; x++) white.setRGB(x, y, 0xffffff);
        javax.imageio.ImageIO.write(white, "png", blank.toFile());
        Path seen = dir.resolve("seen");
        Nn.Result r = Nn.run("predict", "--checkpoint", MODEL.toString(), "--save-input", seen.toString(),
                text.toString(), good.toString(), dir.resolve("missing.png").toString(), blank.toString());
        assertEquals(1, r.code(), "non-zero exit when any file failed");
        assertTrue(r.out().startsWith(good + "  7  "), r.out());
        assertTrue(r.err().contains("notes.png: not an image"), r.err());
        assertTrue(r.err().contains("missing.png: no such file"), r.err());
        assertTrue(r.err().contains("blank.png: no digit found"), r.err());
        assertTrue(Files.size(seen.resolve("digit7-blue-ink-28x28.png")) > 50, "the 28x28 input the network saw");
    }
}
