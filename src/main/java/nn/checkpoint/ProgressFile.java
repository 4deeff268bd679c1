package nn.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.google.gson.Gson;
import nn.io.AtomicFile;
import nn.train.EpochMetrics;
import nn.train.TrainListener;
import nn.train.TrainingState;

/**
 * {@code progress.json} in a run folder: what {@code nn train} is doing right now (epoch, batch,
 * running loss and accuracy), so {@code nn serve} can tell a live run from an interrupted one and
 * show per-batch progress. Rewritten at most once a second and at every epoch's start and end,
 * by rename (a reader never sees half a file); not forced to disk, as it only matters while the
 * run is alive. It names the writing process (pid and start time) so a reader on the same machine
 * knows whether the writer still runs.
 */
public final class ProgressFile implements TrainListener {
    public static final String NAME = "progress.json";
    /** States it records: training, evaluating (the last epoch is done, the test report is being written), stopped. */
    public static final String TRAINING = "training", EVALUATING = "evaluating", STOPPED = "stopped";
    private static final long INTERVAL_NANOS = 1_000_000_000L;

    private final Path file;
    private final Map<String, Object> fields = new LinkedHashMap<>();
    private long lastWrite;

    public ProgressFile(Path runDir, int epochs) {
        this.file = runDir.resolve(NAME);
        ProcessHandle self = ProcessHandle.current();
        fields.put("state", TRAINING);
        fields.put("pid", self.pid());
        fields.put("process_started", self.info().startInstant().map(Instant::toEpochMilli).orElse(0L));
        fields.put("epochs", epochs);
    }

    @Override
    public void epochStarted(int epoch, int batches) {
        fields.put("epoch", epoch);
        fields.put("batch", 0);
        fields.put("batches", batches);
        write();
    }

    @Override
    public void batchDone(int epoch, int batch, int batches, double loss, double accuracy, double imagesPerSecond) {
        fields.put("epoch", epoch);
        fields.put("batch", batch);
        fields.put("batches", batches);
        fields.put("loss", finite(loss));
        fields.put("accuracy", finite(accuracy));
        fields.put("images_per_second", finite(imagesPerSecond));
        if (System.nanoTime() - lastWrite >= INTERVAL_NANOS) write();
    }

    @Override
    public void epochDone(TrainingState state, EpochMetrics metrics, boolean improved) {
        fields.put("epochs_done", metrics.epoch());
        write();
    }

    /** Training ended: {@code finished} (the report comes next) or not (interrupted, failed). */
    public void end(boolean finished) {
        fields.put("state", finished ? EVALUATING : STOPPED);
        write();
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** Best effort: a progress file that cannot be written never stops training. */
    private void write() {
        lastWrite = System.nanoTime();
        fields.put("updated", System.currentTimeMillis());
        // AtomicFile's temporary name, so what a killed writer leaves is cleared with the rest; not forced to disk.
        Path tmp = file.resolveSibling(AtomicFile.temporaryPrefix(file) + "0.tmp");
        try {
            Files.writeString(tmp, new Gson().toJson(fields) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UnsupportedOperationException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing more to do
            }
        }
    }
}
