package nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The downloader against a real HTTP server on loopback, serving small IDX files. */
class DownloaderTest {
    @TempDir Path dir;
    private HttpServer server;
    private final Map<String, Behaviour> routes = new ConcurrentHashMap<>();
    private final List<String> rangeHeaders = new CopyOnWriteArrayList<>();
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private final AtomicInteger requests = new AtomicInteger();

    private interface Behaviour {
        void serve(HttpExchange ex) throws IOException;
    }

    private byte[] content;          // decompressed IDX bytes
    private byte[] gz;               // what the server sends
    private DatasetKind.DataFile file;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            requests.incrementAndGet();
            String range = ex.getRequestHeaders().getFirst("Range");
            if (range != null) rangeHeaders.add(range);
            Behaviour b = routes.get(ex.getRequestURI().getPath());
            try {
                if (b == null) ex.sendResponseHeaders(404, -1);
                else b.serve(ex);
            } finally {
                ex.close();
            }
        });
        server.setExecutor(handlers);
        server.start();
        byte[] px = new byte[20 * 28 * 28];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 31);
        content = Idx.encode(new IdxArray(new int[] {20, 28, 28}, px));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(content);
        }
        gz = bytes.toByteArray();
        file = new DatasetKind.DataFile("small-images-idx3-ubyte",
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)), content.length);
    }

    @AfterEach
    void stop() {
        server.stop(0);
        handlers.shutdownNow();   // interrupts a slow handler still sleeping
    }

    private String url(String mirror) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + mirror + "/";
    }

    private void serveWhole(String mirror, byte[] body) {
        routes.put("/" + mirror + "/" + file.gzName(), ex -> {
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
    }

    /** Serves the body as a mirror that honours range requests, as resuming needs. */
    private void serveWithRanges(String mirror, byte[] body) {
        routes.put("/" + mirror + "/" + file.gzName(), ex -> {
            String range = ex.getRequestHeaders().getFirst("Range");
            int from = range == null ? 0 : Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
            if (from >= body.length) {
                ex.sendResponseHeaders(416, -1);
                return;
            }
            if (range != null) ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
            ex.sendResponseHeaders(range == null ? 200 : 206, body.length - from);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body, from, body.length - from);
            }
        });
    }

    private Downloader downloader() {
        return new Downloader(List.of(), 3, Duration.ofMillis(10), messages::add);
    }

    private Path target() {
        return dir.resolve(file.gzName());
    }

    @Test
    void downloadsAndVerifies() throws IOException {
        serveWhole("m1", gz);
        downloader().fetchFile(DatasetKind.MNIST, file, List.of(url("m1")), target());
        assertArrayEquals(gz, Files.readAllBytes(target()));
        assertFalse(Files.exists(dir.resolve(file.gzName() + ".part")), "no partial file left");
        assertTrue(messages.get(messages.size() - 1).contains("verified"));
    }

    @Test
    void checksumMismatchRemovesTheFileAndNamesTheMirror() {
        byte[] other = content.clone();
        other[100] ^= 1;   // one flipped bit in the content
        serveWhole("bad", gzip(other));
        DownloadException e = assertThrows(DownloadException.class,
                () -> downloader().fetchFile(DatasetKind.MNIST, file, List.of(url("bad")), target()));
        assertTrue(e.getMessage().contains(url("bad")) && e.getMessage().contains("SHA-256"), e.getMessage());
        assertFalse(Files.exists(target()));
        assertFalse(Files.exists(dir.resolve(file.gzName() + ".part")));
    }

    @Test
    void resumesAConnectionDroppedMidFile() throws IOException {
        int[] calls = {0};
        routes.put("/m/" + file.gzName(), ex -> {
            String range = ex.getRequestHeaders().getFirst("Range");
            if (calls[0]++ == 0) {              // first request: promise everything, send half, hang up
                ex.sendResponseHeaders(200, gz.length);
                ex.getResponseBody().write(gz, 0, gz.length / 2);
                ex.getResponseBody().flush();
                throw new IOException("connection dropped on purpose");
            }
            int from = Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (gz.length - 1) + "/" + gz.length);
            ex.sendResponseHeaders(206, gz.length - from);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(gz, from, gz.length - from);
            }
        });
        downloader().fetchFile(DatasetKind.MNIST, file, List.of(url("m")), target());
        assertArrayEquals(gz, Files.readAllBytes(target()));
        assertEquals(1, rangeHeaders.size(), "the second request resumed with a range");
        assertTrue(rangeHeaders.get(0).matches("bytes=\\d+-"));
        assertTrue(messages.stream().anyMatch(m -> m.contains("attempt 1/3") && m.contains("retrying")), messages.toString());
    }

    @Test
    void fallsBackToTheNextMirrorAfterA404() throws IOException {
        serveWhole("good", gz);
        downloader().fetchFile(DatasetKind.MNIST, file, List.of(url("missing"), url("good")), target());
        assertArrayEquals(gz, Files.readAllBytes(target()));
        assertTrue(messages.stream().anyMatch(m -> m.contains(url("missing")) && m.contains("404")), messages.toString());
    }

    @Test
    void allMirrorsFailingListsEachReason() {
        DownloadException e = assertThrows(DownloadException.class, () -> downloader().fetchFile(DatasetKind.MNIST, file,
                List.of(url("a"), "http://127.0.0.1:1/", dir.resolve("no-such-dir").toString()), target()));
        assertTrue(e.getMessage().contains(url("a") + ": HTTP 404"), e.getMessage());
        assertTrue(e.getMessage().contains("http://127.0.0.1:1/: ConnectException"), e.getMessage());
        assertTrue(e.getMessage().contains("no-such-dir: no such directory"), e.getMessage());
        assertFalse(Files.exists(target()));
    }

    @Test
    void readsFromALocalDirectoryAndFileUrl() throws IOException {
        Path mirror = Files.createDirectories(dir.resolve("mirror"));
        Files.write(mirror.resolve(file.gzName()), gz);
        Path t1 = dir.resolve("out1").resolve(file.gzName()), t2 = dir.resolve("out2").resolve(file.gzName());
        Files.createDirectories(t1.getParent());
        Files.createDirectories(t2.getParent());
        downloader().fetchFile(DatasetKind.MNIST, file, List.of(mirror.toString()), t1);
        downloader().fetchFile(DatasetKind.MNIST, file, List.of(mirror.toUri().toString()), t2);
        assertArrayEquals(gz, Files.readAllBytes(t1));
        assertArrayEquals(gz, Files.readAllBytes(t2));
    }

    @Test
    void aVerifiedDataSetIsAQuickNoOp() throws IOException {
        Path shared = Path.of("../shared/data/mnist");
        assumeTrue(Files.isDirectory(shared), "needs the real MNIST mirror in ../shared/data");
        Path data = dir.resolve("data");
        assertEquals(4, downloader().fetch(DatasetKind.MNIST, data, false, List.of(shared.toString())));
        long start = System.nanoTime();
        // A mirror that cannot answer proves nothing is fetched the second time.
        assertEquals(0, downloader().fetch(DatasetKind.MNIST, data, false, List.of("http://127.0.0.1:1/")));
        assertTrue((System.nanoTime() - start) / 1e9 < 5, "no-op took too long");
        assertTrue(messages.stream().filter(m -> m.endsWith("present and verified")).count() == 4);
    }

    @Test
    @Timeout(5)
    void anUnknownHostOrARefusedConnectionIsNotRetried() {
        Downloader patient = new Downloader(List.of(), 3, Duration.ofSeconds(1), messages::add);
        long start = System.nanoTime();
        DownloadException e = assertThrows(DownloadException.class, () -> patient.fetchFile(DatasetKind.MNIST, file,
                List.of("http://nonexistent.invalid/", "http://127.0.0.1:1/"), target()));
        assertTrue((System.nanoTime() - start) / 1e9 < 2, "failed at once, without 1 + 2 s of back-off per mirror");
        assertTrue(e.getMessage().contains("http://nonexistent.invalid/: UnknownHostException"), e.getMessage());
        assertTrue(e.getMessage().contains("http://127.0.0.1:1/: ConnectException"), e.getMessage());
        assertTrue(messages.stream().noneMatch(m -> m.contains("retrying")), messages.toString());
    }

    @Test
    @Timeout(10)
    void aMirrorThatTricklesIsAbandonedForTheNext() throws IOException {
        routes.put("/slow/" + file.gzName(), ex -> {
            ex.sendResponseHeaders(200, gz.length);
            OutputStream out = ex.getResponseBody();
            try {
                for (int i = 0; i < 50; i++) {   // at most 5 s; ends sooner when the client hangs up
                    out.write(gz[i]);
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            }
        });
        serveWhole("good", gz);
        Downloader.Patience impatient = new Downloader.Patience(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMillis(300), 1000);
        new Downloader(List.of(), 3, Duration.ofMillis(10), impatient, messages::add)
                .fetchFile(DatasetKind.MNIST, file, List.of(url("slow"), url("good")), target());
        assertArrayEquals(gz, Files.readAllBytes(target()));
        assertTrue(messages.stream().anyMatch(m -> m.contains(url("slow")) && m.contains("too slow")), messages.toString());
    }

    @Test
    void aLeftoverPartThatDoesNotFitIsFetchedAgainFromTheStart() throws IOException {
        serveWithRanges("m", gz);
        Path part = dir.resolve(file.gzName() + ".part");
        for (byte[] leftover : new byte[][] {new byte[100], new byte[gz.length + 100]}) {   // junk: shorter and longer
            Files.write(part, leftover);
            downloader().fetchFile(DatasetKind.MNIST, file, List.of(url("m")), target());
            assertArrayEquals(gz, Files.readAllBytes(target()));
            Files.delete(target());
        }
    }

    @Test
    void aPartLeftByAnInterruptedRunIsResumed() throws IOException {
        serveWithRanges("m", gz);
        int half = gz.length / 2;
        Files.write(dir.resolve(file.gzName() + ".part"), java.util.Arrays.copyOf(gz, half));
        downloader().fetchFile(DatasetKind.MNIST, file, List.of(url("m")), target());
        assertArrayEquals(gz, Files.readAllBytes(target()));
        assertEquals(List.of("bytes=" + half + "-"), rangeHeaders, "only the missing bytes were fetched");
    }

    @Test
    @Timeout(20)
    void twoDownloadsIntoOneFolderTakeTurnsAndShareTheFile() throws Exception {
        routes.put("/m/" + file.gzName(), ex -> {
            ex.sendResponseHeaders(200, gz.length);
            try (OutputStream out = ex.getResponseBody()) {
                for (int from = 0; from < gz.length; from += 1024) {   // slowly enough for the two to overlap
                    out.write(gz, from, Math.min(1024, gz.length - from));
                    out.flush();
                    Thread.sleep(20);
                }
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            }
        });
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            List<Future<Boolean>> runs = two.invokeAll(List.of(
                    () -> downloader().fetchUnlessPresent(DatasetKind.MNIST, file, List.of(url("m")), target(), false),
                    () -> downloader().fetchUnlessPresent(DatasetKind.MNIST, file, List.of(url("m")), target(), false)));
            assertTrue(runs.get(0).get() ^ runs.get(1).get(), "one fetched, the other used its file");
        } finally {
            two.shutdownNow();
        }
        assertArrayEquals(gz, Files.readAllBytes(target()), "exactly the file, no bytes of another writer");
        assertEquals(1, requests.get());
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("waiting for another download")), messages.toString());
    }

    @Test
    @Timeout(10)
    void aGzipBombFromAMirrorIsRefusedWithoutInflatingIt() {
        serveWhole("bomb", GzipBomb.of(content, 4L << 30));
        DownloadException e = assertThrows(DownloadException.class,
                () -> downloader().fetchFile(DatasetKind.MNIST, file, List.of(url("bomb")), target()));
        assertTrue(e.getMessage().contains("more than the") && e.getMessage().contains("the file can take"), e.getMessage());
        assertFalse(Files.exists(dir.resolve(file.gzName() + ".part")));
    }

    @Test
    void removesTheTemporaryFilesOfKilledWritersFromTheFolder() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("data").resolve(DatasetKind.MNIST.folder));
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path dead = Files.createFile(folder.resolve(".train-images-idx3-ubyte.gz." + gone.pid() + ".123.tmp"));
        Path live = Files.createFile(folder.resolve(".train-images-idx3-ubyte.gz." + ProcessHandle.current().pid() + ".456.tmp"));
        assertThrows(DownloadException.class, () -> downloader().fetch(DatasetKind.MNIST, dir.resolve("data"), false, List.of(url("none"))));
        assertFalse(Files.exists(dead), "the killed writer's file is gone");
        assertTrue(Files.exists(live), "a running writer's file stays");
    }

    private static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
                out.write(data);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
