package nn.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import nn.checkpoint.Checkpoint;

/**
 * The {@code nn serve} web app on the JDK's own HTTP server ({@code com.sun.net.httpserver}):
 * its pages and scripts from this jar, Chart.js from its WebJar, the JSON API, and the files of
 * the runs folder's runs. Every request path is split into segments and matched against a fixed
 * list of routes; a segment that decodes to {@code .}, {@code ..} or holds a slash, and every
 * path not on the list, is 404.
 */
public final class WebApp implements AutoCloseable {
    /** Largest upload accepted. */
    public static final int MAX_UPLOAD = 10 << 20;
    /** Bodies up to this size are read and dropped so the 413 reaches the client; larger ones close the connection. */
    static final long DRAIN_LIMIT = 64L << 20;
    static final int THREADS = 16, STREAMS = 8;
    static final long STREAM_POLL_MILLIS = 200, STREAM_PING_MILLIS = 15_000;
    private static final String RESOURCES = "nn/serve/";
    private static final Map<String, String> PAGES = Map.of("", "draw.html", "runs", "runs.html", "run", "run.html", "network", "network.html");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "png", "image/png", "svg", "image/svg+xml", "json", "application/json; charset=utf-8",
            "csv", "text/csv; charset=utf-8", "md", "text/markdown; charset=utf-8");

    /** Where it listens and what it shows; {@code checkpoint} may be null, port 0 picks a free port. */
    public record Options(String host, int port, Path runsDir, Path modelsDir, Path checkpoint) {}

    private final HttpServer server;
    private final ExecutorService executor;
    private final RunFolders runs;
    private final ModelCatalog models;
    private final DigitService digits = new DigitService();
    private final Semaphore streams = new Semaphore(STREAMS);
    private final Map<String, byte[]> resources = new ConcurrentHashMap<>();
    private final boolean loopback;
    private volatile boolean closing;

    private WebApp(Options options) throws IOException {
        this.runs = new RunFolders(options.runsDir());
        this.models = new ModelCatalog(runs, options.modelsDir(), options.checkpoint());
        InetAddress address = InetAddress.getByName(options.host());
        this.loopback = address.isLoopbackAddress();
        this.server = HttpServer.create(new InetSocketAddress(address, options.port()), 64);
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "nn-serve-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /** Binds and starts serving; a port in use throws {@link java.net.BindException}. */
    public static WebApp start(Options options) throws IOException {
        WebApp app = new WebApp(options);
        app.server.start();
        return app;
    }

    /** The address to open, e.g. {@code http://127.0.0.1:8080/}. */
    public URI address() {
        InetSocketAddress a = server.getAddress();
        // Listening on every address: this machine's loopback one is the one to open here.
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create("http://" + host + ":" + a.getPort() + "/");
    }

    public boolean isLoopback() {
        return loopback;
    }

    /** Stops accepting, ends the live streams, and waits up to a second for requests in flight. */
    @Override
    public void close() {
        closing = true;
        server.stop(1);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) {
        try {
            List<String> path = segments(ex.getRequestURI().getRawPath());
            checkHost(ex);
            route(ex, path);
        } catch (ApiException e) {
            send(ex, e.status, Json.error(e.getMessage()));
        } catch (Exception e) {
            System.err.println("nn serve: error: " + ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath() + ": " + e);
            send(ex, 500, Json.error("internal error: " + e.getClass().getSimpleName()));
        } finally {
            ex.close();
        }
    }

    private void route(HttpExchange ex, List<String> p) throws IOException {
        String method = ex.getRequestMethod();
        int n = p.size();
        String first = n == 0 ? "" : p.get(0);
        if (first.equals("api")) {
            String what = n > 1 ? p.get(1) : "";
            if (what.equals("predict") && n == 2) {
                require(method, "POST");
                predict(ex);
            } else if (what.equals("network") && n == 3 && p.get(2).equals("weights")) {
                require(method, "GET");
                Map<String, String> q = query(ex.getRequestURI().getRawQuery());
                int layer;
                try {
                    layer = Integer.parseInt(q.getOrDefault("layer", "1"));
                } catch (NumberFormatException e) {
                    throw new ApiException(400, "layer must be a number");
                }
                sendBytes(ex, 200, TYPES.get("png"), digits.weights(load(models.find(q.get("model"))), layer));
            } else if (what.equals("network") && n == 3 && p.get(2).equals("activations")) {
                require(method, "POST");
                byte[] body = body(ex);
                sendBytes(ex, 200, TYPES.get("png"), digits.activations(body, load(models.find(query(ex.getRequestURI().getRawQuery()).get("model")))));
            } else if (what.equals("models") && n == 2) {
                require(method, "GET");
                send(ex, 200, modelList());
            } else if (what.equals("runs") && n == 2) {
                require(method, "GET");
                JsonArray list = new JsonArray();
                for (Path dir : runs.list()) list.add(runs.summary(dir));
                JsonObject o = new JsonObject();
                o.addProperty("runs_dir", runs.root().toString());
                o.add("runs", list);
                send(ex, 200, o);
            } else if (what.equals("runs") && n == 3) {
                require(method, "GET");
                send(ex, 200, runs.detail(run(p.get(2))));
            } else if (what.equals("runs") && n == 4 && p.get(3).equals("events")) {
                require(method, "GET");
                stream(ex, p.get(2));
            } else {
                throw ApiException.notFound();
            }
            return;
        }
        require(method, "GET");
        if (n <= 1 && PAGES.containsKey(first) && !first.equals("run")) {
            sendResource(ex, RESOURCES + PAGES.get(first));
        } else if (n == 2 && first.equals("run")) {
            run(p.get(1));
            sendResource(ex, RESOURCES + PAGES.get("run"));
        } else if (n == 2 && first.equals("static") && p.get(1).matches("[a-z0-9-]+\\.(css|js|svg|png)")) {
            sendResource(ex, RESOURCES + p.get(1));
        } else if (n == 3 && first.equals("webjars") && p.get(1).equals("chart.js") && p.get(2).equals("chart.umd.js")) {
            sendResource(ex, "META-INF/resources/webjars/chart.js/" + chartJsVersion() + "/dist/chart.umd.js");
        } else if (n == 4 && first.equals("runs") && p.get(2).equals("files")) {
            Path f = runs.file(p.get(1), p.get(3));
            if (f == null) throw ApiException.notFound();
            sendBytes(ex, 200, type(f.getFileName().toString()), Files.readAllBytes(f));
        } else {
            throw ApiException.notFound();
        }
    }

    private Path run(String id) {
        Path dir = runs.resolve(id);
        if (dir == null) throw new ApiException(404, "no such run: " + id);
        return dir;
    }

    private JsonObject modelList() {
        List<ModelCatalog.Entry> list = models.list();
        JsonObject o = new JsonObject();
        o.addProperty("default", models.defaultId(list));
        JsonArray a = new JsonArray();
        for (ModelCatalog.Entry e : list) a.add(e.json());
        o.add("models", a);
        return o;
    }

    private void predict(HttpExchange ex) throws IOException {
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        int passes = 0;
        if (q.containsKey("uncertainty")) {
            try {
                passes = Integer.parseInt(q.get("uncertainty"));
            } catch (NumberFormatException e) {
                throw new ApiException(400, "uncertainty must be a number of passes");
            }
            if (passes < 0) throw new ApiException(400, "uncertainty passes must be between 2 and " + DigitService.MAX_PASSES);
        }
        byte[] body = body(ex);
        ModelCatalog.Entry entry = models.find(q.get("model"));
        Checkpoint.Loaded model = load(entry);
        String name = q.get("name");
        if (name != null && !name.matches("[^\\p{Cntrl}]{1,200}")) name = null;
        send(ex, 200, digits.predict(body, entry, model, passes, name));
    }

    private Checkpoint.Loaded load(ModelCatalog.Entry entry) {
        try {
            return models.load(entry);
        } catch (IOException e) {
            throw new ApiException(500, "cannot load the model " + entry.id() + ": " + e.getMessage());
        }
    }

    /** The request body, at most {@link #MAX_UPLOAD} bytes; over that, 413. */
    private static byte[] body(HttpExchange ex) throws IOException {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        long declared = -1;
        if (length != null) {
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                throw new ApiException(400, "bad Content-Length");
            }
        }
        InputStream in = ex.getRequestBody();
        if (declared > MAX_UPLOAD) {
            if (declared <= DRAIN_LIMIT) in.transferTo(OutputStream.nullOutputStream());
            throw tooLarge();
        }
        byte[] bytes = in.readNBytes(MAX_UPLOAD + 1);
        if (bytes.length > MAX_UPLOAD) {
            long dropped = 0;
            byte[] sink = new byte[1 << 16];
            for (int r; dropped < DRAIN_LIMIT && (r = in.read(sink)) > 0; ) dropped += r;
            throw tooLarge();
        }
        return bytes;
    }

    private static ApiException tooLarge() {
        return new ApiException(413, "upload over the limit of " + (MAX_UPLOAD >> 20) + " MB");
    }

    /** Server-Sent Events: the run's detail now, and again within {@value #STREAM_POLL_MILLIS} ms of each change to its files. */
    private void stream(HttpExchange ex, String id) throws IOException {
        run(id);
        if (!streams.tryAcquire()) throw new ApiException(503, "too many live streams open (" + STREAMS + ")");
        try {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write("retry: 1000\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            String last = null;
            long lastWrite = System.currentTimeMillis();
            while (!closing) {
                Path dir = runs.resolve(id);
                if (dir == null) {
                    event(out, "gone", "{}");
                    break;
                }
                String signature = RunFolders.signature(dir);
                long now = System.currentTimeMillis();
                if (!signature.equals(last)) {
                    last = signature;
                    event(out, "run", Json.GSON.toJson(runs.detail(dir)));
                    lastWrite = now;
                } else if (now - lastWrite > STREAM_PING_MILLIS) {
                    out.write(": ping\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    lastWrite = now;
                }
                try {
                    Thread.sleep(STREAM_POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        } catch (IOException e) {
            // the page was closed
        } finally {
            streams.release();
        }
    }

    private static void event(OutputStream out, String name, String data) throws IOException {
        out.write(("event: " + name + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Bound to loopback, only requests addressed to a loopback name are answered (no DNS rebinding). */
    private void checkHost(HttpExchange ex) {
        if (!loopback) return;
        String host = ex.getRequestHeaders().getFirst("Host");
        if (host == null) return;
        String name = host.toLowerCase(Locale.ROOT).replaceFirst(":\\d+$", "");
        if (!(name.equals("localhost") || name.equals("[::1]") || name.startsWith("127."))) {
            throw new ApiException(403, "this server answers only requests for localhost");
        }
    }

    private static void require(String method, String wanted) {
        if (!method.equals(wanted)) throw new ApiException(405, "use " + wanted);
    }

    /** The path's segments, percent-decoded; 404 for anything that could step out of a folder. */
    static List<String> segments(String rawPath) {
        if (rawPath == null || !rawPath.startsWith("/")) throw ApiException.notFound();
        List<String> out = new ArrayList<>();
        String[] parts = rawPath.substring(1).split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            String s = decode(parts[i]);
            if (s.isEmpty() && i == parts.length - 1 && !out.isEmpty()) break;   // one trailing slash
            if (s.isEmpty() && parts.length == 1) break;                          // "/"
            if (s.isEmpty() || s.equals(".") || s.equals("..") || s.contains("/") || s.contains("\\") || s.indexOf('\0') >= 0
                    || s.contains(":") || s.length() > 200) {
                throw ApiException.notFound();
            }
            out.add(s);
        }
        return out;
    }

    /** Percent-decoding of one path segment (no '+' for space); a malformed escape is 404. */
    static String decode(String s) {
        if (s.indexOf('%') < 0) return s;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) throw ApiException.notFound();
                int hi = Character.digit(s.charAt(i + 1), 16), lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) throw ApiException.notFound();
                b.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                b.write(bytes, 0, bytes.length);
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null || raw.isEmpty()) return q;
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq), v = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                q.putIfAbsent(java.net.URLDecoder.decode(k, StandardCharsets.UTF_8), java.net.URLDecoder.decode(v, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "bad query string");
            }
        }
        return q;
    }

    private String chartJsVersion() {
        String v = new String(resource(RESOURCES + "webjars.properties"), StandardCharsets.ISO_8859_1);
        Properties p = new Properties();
        try {
            p.load(new java.io.StringReader(v));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return p.getProperty("chartjs");
    }

    private byte[] resource(String name) {
        byte[] bytes = resources.computeIfAbsent(name, k -> {
            try (InputStream in = WebApp.class.getClassLoader().getResourceAsStream(k)) {
                return in == null ? new byte[0] : in.readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        if (bytes.length == 0) throw ApiException.notFound();
        return bytes;
    }

    private void sendResource(HttpExchange ex, String name) throws IOException {
        sendBytes(ex, 200, type(name), resource(name));
    }

    private static String type(String name) {
        String ext = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(ext, "application/octet-stream");
    }

    private static void send(HttpExchange ex, int status, JsonElement json) {
        try {
            sendBytes(ex, status, TYPES.get("json"), (Json.GSON.toJson(json) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void sendBytes(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        var h = ex.getResponseHeaders();
        h.set("Content-Type", type);
        h.set("Cache-Control", "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        h.set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) ex.getResponseBody().write(body);
    }
}
