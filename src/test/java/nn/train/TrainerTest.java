package nn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import nn.checkpoint.Checkpoint;
import nn.data.LabeledImages;
import nn.data.RealData;
import nn.data.Split;
import nn.eval.Predictor;
import nn.model.ModelSpec;
import nn.model.Network;
import nn.model.Param;
import nn.random.Rng;
import nn.compute.cpu.Team;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

/** Training on real digits: it learns, it is reproducible, and a resumed run is the same run. */
class TrainerTest {
    private static Split split;
    private static LabeledImages test;
    @TempDir Path dir;

    @BeforeAll
    static void load() throws IOException {
        split = Split.of(RealData.train(), 500, 1);
        test = RealData.test();
    }

    private static TrainingState state(String spec, TrainConfig config) {
        Network net = ModelSpec.of(spec).build(DataType.FLOAT);
        net.initialize(new Rng(config.seed()));
        return new TrainingState(net, config);
    }

    private static TrainConfig config(int epochs, Augmentation aug) {
        return new TrainConfig(epochs, 32, 0.05, "nesterov", 0.9, 1e-4, Schedule.COSINE, aug, 11);
    }

    private static float[] weights(Network net) {
        int n = 0;
        for (Param p : net.params()) n += p.value().length;
        float[] out = new float[n];
        int k = 0;
        for (Param p : net.params()) for (float v : p.value().toFloatArray()) out[k++] = v;
        return out;
    }

    @Test
    void learnsRealDigits() throws IOException {
        TrainingState s = state("dense(64),relu", config(3, null));
        double[] losses = new double[3];
        new Trainer(split.train(), split.validation(), new TrainListener() {
            @Override
            public void epochDone(TrainingState st, EpochMetrics m, boolean improved) {
                losses[m.epoch() - 1] = m.trainLoss();
            }
        }).run(s, () -> false);
        assertTrue(losses[2] < losses[1] && losses[1] < losses[0], "loss falls every epoch: " + java.util.Arrays.toString(losses));
        double accuracy = Predictor.predict(s.network, test).accuracy();
        // 2,500 training images, 3 epochs: well above chance (10%); the full set reaches 98%.
        assertTrue(accuracy > 0.85, "test accuracy on real digits: " + accuracy);
        assertEquals(3, s.history.size());
        assertTrue(s.bestEpoch >= 1 && s.bestValidationAccuracy > 0.85);
    }

