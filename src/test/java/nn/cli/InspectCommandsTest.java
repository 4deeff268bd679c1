package nn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** nn show and nn explain write pictures of a sensible size, and say where. */
class InspectCommandsTest {
    @TempDir Path dir;
    static final String MODEL = PredictTest.MODEL.toString(), SAMPLE = "data/samples/digit3-blue-ink.jpg";


    private static void assertPicture(Path png, int minWidth, int minHeight) throws Exception {
        var img = ImageIO.read(png.toFile());
        assertTrue(img.getWidth() >= minWidth && img.getHeight() >= minHeight, png + " is " + img.getWidth() + "x" + img.getHeight());
    }

    @Test
    void showWeightsDrawsOneTilePerFilter() throws Exception {
        Nn.Result r = Nn.run("show", "weights", "--checkpoint", MODEL, "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("weights-layer1.png"));
        assertPicture(dir.resolve("weights-layer1.png"), 300, 100);
        assertEquals(2, Nn.run("show", "weights", "--checkpoint", MODEL, "--layer", "9", "--out", dir.toString()).code());
    }

    @Test
    void showActivationsAndExplain() throws Exception {
        Nn.Result a = Nn.run("show", "activations", "--checkpoint", MODEL, "--out", dir.toString(), SAMPLE);
        assertEquals(0, a.code(), a.err());
        assertTrue(a.out().contains(": 3 ("), a.out());
        assertPicture(dir.resolve("activations-digit3-blue-ink.png"), 800, 1000);

        Nn.Result e = Nn.run("explain", "--checkpoint", MODEL, "--out", dir.toString(), "--class", "8", SAMPLE);
        assertEquals(0, e.code(), e.err());
        assertPicture(dir.resolve("explain-digit3-blue-ink.png"), 600, 200);
        JsonObject j = JsonParser.parseString(Files.readString(dir.resolve("explain-digit3-blue-ink.json"))).getAsJsonObject();
        assertEquals(3, j.get("prediction").getAsInt());
        assertTrue(j.get("prediction").getAsJsonPrimitive().isNumber(), "classes are numbers");
        assertEquals(8, j.get("class").getAsInt());
        assertEquals(784, j.getAsJsonArray("saliency").size());
        assertEquals(784, j.getAsJsonArray("occlusion").size());
        assertEquals(1, Nn.run("explain", "--checkpoint", MODEL, dir.resolve("none.png").toString()).code());
    }
}
