package nn.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import nn.checkpoint.ProgressFile;
import nn.checkpoint.RunDirectory;

/**
 * The runs folder, read only: which runs there are, what each one is (model, data set, epochs,
 * accuracies, state) and the files it may serve. Every name from a request is checked: a run is
 * a direct sub-folder whose real path lies inside the runs folder's real path, and a file is a
 * plain name of a known kind whose real path lies inside its run; anything else is "not found".
 *
 * <p>State, in this order: <b>finished</b> when report.json is there and not older than
 * metrics.csv; <b>running</b> when progress.json says training or evaluating and its writer
 * process (pid and start time) is alive on this machine, or progress.json changed in the last
 * {@value #FRESH_SECONDS} s; for runs without progress.json (older nn), running when metrics.csv or
 * last.ckpt changed in the last {@value #QUIET_SECONDS} s; otherwise <b>interrupted</b>.
 */
final class RunFolders {
    static final String METRICS = "metrics.csv", REPORT = "report.json";
    static final int FRESH_SECONDS = 30, QUIET_SECONDS = 120;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}\\.(png|json|csv|md)");
    private static final Pattern STAMP = Pattern.compile("^(\\d{8}-\\d{6})-");

    private final Path root;

    RunFolders(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    private Path realRoot() {
        try {
            return root.toRealPath();
        } catch (IOException e) {
            return null;
        }
    }

    /** Run folders, newest first (their names start with the time they were made). */
    List<Path> list() {
        Path real = realRoot();
        List<Path> runs = new ArrayList<>();
        if (real == null) return runs;
        try (Stream<Path> s = Files.list(real)) {
            s.filter(p -> !p.getFileName().toString().equals(RunDirectory.LATEST))
                    .filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .map(p -> resolve(p.getFileName().toString()))
                    .filter(p -> p != null && isRun(p))
                    .forEach(runs::add);
        } catch (IOException e) {
            return runs;
        }
        runs.sort((a, b) -> b.getFileName().toString().compareTo(a.getFileName().toString()));
        return runs;
    }

    private static boolean isRun(Path dir) {
        for (String f : new String[] {METRICS, REPORT, ProgressFile.NAME, RunDirectory.LAST, RunDirectory.BEST}) {
            if (Files.isRegularFile(dir.resolve(f))) return true;
        }
        return false;
    }

    /**
     * The run folder an id names (its folder name, or {@code latest}), as a real path inside the
     * runs folder; null when there is no such run or it would lead outside.
     */
    Path resolve(String id) {
        if (id == null || !NAME.matcher(id).matches()) return null;
        Path real = realRoot();
        if (real == null) return null;
        Path p = real.resolve(id);
        try {
            if (id.equals(RunDirectory.LATEST) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.size(p) < 4096) {
                String target = Files.readString(p).trim();   // the pointer file used where links are not available
                if (!NAME.matcher(target).matches()) return null;
                p = real.resolve(target);
            }
            if (!Files.isDirectory(p)) return null;
            Path dir = p.toRealPath();
            return dir.getParent() != null && dir.getParent().equals(real) ? dir : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** A file of a run that may be served (png, json, csv, md), or null. */
    Path file(String id, String name) {
        Path dir = resolve(id);
        if (dir == null || name == null || !FILE.matcher(name).matches()) return null;
        try {
            Path f = dir.resolve(name);
            if (!Files.isRegularFile(f)) return null;
            Path real = f.toRealPath();
            return real.getParent().equals(dir) ? real : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** One line of the runs page. */
    JsonObject summary(Path dir) {
        JsonObject o = new JsonObject();
        String id = dir.getFileName().toString();
        o.addProperty("id", id);
        JsonObject report = report(dir);
        JsonObject header = header(dir);
        Metrics metrics = metrics(dir);
        JsonObject progress = progress(dir);
        String spec = CheckpointHeader.string(report, "model") != null ? CheckpointHeader.string(report, "model") : CheckpointHeader.spec(header);
        String dataset = CheckpointHeader.string(report, "dataset") != null ? CheckpointHeader.string(report, "dataset") : CheckpointHeader.dataset(header);
        o.addProperty("model", spec);
        o.addProperty("dataset", dataset);
        o.addProperty("started", started(dir));
        o.addProperty("epochs_done", metrics.rows());
        int planned = CheckpointHeader.plannedEpochs(header);
        Double fromProgress = number(progress, "epochs");
        if (planned < 0 && fromProgress != null) planned = fromProgress.intValue();
        o.add("epochs", planned < 0 ? JsonNull.INSTANCE : new com.google.gson.JsonPrimitive(planned));
        Double bestValidation = metrics.max("validation_accuracy");
        o.add("best_validation_accuracy", Json.number(bestValidation));
        Double test = "test".equals(CheckpointHeader.string(report, "split")) ? number(report, "accuracy") : null;
        o.add("test_accuracy", Json.number(test));
        o.addProperty("state", state(dir, report != null, progress));
        o.addProperty("updated", lastChange(dir));
        if (progress != null) o.add("progress", progress);
        return o;
    }

    /** The run page: the summary, the metrics as columns, the report (or null) and its pictures. */
    JsonObject detail(Path dir) {
        JsonObject o = summary(dir);
        o.add("metrics", metrics(dir).columns());
        JsonObject report = report(dir);
        o.add("report", report == null ? JsonNull.INSTANCE : report);
        JsonArray images = new JsonArray();
        for (String f : new String[] {"training-curves.png", "confusion-matrix.png", "confident-mistakes.png", "reliability.png"}) {
            if (Files.isRegularFile(dir.resolve(f))) images.add(f);
        }
        o.add("images", images);
        return o;
    }

    /** What changes when the run writes something: the live stream sends an update when it does. */
    static String signature(Path dir) {
        StringBuilder s = new StringBuilder();
        for (String f : new String[] {METRICS, REPORT, ProgressFile.NAME, RunDirectory.BEST}) {
            Path p = dir.resolve(f);
            try {
                s.append(Files.getLastModifiedTime(p).toMillis()).append('/').append(Files.size(p)).append(';');
            } catch (IOException e) {
                s.append("-;");
            }
        }
        return s.toString();
    }

    private static Double number(JsonObject o, String key) {
        try {
            return o != null && o.has(key) && o.get(key).isJsonPrimitive() ? o.get(key).getAsDouble() : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static String state(Path dir, boolean hasReport, JsonObject progress) {
        long now = System.currentTimeMillis();
        long metricsTime = modified(dir.resolve(METRICS));
        if (hasReport && modified(dir.resolve(REPORT)) >= metricsTime) return "finished";
        if (progress != null) {
            String state = CheckpointHeader.string(progress, "state");
            boolean active = ProgressFile.TRAINING.equals(state) || ProgressFile.EVALUATING.equals(state);
            Double updatedAt = number(progress, "updated");
            long updated = updatedAt == null ? 0 : updatedAt.longValue();
            if (active && (writerAlive(progress) || now - updated < FRESH_SECONDS * 1000L)) return "running";
            return "interrupted";
        }
        long last = Math.max(metricsTime, modified(dir.resolve(RunDirectory.LAST)));
        return last > 0 && now - last < QUIET_SECONDS * 1000L ? "running" : "interrupted";
    }

    private static boolean writerAlive(JsonObject progress) {
        try {
            long pid = progress.get("pid").getAsLong();
            long started = progress.get("process_started").getAsLong();
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .flatMap(p -> p.info().startInstant())
                    .map(t -> Math.abs(t.toEpochMilli() - started) < 2000)
                    .orElse(false);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static long lastChange(Path dir) {
        long t = 0;
        for (String f : new String[] {METRICS, REPORT, ProgressFile.NAME, RunDirectory.LAST}) t = Math.max(t, modified(dir.resolve(f)));
        return t;
    }

    /** When the run began: from its folder name (yyyyMMdd-HHmmss-model), else the folder's time. */
    private static String started(Path dir) {
        Matcher m = STAMP.matcher(dir.getFileName().toString());
        if (m.find()) {
            try {
                return LocalDateTime.parse(m.group(1), RunDirectory.STARTED).toString();
            } catch (DateTimeParseException ignored) {
                // fall through to the folder's own time
            }
        }
        try {
            FileTime t = (FileTime) Files.getAttribute(dir, "creationTime");
            return LocalDateTime.ofInstant(t.toInstant(), ZoneId.systemDefault()).withNano(0).toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static JsonObject header(Path dir) {
        JsonObject h = CheckpointHeader.read(dir.resolve(RunDirectory.LAST));
        return h != null ? h : CheckpointHeader.read(dir.resolve(RunDirectory.BEST));
    }

    static JsonObject report(Path dir) {
        return readJson(dir.resolve(REPORT));
    }

    static JsonObject progress(Path dir) {
        return readJson(dir.resolve(ProgressFile.NAME));
    }

    private static JsonObject readJson(Path file) {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > (64 << 20)) return null;
            JsonElement e = JsonParser.parseString(Files.readString(file));
            return e.isJsonObject() ? e.getAsJsonObject() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static Metrics metrics(Path dir) {
        try {
            Path f = dir.resolve(METRICS);
            if (!Files.isRegularFile(f)) return Metrics.EMPTY;
            return Metrics.parse(Files.readAllLines(f));
        } catch (IOException | RuntimeException e) {
            return Metrics.EMPTY;
        }
    }

    /** metrics.csv as columns: one array per header name, one entry per epoch (NaN as null). */
    record Metrics(List<String> names, List<double[]> rowsData) {
        static final Metrics EMPTY = new Metrics(List.of(), List.of());

        static Metrics parse(List<String> lines) {
            if (lines.isEmpty()) return EMPTY;
            List<String> names = List.of(lines.get(0).trim().split(","));
            List<double[]> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                if (line.isBlank()) continue;
                String[] cells = line.trim().split(",");
                if (cells.length != names.size()) continue;   // a line still being written elsewhere: skip it
                double[] row = new double[cells.length];
                try {
                    for (int i = 0; i < cells.length; i++) row[i] = Double.parseDouble(cells[i]);
                } catch (NumberFormatException e) {
                    continue;
                }
                rows.add(row);
            }
            return new Metrics(names, rows);
        }

        int rows() {
            return rowsData.size();
        }

        Double max(String column) {
            int c = names.indexOf(column);
            Double best = null;
            if (c < 0) return null;
            for (double[] r : rowsData) if (Double.isFinite(r[c]) && (best == null || r[c] > best)) best = r[c];
            return best;
        }

        JsonObject columns() {
            JsonObject o = new JsonObject();
            for (int c = 0; c < names.size(); c++) {
                JsonArray a = new JsonArray();
                for (double[] r : rowsData) a.add(Json.number(r[c]));
                o.add(names.get(c).toLowerCase(Locale.ROOT), a);
            }
            return o;
        }
    }
}
