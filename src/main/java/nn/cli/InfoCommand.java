package nn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;

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

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        for (String line : new Versions().getVersion()) out.println(line);
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        out.printf("backend:     %s, BLAS %s%n", env.get("backend"), env.get("blas.vendor"));
        out.printf("threads:     %d (--threads), cores %d; inside ND4J: OpenMP %s, BLAS %s%n",
                nn.compute.cpu.Team.size(), Runtime.getRuntime().availableProcessors(), env.get("omp.threads"), env.get("blas.threads"));
        Path dir = data.dataDir().toAbsolutePath().normalize();
        out.println("data dir:    " + dir);
        for (DatasetKind kind : DatasetKind.values()) {
            out.printf("  %-8s %s%n", kind.id, status(kind, dir));
        }
        return 0;
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
