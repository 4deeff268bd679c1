package nn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import nn.data.RealData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --engine}: a checkpoint trained on one engine loads and predicts on the other with the
 * same predictions (its arrays are plain floats, the engine is stored nowhere), and bad choices
 * are usage errors.
 */
class EngineCliTest {
    private static final String DATA = RealData.SLICE_PARENT.toString();
    private static final String SAMPLES = "data/samples";
    @TempDir Path dir;

    private Path train(String engine) {
        Path runs = dir.resolve("runs-" + engine);
        Nn.Result r = Nn.run("train", "--engine", engine, "--data-dir", DATA, "--model", "conv(4,5),relu,pool(2),dense(16),relu",
                "--limit", "400", "--epochs", "1", "--out", runs.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        return runs.resolve("latest/best.ckpt");
    }

    /** Each sample's predicted class and its probabilities, in file order. */
    private static List<String> predict(Path checkpoint, String engine) {
        Nn.Result r = Nn.run("predict", "--engine", engine, "--checkpoint", checkpoint.toString(), "--json", "--top", "10", SAMPLES);
        assertEquals(0, r.code(), r.err());
        List<String> out = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            StringBuilder s = new StringBuilder(o.get("file").getAsString() + " " + o.get("prediction").getAsString());
            JsonArray top = o.getAsJsonArray("top");
            for (int k = 0; k < top.size(); k++) {
                JsonObject t = top.get(k).getAsJsonObject();
                s.append(String.format(java.util.Locale.ROOT, " %s:%.4f", t.get("class").getAsString(), t.get("probability").getAsDouble()));
            }
            out.add(s.toString());
        }
        return out;
    }

    private static JsonObject eval(Path checkpoint, String engine) {
        Nn.Result r = Nn.run("eval", "--engine", engine, "--checkpoint", checkpoint.toString(), "--data-dir", DATA, "--json");
        assertEquals(0, r.code(), r.err());
        return JsonParser.parseString(r.out()).getAsJsonObject();
    }

    @Test
    void aCheckpointCrossesEnginesWithIdenticalPredictions() throws Exception {
        java.util.Map<String, Double> accuracy = new java.util.HashMap<>();
        for (String trainedOn : new String[] {"cpu", "nd4j"}) {
            Path ckpt = train(trainedOn);
            List<String> onCpu = predict(ckpt, "cpu"), onNd4j = predict(ckpt, "nd4j");
            assertEquals(new java.io.File("data/samples").list().length, onCpu.size(), "one line per sample picture");
            assertEquals(onCpu, onNd4j, "trained on " + trainedOn);
            JsonObject a = eval(ckpt, "cpu"), b = eval(ckpt, "nd4j");
            assertEquals(a.get("confusion_matrix"), b.get("confusion_matrix"), "trained on " + trainedOn + ": the same prediction for every test image");
            assertEquals(a.get("accuracy").getAsDouble(), b.get("accuracy").getAsDouble());
            String header = new String(Files.readAllBytes(ckpt), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertFalse(header.contains("engine"), "the checkpoint names no engine");
            accuracy.put(trainedOn, a.get("accuracy").getAsDouble());
        }
        // Both engines train the same model: the same seed, data and arithmetic up to float rounding.
        assertEquals(accuracy.get("cpu"), accuracy.get("nd4j"), 0.01, "test accuracy after training on each engine");
    }

    @Test
    void unknownEnginesAreUsageErrors() {
        Nn.Result r = Nn.run("info", "--engine", "gpu", "--data-dir", dir.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown engine 'gpu': expected cpu or nd4j"), r.err());
        for (String command : new String[] {"train", "eval", "predict", "bench", "prune", "info"}) {
            assertTrue(Nn.run(command, "--help").out().contains("--engine=cpu|nd4j"), command + " --help lists --engine");
        }
        assertTrue(Nn.run("show", "weights", "--help").out().contains("--engine=cpu|nd4j"));
        assertTrue(Nn.run("explain", "--help").out().contains("--engine=cpu|nd4j"));
    }

    @Test
    void infoNamesTheEngine() {
        Nn.Result r = Nn.run("info", "--engine", "nd4j", "--data-dir", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("engine:      nd4j"), r.out());
    }
}
