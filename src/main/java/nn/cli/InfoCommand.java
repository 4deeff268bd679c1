package nn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;

import nn.compute.Engines;
import nn.data.ContentCheck;
import nn.data.DatasetFiles;
import nn.data.DatasetKind;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show versions, the ND4J backend and BLAS, thread settings, and which data sets are present and verified.")
final class InfoCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin DataOptions data;

    @Mixin EngineOption engine;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        for (String line : new Versions().getVersion()) out.println(line);
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        String kernels = System.getenv("OPENBLAS_CORETYPE");
        out.printf("backend:     %s, BLAS %s (kernels: %s)%n", env.get("backend"), env.get("blas.vendor"),
                kernels != null ? kernels + " from OPENBLAS_CORETYPE" : "chosen by OpenBLAS");
        out.printf("engine:      %s (--engine or $NN_ENGINE; default here: %s)%n", Engines.current().name(), Engines.defaultKind());
        out.printf("products:    the cpu engine's float matrix products on %s%n", nn.compute.cpu.Blas.sgemmLibrary());
        out.printf("layers:      the cpu engine's float convolutions and max-pools on %s%n", nn.compute.cpu.CpuEngine.convolutionsAndPools());
        for (String device : devices(env)) out.println("device:      " + device);
        out.printf("threads:     %d (--threads), cores %d; inside ND4J: OpenMP %s, BLAS %s%n",
                nn.compute.cpu.Team.size(), Runtime.getRuntime().availableProcessors(), env.get("omp.threads"), env.get("blas.threads"));
        Path dir = data.dataDir().toAbsolutePath().normalize();
        out.println("data dir:    " + dir);
        for (DatasetKind kind : DatasetKind.values()) {
            out.printf("  %-8s %s%n", kind.id, status(kind, dir));
        }
        return 0;
    }

    /** On the CUDA backend, each GPU with its memory ("cuda.devicesInformation" of ND4J's environment); none on the CPU backend. */
    @SuppressWarnings("unchecked")
    static java.util.List<String> devices(Properties env) {
        java.util.List<String> out = new java.util.ArrayList<>();
        Object list = env.get("cuda.devicesInformation");
        if (!(list instanceof java.util.List<?> devices)) return out;
        for (Object d : devices) {
            if (!(d instanceof java.util.Map<?, ?> m)) continue;
            Object total = m.get("cuda.totalMemory"), free = m.get("cuda.freeMemory");
            out.add(String.format(java.util.Locale.ROOT, "%s, %s GB memory (%s GB free)", m.get("cuda.deviceName"),
                    gigabytes(total), gigabytes(free)));
        }
        return out;
    }

    private static String gigabytes(Object bytes) {
        return bytes instanceof Number n ? String.format(java.util.Locale.ROOT, "%.1f", n.doubleValue() / 1e9) : "?";
    }

    private static String status(DatasetKind kind, Path dir) throws IOException {
        int present = 0, verified = 0;
        for (DatasetKind.DataFile f : kind.files()) {
            Path file = DatasetFiles.folder(kind, dir).resolve(f.gzName());
            if (!java.nio.file.Files.isRegularFile(file)) continue;
            present++;
            if (ContentCheck.problem(file, f) == null) verified++;
        }
        if (present == 0) return "not downloaded (nn download --dataset " + kind.id + ")";
        return present + "/4 files present, " + verified + "/4 verified";
    }
}
