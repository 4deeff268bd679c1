package nn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import nn.data.DatasetKind;
import nn.io.AtomicFile;
import nn.model.ModelSpec;
import nn.model.Network;
import nn.model.Param;
import nn.random.Rng;
import nn.compute.Tensor;
import nn.train.Augmentation;
import nn.train.EpochMetrics;
import nn.train.Schedule;
import nn.train.TrainConfig;
import nn.train.TrainingState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** A checkpoint holds every field of a run, and a damaged one is refused with a clear reason. */
class CheckpointTest {
    @TempDir Path dir;
    private TrainingState state;
    private final Checkpoint.Origin origin = new Checkpoint.Origin("fashion", DatasetKind.FASHION.classNames, 5000, 20000, "0.1.0", "1.0.0-M2.1");
    private Path file;

    @BeforeEach
    void setUp() throws IOException {
        Network net = ModelSpec.of("conv(3,3),bn,relu,pool(2),dense(8),relu,dropout(0.1)").build(DataType.FLOAT);
        net.initialize(new Rng(5));
        TrainConfig config = new TrainConfig(7, 32, 0.03, "adam", 0.9, 2e-4, Schedule.ONECYCLE, new Augmentation(1, 5, 0.05, true), 99);
        state = new TrainingState(net, config);
        state.frozenLayers = 1;
        state.optimizer.prepare(state.trainableParams());
        Rng rng = new Rng(8);
        for (Tensor t : state.optimizer.state()) for (int i = 0; i < t.length; i++) t.set(i, rng.nextGaussian());
        for (Tensor t : net.buffers()) for (int i = 0; i < t.length; i++) t.set(i, rng.nextDouble());
        state.optimizer.setSteps(41);
        state.epoch = 3;
        state.batchInEpoch = 5;
        state.step = 41;
        state.noise.nextLong();
        state.epochLossSum = 1.25;
        state.epochCorrect = 140;
        state.epochSeen = 160;
        state.epochSeconds = 2.5;
        state.bestValidationAccuracy = 0.9712;
        state.bestEpoch = 2;
        state.history.add(new EpochMetrics(1, 0.5, 0.8, 0.4, 0.85, 0.01, 3.5));
        state.history.add(new EpochMetrics(2, 0.3, 0.9, Double.NaN, 0.9712, 0.02, 3.4));
        file = dir.resolve("run.ckpt");
        Checkpoint.save(file, state, origin);
    }

    @Test
    void roundTripsEveryField() throws IOException {
        Checkpoint.Loaded loaded = Checkpoint.load(file);
        TrainingState s = loaded.state();
        assertEquals(origin, loaded.origin());
        assertEquals(state.network.spec(), loaded.network().spec());
        List<Param> a = state.network.params(), b = loaded.network().params();
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i).value().toFloatArray(), b.get(i).value().toFloatArray(), a.get(i).name());
        for (int i = 0; i < state.network.buffers().size(); i++) {
            assertArrayEquals(state.network.buffers().get(i).toFloatArray(), loaded.network().buffers().get(i).toFloatArray());
        }
        for (int i = 0; i < state.optimizer.state().size(); i++) {
            assertArrayEquals(state.optimizer.state().get(i).toFloatArray(), s.optimizer.state().get(i).toFloatArray());
        }
        assertEquals(state.config, s.config);
        assertEquals(41, s.optimizer.steps());
        assertEquals(3, s.epoch);
        assertEquals(5, s.batchInEpoch);
        assertEquals(41, s.step);
        assertEquals(state.noise.state(), s.noise.state());
        assertEquals(1.25, s.epochLossSum);
        assertEquals(140, s.epochCorrect);
        assertEquals(160, s.epochSeen);
        assertEquals(2.5, s.epochSeconds);
        assertEquals(0.9712, s.bestValidationAccuracy);
        assertEquals(2, s.bestEpoch);
        assertEquals(1, s.frozenLayers);
        assertEquals(state.history, s.history);
    }

    @Test
    void savingTwiceGivesTheSameBytes() throws IOException {
        Path again = dir.resolve("again.ckpt");
        Checkpoint.save(again, Checkpoint.load(file).state(), origin);
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(again));
    }

    private String refusal(byte[] bytes) throws IOException {
        Path bad = dir.resolve("bad.ckpt");
        Files.write(bad, bytes);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(bad));
        assertTrue(e.getMessage().startsWith(bad.toString()));
        return e.getMessage();
    }

    @Test
    void refusesAFlippedBit() throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[b.length / 2] ^= 0x10;
        assertTrue(refusal(b).contains("CRC-32 mismatch"));
    }

    @Test
    void refusesATruncatedFile() throws IOException {
        byte[] b = Files.readAllBytes(file);
        assertTrue(refusal(Arrays.copyOf(b, b.length - 100)).contains("truncated"));
        assertTrue(refusal(Arrays.copyOf(b, 10)).contains("truncated"));
    }

    @Test
    void refusesAForeignFile() throws IOException {
        assertTrue(refusal("PK\u0003\u0004 a zip file, not a checkpoint".getBytes()).contains("not an nn checkpoint"));
        assertTrue(refusal(new byte[0]).contains("not an nn checkpoint"));
    }

    @Test
    void refusesANewerFormat() throws IOException {
        byte[] b = Files.readAllBytes(file);
        ByteBuffer.wrap(b).putInt(8, Checkpoint.FORMAT_VERSION + 1);
        String m = refusal(b);
        assertTrue(m.contains("format 2 is newer than this nn understands"), m);
    }

    @Test
    void aWriteInterruptedBeforeTheRenameLeavesTheOldFileIntact() throws IOException {
        byte[] before = Files.readAllBytes(file);
        assertThrows(IOException.class, () -> AtomicFile.write(file, out -> {
            out.write(new byte[1000]);
            throw new IOException("killed mid-write");
        }));
        assertArrayEquals(before, Files.readAllBytes(file));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void resolvesRunFoldersAndTheLatestLink() throws IOException {
        Path runs = dir.resolve("runs");
        Path run = RunDirectory.create(runs, "mlp");
        Files.copy(file, run.resolve(RunDirectory.BEST));
        Files.copy(file, run.resolve(RunDirectory.LAST));
        assertEquals(run.resolve(RunDirectory.BEST).toRealPath(), RunDirectory.resolveCheckpoint(runs.resolve("latest"), RunDirectory.BEST).toRealPath());
        assertEquals(run.resolve(RunDirectory.LAST), RunDirectory.resolveCheckpoint(run, RunDirectory.LAST));
        assertThrows(CheckpointException.class, () -> RunDirectory.resolveCheckpoint(dir.resolve("nothing"), RunDirectory.BEST));
    }
}
