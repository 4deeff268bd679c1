package nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
    @TempDir Path dir;

    @Test
    void writesTheWholeFileAndLeavesNoTemporaryFile() throws Exception {
        AtomicFile.writeString(dir.resolve("a.txt"), "hello");
        assertEquals("hello", Files.readString(dir.resolve("a.txt")));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void removesOnlyTheLeftoversOfWritersThatNoLongerRun() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path dead = Files.createFile(dir.resolve(".a.txt." + gone.pid() + ".123.tmp"));
        Path live = Files.createFile(dir.resolve(".a.txt." + ProcessHandle.current().pid() + ".456.tmp"));
        Path other = Files.createFile(dir.resolve("notes.tmp"));
        AtomicFile.removeLeftovers(dir);
        assertFalse(Files.exists(dead), "a killed writer's temporary file is removed");
        assertTrue(Files.exists(live), "a running writer's stays");
        assertTrue(Files.exists(other), "files nn did not write stay");
    }
}
