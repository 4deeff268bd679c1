package nn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run folders: one per run however many start at once, a latest pointer that is always whole, and how a user names a checkpoint. */
class RunDirectoryTest {
    @TempDir Path runs;

    @Test
    void runsStartingAtOnceEachGetTheirOwnFolderAndLatestStaysALink() throws Exception {
        int n = 12;
        CyclicBarrier start = new CyclicBarrier(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<Future<Path>> started = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Callable<Path> run = () -> {
                    start.await();
                    Path dir = RunDirectory.create(runs, "mlp");
                    RunDirectory.pointLatestAt(runs, dir);
                    return dir;
                };
                started.add(pool.submit(run));
            }
            Set<Path> dirs = new HashSet<>();
            for (Future<Path> f : started) dirs.add(f.get());
            assertEquals(n, dirs.size(), "distinct folders");
            Path latest = runs.resolve(RunDirectory.LATEST);
            assertTrue(Files.isSymbolicLink(latest));
            assertTrue(dirs.contains(runs.resolve(Files.readSymbolicLink(latest))));
            try (var files = Files.list(runs)) {
                assertEquals(n + 1, files.count(), "the run folders and latest, no temporary link left");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void resolvesRunFoldersTheLatestLinkAndARunsFolder() throws IOException {
        Path run = RunDirectory.create(runs, "mlp");
        Files.writeString(run.resolve(RunDirectory.BEST), "best");
        Files.writeString(run.resolve(RunDirectory.LAST), "last");
        RunDirectory.pointLatestAt(runs, run);
        Path best = run.resolve(RunDirectory.BEST).toRealPath();
        assertEquals(best, RunDirectory.resolveCheckpoint(runs.resolve(RunDirectory.LATEST), RunDirectory.BEST).toRealPath());
        assertEquals(run.resolve(RunDirectory.LAST), RunDirectory.resolveCheckpoint(run, RunDirectory.LAST));
        assertEquals(best, RunDirectory.resolveCheckpoint(runs, RunDirectory.BEST).toRealPath(), "nn train --out DIR, then --checkpoint DIR");
        assertThrows(CheckpointException.class, () -> RunDirectory.resolveCheckpoint(runs.resolve("nothing"), RunDirectory.BEST));
    }

    @Test
    void followsALatestFileWhereThereAreNoSymbolicLinks() throws IOException {
        Path run = RunDirectory.create(runs, "cnn");
        Files.writeString(run.resolve(RunDirectory.LAST), "last");
        Files.writeString(runs.resolve(RunDirectory.LATEST), run.getFileName() + "\n");
        assertEquals(run.resolve(RunDirectory.LAST), RunDirectory.resolveCheckpoint(runs.resolve(RunDirectory.LATEST), RunDirectory.BEST));
        assertEquals(run.resolve(RunDirectory.LAST), RunDirectory.resolveCheckpoint(runs, RunDirectory.BEST));
    }

    @Test
    void aRunsFolderWithoutRunsSaysSo() throws IOException {
        String m = assertThrows(CheckpointException.class, () -> RunDirectory.resolveCheckpoint(runs, RunDirectory.BEST)).getMessage();
        assertEquals(runs + ": no best.ckpt or last.ckpt in this run folder", m);
    }
}
