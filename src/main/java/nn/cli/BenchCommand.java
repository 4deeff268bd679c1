package nn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.google.gson.GsonBuilder;
import nn.bench.Benchmark;
import nn.data.DataSource;
import nn.data.DatasetFiles;
import nn.data.DatasetKind;
import nn.data.LabeledImages;
import nn.io.AtomicFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure this machine's matrix-multiply peak and nn's training speed on the two reference "
                + "workloads (the same ones bench/pytorch_reference.py runs in PyTorch), inference speed, "
                + "a cold 'nn predict' and memory."},
        footer = {"", "scripts/bench runs this and, with --pytorch, the PyTorch reference beside it."})
final class BenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin DataOptions data;

    @Mixin EngineOption engine;

    @Option(names = "--quick", description = "2 epochs per workload instead of 5 (MLP) and 3 (CNN).")
    boolean quick;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    Path json;

    @Option(names = "--workload", paramLabel = "NAME", description = "Which reference workload to train: mlp, cnn or all (default: ${DEFAULT-VALUE}). "
            + "The cold predict needs the cnn.")
    String workload = "all";

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs per workload (default: 5 for the MLP, 3 for the CNN; "
            + "2 with --quick). Long runs show whether off-heap memory creeps, e.g. --workload mlp --epochs 20.")
    Integer epochs;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        if (!List.of("mlp", "cnn", "all").contains(workload)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--workload must be mlp, cnn or all, got '" + workload + "'");
        }
        OptionRanges.atLeast(spec, "--epochs", epochs, 1);
        boolean runMlp = !workload.equals("cnn"), runCnn = !workload.equals("mlp");
        DataSource source = new DataSource(DatasetKind.MNIST, data.dataDir(), data.mirrors(), new ConsoleTransferListener(out, false));
        LabeledImages train = source.load(DatasetFiles.Part.TRAIN), test = source.load(DatasetFiles.Part.TEST);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("machine", Benchmark.machine());
        r.put("engine", nn.compute.Engines.current().name());
        out.printf("engine: %s%n", nn.compute.Engines.current().name());
        // Measured before and after the workloads, the better kept: right after start-up the JIT
        // compiler threads still share the cores, and one reading came out 40% low.
        double peak = Benchmark.gemmPeakGflops(10);
        r.put("gemm_peak_gflops", peak);
        out.printf("float32 GEMM 1024^3 peak: %.1f GFLOP/s (measured again at the end)%n", peak);
        out.flush();
        java.util.function.Consumer<String> log = line -> {
            out.println("  " + line);
            out.flush();
        };
        Path cnnFile = Files.createTempFile("nn-bench-cnn", ".ckpt");
        try {
            if (runMlp) r.put("mlp", Benchmark.train(Benchmark.MLP, epochsOf(Benchmark.MLP), train, test, peak, log, null));
            if (runCnn) {
                r.put("cnn", Benchmark.train(Benchmark.CNN, epochsOf(Benchmark.CNN), train, test, peak, log, cnnFile));
                r.put("predict_cold_seconds", coldPredict(cnnFile));
            }
        } finally {
            Files.deleteIfExists(cnnFile);
        }
        peak = Math.max(peak, Benchmark.gemmPeakGflops(10));
        r.put("gemm_peak_gflops", peak);
        for (String name : List.of("mlp", "cnn")) {
            @SuppressWarnings("unchecked") Map<String, Object> w = (Map<String, Object>) r.get(name);
            if (w != null) w.put("fraction_of_peak", (double) w.get("gflops") / peak);
        }
        r.put("peak_rss_mb", Benchmark.peakRssMb());
        @SuppressWarnings("unchecked") Map<String, Object> last = (Map<String, Object>) r.get(runCnn ? "cnn" : "mlp");
        r.put("offheap_mb_after_first_epoch", last.get("offheap_mb_after_first_epoch"));
        r.put("offheap_mb_after_last_epoch", last.get("offheap_mb_after_last_epoch"));

        out.println();
        out.printf("float32 GEMM 1024^3 peak: %.1f GFLOP/s, %d threads%n", peak, nn.compute.cpu.Team.size());
        out.printf("%-5s %10s %12s %9s %9s %9s %20s%n", "", "s/epoch", "images/s", "GFLOP/s", "of peak", "test acc", "inference images/s");
        for (String name : List.of("mlp", "cnn")) {
            if (!r.containsKey(name)) continue;
            @SuppressWarnings("unchecked") Map<String, Object> w = (Map<String, Object>) r.get(name);
            out.printf("%-5s %10.2f %,12.0f %9.1f %8.1f%% %8.2f%% %,20.0f%n", name, (double) w.get("epoch_seconds_median"),
                    (double) w.get("images_per_second"), (double) w.get("gflops"), 100 * (double) w.get("fraction_of_peak"),
                    100 * (double) w.get("test_accuracy"), (double) w.get("inference_images_per_second"));
        }
        if (runCnn) {
            out.printf("cold 'nn predict one.png': %.2f s%n", (double) r.get("predict_cold_seconds"));
        }
        out.printf("peak RSS %.0f MB; off-heap after epoch 1 %.1f MB, after the last %.1f MB%n", (double) r.get("peak_rss_mb"),
                (double) r.get("offheap_mb_after_first_epoch"), (double) r.get("offheap_mb_after_last_epoch"));
        if (json != null) {
            AtomicFile.writeString(json, new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(r) + "\n");
            out.println("wrote " + json);
        }
        out.flush();
        return 0;
    }

    private int epochsOf(Benchmark.Workload w) {
        return epochs != null ? epochs : quick ? 2 : w.epochs();
    }

    /** Wall time of a fresh 'nn predict' process on one picture (the launcher, JVM start, ND4J load, model, answer). */
    private static double coldPredict(Path checkpoint) throws IOException, InterruptedException {
        String home = System.getProperty("nn.home");
        if (home == null) return Double.NaN;
        Path sample = Path.of(home, "data", "samples", "digit7-blue-ink.jpg");
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(home, "scripts", "nn").toString(), "predict",
                "--engine", nn.compute.Engines.current().name(), "--checkpoint", checkpoint.toString(), sample.toString())).redirectErrorStream(true);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long t = System.nanoTime();
            Process p = pb.start();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            if (p.waitFor() != 0) return Double.NaN;
            best = Math.min(best, (System.nanoTime() - t) / 1e9);
        }
        return best;
    }
}
