package nn.serve;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

import nn.io.AtomicFile;

/** Run folders, pictures and raw requests for the serve tests. */
final class Fixtures {
    static final Path CNN = Path.of("data/models/cnn.ckpt");
    static final Path SAMPLES = Path.of("data/samples");
    static final String HEADER = "epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,learning_rate,seconds";
    static final HttpClient CLIENT = HttpClient.newHttpClient();

    private Fixtures() {}

    /** A finished run: metrics for {@code epochs} epochs, a report, and the shipped cnn as best.ckpt. */
    static Path finishedRun(Path runs, String name, int epochs) throws IOException {
        Path dir = Files.createDirectories(runs.resolve(name));
        Files.copy(CNN, dir.resolve("best.ckpt"));
        writeMetrics(dir, epochs);
        Files.writeString(dir.resolve("report.json"), "{\"dataset\":\"mnist\",\"split\":\"test\",\"model\":\"conv(20,5),relu,pool(2),conv(50,5),relu,pool(2),dense(500),relu\",\"n\":1000,"
                + "\"accuracy\":0.987,\"loss\":0.04,\"ece\":0.01,\"confusion_matrix\":[[1,0],[0,1]],"
                + "\"per_class\":[{\"class\":0,\"name\":\"0\",\"precision\":1,\"recall\":1,\"f1\":1,\"support\":1}],"
                + "\"calibration_bins\":[{\"lower\":0.9,\"upper\":1.0,\"count\":2,\"accuracy\":1.0,\"confidence\":0.97}]}");
        return dir;
    }

    /** A run that stopped: a few epochs and last.ckpt, quiet for an hour, no report. */
    static Path interruptedRun(Path runs, String name, int epochs) throws IOException {
        Path dir = Files.createDirectories(runs.resolve(name));
        Files.copy(CNN, dir.resolve("last.ckpt"));
        writeMetrics(dir, epochs);
        var hourAgo = java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000);
        Files.setLastModifiedTime(dir.resolve("last.ckpt"), hourAgo);
        Files.setLastModifiedTime(dir.resolve("metrics.csv"), hourAgo);
        return dir;
    }

    static void writeMetrics(Path dir, int epochs) throws IOException {
        StringBuilder csv = new StringBuilder(HEADER).append('\n');
        for (int e = 1; e <= epochs; e++) {
            csv.append(String.format(java.util.Locale.ROOT, "%d,%.4f,%.4f,%.4f,%.4f,0.01,1.0%n", e, 0.25 / e, 0.995 - 0.06 / e, 0.02 + 0.2 / e, 0.99 - 0.05 / e));
        }
        AtomicFile.writeString(dir.resolve("metrics.csv"), csv.toString());
    }

    static byte[] sample(String name) throws IOException {
        return Files.readAllBytes(SAMPLES.resolve(name));
    }

    /** A PNG that is only a header: IHDR says width x height, then IEND (no pixel data). */
    static byte[] pngHeader(int width, int height) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(ihdr);
        d.writeInt(width);
        d.writeInt(height);
        d.write(new byte[] {8, 0, 0, 0, 0});
        chunk(out, "IHDR", ihdr.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return b.toByteArray();
    }

    private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        out.writeInt(data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }

    static HttpResponse<String> post(URI base, String pathAndQuery, byte[] body) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/octet-stream").build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(URI base, String path) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The status of a GET sent byte for byte as written (no client normalises the path). */
    static int rawStatus(URI base, String rawPath) throws IOException {
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + rawPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c; (c = in.read()) != -1 && c != '\n'; ) line.append((char) c);
            String[] parts = line.toString().split(" ");
            return parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
        }
    }
}
