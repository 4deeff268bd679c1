package nn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** nn download as a user meets it when the network or the disk is not there. */
class DownloadCommandTest {
    @TempDir Path dir;

    @Test
    @Timeout(10)
    void offlineTheHintComesAtOnce() {
        long start = System.nanoTime();
        Nn.Result r = Nn.run("download", "--mirror", "http://nonexistent.invalid/", "--mirror", "http://127.0.0.1:1/",
                "--data-dir", dir.resolve("data").toString());
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(1, r.code());
        assertTrue(r.err().contains("hint: without internet"), r.err());
        assertTrue(seconds < 3, "hint after " + seconds + " s, without retrying a host that is not there");
    }

    @Test
    void aDataFolderThatCannotBeWrittenIsNamedAndNotBlamedOnTheMirror() throws Exception {
        Path mirror = Files.createDirectories(dir.resolve("mirror"));
        Files.write(mirror.resolve("train-images-idx3-ubyte.gz"), new byte[100]);
        Path part = dir.resolve("data/mnist/train-images-idx3-ubyte.gz.part");
        Files.createDirectories(part.resolve("in-the-way"));   // a folder where the download must write (root ignores permissions)
        Nn.Result r = Nn.run("download", "--mirror", mirror.toString(), "--data-dir", dir.resolve("data").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("error: cannot write " + part + ": "), r.err());
        assertFalse(r.err().contains("without internet") || r.err().contains("mirror"), r.err());
    }
}
