package nn.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Collectors;

import nn.io.AtomicFile;
import nn.train.EpochMetrics;
import nn.train.TrainListener;
import nn.train.TrainingState;

/**
 * Saves a run as it trains: {@code last.ckpt} and {@code metrics.csv} after every epoch,
 * {@code best.ckpt} when validation accuracy improves, {@code epoch-N.ckpt} every
 * {@code keepEvery} epochs if asked. Every write is atomic.
 */
public final class CheckpointWriter implements TrainListener {
    private final Path runDir;
    private final Checkpoint.Origin origin;
    private final int keepEvery;

    public CheckpointWriter(Path runDir, Checkpoint.Origin origin, int keepEvery) {
        this.runDir = runDir;
        this.origin = origin;
        this.keepEvery = keepEvery;
    }

    @Override
    public void epochDone(TrainingState state, EpochMetrics metrics, boolean improved) throws IOException {
        byte[] bytes = Checkpoint.encode(state, origin);
        AtomicFile.write(runDir.resolve(RunDirectory.LAST), bytes);
        if (improved) AtomicFile.write(runDir.resolve(RunDirectory.BEST), bytes);
        if (keepEvery > 0 && state.epoch % keepEvery == 0) AtomicFile.write(runDir.resolve("epoch-" + state.epoch + ".ckpt"), bytes);
        writeMetrics(state);
    }

    /** Saves the state mid-epoch (Ctrl-C): only last.ckpt, which resumes from this very step. */
    public Path saveInterrupted(TrainingState state) throws IOException {
        Path file = runDir.resolve(RunDirectory.LAST);
        Checkpoint.save(file, state, origin);
        return file;
    }

    private void writeMetrics(TrainingState state) throws IOException {
        String csv = EpochMetrics.CSV_HEADER + "\n"
                + state.history.stream().map(EpochMetrics::csv).collect(Collectors.joining("\n")) + "\n";
        AtomicFile.writeString(runDir.resolve("metrics.csv"), csv);
    }
}
