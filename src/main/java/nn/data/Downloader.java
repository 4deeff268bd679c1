package nn.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLConnection;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import nn.io.AtomicFile;
import nn.io.FolderLock;

/**
 * Fetches a data set's files into {@code dataDir/<folder>/}, verified against pinned checksums.
 *
 * <p>For each file: if a verified copy is there, nothing happens. Otherwise each mirror is tried
 * in order; a network failure is retried with exponential back-off on the same mirror, resuming
 * the partial {@code .part} file with an HTTP range request where the server allows it; content
 * that fails verification is deleted and the next mirror is tried. A host that cannot be found or
 * refuses the connection, a missing file and a mirror slower than the {@link Patience} allows are
 * not retried. Only a verified file of exactly the length received is renamed to its final name,
 * so no partial or wrong file ever sits there. Downloads into one folder take turns (a
 * {@link FolderLock}); one that waited uses what the other fetched. Writing into the folder is
 * the user's side: its failures are a {@link CannotWriteException}, never a mirror's.
 */
public final class Downloader {
    /**
     * How long a mirror may take: to connect, for its next bytes, and the slowest pace accepted,
     * at least {@code minBytesPerWindow} in every {@code window} (a trickle is abandoned).
     */
    record Patience(Duration connect, Duration read, Duration window, long minBytesPerWindow) {
        /** 15 s to connect, 30 s for the next bytes, at least 1 KiB/s over each 30 s. */
        static final Patience STANDARD = new Patience(Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofSeconds(30), 30 << 10);
    }

    private final List<String> mirrors;
    private final int attemptsPerMirror;
    private final Duration firstBackoff;
    private final Patience patience;
    private final TransferListener listener;

    public Downloader(List<String> mirrors, int attemptsPerMirror, Duration firstBackoff, TransferListener listener) {
        this(mirrors, attemptsPerMirror, firstBackoff, Patience.STANDARD, listener);
    }

    Downloader(List<String> mirrors, int attemptsPerMirror, Duration firstBackoff, Patience patience, TransferListener listener) {
        this.mirrors = List.copyOf(mirrors);
        this.attemptsPerMirror = attemptsPerMirror;
        this.firstBackoff = firstBackoff;
        this.patience = patience;
        this.listener = listener;
    }

    /** The usual settings: the given mirrors (or the data set's defaults), 3 tries each, 1 s back-off. */
    public static Downloader standard(List<String> mirrors, TransferListener listener) {
        return new Downloader(mirrors, 3, Duration.ofSeconds(1), listener);
    }

    /** Makes sure every file of the data set is present and verified; returns how many were fetched. */
    public int fetch(DatasetKind kind, Path dataDir, boolean force) throws IOException {
        return fetch(kind, dataDir, force, mirrors.isEmpty() ? kind.defaultMirrors : mirrors);
    }

