package nn.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Option;

/** Where data sets live and where to fetch them from; shared by every command that needs data. */
public final class DataOptions {
    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Directory holding the data sets (default: $NN_DATA_DIR, else data/ in the nn project).")
    Path dataDir;

    @Option(names = "--mirror", paramLabel = "URL|DIR",
            description = {"Where to download from, tried in the order given: an http(s) or file URL, or a local "
                    + "directory (one holding a folder per data set, like mnist/, works too). Repeatable.",
                    "Default: $NN_MIRRORS (comma-separated), else the public mirrors."})
    List<String> mirrors = new ArrayList<>();

    public Path dataDir() {
        if (dataDir != null) return dataDir;
        String env = System.getenv("NN_DATA_DIR");
        if (env != null && !env.isBlank()) return Path.of(env);
        String home = System.getProperty("nn.home");
        return home != null ? Path.of(home, "data") : Path.of("data");
    }

    public List<String> mirrors() {
        if (!mirrors.isEmpty()) return mirrors;
        String env = System.getenv("NN_MIRRORS");
        if (env != null && !env.isBlank()) return List.of(env.split(","));
        return List.of(); // the data set's defaults
    }
}
