package nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The IDX reader accepts exactly well-formed files and names the problem in every other case. */
class IdxTest {
    @TempDir Path dir;

    private static IdxArray sample() {
        byte[] data = new byte[3 * 4 * 5];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 7);
        return new IdxArray(new int[] {3, 4, 5}, data);
    }

    @Test
    void roundTripsRawAndGzipBitForBit() throws IOException {
        IdxArray a = sample();
        Path raw = dir.resolve("a.idx"), gz = dir.resolve("a.idx.gz");
        Idx.write(raw, a, false);
        Idx.write(gz, a, true);
        assertEquals(a, Idx.read(raw));
        assertEquals(a, Idx.read(gz));
        assertArrayEquals(Idx.encode(a), Files.readAllBytes(raw));
        assertEquals(0x1f, Files.readAllBytes(gz)[0] & 0xff, "gzip magic");
    }

    @Test
    void headerIsBigEndianWithTypeAndRank() {
        byte[] bytes = Idx.encode(sample());
        assertArrayEquals(new byte[] {0, 0, 0x08, 3}, Arrays.copyOf(bytes, 4));
        ByteBuffer b = ByteBuffer.wrap(bytes, 4, 12);
        assertEquals(3, b.getInt());
        assertEquals(4, b.getInt());
        assertEquals(5, b.getInt());
        assertEquals(4 + 12 + 60, bytes.length);
    }

    private String failure(byte[] content) throws IOException {
        Path f = dir.resolve("bad.idx");
        Files.write(f, content);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), "message names the file: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void rejectsBadMagic() throws IOException {
        byte[] b = Idx.encode(sample());
        b[0] = 1;
        assertTrue(failure(b).contains("bad magic number"));
    }

    @Test
    void rejectsOtherElementTypes() throws IOException {
        byte[] b = Idx.encode(sample());
        b[2] = 0x0D;
        String m = failure(b);
        assertTrue(m.contains("element type 0x0d (float)") && m.contains("expected 0x08"), m);
    }

    @Test
    void rejectsZeroDimensions() throws IOException {
        byte[] b = Idx.encode(sample());
        b[3] = 0;
        assertTrue(failure(b).contains("bad number of dimensions 0"));
    }

    @Test
    void rejectsZeroOrNegativeSizes() throws IOException {
        byte[] b = Idx.encode(sample());
        ByteBuffer.wrap(b).putInt(8, 0);
        assertTrue(failure(b).contains("dimension 1 is 0"));
        ByteBuffer.wrap(b).putInt(8, -4);
        assertTrue(failure(b).contains("dimension 1 is -4"));
    }

    @Test
    void rejectsTruncatedHeader() throws IOException {
        assertTrue(failure(new byte[] {0, 0}).contains("too short"));
        assertTrue(failure(Arrays.copyOf(Idx.encode(sample()), 9)).contains("truncated header"));
    }

    @Test
    void rejectsTooLittleData() throws IOException {
        byte[] b = Idx.encode(sample());
        String m = failure(Arrays.copyOf(b, b.length - 1));
        assertTrue(m.contains("truncated: header declares 60 values, file holds 59"), m);
    }

    @Test
    void rejectsTrailingBytes() throws IOException {
        byte[] b = Idx.encode(sample());
        String m = failure(Arrays.copyOf(b, b.length + 3));
        assertTrue(m.contains("3 unexpected bytes after the 60 declared values"), m);
    }

    @Test
    void rejectsTruncatedGzip() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(Idx.encode(sample()));
        }
        byte[] b = bytes.toByteArray();
        Path f = dir.resolve("cut.gz");
        Files.write(f, Arrays.copyOf(b, b.length / 2));
        assertThrows(IOException.class, () -> Idx.read(f));
    }
}
