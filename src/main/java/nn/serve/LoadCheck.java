package nn.serve;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.google.gson.JsonParser;

/**
 * The load check of {@code nn serve} (run by {@code scripts/serve-load}, not a test): N
 * {@code POST /api/predict} from C concurrent clients, each sending the sample pictures in turn;
 * counts errors (any status but 200) and wrong answers (the digit a sample's name says), and
 * prints the latency percentiles.
 * <pre>java -cp ... nn.serve.LoadCheck URL [REQUESTS [CLIENTS [SAMPLES_DIR]]]</pre>
 */
public final class LoadCheck {
    private LoadCheck() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: LoadCheck URL [REQUESTS [CLIENTS [SAMPLES_DIR]]]");
            System.exit(2);
        }
        URI predict = URI.create(args[0]).resolve("/api/predict");
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        Path samples = Path.of(args.length > 3 ? args[3] : "data/samples");
        List<byte[]> bodies = new ArrayList<>();
        List<String> digits = new ArrayList<>();
        try (Stream<Path> s = Files.list(samples)) {
            for (Path f : s.filter(p -> p.getFileName().toString().matches("digit\\d.*")).sorted().toList()) {
                bodies.add(Files.readAllBytes(f));
                digits.add(f.getFileName().toString().substring(5, 6));
            }
        }
        if (bodies.isEmpty()) throw new IOException("no digitN-*.png/jpg samples in " + samples);

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long[] latency = new long[requests];
        AtomicInteger next = new AtomicInteger(), errors = new AtomicInteger(), wrong = new AtomicInteger();
        List<String> firstErrors = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            pool.submit(() -> {
                for (int i; (i = next.getAndIncrement()) < requests; ) {
                    int k = i % bodies.size();
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(predict)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(k))).build(), HttpResponse.BodyHandlers.ofString());
                        latency[i] = System.nanoTime() - t0;
                        if (r.statusCode() != 200) {
                            errors.incrementAndGet();
                            if (firstErrors.size() < 3) firstErrors.add(r.statusCode() + " " + r.body().strip());
                        } else if (!JsonParser.parseString(r.body()).getAsJsonObject().get("prediction").getAsString().equals(digits.get(k))) {
                            wrong.incrementAndGet();
                        }
                    } catch (IOException | InterruptedException | RuntimeException e) {
                        latency[i] = System.nanoTime() - t0;
                        errors.incrementAndGet();
                        if (firstErrors.size() < 3) firstErrors.add(e.toString());
                    }
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.HOURS);
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] sorted = latency.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "load check: %d POST /api/predict from %d concurrent clients in %.1f s (%.1f requests/s)%n",
                requests, clients, seconds, requests / seconds);
        System.out.printf(Locale.ROOT, "errors: %d, wrong answers: %d (of %d sample pictures, sent in turn)%n", errors.get(), wrong.get(), bodies.size());
        for (String e : firstErrors) System.out.println("  e.g. " + e);
        System.out.printf(Locale.ROOT, "latency: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99), sorted[sorted.length - 1] / 1e6);
        System.exit(errors.get() == 0 ? 0 : 1);
    }

    private static double percentile(long[] sorted, double p) {
        int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
