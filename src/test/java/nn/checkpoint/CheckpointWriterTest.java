package nn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import nn.data.DatasetKind;
import nn.io.AtomicFile;
import nn.model.ModelSpec;
import nn.model.Network;
import nn.random.Rng;
import nn.train.EpochMetrics;
import nn.train.Schedule;
import nn.train.TrainConfig;
import nn.train.TrainingState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** The files of a run agree at every moment a training can be killed, and a fresh run becomes latest only once it has a checkpoint. */
class CheckpointWriterTest {
    @TempDir Path runs;
    private final Checkpoint.Origin origin = new Checkpoint.Origin("mnist", DatasetKind.MNIST.classNames, 500, -1, "0.1.0", "1.0.0-M2.1");
    private Path run;
    private TrainingState state;
    private CheckpointWriter writer;

    @BeforeEach
    void setUp() throws IOException {
        run = RunDirectory.create(runs, "mlp");
        Network net = ModelSpec.of("dense(8)").build(DataType.FLOAT);
        net.initialize(new Rng(1));
        state = new TrainingState(net, new TrainConfig(3, 16, 0.1, "sgd", 0.9, 0, Schedule.CONSTANT, null, 3));
        state.optimizer.prepare(state.trainableParams());
        writer = new CheckpointWriter(run, origin, 0);
    }

    /** Ends an epoch as the trainer does, with an improved validation accuracy. */
    private void epochDone(int epoch, double validationAccuracy) throws IOException {
        EpochMetrics m = new EpochMetrics(epoch, 0.5, 0.8, 0.4, validationAccuracy, 0.1, 1.5);
        state.epoch = epoch;
        state.history.add(m);
        state.bestEpoch = epoch;
        state.bestValidationAccuracy = validationAccuracy;
        writer.epochDone(state, m, true);
    }

    /** A folder where a file should go: its write fails as on a full disk or a kill before the rename. */
    private void block(String name) throws IOException {
        Files.deleteIfExists(run.resolve(name));
        Files.createDirectories(run.resolve(name).resolve("in-the-way"));
    }

    @Test
    void writesBestBeforeLastSoLastNeverNamesABestEpochBestLacks() throws IOException {
        epochDone(1, 0.80);
        block(RunDirectory.BEST);
        assertThrows(IOException.class, () -> epochDone(2, 0.85));
        TrainingState last = Checkpoint.load(run.resolve(RunDirectory.LAST)).state();
        assertEquals(1, last.epoch, "killed at the best.ckpt write, last.ckpt stays at epoch 1");
        assertEquals(1, last.bestEpoch);
    }

    @Test
    void killedAfterBestIsWrittenBestNamesItselfAsTheBestEpoch() throws IOException {
        epochDone(1, 0.80);
        block(RunDirectory.LAST);
        assertThrows(IOException.class, () -> epochDone(2, 0.85));
        TrainingState best = Checkpoint.load(run.resolve(RunDirectory.BEST)).state();
        assertEquals(2, best.epoch);
        assertEquals(2, best.bestEpoch, "the report reads the best epoch and its accuracy from best.ckpt itself");
        assertEquals(0.85, best.bestValidationAccuracy);
    }

    @Test
    void aFailedWriteNamesTheFile() throws IOException {
        block(RunDirectory.LAST);
        IOException e = assertThrows(IOException.class, () -> epochDone(1, 0.80));
        assertTrue(e.getMessage().startsWith(run.resolve(RunDirectory.LAST) + ": cannot write it ("), e.getMessage());
    }

    @Test
    void aFreshRunBecomesLatestWithItsFirstCheckpoint() throws IOException {
        Path latest = runs.resolve(RunDirectory.LATEST);
        assertFalse(Files.exists(latest, java.nio.file.LinkOption.NOFOLLOW_LINKS), "a run that fails before its first epoch moves nothing");
        epochDone(1, 0.80);
        assertEquals(run.toRealPath(), latest.toRealPath());

        Path next = RunDirectory.create(runs, "mlp");
        assertEquals(run.toRealPath(), latest.toRealPath(), "the next run has no checkpoint yet");
        new CheckpointWriter(next, origin, 0).epochDone(state, state.history.get(0), false);
        assertEquals(next.toRealPath(), latest.toRealPath());
    }

    @Test
    void aResumedRunStartsByRemovingWhatAKilledWriterLeft() throws IOException {
        epochDone(1, 0.80);
        long dead = deadProcessId();
        Path killed = Files.writeString(run.resolve(".last.ckpt." + dead + ".8461302957.tmp"), "half a checkpoint");
        Path beingWritten = Files.writeString(run.resolve(AtomicFile.temporaryPrefix(run.resolve("best.ckpt")) + "1234.tmp"), "this process, right now");
        Path users = Files.writeString(run.resolve("notes.tmp"), "not ours");

        new CheckpointWriter(run, origin, 0);
        assertFalse(Files.exists(killed));
        assertTrue(Files.exists(beingWritten) && Files.exists(users));
    }

    /** A process id no process has now. */
    private static long deadProcessId() {
        long pid = 4_000_000;
        while (ProcessHandle.of(pid).isPresent()) pid++;
        return pid;
    }
}
