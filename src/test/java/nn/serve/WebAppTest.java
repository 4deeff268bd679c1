package nn.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.BindException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.imageio.ImageIO;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import nn.checkpoint.ProgressFile;
import nn.io.AtomicFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The JSON API and the safety rules of nn serve, through real HTTP requests. */
class WebAppTest {
    @TempDir static Path tmp;
    static Path runs, outside;
    static WebApp app;
    static URI base;

    @BeforeAll
    static void start() throws Exception {
        runs = Files.createDirectories(tmp.resolve("runs"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        Fixtures.finishedRun(runs, "20260101-120000-cnn", 5);
        Fixtures.finishedRun(runs, "20260102-120000-cnn", 3);
        Fixtures.interruptedRun(runs, "20260101-090000-cnn", 2);
        Files.createSymbolicLink(runs.resolve("latest"), Path.of("20260102-120000-cnn"));
        // Things that lead out of the runs folder: a run that is a link to outside, a file that is one.
        Fixtures.writeMetrics(outside, 2);
        Files.writeString(outside.resolve("secret.csv"), "secret\n");
        Files.createSymbolicLink(runs.resolve("escape"), outside);
        Files.createSymbolicLink(runs.resolve("20260101-120000-cnn/leak.csv"), outside.resolve("secret.csv"));
        app = WebApp.start(new WebApp.Options("127.0.0.1", 0, runs, Path.of("data/models"), null));
        base = app.address();
    }

    @AfterAll
    static void stop() {
        if (app != null) app.close();
    }

    private static JsonObject json(HttpResponse<String> r) {
        assertEquals(1, r.body().strip().lines().count(), "one line of JSON: " + r.body());
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }

    @Test
    void everySamplePictureIsPredictedWithItsInputAndSaliency() throws Exception {
        try (var files = Files.list(Fixtures.SAMPLES)) {
            for (Path f : files.sorted().toList()) {
                HttpResponse<String> r = Fixtures.post(base, "/api/predict?model=models:cnn.ckpt&name=" + f.getFileName(), Files.readAllBytes(f));
                assertEquals(200, r.statusCode(), r.body());
                JsonObject o = json(r);
                String digit = f.getFileName().toString().substring(5, 6);
                assertEquals(digit, o.get("prediction").getAsString(), f.toString());
                assertEquals(f.getFileName().toString(), o.get("file").getAsString());
                assertEquals(3, o.getAsJsonArray("top").size());
                assertEquals(10, o.getAsJsonArray("probabilities").size());
                JsonArray input = o.getAsJsonArray("input"), saliency = o.getAsJsonArray("saliency");
                assertEquals(784, input.size());
                assertEquals(784, saliency.size());
                double max = 0;
                for (JsonElement e : saliency) {
                    assertTrue(e.getAsDouble() >= 0 && e.getAsDouble() <= 1);
                    max = Math.max(max, e.getAsDouble());
                }
                assertEquals(1.0, max, 1e-9, "saliency is scaled to a maximum of 1");
                assertEquals("models:cnn.ckpt", o.getAsJsonObject("model").get("id").getAsString());
            }
        }
    }

    @Test
    void theSameAnswerAsNnPredict() throws Exception {
        Path file = Fixtures.SAMPLES.resolve("digit3-blue-ink.jpg");
        StringWriter out = new StringWriter();
        CommandLine cmd = nn.cli.Main.commandLine();
        cmd.setOut(new PrintWriter(out));
        assertEquals(0, cmd.execute("predict", "--json", "--checkpoint", Fixtures.CNN.toString(), file.toString()));
        JsonObject cli = JsonParser.parseString(out.toString().strip()).getAsJsonObject();
        JsonObject web = json(Fixtures.post(base, "/api/predict", Files.readAllBytes(file)));
        assertEquals(cli.get("prediction").getAsString(), web.get("prediction").getAsString());
        assertEquals(cli.get("confidence").getAsDouble(), web.get("confidence").getAsDouble(), 1e-6);
        assertEquals(cli.get("top"), web.get("top"));
    }

    @Test
    void pathTraversalAndEverythingOffTheListIs404() throws Exception {
        assertEquals(200, Fixtures.rawStatus(base, "/runs/20260101-120000-cnn/files/metrics.csv"), "the control request");
        assertEquals(200, Fixtures.rawStatus(base, "/runs/latest/files/report.json"));
        String[] attempts = {
            "/../pom.xml", "/static/../draw.html", "/static/..%2fdraw.html", "/static/%2e%2e%2fpom.xml", "/static/%2E%2E%2Fpom.xml",
            "/static/%252e%252e%252fpom.xml", "/static/..%5cpom.xml", "/static/draw.html", "/static/WebApp.class",
            "/runs/..%2f..%2fetc/files/passwd", "/runs/%2e%2e/files/pom.xml", "/runs/20260101-120000-cnn/files/..%2f..%2f..%2fpom.xml",
            "/runs/20260101-120000-cnn/files/%2e%2e%2f20260102-120000-cnn%2freport.json", "/runs/20260101-120000-cnn/files/%2fetc%2fpasswd",
            "/runs//etc/files/passwd", "//etc/passwd", "/runs/%2fetc/files/passwd", "/runs/escape/files/metrics.csv",
            "/runs/escape/files/secret.csv", "/runs/20260101-120000-cnn/files/leak.csv", "/runs/20260101-120000-cnn/files/best.ckpt",
            "/runs/20260101-120000-cnn/files/.metrics.csv", "/api/runs/..", "/api/runs/%2e%2e", "/api/runs/escape",
            "/api/runs/%2e%2e%2foutside", "/run/escape", "/webjars/chart.js/../../pom.xml", "/webjars/chart.js/package.json",
            "/file:/etc/passwd", "/runs/20260101-120000-cnn/files/metrics.csv%00.png", "/nope", "/api/nope"};
        for (String path : attempts) assertEquals(404, Fixtures.rawStatus(base, path), path);
        HttpResponse<String> r = Fixtures.get(base, "/runs/escape/files/secret.csv");
        assertFalse(r.body().contains("secret"));
        assertEquals("not found", json(r).get("error").getAsString());
    }

    @Test
    void badUploadsGetA4xxWithOneLineOfJsonAndTheServerKeepsServing() throws Exception {
        Map<String, byte[]> bad = new java.util.LinkedHashMap<>();
        bad.put("413 over", new byte[WebApp.MAX_UPLOAD + 1]);
        bad.put("413 pixels", Fixtures.pngHeader(20000, 20000));
        bad.put("415 text", "this is not a picture".getBytes(StandardCharsets.UTF_8));
        bad.put("400 empty", new byte[0]);
        byte[] png = Fixtures.sample("digit8-paper.png");
        bad.put("400 truncated", java.util.Arrays.copyOf(png, png.length / 3));
        bad.put("422 blank", blankPng());
        for (var e : bad.entrySet()) {
            HttpResponse<String> r = Fixtures.post(base, "/api/predict", e.getValue());
            assertEquals(Integer.parseInt(e.getKey().substring(0, 3)), r.statusCode(), e.getKey() + ": " + r.body());
            JsonObject o = json(r);
            assertTrue(o.has("error") && !o.get("error").getAsString().contains(System.getProperty("java.io.tmpdir")), r.body());
        }
        assertTrue(json(Fixtures.post(base, "/api/predict", Fixtures.pngHeader(20000, 20000))).get("error").getAsString()
                .contains("20000 x 20000 pixels is over the limit of 40,000,000 pixels"));
        assertEquals(200, Fixtures.post(base, "/api/predict", png).statusCode(), "still serving");
    }

    private static byte[] blankPng() throws Exception {
        BufferedImage white = new BufferedImage(200, 200, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = white.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, 200, 200);
        g.dispose();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ImageIO.write(white, "png", b);
        return b.toByteArray();
    }

    @Test
    void unknownThingsAre404AndWrongMethods405() throws Exception {
        assertEquals(404, Fixtures.post(base, "/api/predict?model=models:nope.ckpt", Fixtures.sample("digit6-paper.png")).statusCode());
        assertEquals(404, Fixtures.post(base, "/api/predict?model=../../pom.xml", Fixtures.sample("digit6-paper.png")).statusCode());
        assertEquals(404, Fixtures.get(base, "/api/runs/20990101-000000-none").statusCode());
        assertEquals(404, Fixtures.get(base, "/run/20990101-000000-none").statusCode());
        assertEquals(405, Fixtures.get(base, "/api/predict").statusCode());
        assertEquals(405, Fixtures.post(base, "/api/runs", new byte[1]).statusCode());
        assertEquals(400, Fixtures.post(base, "/api/predict?uncertainty=10", Fixtures.sample("digit6-paper.png")).statusCode(),
                "the cnn has no dropout");
        for (String page : new String[] {"/", "/runs", "/run/latest", "/static/style.css", "/static/draw.js", "/webjars/chart.js/chart.umd.js"}) {
            assertEquals(200, Fixtures.get(base, page).statusCode(), page);
        }
    }

    @Test
    void aDropoutModelGivesTheMonteCarloSpread() throws Exception {
        Path dropoutRuns = tmp.resolve("dropout-runs");
        CommandLine train = nn.cli.Main.commandLine();
        train.setOut(new PrintWriter(new StringWriter()));
        assertEquals(0, train.execute("train", "--data-dir", nn.data.RealData.SLICE_PARENT.toString(), "--hidden", "32", "--dropout", "0.3",
                "--limit", "600", "--epochs", "1", "--out", dropoutRuns.toString(), "--no-progress"));
        try (WebApp other = WebApp.start(new WebApp.Options("127.0.0.1", 0, dropoutRuns, null, dropoutRuns.resolve("latest")))) {
            JsonObject models = json(Fixtures.get(other.address(), "/api/models"));
            assertEquals("checkpoint", models.get("default").getAsString());
            assertTrue(models.getAsJsonArray("models").get(0).getAsJsonObject().get("dropout").getAsBoolean());
            JsonObject o = json(Fixtures.post(other.address(), "/api/predict?uncertainty=20", Fixtures.sample("digit1-transparent.png")));
            JsonObject u = o.getAsJsonObject("uncertainty");
            assertEquals(20, u.get("passes").getAsInt());
            assertEquals(10, u.getAsJsonArray("stds").size());
            assertTrue(u.get("std").getAsDouble() > 0, "dropout passes differ");
            assertEquals(u.get("unsure").getAsBoolean(), u.get("std").getAsDouble() > 0.1 || o.get("confidence").getAsDouble() < 0.7);
            assertEquals(400, Fixtures.post(other.address(), "/api/predict?uncertainty=1", Fixtures.sample("digit1-transparent.png")).statusCode());
            assertEquals(400, Fixtures.post(other.address(), "/api/predict?uncertainty=1000", Fixtures.sample("digit1-transparent.png")).statusCode());
        }
    }

    @Test
    void theNetworkPicturesAreServedAsPng() throws Exception {
        var bytes = java.net.http.HttpResponse.BodyHandlers.ofByteArray();
        var weights = Fixtures.CLIENT.send(java.net.http.HttpRequest.newBuilder(base.resolve("/api/network/weights?model=models:cnn.ckpt&layer=2"))
                .build(), bytes);
        assertEquals(200, weights.statusCode());
        assertTrue(ImageIO.read(new java.io.ByteArrayInputStream(weights.body())).getWidth() > 100);
        var activations = Fixtures.CLIENT.send(java.net.http.HttpRequest.newBuilder(base.resolve("/api/network/activations?model=models:cnn.ckpt"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(Fixtures.sample("digit6-paper.png"))).build(), bytes);
        assertEquals(200, activations.statusCode());
        assertEquals("image/png", activations.headers().firstValue("Content-Type").orElse(""));
        assertTrue(ImageIO.read(new java.io.ByteArrayInputStream(activations.body())).getHeight() > 100);
        assertEquals(400, Fixtures.get(base, "/api/network/weights?model=models:cnn.ckpt&layer=9").statusCode());
        assertEquals(415, Fixtures.post(base, "/api/network/activations", "text".getBytes(StandardCharsets.UTF_8)).statusCode());
    }

    @Test
    void onlyLocalhostNamesAreAnsweredOnLoopback() throws Exception {
        // A page on another site that a DNS trick points at 127.0.0.1 still sends its own name as Host.
        try (java.net.Socket s = new java.net.Socket(base.getHost(), base.getPort())) {
            s.getOutputStream().write("GET /api/runs HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1)).readLine();
            assertTrue(status.contains(" 403 "), status);
        }
    }

    @Test
    void concurrentPredictionsAreAllAnsweredRight() throws Exception {
        List<String> names = List.of("digit1-transparent.png", "digit2-ruled.png", "digit3-blue-ink.jpg", "digit4-ruled.png",
                "digit6-paper.png", "digit7-blue-ink.jpg", "digit8-paper.png");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> answers = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 48; i++) {
                String name = names.get(i % names.size());
                byte[] body = Fixtures.sample(name);
                expected.add(name.substring(5, 6));
                answers.add(pool.submit(() -> {
                    HttpResponse<String> r = Fixtures.post(base, "/api/predict", body);
                    assertEquals(200, r.statusCode(), r.body());
                    return JsonParser.parseString(r.body()).getAsJsonObject().get("prediction").getAsString();
                }));
            }
            for (int i = 0; i < answers.size(); i++) assertEquals(expected.get(i), answers.get(i).get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void runsAreListedWithTheirStateAndDetails() throws Exception {
        JsonObject list = json(Fixtures.get(base, "/api/runs"));
        JsonArray a = list.getAsJsonArray("runs");
        List<String> ids = new ArrayList<>();
        for (JsonElement e : a) ids.add(e.getAsJsonObject().get("id").getAsString());
        assertTrue(ids.contains("20260101-120000-cnn") && ids.contains("20260102-120000-cnn"), ids.toString());
        assertFalse(ids.contains("escape") || ids.contains("latest"), ids.toString());
        JsonObject first = json(Fixtures.get(base, "/api/runs/20260101-120000-cnn"));
        assertEquals("finished", first.get("state").getAsString());
        assertEquals(5, first.get("epochs_done").getAsInt());
        assertEquals(12, first.get("epochs").getAsInt(), "from the checkpoint's header");
        assertEquals("mnist", first.get("dataset").getAsString());
        assertEquals("2026-01-01T12:00", first.get("started").getAsString());
        assertEquals(0.987, first.get("test_accuracy").getAsDouble(), 1e-9);
        assertEquals(0.98, first.get("best_validation_accuracy").getAsDouble(), 1e-9);
        assertEquals(5, first.getAsJsonObject("metrics").getAsJsonArray("validation_accuracy").size());
        assertEquals(0.987, first.getAsJsonObject("report").get("accuracy").getAsDouble(), 1e-9);
        JsonObject stopped = json(Fixtures.get(base, "/api/runs/20260101-090000-cnn"));
        assertEquals("interrupted", stopped.get("state").getAsString());
        assertTrue(stopped.get("test_accuracy").isJsonNull() && stopped.get("report").isJsonNull());
        JsonObject models = json(Fixtures.get(base, "/api/models"));
        assertEquals("run:20260102-120000-cnn", models.get("default").getAsString(), "runs/latest's run comes first");
    }

    @Test
    void theStateRule() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("states/20260103-000000-mlp"));
        Fixtures.writeMetrics(dir, 2);
        Files.setLastModifiedTime(dir.resolve("metrics.csv"), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 600_000));
        assertEquals("interrupted", RunFolders.state(dir, false, null), "quiet for 10 minutes, no progress file");
        Fixtures.writeMetrics(dir, 3);
        assertEquals("running", RunFolders.state(dir, false, null), "metrics just written, no progress file");
        ProgressFile live = new ProgressFile(dir, 5);
        live.epochStarted(4, 10);
        JsonObject p = RunFolders.progress(dir);
        assertEquals("running", RunFolders.state(dir, false, p), "this process is training");
        p.addProperty("pid", Long.MAX_VALUE);
        p.addProperty("updated", System.currentTimeMillis() - 60_000);
        assertEquals("interrupted", RunFolders.state(dir, false, p), "its writer is gone and it has been quiet");
        live.end(false);
        assertEquals("interrupted", RunFolders.state(dir, false, RunFolders.progress(dir)), "stopped");
        Thread.sleep(20);
        AtomicFile.writeString(dir.resolve("report.json"), "{}");
        assertEquals("finished", RunFolders.state(dir, true, RunFolders.progress(dir)));
    }

    @Test
    void theLiveStreamSendsANewEpochWithinASecond() throws Exception {
        Path dir = Fixtures.finishedRun(runs, "20260104-000000-live", 1);
        Files.delete(dir.resolve("report.json"));
        HttpURLConnection c = (HttpURLConnection) base.resolve("/api/runs/20260104-000000-live/events").toURL().openConnection();
        c.setReadTimeout(10_000);
        assertEquals("text/event-stream; charset=utf-8", c.getHeaderField("Content-Type"));
        try (BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8))) {
            JsonObject first = nextRun(in);
            assertEquals(1, first.get("epochs_done").getAsInt());
            assertEquals("running", first.get("state").getAsString());
            long wrote = System.nanoTime();
            Fixtures.writeMetrics(dir, 2);
            JsonObject second = nextRun(in);
            double seconds = (System.nanoTime() - wrote) / 1e9;
            assertEquals(2, second.get("epochs_done").getAsInt());
            assertTrue(seconds < 1.0, "arrived " + seconds + " s after the write");
        } finally {
            c.disconnect();
        }
    }

    private static JsonObject nextRun(BufferedReader in) throws Exception {
        String event = null;
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith("event: ")) event = line.substring(7);
            if (line.startsWith("data: ") && "run".equals(event)) return JsonParser.parseString(line.substring(6)).getAsJsonObject();
        }
        throw new AssertionError("the stream ended");
    }

    @Test
    void aPortInUseIsOneLineAndExit1() throws Exception {
        assertThrows(BindException.class, () -> WebApp.start(new WebApp.Options("127.0.0.1", base.getPort(), runs, null, null)));
        StringWriter err = new StringWriter();
        CommandLine cmd = nn.cli.Main.commandLine();
        cmd.setErr(new PrintWriter(err));
        cmd.setOut(new PrintWriter(new StringWriter()));
        assertEquals(1, cmd.execute("serve", "--port", String.valueOf(base.getPort()), "--runs", runs.toString()));
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("nn serve: error: cannot listen on 127.0.0.1:" + base.getPort()), err.toString());
    }
}
