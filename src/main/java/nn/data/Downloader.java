package nn.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import nn.io.AtomicFile;

/**
 * Fetches a data set's files into {@code dataDir/<folder>/}, verified against pinned checksums.
 *
 * <p>For each file: if a verified copy is there, nothing happens. Otherwise each mirror is tried
 * in order; a network failure is retried with exponential back-off on the same mirror, resuming
 * the partial {@code .part} file with an HTTP range request where the server allows it; content
 * that fails verification is deleted and the next mirror is tried. Only a verified file is
 * renamed to its final name, so no partial or wrong file ever sits there.
 */
public final class Downloader {
    private final List<String> mirrors;
    private final int attemptsPerMirror;
    private final Duration firstBackoff;
    private final TransferListener listener;

    public Downloader(List<String> mirrors, int attemptsPerMirror, Duration firstBackoff, TransferListener listener) {
        this.mirrors = List.copyOf(mirrors);
        this.attemptsPerMirror = attemptsPerMirror;
        this.firstBackoff = firstBackoff;
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
        Files.createDirectories(dir);
        int fetched = 0;
        for (DatasetKind.DataFile file : kind.files()) {
            Path target = dir.resolve(file.gzName());
            if (!force && ContentCheck.isValid(target, file)) {
                listener.say(file.gzName() + ": present and verified");
                continue;
            }
            fetchFile(kind, file, sources, target);
            fetched++;
        }
        return fetched;
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
                AtomicFile.moveIntoPlace(part, target);
                listener.say(file.gzName() + ": verified (" + file.size() + " bytes of content) from " + mirror);
                return;
            }
            failures.add(mirror + ": " + problem);
            listener.say(file.gzName() + ": mirror " + mirror + " failed: " + problem);
        }
        throw new DownloadException("could not fetch " + file.gzName() + " of " + kind.id + " from any mirror:\n  "
                + String.join("\n  ", failures));
    }

    /** Downloads from one mirror with retries; returns null on a verified file, else the reason it failed. */
    private String tryMirror(URI uri, Path part, DatasetKind.DataFile file) throws IOException {
        String lastProblem = "no attempt made";
        Duration wait = firstBackoff;
        for (int attempt = 1; attempt <= attemptsPerMirror; attempt++) {
            try {
                transfer(uri, part, file.gzName());
            } catch (PermanentFailure | java.io.FileNotFoundException e) {
                Files.deleteIfExists(part);
                return e.getMessage();
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
            String problem = ContentCheck.problem(part, file);
            if (problem == null) return null;
            Files.deleteIfExists(part);
            return "content check failed: " + problem;
        }
        return lastProblem + " (after " + attemptsPerMirror + " attempts)";
    }

    /** One HTTP or file transfer into the .part file, resuming it where the server supports ranges. */
    private void transfer(URI uri, Path part, String name) throws IOException {
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        URLConnection connection = uri.toURL().openConnection();
        connection.setConnectTimeout(15_000);
        connection.setReadTimeout(30_000);
        connection.setRequestProperty("User-Agent", "nn-mnist-downloader");
        boolean append = false;
        if (connection instanceof HttpURLConnection http) {
            if (have > 0) http.setRequestProperty("Range", "bytes=" + have + "-");
            int status = http.getResponseCode();
            if (status == 206) {
                append = true;
            } else if (status == 416 && have > 0) {
                return; // the partial file is already complete; verification decides
            } else if (status == 404 || status == 403 || status == 410) {
                throw new PermanentFailure("HTTP " + status + " for " + uri);
            } else if (status != 200) {
                throw new IOException("HTTP " + status + " for " + uri);
            }
        }
        long length = connection.getContentLengthLong();
        long start = append ? have : 0;
        listener.started(name, start, length < 0 ? -1 : start + length);
        try (InputStream in = connection.getInputStream();
             OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[1 << 16];
            long total = start;
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                total += n;
                listener.advanced(total);
            }
            if (length >= 0 && total - start < length) {
                throw new IOException("connection closed after " + (total - start) + " of " + length + " bytes");
            }
        } finally {
            listener.finished();
        }
    }

    /**
     * Turns a mirror into the address of one file. A mirror is an http(s) or file URL, or a
     * local directory; a directory that holds a folder per data set (like ../shared/data)
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

    /** A failure that retrying the same mirror cannot fix (404, missing file). */
    private static final class PermanentFailure extends IOException {
        PermanentFailure(String message) {
            super(message);
        }
    }
}
