package nn.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Collectors;

import nn.io.AtomicFile;
import nn.train.EpochMetrics;
import nn.train.TrainListener;
import nn.train.TrainingState;

/**
 * Saves a run as it trains: {@code best.ckpt} when validation accuracy improves, then
 * {@code last.ckpt} and {@code metrics.csv} after every epoch, {@code epoch-N.ckpt} every
 * {@code keepEvery} epochs if asked. Every write is atomic, and a failed one names its file.
 * A fresh run folder becomes the runs folder's {@code latest} once its first checkpoint is written,
 * so a run that fails before that leaves {@code latest} where it was.
 */
public final class CheckpointWriter implements TrainListener {
    private final Path runDir;
    private final Checkpoint.Origin origin;
    private final int keepEvery;
    /** Whether {@code latest} may point here: set once this folder holds a checkpoint. */
    private boolean published;

    /** Also removes what a killed writer left in the folder (see {@link AtomicFile#removeLeftovers}). */
    public CheckpointWriter(Path runDir, Checkpoint.Origin origin, int keepEvery) throws IOException {
        this.runDir = runDir;
        this.origin = origin;
        this.keepEvery = keepEvery;
        this.published = RunDirectory.holdsCheckpoint(runDir);
        AtomicFile.removeLeftovers(runDir);
    }

    @Override
    public void epochDone(TrainingState state, EpochMetrics metrics, boolean improved) throws IOException {
        byte[] bytes = Checkpoint.encode(state, origin);
        // best.ckpt first: killed between the two writes, last.ckpt never names a best epoch best.ckpt lacks.
        if (improved) write(RunDirectory.BEST, bytes);
        write(RunDirectory.LAST, bytes);
        if (keepEvery > 0 && state.epoch % keepEvery == 0) write("epoch-" + state.epoch + ".ckpt", bytes);
        writeMetrics(state);
        publish();
    }

    /** Saves the state mid-epoch (Ctrl-C): only last.ckpt, which resumes from this very step. */
    public Path saveInterrupted(TrainingState state) throws IOException {
        Path file = write(RunDirectory.LAST, Checkpoint.encode(state, origin));
        publish();
        return file;
    }

    private void writeMetrics(TrainingState state) throws IOException {
        String csv = EpochMetrics.CSV_HEADER + "\n"
                + state.history.stream().map(EpochMetrics::csv).collect(Collectors.joining("\n")) + "\n";
        write("metrics.csv", csv.getBytes(StandardCharsets.UTF_8));
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = runDir.resolve(name);
        try {
            AtomicFile.write(file, bytes);
        } catch (IOException e) {
            throw new IOException(file + ": cannot write it (" + e.getMessage() + ")", e);
        }
        return file;
    }

    private void publish() throws IOException {
        if (published) return;
        RunDirectory.pointLatestAt(runDir.toAbsolutePath().getParent(), runDir);
        published = true;
    }
}
