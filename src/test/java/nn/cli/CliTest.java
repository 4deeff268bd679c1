package nn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import nn.data.RealData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands as a user runs them: exit codes, what they print, what they write. */
class CliTest {
    @TempDir Path dir;



    @Test
    void helpListsTheCommands() {
        Nn.Result r = Nn.run("--help");
        assertEquals(0, r.code());
        for (String c : new String[] {"download", "train", "eval", "info"}) assertTrue(r.out().contains(c), c);
    }

    /** Help and version need nothing set up (no threads, no engine, so no ND4J start-up): answered first. */
    @Test
    void helpAndVersionAreAnsweredBeforeAnythingIsSetUp() {
        Nn.Result help = Nn.run("info", "--threads", "0", "--help");   // --threads 0 alone is a usage error
        assertEquals(0, help.code(), help.err());
        assertTrue(help.out().startsWith("Usage: nn info"), help.out());
        Nn.Result version = Nn.run("--threads", "0", "--version");
        assertEquals(0, version.code(), version.err());
        assertTrue(version.out().startsWith("nn "), version.out());
        assertEquals(0, Nn.run("help", "train").code());
    }

    @Test
    void aCommandNamedFirstIsBuiltAloneAndAnswersAsAmongAll() {
        assertEquals(Set.of("predict"), Main.commandLine("predict", "--help").getSubcommands().keySet());
        StringWriter alone = new StringWriter(), amongAll = new StringWriter();
        Main.commandLine("predict", "--help").setOut(new PrintWriter(alone)).execute("predict", "--help");
        Main.commandLine().setOut(new PrintWriter(amongAll)).execute("predict", "--help");
        assertEquals(amongAll.toString(), alone.toString());
        // help, an option first, or a misspelt command: every command, for the list and the suggestions
        assertEquals(Main.commandLine().getSubcommands().keySet(), Main.commandLine("help", "predict").getSubcommands().keySet());
        assertEquals(Main.commandLine().getSubcommands().keySet(), Main.commandLine("-v", "predict").getSubcommands().keySet());
        Nn.Result typo = Nn.run("predcit");
        assertEquals(2, typo.code());
        assertTrue(typo.err().contains("Did you mean: nn predict"), typo.err());
    }

