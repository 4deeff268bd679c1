package nn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A file in the data folder is checked against its pinned content, and only as far as that content goes. */
class ContentCheckTest {
    @TempDir Path dir;

    private final byte[] content = Idx.encode(new IdxArray(new int[] {10, 28, 28}, new byte[10 * 28 * 28]));
    private final DatasetKind.DataFile pinned = new DatasetKind.DataFile("small-images-idx3-ubyte", sha256(content), content.length);

    private String problem(byte[] fileBytes) throws IOException {
        Path f = dir.resolve(pinned.gzName());
        Files.write(f, fileBytes);
        return ContentCheck.problem(f, pinned);
    }

    @Test
    void acceptsThePinnedContentRawOrGzipped() throws IOException {
        assertNull(problem(content));
        assertNull(problem(GzipBomb.gzip(content)));
    }

    @Test
    @Timeout(10)
    void stopsReadingAGzipBombAtThePinnedSize() throws IOException {
        String p = problem(GzipBomb.of(content, 4L << 30));   // inflating all 4 GiB would take far longer than the timeout
        assertEquals("decompressed content is more than the expected " + content.length + " bytes", p);
    }

    @Test
    @Timeout(10)
    void refusesAWrongHeaderBeforeReadingFurther() throws IOException {
        byte[] notIdx = content.clone();
        notIdx[2] = 0x0D;   // floats
        assertEquals("not an IDX file of unsigned bytes (wrong header)", problem(GzipBomb.of(notIdx, 4L << 30)));
    }

    @Test
    void namesTheFileOfABrokenGzip() throws IOException {
        byte[] gz = GzipBomb.gzip(content);
        String p = problem(java.util.Arrays.copyOf(gz, gz.length / 2));
        assertTrue(p.startsWith(dir.resolve(pinned.gzName()).toString()) && p.contains("not a valid gzip file"), p);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
