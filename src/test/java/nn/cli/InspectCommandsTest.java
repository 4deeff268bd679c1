package nn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import nn.data.RealData;
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

    /** A small model trained for one epoch on the slice of MNIST the tests carry; its run folder. */
    private Path train(String model) {
        Path runs = dir.resolve(model.replaceAll("[^a-z0-9]", ""));
        Nn.Result r = Nn.run("train", "--data-dir", RealData.SLICE_PARENT.toString(), "--model", model, "--limit", "1000",
                "--epochs", "1", "--out", runs.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        return runs.resolve("latest");
    }

    @Test
    void explainingAnLstmAddsTheProbabilitiesAfterEachRow() throws Exception {
        Nn.Result e = Nn.run("explain", "--checkpoint", train("lstm(16)").toString(), "--out", dir.toString(), SAMPLE);
        assertEquals(0, e.code(), e.err());
        Path rows = dir.resolve("explain-digit3-blue-ink-rows.png");
        assertTrue(e.out().contains("wrote " + rows), e.out());
        assertPicture(rows, 400, 28 * 8);
        JsonObject j = JsonParser.parseString(Files.readString(dir.resolve("explain-digit3-blue-ink.json"))).getAsJsonObject();
        JsonArray after = j.getAsJsonArray("rows");
        assertEquals(28, after.size());
        for (JsonElement row : after) {
            double sum = 0;
            for (JsonElement p : row.getAsJsonArray()) sum += p.getAsDouble();
            assertEquals(10, row.getAsJsonArray().size());
            assertEquals(1.0, sum, 1e-5);
        }
        int decided = j.get("decided_at_row").getAsInt();
        assertTrue(decided >= 1 && decided <= 28, "decided at row " + decided);
        assertEquals(784, j.getAsJsonArray("saliency").size(), "the maps every model gets are still there");
    }

    @Test
    void explainingAnMlpWritesNoRowByRowPicture() throws Exception {
        Nn.Result e = Nn.run("explain", "--checkpoint", train("dense(16),relu").toString(), "--out", dir.toString(), SAMPLE);
        assertEquals(0, e.code(), e.err());
        assertTrue(Files.exists(dir.resolve("explain-digit3-blue-ink.png")));
        assertFalse(Files.exists(dir.resolve("explain-digit3-blue-ink-rows.png")), e.out());
        JsonObject j = JsonParser.parseString(Files.readString(dir.resolve("explain-digit3-blue-ink.json"))).getAsJsonObject();
        assertFalse(j.has("rows") || j.has("decided_at_row"), j.keySet().toString());
    }

    @Test
    void explainingATransformerShowsWhereItsAttentionWent() throws Exception {
        Nn.Result e = Nn.run("explain", "--checkpoint", train("patches(7,16),attention(2),pool").toString(), "--out", dir.toString(), SAMPLE);
        assertEquals(0, e.code(), e.err());
        Path attention = dir.resolve("explain-digit3-blue-ink-attention.png");
        assertTrue(e.out().contains("wrote " + attention), e.out());
        assertPicture(attention, 3 * 28 * 8, 28 * 8);
        JsonObject j = JsonParser.parseString(Files.readString(dir.resolve("explain-digit3-blue-ink.json"))).getAsJsonObject();
        assertEquals("[4,4]", j.get("patch_grid").toString());
        double sum = 0;
        for (JsonElement share : j.getAsJsonArray("attention_rollout")) sum += share.getAsDouble();
        assertEquals(16, j.getAsJsonArray("attention_rollout").size());
        assertEquals(1.0, sum, 1e-5, "every patch's share of the answer, adding up to all of it");
        assertEquals(16, j.getAsJsonArray("last_block_attention").size());
        assertFalse(j.has("rows"), "no row-by-row reading for a transformer");
    }
}