    int fetch(DatasetKind kind, Path dataDir, boolean force, List<String> sources) throws IOException {
        Path dir = dataDir.resolve(kind.folder);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CannotWriteException(dir, e);
        }
        AtomicFile.removeLeftovers(dir);
        int fetched = 0;
        for (DatasetKind.DataFile file : kind.files()) {
            if (fetchUnlessPresent(kind, file, sources, dir.resolve(file.gzName()), force)) fetched++;
        }
        return fetched;
    }

    /**
     * Fetches one file unless a verified copy is there, holding the folder's lock meanwhile; with
     * {@code force}, a copy another download fetched while this one waited counts as fresh.
     * Returns whether it fetched.
     */
    boolean fetchUnlessPresent(DatasetKind kind, DatasetKind.DataFile file, List<String> sources, Path target, boolean force)
            throws IOException {
        Path dir = target.getParent();
        try (FolderLock lock = lockFolder(dir)) {
            if ((!force || lock.waited()) && ContentCheck.isValid(target, file)) {
                listener.say(file.gzName() + ": present and verified");
                return false;
            }
            fetchFile(kind, file, sources, target);
            return true;
        }
    }

    private FolderLock lockFolder(Path dir) throws IOException {
        try {
            return FolderLock.acquire(dir, () -> listener.say("waiting for another download into " + dir + " to finish"));
        } catch (java.io.InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            throw new CannotWriteException(dir.resolve(FolderLock.FILE_NAME), e);
        }
    }

    void fetchFile(DatasetKind kind, DatasetKind.DataFile file, List<String> sources, Path target) throws IOException {
        Path part = target.resolveSibling(file.gzName() + ".part");
        List<String> failures = new ArrayList<>();
        for (String mirror : sources) {
            URI uri;
            try {
                uri = resolve(mirror, kind, file.gzName());
            } catch (IllegalArgumentException e) {
                failures.add(mirror + ": " + e.getMessage());
                continue;
            }
            String problem = tryMirror(uri, part, file);
            if (problem == null) {
                try {
                    AtomicFile.moveIntoPlace(part, target);
                } catch (IOException e) {
                    throw new CannotWriteException(target, e);
                }
                listener.say(file.gzName() + ": verified (" + file.size() + " bytes of content) from " + mirror);
                return;
            }
            failures.add(mirror + ": " + problem);
            listener.say(file.gzName() + ": mirror " + mirror + " failed: " + problem);
        }
        throw new DownloadException("could not fetch " + file.gzName() + " of " + kind.id + " from any mirror:\n  "
                + String.join("\n  ", failures));
    }

    /**
     * Downloads from one mirror, resuming a .part that an interrupted run left; a leftover that
     * does not fit (another mirror's compression, another size, junk) fails verification and is
     * fetched once more from the start. Returns null on a verified file, else the reason it failed.
     */
    private String tryMirror(URI uri, Path part, DatasetKind.DataFile file) throws IOException {
        boolean leftover = Files.isRegularFile(part) && Files.size(part) > 0;
        String problem = attempts(uri, part, file);
        if (problem == null || !leftover) return problem;
        discard(part);
        return attempts(uri, part, file);
    }

    /** Downloads from one mirror with retries and back-off; null on a verified file, else the reason it failed. */
    private String attempts(URI uri, Path part, DatasetKind.DataFile file) throws IOException {
        String lastProblem = "no attempt made";
        Duration wait = firstBackoff;
        for (int attempt = 1; attempt <= attemptsPerMirror; attempt++) {
            long length;
            try {
                length = transfer(uri, part, file);
            } catch (CannotWriteException e) {
                throw e;
            } catch (PermanentFailure | java.io.FileNotFoundException e) {
                discard(part);
                return e.getMessage();
            } catch (UnknownHostException | ConnectException | NoRouteToHostException e) {
                return describe(e);   // no such host, or nothing listening: trying again soon cannot help
            } catch (IOException e) {
                // The partial file stays: the next attempt resumes it.
                lastProblem = describe(e);
                if (attempt < attemptsPerMirror) {
                    listener.say(file.gzName() + ": attempt " + attempt + "/" + attemptsPerMirror + " from " + uri
                            + " failed (" + lastProblem + "); retrying in " + wait.toMillis() + " ms");
                    sleep(wait);
                    wait = wait.multipliedBy(2);
                }
                continue;
            }
            String problem = verify(part, file, length);
            if (problem == null) return null;
            discard(part);
            return "content check failed: " + problem;
        }
        return lastProblem + " (after " + attemptsPerMirror + " attempts)";
    }

    /** What is wrong with the downloaded file: a length other than what was received, or content other than the pinned. */
    private static String verify(Path part, DatasetKind.DataFile file, long length) throws IOException {
        long onDisk = Files.size(part);
        if (onDisk != length) return part.getFileName() + " is " + onDisk + " bytes long, " + length + " were received";
        return ContentCheck.problem(part, file);
    }

    /**
     * One HTTP or file transfer into the .part file, resuming it where the server supports ranges;
     * returns the length the .part file must now have. Reading stops past the most bytes the file
     * can take, and a mirror slower than the patience allows is abandoned.
     */
    private long transfer(URI uri, Path part, DatasetKind.DataFile file) throws IOException {
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        URLConnection connection = uri.toURL().openConnection();
        connection.setConnectTimeout((int) patience.connect().toMillis());
        connection.setReadTimeout((int) patience.read().toMillis());
        connection.setRequestProperty("User-Agent", "nn-mnist-downloader");
        boolean append = false;
        if (connection instanceof HttpURLConnection http) {
            if (have > 0) http.setRequestProperty("Range", "bytes=" + have + "-");
            int status = http.getResponseCode();
            if (status == 206) {
                append = true;
            } else if (status == 416 && have > 0) {
                return have; // the partial file is already complete; verification decides
            } else if (status == 404 || status == 403 || status == 410) {
                throw new PermanentFailure("HTTP " + status + " for " + uri);
            } else if (status != 200) {
                throw new IOException("HTTP " + status + " for " + uri);
            }
        }
        long length = connection.getContentLengthLong();
        long start = append ? have : 0, most = mostBytes(file);
        if (start + length > most) {
            throw new PermanentFailure("offers " + (start + length) + " bytes, more than the " + most + " the file can take");
        }
        listener.started(file.gzName(), start, length < 0 ? -1 : start + length);
        try (InputStream in = connection.getInputStream(); OutputStream out = openPart(part, append)) {
            byte[] buf = new byte[1 << 16];
            long total = start;
            Pace pace = new Pace(patience);
            for (int n; (n = in.read(buf)) > 0; ) {
                writePart(out, buf, n, part);
                total += n;
                listener.advanced(total);
                if (total > most) throw new PermanentFailure("sent more than the " + most + " bytes the file can take");
                pace.received(n);
            }
            if (length >= 0 && total - start < length) {
                throw new IOException("connection closed after " + (total - start) + " of " + length + " bytes");
            }
            return total;
        } finally {
            listener.finished();
        }
    }

    /** The longest a .gz of this content can be: deflate's worst case, stored blocks of 64 KiB with 5 bytes each, and gzip's header and trailer. */
    private static long mostBytes(DatasetKind.DataFile file) {
        return file.size() + 5 * (file.size() / 65535 + 1) + 1024;
    }

    private static OutputStream openPart(Path part, boolean append) throws CannotWriteException {
        try {
            return Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new CannotWriteException(part, e);
        }
    }

    private static void writePart(OutputStream out, byte[] buf, int n, Path part) throws CannotWriteException {
        try {
            out.write(buf, 0, n);
        } catch (IOException e) {
            throw new CannotWriteException(part, e);
        }
    }

    private static void discard(Path part) throws CannotWriteException {
        try {
            Files.deleteIfExists(part);
        } catch (IOException e) {
            throw new CannotWriteException(part, e);
        }
    }

    /** Counts the bytes of a transfer in windows of the patience's length and gives up on a window with too few. */
    private static final class Pace {
        private final Patience patience;
        private long windowStart = System.nanoTime();
        private long bytesInWindow;

        Pace(Patience patience) {
            this.patience = patience;
        }

        void received(int n) throws PermanentFailure {
            bytesInWindow += n;
            long now = System.nanoTime();
            if (now - windowStart < patience.window().toNanos()) return;
            if (bytesInWindow < patience.minBytesPerWindow()) {
                throw new PermanentFailure(String.format("too slow: %d bytes in %.1f s, at least %d expected",
                        bytesInWindow, (now - windowStart) / 1e9, patience.minBytesPerWindow()));
            }
            windowStart = now;
            bytesInWindow = 0;
        }
    }

    /**
     * Turns a mirror into the address of one file. A mirror is an http(s) or file URL, or a
     * local directory; a directory that holds a folder per data set (mnist/, fashion-mnist/)
     * serves each data set from its folder.
     */
    static URI resolve(String mirror, DatasetKind kind, String fileName) {
        String m = mirror.trim();
        if (m.matches("(?i)(https?|file):.*")) {
            try {
                URI base = new URI(m.endsWith("/") ? m : m + "/");
                if ("file".equalsIgnoreCase(base.getScheme())) return localFile(Path.of(base), kind, fileName);
                return base.resolve(fileName);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("not a valid URL (" + e.getMessage() + ")");
            }
        }
        return localFile(Path.of(m), kind, fileName);
    }

    private static URI localFile(Path dir, DatasetKind kind, String fileName) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("no such directory");
        Path perDataset = dir.resolve(kind.folder);
        Path base = Files.isDirectory(perDataset) ? perDataset : dir;
        return base.resolve(fileName).toAbsolutePath().toUri();
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static void sleep(Duration d) throws IOException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting to retry");
        }
    }

    /** A failure that retrying the same mirror cannot fix (404, missing file, too much, too slow). */
    private static final class PermanentFailure extends IOException {
        PermanentFailure(String message) {
            super(message);
        }
    }
}
