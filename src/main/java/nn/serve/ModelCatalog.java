package nn.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.google.gson.JsonObject;
import nn.checkpoint.Checkpoint;
import nn.checkpoint.RunDirectory;

/**
 * The models the draw page may use: the {@code --checkpoint} given, every run folder with a
 * checkpoint (its best.ckpt, else last.ckpt) and every {@code *.ckpt} in the models folder
 * ({@code data/models/}). Requests name a model by id ({@code checkpoint}, {@code run:NAME},
 * {@code models:FILE}); only listed files are ever loaded. Loaded models are kept (the last
 * {@value #CACHED}), and loaded again when their file changes (a run still training).
 */
final class ModelCatalog {
    static final int CACHED = 4;

    /** A model on the list: id, what to show, where it is, and what its header says. */
    record Entry(String id, String label, String source, Path file, String spec, String dataset, boolean dropout) {
        JsonObject json() {
            JsonObject o = new JsonObject();
            o.addProperty("id", id);
            o.addProperty("label", label);
            o.addProperty("source", source);
            o.addProperty("spec", spec);
            o.addProperty("dataset", dataset);
            o.addProperty("dropout", dropout);
            return o;
        }
    }

    private record Cached(long modified, long size, Checkpoint.Loaded model) {}

    private final RunFolders runs;
    private final Path modelsDir;
    private final Path checkpoint;
    private final Map<Path, Cached> cache = new LinkedHashMap<>(8, 0.75f, true);

    /** {@code checkpoint}: a checkpoint file or run folder, or null. */
    ModelCatalog(RunFolders runs, Path modelsDir, Path checkpoint) {
        this.runs = runs;
        this.modelsDir = modelsDir;
        this.checkpoint = checkpoint;
    }

    List<Entry> list() {
        List<Entry> list = new ArrayList<>();
        if (checkpoint != null) {
            try {
                Path f = RunDirectory.resolveCheckpoint(checkpoint, RunDirectory.BEST);
                list.add(entry("checkpoint", checkpoint.toString(), "checkpoint", f));
            } catch (IOException | RuntimeException ignored) {
                // a --checkpoint that went away is not listed
            }
        }
        for (Path dir : runs.list()) {
            Path f = Files.isRegularFile(dir.resolve(RunDirectory.BEST)) ? dir.resolve(RunDirectory.BEST)
                    : Files.isRegularFile(dir.resolve(RunDirectory.LAST)) ? dir.resolve(RunDirectory.LAST) : null;
            if (f != null) list.add(entry("run:" + dir.getFileName(), "run " + dir.getFileName(), "run", f));
        }
        if (modelsDir != null && Files.isDirectory(modelsDir)) {
            try (Stream<Path> s = Files.list(modelsDir)) {
                s.filter(p -> p.getFileName().toString().endsWith(".ckpt") && Files.isRegularFile(p)).sorted()
                        .forEach(p -> list.add(entry("models:" + p.getFileName(), "models/" + p.getFileName(), "models", p)));
            } catch (IOException ignored) {
                // an unreadable models folder lists nothing
            }
        }
        return list;
    }

    private static Entry entry(String id, String label, String source, Path file) {
        JsonObject header = CheckpointHeader.read(file);
        String spec = CheckpointHeader.spec(header);
        return new Entry(id, label, source, file, spec, CheckpointHeader.dataset(header), spec != null && spec.contains("dropout"));
    }

    /** The draw page's first choice: --checkpoint, else the run runs/latest points at, else data/models/cnn.ckpt, else the first. */
    String defaultId(List<Entry> list) {
        if (list.isEmpty()) return null;
        if (checkpoint != null && list.get(0).id().equals("checkpoint")) return "checkpoint";
        Path latest = runs.resolve(RunDirectory.LATEST);
        if (latest != null) {
            String id = "run:" + latest.getFileName();
            if (list.stream().anyMatch(e -> e.id().equals(id))) return id;
        }
        if (list.stream().anyMatch(e -> e.id().equals("models:cnn.ckpt"))) return "models:cnn.ckpt";
        return list.get(0).id();
    }

    /**
     * The listed model with this id (the default for null or empty); 404 when there is none.
     * Looks only at the one file the id names, so a long runs folder does not slow predictions.
     */
    Entry find(String id) {
        if (id == null || id.isEmpty()) {
            List<Entry> list = list();
            id = defaultId(list);
            if (id == null) throw new ApiException(503, "no model to use: train one (nn train) or start with --checkpoint FILE");
        }
        Entry e = lookUp(id);
        if (e == null) throw new ApiException(404, "no such model: " + id);
        return e;
    }

    private Entry lookUp(String id) {
        if (id.equals("checkpoint")) {
            if (checkpoint == null) return null;
            try {
                return entry("checkpoint", checkpoint.toString(), "checkpoint", RunDirectory.resolveCheckpoint(checkpoint, RunDirectory.BEST));
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
        if (id.startsWith("run:")) {
            Path dir = runs.resolve(id.substring(4));
            if (dir == null || !id.substring(4).equals(dir.getFileName().toString())) return null;
            Path f = Files.isRegularFile(dir.resolve(RunDirectory.BEST)) ? dir.resolve(RunDirectory.BEST)
                    : Files.isRegularFile(dir.resolve(RunDirectory.LAST)) ? dir.resolve(RunDirectory.LAST) : null;
            return f == null ? null : entry(id, "run " + dir.getFileName(), "run", f);
        }
        if (id.startsWith("models:") && modelsDir != null) {
            String name = id.substring(7);
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}\\.ckpt")) return null;
            Path f = modelsDir.resolve(name);
            return Files.isRegularFile(f) ? entry(id, "models/" + name, "models", f) : null;
        }
        return null;
    }

    /** The model, loaded and checked (Checkpoint.load), from the cache while its file is unchanged. */
    Checkpoint.Loaded load(Entry entry) throws IOException {
        Path file = entry.file().toAbsolutePath().normalize();
        long modified = Files.getLastModifiedTime(file).toMillis(), size = Files.size(file);
        synchronized (cache) {
            Cached c = cache.get(file);
            if (c != null && c.modified() == modified && c.size() == size) return c.model();
        }
        Checkpoint.Loaded loaded = Checkpoint.load(file);
        synchronized (cache) {
            cache.put(file, new Cached(modified, size, loaded));
            while (cache.size() > CACHED) cache.remove(cache.keySet().iterator().next());
        }
        return loaded;
    }
}
