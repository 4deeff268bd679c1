package nn.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

import nn.io.AtomicFile;

/**
 * A training run's folder: {@code runs/<timestamp>-<model>/} with {@code last.ckpt},
 * {@code best.ckpt}, {@code metrics.csv} and the report; {@code runs/latest} points at the newest.
 */
public final class RunDirectory {
    public static final String LAST = "last.ckpt", BEST = "best.ckpt", LATEST = "latest";

    private RunDirectory() {}

    /** Creates a fresh run folder under {@code runsDir} and points {@code latest} at it. */
    public static Path create(Path runsDir, String modelName) throws IOException {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        String safe = modelName.replaceAll("[^A-Za-z0-9._-]+", "_");
        if (safe.length() > 40) safe = "custom";
        Path dir = runsDir.resolve(stamp + "-" + safe);
        for (int i = 2; Files.exists(dir); i++) dir = runsDir.resolve(stamp + "-" + safe + "-" + i);
        Files.createDirectories(dir);
        pointLatestAt(runsDir, dir);
        return dir;
    }

    /** Makes {@code runsDir/latest} a symbolic link to {@code dir}, replaced atomically. */
    public static void pointLatestAt(Path runsDir, Path dir) throws IOException {
        Path latest = runsDir.resolve(LATEST);
        Path tmp = runsDir.resolve("." + LATEST + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createSymbolicLink(tmp, dir.getFileName());
        } catch (UnsupportedOperationException | IOException e) {
            // No symbolic links here (some Windows setups): a one-line file naming the run instead.
            AtomicFile.writeString(latest, dir.getFileName().toString() + "\n");
            return;
        }
        AtomicFile.moveIntoPlace(tmp, latest);
    }

    /**
     * The checkpoint a user means: a checkpoint file as given, or in a run folder (or the
     * {@code latest} pointer) the file named {@code preferred}, falling back to the other one.
     */
    public static Path resolveCheckpoint(Path given, String preferred) throws IOException {
        Path p = given;
        if (Files.isRegularFile(p) && p.getFileName().toString().equals(LATEST) && Files.size(p) < 4096) {
            p = p.resolveSibling(Files.readString(p).trim());
        }
        if (Files.isDirectory(p)) {
            Path want = p.resolve(preferred);
            Path other = p.resolve(preferred.equals(BEST) ? LAST : BEST);
            if (Files.isRegularFile(want)) return want;
            if (Files.isRegularFile(other)) return other;
            throw new CheckpointException(p, "no " + BEST + " or " + LAST + " in this run folder");
        }
        if (!Files.exists(p)) throw new CheckpointException(p, "no such checkpoint or run folder (train a model first: nn train)");
        return p;
    }
}
