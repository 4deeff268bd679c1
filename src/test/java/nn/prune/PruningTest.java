package nn.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import nn.checkpoint.Checkpoint;
import nn.data.LabeledImages;
import nn.data.RealData;
import nn.model.ModelSpec;
import nn.model.Network;
import nn.model.Param;
import nn.random.Rng;
import nn.compute.Tensor;
import nn.train.Schedule;
import nn.train.TrainConfig;
import nn.train.TrainListener;
import nn.train.Trainer;
import nn.train.TrainingState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** Masks remove exactly the smallest weights, and pruned weights stay zero through training and resume. */
class PruningTest {
    @TempDir Path dir;

    private static Network net() {
        Network net = ModelSpec.of("dense(32),relu,dense(16),relu").build(DataType.FLOAT);
        net.initialize(new Rng(4));
        return net;
    }

    private static double zeros(Tensor t) {
        int z = 0;
        for (int i = 0; i < t.length; i++) if (t.get(i) == 0) z++;
        return (double) z / t.length;
    }

    @Test
    void perLayerPruningRemovesTheSameFractionEverywhere() {
        Network net = net();
        for (Param p : net.params()) if (!p.decays()) p.value().fill(0.5);
        List<Tensor> masks = Pruning.masks(net, 0.75, false, null);
        Pruning.apply(net, masks);
        for (Param w : Pruning.weights(net)) assertEquals(0.75, zeros(w.value()), 0.01, w.name());
        for (Param p : net.params()) if (!p.decays()) assertEquals(0.0, zeros(p.value()), 0.0, "biases are not pruned: " + p.name());
    }

    @Test
    void globalPruningUsesOneThresholdAndKeepsTheLargestWeights() {
        Network net = net();
        List<Param> weights = Pruning.weights(net);
        double smallestKept = Double.MAX_VALUE, largestRemoved = 0;
        List<Tensor> masks = Pruning.masks(net, 0.9, true, null);
        for (int k = 0; k < weights.size(); k++) {
            Tensor w = weights.get(k).value();
            for (int i = 0; i < w.length; i++) {
                if (masks.get(k).get(i) == 1) smallestKept = Math.min(smallestKept, Math.abs(w.get(i)));
                else largestRemoved = Math.max(largestRemoved, Math.abs(w.get(i)));
            }
        }
        assertTrue(largestRemoved <= smallestKept);
        Pruning.apply(net, masks);
        assertEquals(0.9, Pruning.sparsity(net), 0.001);
        // A second round removes a fraction of the survivors, never reviving pruned weights.
        List<Tensor> again = Pruning.masks(net, 0.5, true, masks);
        Pruning.apply(net, again);
        assertEquals(0.95, Pruning.sparsity(net), 0.001);
    }

    @Test
    void masksSurviveCheckpointsAndTraining() throws IOException {
        LabeledImages train = RealData.train().first(640);
        Network net = net();
        TrainingState s = new TrainingState(net, new TrainConfig(2, 32, 0.05, "sgd", 0.9, 0, Schedule.CONSTANT, null, 3));
        s.masks = Pruning.masks(net, 0.8, true, null);
        Pruning.apply(net, s.masks);
        int[] steps = {0};
        new Trainer(train, null, new TrainListener() {}).run(s, () -> ++steps[0] == 25);
        assertEquals(0.8, Pruning.sparsity(net), 0.001, "zero after training steps");
        Path file = dir.resolve("pruned.ckpt");
        Checkpoint.save(file, s, new Checkpoint.Origin("mnist", train.classNames(), 0, 640, "t", "t"));
        TrainingState resumed = Checkpoint.load(file).state();
        assertEquals(s.masks.size(), resumed.masks.size());
        new Trainer(train, null, new TrainListener() {}).run(resumed, () -> false);
        assertEquals(0.8, Pruning.sparsity(resumed.network), 0.001, "still zero after resuming");
    }
}