    /** Four epochs of Adam on 2,500 real digits: the loss falls every epoch and the test accuracy clears 75%. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"lstm(32),0.01,0", "'patches(7,32),attention(4),pool',0.003,0.01"})
    void recurrentAndTransformerNetworksLearnRealDigits(String spec, double lr, double decay) throws IOException {
        TrainingState s = state(spec, new TrainConfig(4, 32, lr, "adam", 0.9, decay, Schedule.COSINE, null, 11));
        double[] losses = new double[4];
        new Trainer(split.train(), split.validation(), new TrainListener() {
            @Override
            public void epochDone(TrainingState st, EpochMetrics m, boolean improved) {
                losses[m.epoch() - 1] = m.trainLoss();
            }
        }).run(s, () -> false);
        assertTrue(losses[3] < losses[2] && losses[2] < losses[1] && losses[1] < losses[0], "loss falls every epoch: " + java.util.Arrays.toString(losses));
        double accuracy = Predictor.predict(s.network, test).accuracy();
        assertTrue(accuracy > 0.75, spec + ": test accuracy on real digits " + accuracy);
    }

    @Test
    void sameSeedGivesTheSameRun() throws IOException {
        TrainingState a = state("conv(4,5),relu,pool(2),dense(16),relu,dropout(0.2)", config(1, Augmentation.STANDARD));
        TrainingState b = state("conv(4,5),relu,pool(2),dense(16),relu,dropout(0.2)", config(1, Augmentation.STANDARD));
        LabeledImages small = split.train().first(600);
        new Trainer(small, null, new TrainListener() {}).run(a, () -> false);
        new Trainer(small, null, new TrainListener() {}).run(b, () -> false);
        assertArrayEquals(weights(a.network), weights(b.network));
    }

    @Test
    void sameSeedAndTwoThreadsGiveTheSameRun() throws IOException {
        // Work is cut into the same parts every time, so two threads are as reproducible as one.
        Team.setSize(2);
        try {
            String spec = "conv(4,5),relu,pool(2),dense(32),relu";
            TrainingState a = state(spec, config(1, null)), b = state(spec, config(1, null)), one = state(spec, config(1, null));
            LabeledImages small = split.train().first(640);
            new Trainer(small, null, new TrainListener() {}).run(a, () -> false);
            new Trainer(small, null, new TrainListener() {}).run(b, () -> false);
            assertArrayEquals(weights(a.network), weights(b.network));
            Team.setSize(1);
            new Trainer(small, null, new TrainListener() {}).run(one, () -> false);
            float[] wa = weights(a.network), w1 = weights(one.network);
            for (int i = 0; i < wa.length; i++) assertEquals(w1[i], wa[i], 1e-3, "one thread and two train the same model, up to rounding");
        } finally {
            Team.setSize(1);
        }
    }

    @Test
    void interruptedThenResumedFromACheckpointIsBitIdentical() throws IOException {
        String spec = "conv(4,5),relu,pool(2),dense(16),relu,dropout(0.2)";
        LabeledImages small = split.train().first(640);   // 20 steps per epoch
        Checkpoint.Origin origin = new Checkpoint.Origin("mnist", small.classNames(), 500, -1, "test", "test");

        TrainingState straight = state(spec, config(2, Augmentation.STANDARD));
        new Trainer(small, split.validation(), new TrainListener() {}).run(straight, () -> false);

        // Stop in the middle of epoch 2 (as Ctrl-C would), save, load, carry on.
        TrainingState first = state(spec, config(2, Augmentation.STANDARD));
        int[] steps = {0};
        boolean finished = new Trainer(small, split.validation(), new TrainListener() {}).run(first, () -> ++steps[0] == 27);
        assertFalse(finished);
        assertEquals(1, first.epoch);
        assertEquals(7, first.batchInEpoch);
        Path file = dir.resolve("last.ckpt");
        Checkpoint.save(file, first, origin);
        TrainingState resumed = Checkpoint.load(file).state();
        assertTrue(new Trainer(small, split.validation(), new TrainListener() {}).run(resumed, () -> false));

        assertArrayEquals(weights(straight.network), weights(resumed.network), "weights after resume");
        assertEquals(straight.history, resumed.history.stream()
                .map(m -> new EpochMetrics(m.epoch(), m.trainLoss(), m.trainAccuracy(), m.validationLoss(), m.validationAccuracy(),
                        m.learningRate(), straight.history.get(m.epoch() - 1).seconds()))
                .toList(), "the same metrics, apart from seconds");
    }

    @Test
    void frozenLayersDoNotChange() throws IOException {
        TrainingState s = state("dense(32),relu", config(1, null));
        s.frozenLayers = 3;   // flatten, dense(32), relu: only the output layer learns
        float[] before = s.network.params().get(0).value().toFloatArray();
        float[] headBefore = s.network.params().get(2).value().toFloatArray();
        new Trainer(split.train().first(320), null, new TrainListener() {}).run(s, () -> false);
        assertArrayEquals(before, s.network.params().get(0).value().toFloatArray());
        assertFalse(java.util.Arrays.equals(headBefore, s.network.params().get(2).value().toFloatArray()));
        assertEquals(2, s.trainableParams().size());
        assertTrue(Files.notExists(dir.resolve("x")));
        assertEquals(List.of("3.W", "3.b"), s.trainableParams().stream().map(Param::name).toList());
    }

    @Test
    void aNonFiniteLossStopsTrainingAtThatStepBeforeAnyEpochIsSaved() {
        TrainingState s = state("dense(16),relu", new TrainConfig(2, 32, 1e9, "sgd", 0.9, 0, Schedule.CONSTANT, null, 11));
        int[] epochsSaved = {0};
        DivergedException e = assertThrows(DivergedException.class, () -> new Trainer(split.train().first(640), null, new TrainListener() {
            @Override
            public void epochDone(TrainingState st, EpochMetrics m, boolean improved) {
                epochsSaved[0]++;
            }
        }).run(s, () -> false));
        assertTrue(e.getMessage().matches("training diverged in epoch 1 at step \\d+: the loss is (NaN|Infinity); try a lower --lr \\(this run used 1.0E9\\)"),
                e.getMessage());
        assertEquals(0, epochsSaved[0], "no checkpoint of a diverged epoch");
    }
}
