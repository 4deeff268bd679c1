package nn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import nn.data.RealData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** nn train refuses what it cannot do well, stops on divergence, and keeps its run's files consistent. */
class TrainCommandTest {
    private static final String DATA = RealData.SLICE_PARENT.toString();
    @TempDir Path dir;

    private Nn.Result train(String... extra) {
        String[] base = {"train", "--data-dir", DATA, "--hidden", "16", "--out", dir.resolve("runs").toString(), "--no-progress"};
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return Nn.run(args);
    }

    private static JsonObject json(Path file) throws Exception {
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }

    @Test
    void numbersOutsideTheirRangeAreUsageErrorsNamingTheOption() {
        String[][] bad = {{"--limit", "0"}, {"--limit", "-3"}, {"--validation", "-5"}, {"--epochs", "0"}, {"--batch-size", "0"},
                {"--lr", "0"}, {"--lr", "NaN"}, {"--lr", "Infinity"}, {"--momentum", "1"}, {"--weight-decay", "-1"},
                {"--dropout", "1.5"}, {"--hidden", "0"}, {"--keep", "-1"}, {"--patience", "0"}, {"--target-accuracy", "1.5"}};
        for (String[] option : bad) {
            Nn.Result r = train(option);
            assertEquals(2, r.code(), String.join(" ", option));
            assertTrue(r.err().contains(option[0] + " must be"), r.err());
        }
        assertEquals(2, Nn.run("prune", "--finetune", "-1").code());
        assertEquals(2, Nn.run("prune", "--lottery-epochs", "0").code());
        assertEquals(2, Nn.run("eval", "--validation", "-5").code());
        Nn.Result tooMany = train("--limit", "5000", "--epochs", "1");
        assertEquals(2, tooMany.code());
        assertTrue(tooMany.err().contains("--limit 5000 is more than the 3000 training images"), tooMany.err());
    }

    @Test
    void aLimitScalesTheDefaultValidationSplit() {
        Nn.Result r = train("--limit", "1000", "--epochs", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("900 training / 100 validation"), r.out());
    }

    @Test
    void divergenceStopsTrainingWithExit1AndNoBrokenCheckpoint() {
        Nn.Result r = train("--lr", "1e9", "--limit", "1000", "--epochs", "2");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("training diverged in epoch 1 at step") && r.err().contains("try a lower --lr"), r.err());
        assertTrue(r.err().contains("no checkpoint was written") && !r.err().contains("\tat "), r.err());
        assertFalse(Files.exists(dir.resolve("runs/latest")), "latest moves only once a run has a checkpoint");
        assertEquals(0, dir.resolve("runs").toFile().list().length, "the empty run folder is gone");
    }

    @Test
    void aModelTooLargeForMemoryIsRefusedBeforeAnythingIsAllocated() {
        long before = org.bytedeco.javacpp.Pointer.totalBytes();
        Nn.Result r = Nn.run("train", "--hidden", "1000000", "--data-dir", dir.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--hidden dense(1000000),relu: training this model needs about") && r.err().contains("off-heap (limit"), r.err());
        assertTrue(org.bytedeco.javacpp.Pointer.totalBytes() - before < 50_000_000, "nothing the size of the model was allocated");
    }

    @Test
    void moreThreadsThanCoresAreCappedWithAWarning() {
        try {
            Nn.Result r = Nn.run("info", "--threads", "1000", "--data-dir", dir.toString());
            assertEquals(0, r.code(), r.err());
            int cores = Runtime.getRuntime().availableProcessors();
            assertTrue(r.err().contains("1000 threads is more than this machine's " + cores + " cores"), r.err());
            assertEquals(cores, nn.compute.cpu.Team.size());
        } finally {
            nn.compute.cpu.Team.setSize(1);
        }
    }

    @Test
    void resumeRefusesSettingsTheRunFixesAndHonoursMoreEpochs() throws Exception {
        assertEquals(0, train("--limit", "1000", "--epochs", "1").code());
        Path run = dir.resolve("runs/latest");
        Nn.Result refused = Nn.run("train", "--resume", run.toString(), "--lr", "0.5", "--model", "cnn", "--data-dir", DATA);
        assertEquals(2, refused.code());
        assertTrue(refused.err().contains("--lr, --model cannot change"), refused.err());
        Nn.Result longer = Nn.run("train", "--resume", run.toString(), "--epochs", "2", "--data-dir", DATA, "--no-progress");
        assertEquals(0, longer.code(), longer.err());
        assertEquals(2, json(run.resolve("report.json")).getAsJsonArray("history").size());
    }

    @Test
    void theReportRecordsWhatComputedIt() throws Exception {
        assertEquals(0, train("--limit", "500", "--epochs", "1").code());
        JsonObject versions = json(dir.resolve("runs/latest/report.json")).getAsJsonObject("versions");
        assertEquals(nn.compute.cpu.Blas.sgemmLibrary(), versions.get("float_products").getAsString());
        for (String key : new String[] {"nn", "nd4j", "java", "threads"}) assertTrue(versions.has(key), key);
    }

    @Test
    void theReportNamesTheEpochThatBestCkptReallyHolds() throws Exception {
        assertEquals(0, train("--limit", "1000", "--epochs", "2", "--keep", "1").code());
        Path run = dir.resolve("runs/latest");
        assumeTrue(json(run.resolve("report.json")).get("best_epoch").getAsInt() == 2, "epoch 2 improved on epoch 1");
        // A kill at the end of epoch 2 after last.ckpt was written but before best.ckpt was: best.ckpt holds epoch 1.
        Files.copy(run.resolve("epoch-1.ckpt"), run.resolve("best.ckpt"), StandardCopyOption.REPLACE_EXISTING);
        Nn.Result resumed = Nn.run("train", "--resume", run.toString(), "--data-dir", DATA, "--no-progress");
        assertEquals(0, resumed.code(), resumed.err());
        JsonObject report = json(run.resolve("report.json"));
        assertEquals(1, report.get("best_epoch").getAsInt(), "the report says which epoch it scored");
        double epoch1 = report.getAsJsonArray("history").get(0).getAsJsonObject().get("validation_accuracy").getAsDouble();
        assertEquals(epoch1, report.get("best_validation_accuracy").getAsDouble(), 1e-12);
    }

    @Test
    void patienceAndTargetAccuracyStopEarlyAndResumeKeepsThem() throws Exception {
        Nn.Result r = train("--limit", "1000", "--epochs", "5", "--target-accuracy", "0.3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("stopped early after epoch 1: validation accuracy"), r.out());
        Path run = dir.resolve("runs/latest");
        JsonObject report = json(run.resolve("report.json"));
        assertEquals(1, report.getAsJsonArray("history").size());
        assertTrue(report.get("stopped_early").getAsString().contains("reached the target 30.00%"));
        assertEquals(0.3, report.getAsJsonObject("hyperparameters").get("target_accuracy").getAsDouble());
        var saved = nn.checkpoint.Checkpoint.load(run.resolve("last.ckpt")).state();
        assertEquals(0.3, saved.config.stopping().targetAccuracy(), "the checkpoint keeps the rule");
        assertEquals(2, Nn.run("train", "--data-dir", DATA, "--validation", "0", "--patience", "2").code(), "nothing to watch");
    }
}
