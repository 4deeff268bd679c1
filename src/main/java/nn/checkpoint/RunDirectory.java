package nn.checkpoint;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;

import nn.io.AtomicFile;

/**
 * A training run's folder: {@code runs/<timestamp>-<model>/} with {@code last.ckpt},
 * {@code best.ckpt}, {@code metrics.csv} and the report; {@code runs/latest} points at the newest
 * run that has written a checkpoint.
 */
public final class RunDirectory {
    public static final String LAST = "last.ckpt", BEST = "best.ckpt", LATEST = "latest";
    /** How a run folder's name begins: when the run started, {@code yyyyMMdd-HHmmss}. */
    public static final DateTimeFormatter STARTED = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private RunDirectory() {}

    /**
     * Creates a fresh, empty run folder under {@code runsDir}; runs started in the same second, in
     * this process or another, each get their own. {@code latest} moves only when the run has
     * written its first checkpoint (see {@link CheckpointWriter}).
     */
    public static Path create(Path runsDir, String modelName) throws IOException {
        String stamp = LocalDateTime.now().format(STARTED);
        String safe = modelName.replaceAll("[^A-Za-z0-9._-]+", "_");
        if (safe.length() > 40) safe = "custom";
        String name = stamp + "-" + safe;
        Files.createDirectories(runsDir);
        for (int i = 1; ; i++) {
            try {
                return Files.createDirectory(runsDir.resolve(i == 1 ? name : name + "-" + i));
            } catch (FileAlreadyExistsException taken) {
                // another run started in the same second: try the next suffix
            }
        }
    }

    /** Makes {@code runsDir/latest} a symbolic link to {@code dir}, replaced atomically. */
    public static void pointLatestAt(Path runsDir, Path dir) throws IOException {
        Path latest = runsDir.resolve(LATEST);
        // A name of this call's own, in AtomicFile's pattern: concurrent runs never share a link being made.
        AtomicFile.removeLeftovers(runsDir);
        Path link = runsDir.resolve(AtomicFile.temporaryPrefix(latest) + Long.toUnsignedString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            Files.createSymbolicLink(link, dir.getFileName());
        } catch (UnsupportedOperationException | IOException e) {
            // No symbolic links here (some Windows setups): a one-line file naming the run instead.
            AtomicFile.writeString(latest, dir.getFileName().toString() + "\n");
            return;
        }
        try {
            AtomicFile.moveIntoPlace(link, latest);
        } finally {
            Files.deleteIfExists(link);
        }
    }

    /**
     * Removes a fresh run folder that never got a checkpoint (its run failed in the first epoch),
     * with the progress file it had; a folder holding anything else stays.
     */
    public static void discardUnstarted(Path dir) throws IOException {
        if (holdsCheckpoint(dir)) return;
        Files.deleteIfExists(dir.resolve(ProgressFile.NAME));
        try {
            Files.deleteIfExists(dir);
        } catch (java.nio.file.DirectoryNotEmptyException e) {
            // someone put files there: they stay
        }
    }

    /** Whether a run folder holds a checkpoint yet. */
    static boolean holdsCheckpoint(Path dir) {
        return Files.isRegularFile(dir.resolve(LAST)) || Files.isRegularFile(dir.resolve(BEST));
    }

    /**
     * The checkpoint a user means: a checkpoint file as given, or in a run folder (or the
     * {@code latest} pointer, or a runs folder, which means its {@code latest}) the file named
     * {@code preferred}, falling back to the other one.
     */
    public static Path resolveCheckpoint(Path given, String preferred) throws IOException {
        Path p = followLatestFile(given);
        if (Files.isDirectory(p) && !holdsCheckpoint(p) && Files.exists(p.resolve(LATEST), LinkOption.NOFOLLOW_LINKS)) {
            p = followLatestFile(p.resolve(LATEST));
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

    /** A one-line {@code latest} file (where there are no symbolic links) stands for the run folder it names. */
    private static Path followLatestFile(Path p) throws IOException {
        boolean latestFile = Files.isRegularFile(p) && p.getFileName().toString().equals(LATEST) && Files.size(p) < 4096;
        return latestFile ? p.resolveSibling(Files.readString(p).trim()) : p;
    }
}