    @Test
    void usageErrorsExitWith2() {
        assertEquals(2, Nn.run("train", "--epochs", "many").code());
        assertEquals(2, Nn.run("train", "--no-such-option").code());
        Nn.Result r = Nn.run("train", "--dataset", "cifar");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("nn train: unknown data set 'cifar'"), r.err());
        assertEquals(2, r.err().lines().count(), "the error and where the help is, no usage dump: " + r.err());
        Nn.Result spec = Nn.run("train", "--model", "dense(10),softplus", "--data-dir", dir.toString());
        assertEquals(2, spec.code());
        assertTrue(spec.err().contains("unknown layer 'softplus'"), spec.err());
        assertEquals(2, Nn.run("nosuchcommand").code());
        Nn.Result threads = Nn.run("info", "--threads", "0");
        assertEquals(2, threads.code());
        assertTrue(threads.err().contains("--threads must be at least 1"), threads.err());
        Nn.Result workload = Nn.run("bench", "--workload", "gpu", "--data-dir", dir.toString());
        assertEquals(2, workload.code());
        assertTrue(workload.err().contains("--workload must be mlp, cnn or all"), workload.err());
    }

    @Test
    void threadsOptionSetsTheTeam() {
        try {
            int cores = Runtime.getRuntime().availableProcessors();
            Nn.Result r = Nn.run("info", "--threads", String.valueOf(cores), "--data-dir", dir.toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("threads:     " + cores + " (--threads)"), r.out());
            assertEquals(cores, nn.compute.cpu.Team.size());
        } finally {
            nn.compute.cpu.Team.setSize(1);
        }
    }

    @Test
    void runtimeFailuresExitWith1AndSayWhy() throws Exception {
        Nn.Result r = Nn.run("eval", "--checkpoint", dir.resolve("missing.ckpt").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no such checkpoint"), r.err());
        Path junk = dir.resolve("junk.ckpt");
        Files.writeString(junk, "not a model");
        Nn.Result j = Nn.run("eval", "--checkpoint", junk.toString());
        assertEquals(1, j.code());
        assertTrue(j.err().contains("not an nn checkpoint") && !j.err().contains("\tat "), "one line, no stack trace: " + j.err());
    }

    @Test
    void downloadFromABrokenMirrorFailsCleanly() {
        Path empty = dir.resolve("empty-mirror");
        empty.toFile().mkdirs();
        Nn.Result r = Nn.run("download", "--mirror", empty.toString(), "--data-dir", dir.resolve("data").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("could not fetch train-images-idx3-ubyte.gz"), r.err());
        assertTrue(r.err().contains("hint: without internet"), r.err());
        assertTrue(!Files.exists(dir.resolve("data/mnist/train-images-idx3-ubyte.gz")));
    }

    @Test
    void trainThenEvalWritesAReport() throws Exception {
        Path runs = dir.resolve("runs");
        Nn.Result t = Nn.run("train", "--data-dir", RealData.SLICE_PARENT.toString(), "--epochs", "2", "--validation", "500",
                "--out", runs.toString(), "--no-progress");
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("test accuracy"), t.out());
        Path run = runs.resolve("latest");
        for (String f : new String[] {"best.ckpt", "last.ckpt", "metrics.csv", "report.json", "report.md", "training-curves.png",
                "confusion-matrix.png", "reliability.png", "confident-mistakes.png"}) {
            assertTrue(Files.size(run.resolve(f)) > 100, f);
        }
        assertEquals(3, Files.readAllLines(run.resolve("metrics.csv")).size(), "header and one line per epoch");
        JsonObject report = JsonParser.parseString(Files.readString(run.resolve("report.json"))).getAsJsonObject();
        assertEquals(1000, report.get("n").getAsInt());
        assertTrue(report.get("accuracy").getAsDouble() > 0.8, "2,500 real digits, 2 epochs");
        assertEquals(10, report.getAsJsonArray("confusion_matrix").size());
        assertEquals(2, report.getAsJsonArray("history").size());

        Path evalOut = dir.resolve("eval");
        Nn.Result e = Nn.run("eval", "--checkpoint", run.toString(), "--data-dir", RealData.SLICE_PARENT.toString(), "--out", evalOut.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("confusion matrix") && e.out().contains("macro avg") && e.out().contains("top confusions"), e.out());
        JsonObject again = JsonParser.parseString(Files.readString(evalOut.resolve("report.json"))).getAsJsonObject();
        assertEquals(report.get("accuracy").getAsDouble(), again.get("accuracy").getAsDouble(), 1e-12, "eval of best.ckpt = the training report");

        Path valOut = dir.resolve("val");
        assertEquals(0, Nn.run("eval", "--checkpoint", run.toString(), "--data-dir", RealData.SLICE_PARENT.toString(), "--split", "validation",
                "--out", valOut.toString()).code());
        JsonObject val = JsonParser.parseString(Files.readString(valOut.resolve("report.json"))).getAsJsonObject();
        assertEquals(500, val.get("n").getAsInt(), "the training run's own validation split");
        assertEquals(report.get("best_validation_accuracy").getAsDouble(), val.get("accuracy").getAsDouble(), 1e-12);
    }

    @Test
    void initStartsFromTrainedWeightsAndFreezeKeepsThem() throws Exception {
        Path runs = dir.resolve("runs");
        String data = RealData.SLICE_PARENT.toString();
        assertEquals(0, Nn.run("train", "--data-dir", data, "--hidden", "32", "--epochs", "2", "--validation", "500",
                "--out", runs.toString(), "--no-progress").code());
        Path first = runs.resolve("latest").toRealPath();
        var base = nn.checkpoint.Checkpoint.load(first.resolve("best.ckpt")).network();
        Nn.Result r = Nn.run("train", "--data-dir", data, "--init", first.toString(), "--freeze", "--epochs", "1", "--validation", "500",
                "--out", runs.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("layers frozen"), r.out());
        var tuned = nn.checkpoint.Checkpoint.load(runs.resolve("latest/last.ckpt")).network();
        assertTrue(java.util.Arrays.equals(base.params().get(0).value().toFloatArray(), tuned.params().get(0).value().toFloatArray()),
                "the frozen hidden layer kept the trained weights");
        assertTrue(!java.util.Arrays.equals(base.params().get(2).value().toFloatArray(), tuned.params().get(2).value().toFloatArray()),
                "the output layer kept learning");
        assertEquals(2, Nn.run("train", "--freeze").code(), "--freeze needs --init");
    }
}
