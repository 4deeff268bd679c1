package nn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import nn.data.RealData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** nn prune (with the lottery) and nn predict --uncertainty on a small model trained on real digits. */
class PruneAndUncertaintyTest {
    @TempDir static Path dir;
    static Path model;


    @BeforeAll
    static void trainSmallModel() {
        Nn.Result r = Nn.run("train", "--data-dir", RealData.SLICE_PARENT.toString(), "--hidden", "64", "--dropout", "0.3",
                "--epochs", "2", "--validation", "500", "--out", dir.resolve("runs").toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        model = dir.resolve("runs/latest");
    }

    @Test
    void pruneWritesTheTableJsonPlotAndLottery() throws Exception {
        Path out = dir.resolve("prune");
        Nn.Result r = Nn.run("prune", "--checkpoint", model.toString(), "--data-dir", RealData.SLICE_PARENT.toString(), "--out", out.toString(),
                "--sparsity", "0.5,0.9", "--finetune", "1", "--lottery", "2", "--lottery-epochs", "1");
        assertEquals(0, r.code(), r.err());
        JsonArray points = JsonParser.parseString(Files.readString(out.resolve("prune.json"))).getAsJsonArray();
        assertEquals(2, points.size());
        JsonObject p90 = points.get(1).getAsJsonObject();
        for (String key : new String[] {"sparsity", "accuracy_pruned", "accuracy_finetuned", "nonzero_params", "bytes_on_disk"}) {
            assertTrue(p90.has(key), key);
        }
        assertTrue(p90.get("nonzero_params").getAsLong() < 0.2 * 784 * 64, "90% of the weights are gone");
        assertTrue(Files.size(out.resolve("prune.png")) > 1000);
        assertTrue(Files.size(out.resolve("pruned-90.ckpt")) > 1000);
        JsonArray rounds = JsonParser.parseString(Files.readString(out.resolve("lottery.json"))).getAsJsonArray();
        assertEquals(3, rounds.size(), "round 0 (dense) and two pruning rounds");
        assertEquals(0.9, rounds.get(2).getAsJsonObject().get("sparsity").getAsDouble(), 0.01);
        assertTrue(rounds.get(2).getAsJsonObject().has("accuracy_random_reinit"));
        assertTrue(Files.size(out.resolve("lottery.png")) > 1000);
        // The pruned checkpoint keeps its masks and is 90% zeros; nn eval reads it like any other.
        nn.checkpoint.Checkpoint.Loaded pruned = nn.checkpoint.Checkpoint.load(out.resolve("pruned-90.ckpt"));
        assertEquals(0.9, nn.prune.Pruning.sparsity(pruned.network()), 0.001);
        assertEquals(2, pruned.state().masks.size());
        assertEquals(0, Nn.run("eval", "--checkpoint", out.resolve("pruned-90.ckpt").toString(), "--data-dir",
                RealData.SLICE_PARENT.toString(), "--out", dir.resolve("e").toString()).code());
    }

    @Test
    void uncertaintyNeedsDropoutAndReportsTheSpread() {
        Nn.Result r = Nn.run("predict", "--checkpoint", model.toString(), "--uncertainty", "10", "--json", "data/samples/digit6-paper.png");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out().trim()).getAsJsonObject();
        JsonObject u = o.getAsJsonObject("uncertainty");
        assertEquals(10, u.get("passes").getAsInt());
        assertTrue(u.get("std").getAsDouble() >= 0 && u.has("unsure"));
        Nn.Result none = Nn.run("predict", "--checkpoint", PredictTest.MODEL.toString(), "--uncertainty", "10", "data/samples/digit6-paper.png");
        assertEquals(2, none.code());
        assertTrue(none.err().contains("needs a model with dropout"), none.err());
    }
}
