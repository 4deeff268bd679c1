package nn.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import nn.data.DatasetKind;
import nn.data.Downloader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "download", mixinStandardHelpOptions = true,
        description = {"Fetch MNIST and/or Fashion-MNIST and verify every file.",
                "Each file is checked against the SHA-256 and size of its decompressed content; "
                        + "a file only gets its final name once verified. Running it again is a quick no-op."},
        footer = {"", "Examples:",
                "  nn download                                  # MNIST from the public mirrors",
                "  nn download --dataset all --data-dir /tmp/d",
                "  nn download --mirror /media/mnist-copy       # a folder holding the .gz files (or a folder per data set)",
                "  nn download --mirror http://127.0.0.1:8000/"})
final class DownloadCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin DataOptions data;

    @Option(names = "--dataset", paramLabel = "mnist|fashion|all", defaultValue = "mnist",
            description = "Which data set to fetch (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--force", description = "Download again even if verified files are present.")
    boolean force;

    @Override
    public Integer call() throws IOException {
        List<DatasetKind> kinds = "all".equalsIgnoreCase(dataset)
                ? List.of(DatasetKind.values()) : List.of(Main.dataset(spec, dataset));
        var out = spec.commandLine().getOut();
        Downloader downloader = Downloader.standard(data.mirrors(), new ConsoleTransferListener(out, Terminal.isInteractive()));
        Path dir = data.dataDir();
        for (DatasetKind kind : kinds) {
            long start = System.nanoTime();
            int fetched = downloader.fetch(kind, dir, force);
            out.printf("%s: %d of 4 files downloaded, all verified, in %s (%.1f s)%n",
                    kind.id, fetched, dir.resolve(kind.folder), (System.nanoTime() - start) / 1e9);
        }
        return 0;
    }
}
