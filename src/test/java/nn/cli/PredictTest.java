package nn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import nn.data.LabeledImages;
import nn.data.RealData;
import nn.image.UserPictures;
import nn.random.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nn predict} on pictures made the way users' files look, from real MNIST test digits
 * (not hand-picked: the first 120 of the shipped slice for each kind), with the default cnn
 * model shipped in data/models.
 */
class PredictTest {
    static final Path MODEL = Path.of("data/models/cnn.ckpt");
    static final int PER_KIND = 120;
    @TempDir Path dir;


    @Test
    void everyKindOfPictureIsReadAtLeast97PercentRight() throws IOException {
        LabeledImages digits = RealData.test();
        Map<String, Integer> truth = new HashMap<>();
        for (UserPictures.Kind kind : UserPictures.Kind.values()) {
            Path folder = Files.createDirectories(dir.resolve(kind.name().toLowerCase()));
            Rng rng = new Rng(1000 + kind.ordinal());
            for (int i = 0; i < PER_KIND; i++) {
                Path file = folder.resolve(String.format("%03d.%s", i, kind.extension));
                UserPictures.write(UserPictures.render(digits, i, kind, rng), kind, file);
                truth.put(file.toString(), digits.labels()[i]);
            }
        }
        Nn.Result r = Nn.run("predict", "--checkpoint", MODEL.toString(), "--json",
                dir.resolve("paper").toString(), dir.resolve("transparent").toString(), dir.resolve("blue_jpeg").toString(),
                dir.resolve("ruled").toString(), dir.resolve("plain").toString());
        assertEquals(0, r.code(), r.err());
        Map<UserPictures.Kind, int[]> counts = new EnumMap<>(UserPictures.Kind.class);
        for (String line : r.out().split("\n")) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            String file = o.get("file").getAsString();
            UserPictures.Kind kind = UserPictures.Kind.valueOf(Path.of(file).getParent().getFileName().toString().toUpperCase());
            int[] c = counts.computeIfAbsent(kind, k -> new int[2]);
            c[1]++;
            if (o.get("prediction").getAsString().equals(String.valueOf(truth.get(file)))) c[0]++;
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
