package nn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import nn.checkpoint.Checkpoint;
import nn.data.LabeledImages;
import nn.data.RealData;
import nn.eval.Predictor;
import nn.checkpoint.SlimModel;
import nn.prune.Pruning;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** nn export, and the commands that read a model given an .onnx file or a slim model. */
class OnnxCommandsTest {
    static final String MODEL = "data/models/cnn.ckpt", SAMPLE = "data/samples/digit6-plain-28x28.png";
    static final String DATA = RealData.SLICE_PARENT.toString();

    @TempDir Path dir;

    static double accuracy(Path reportDir) throws Exception {
        return JsonParser.parseString(Files.readString(reportDir.resolve("report.json"))).getAsJsonObject().get("accuracy").getAsDouble();
    }

    @Test
    void exportThenEvalPredictExplainAndShowTheOnnxFile() throws Exception {
        Path onnx = dir.resolve("cnn.onnx");
        Nn.Result x = Nn.run("export", "--checkpoint", MODEL, "--onnx", onnx.toString());
        assertEquals(0, x.code(), x.err());
        assertTrue(x.out().contains("wrote " + onnx) && x.out().contains("[N,1,28,28]"), x.out());

        assertEquals(0, Nn.run("eval", "--checkpoint", MODEL, "--data-dir", DATA, "--out", dir.resolve("a").toString()).code());
        Nn.Result e = Nn.run("eval", "--checkpoint", onnx.toString(), "--data-dir", DATA, "--out", dir.resolve("b").toString());
        assertEquals(0, e.code(), e.err());
        assertEquals(accuracy(dir.resolve("a")), accuracy(dir.resolve("b")), 1e-12, "the .onnx scores as the checkpoint does");

        Nn.Result p = Nn.run("predict", "--checkpoint", onnx.toString(), "--json", SAMPLE);
        assertEquals(0, p.code(), p.err());
        assertTrue(p.out().contains("\"prediction\":6"), p.out());
        assertEquals(0, Nn.run("explain", "--checkpoint", onnx.toString(), "--out", dir.toString(), SAMPLE).code());
        assertEquals(0, Nn.run("show", "activations", "--checkpoint", onnx.toString(), "--out", dir.toString(), SAMPLE).code());
    }

    /** A model trained in PyTorch (scripts/pytorch-mnist-onnx.py) reads the sample photos: each file name says its digit. */
    @Test
    void aPyTorchModelReadsPictures() throws Exception {
        String[] samples = Files.list(Path.of("data/samples")).map(Path::toString).sorted().toArray(String[]::new);
        String[] args = new String[4 + samples.length];
        System.arraycopy(new String[] {"predict", "--checkpoint", "data/models/pytorch-cnn.onnx", "--normalize=0.1307,0.3081"}, 0, args, 0, 4);
        System.arraycopy(samples, 0, args, 4, samples.length);
        Nn.Result r = Nn.run(args);
        assertEquals(0, r.code(), r.err());
        for (String line : r.out().strip().split("\n")) {
            String[] words = line.trim().split("\\s+");
            String digit = words[0].replaceAll(".*digit(\\d).*", "$1");
            assertEquals(digit, words[1], line);
        }
    }

    @Test
    void problemsAreOneLine() throws Exception {
        Path junk = dir.resolve("junk.onnx");
        Files.writeString(junk, "this is not a model\n");
        Nn.Result r = Nn.run("eval", "--checkpoint", junk.toString(), "--data-dir", DATA);
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("nn eval: error: " + junk + ": not an ONNX model"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());

        assertEquals(2, Nn.run("predict", "--checkpoint", MODEL, "--normalize", "0.1,0.3", SAMPLE).code(), "--normalize is for .onnx");
        assertEquals(2, Nn.run("predict", "--checkpoint", junk.toString(), "--normalize", "0.1", SAMPLE).code());
        assertEquals(2, Nn.run("export", "--checkpoint", MODEL).code(), "nothing to write");
        Nn.Result prune = Nn.run("prune", "--checkpoint", "data/models/pytorch-cnn.onnx", "--data-dir", DATA);
        assertEquals(1, prune.code());
        assertTrue(prune.err().contains("needs an nn checkpoint"), prune.err());
        assertEquals(2, Nn.run("export", "--checkpoint", MODEL, "--onnx", dir.resolve("m.onnx").toString(), "--opset", "9").code());
    }

    /** At 90% sparsity the slim model is at most a quarter of the dense weight bytes, and predicts bit for bit as the checkpoint. */
    @Test
    void prunedModelsAreSmallOnDisk() throws Exception {
        Nn.Result t = Nn.run("train", "--data-dir", DATA, "--hidden", "128", "--epochs", "1", "--validation", "500",
                "--out", dir.resolve("runs").toString(), "--no-progress");
        assertEquals(0, t.code(), t.err());
        Path model = dir.resolve("runs/latest/best.ckpt");
        Path out = dir.resolve("prune");
        Nn.Result r = Nn.run("prune", "--checkpoint", model.toString(), "--data-dir", DATA, "--out", out.toString(), "--sparsity", "0.9", "--finetune", "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("slim bytes"), r.out());
        Checkpoint.Loaded dense = Checkpoint.load(model);
        long denseWeightBytes = 4L * dense.network().parameterCount();
        JsonArray points = JsonParser.parseString(Files.readString(out.resolve("prune.json"))).getAsJsonArray();
        JsonObject p90 = points.get(0).getAsJsonObject();
        long slimBytes = p90.get("bytes_slim").getAsLong();
        assertTrue(slimBytes <= denseWeightBytes / 4, slimBytes + " > a quarter of " + denseWeightBytes);

        Path pruned = out.resolve("pruned-90.ckpt"), slim = dir.resolve("pruned-90.slim");
        Nn.Result x = Nn.run("export", "--checkpoint", pruned.toString(), "--slim", slim.toString());
        assertEquals(0, x.code(), x.err());
        System.out.printf("dense weights %,d bytes; pruned-90.ckpt %,d bytes; pruned-90.slim %,d bytes (%.1f%% of the dense weight bytes)%n",
                denseWeightBytes, Files.size(pruned), Files.size(slim), 100.0 * Files.size(slim) / denseWeightBytes);
        assertEquals(slimBytes, Files.size(slim));

        LabeledImages test = RealData.test();
        Checkpoint.Loaded old = Checkpoint.load(pruned), small = SlimModel.load(slim);
        assertEquals(0.9, Pruning.sparsity(small.network()), 0.001);
        assertArrayEquals(Predictor.probabilities(old.network(), test.toFloats(), test.size()),
                Predictor.probabilities(small.network(), test.toFloats(), test.size()), "bit-identical probabilities");
        assertEquals(0, Nn.run("eval", "--checkpoint", slim.toString(), "--data-dir", DATA, "--out", dir.resolve("s").toString()).code());
        assertEquals(0, Nn.run("eval", "--checkpoint", pruned.toString(), "--data-dir", DATA, "--out", dir.resolve("c").toString()).code(),
                "the older format still loads");
        assertEquals(accuracy(dir.resolve("c")), accuracy(dir.resolve("s")), 1e-12);
    }
}
