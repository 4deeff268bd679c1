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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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
    void rejectsTruncatedGzipNamingTheFile() throws IOException {
        byte[] b = GzipBomb.gzip(Idx.encode(sample()));
        String m = failure(Arrays.copyOf(b, b.length / 2));
        assertTrue(m.contains("not a valid gzip file (Unexpected end of ZLIB input stream)"), m);
    }

    /** A header of the given dimensions, followed by nothing. */
    private static byte[] header(int... shape) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * shape.length).put(new byte[] {0, 0, 0x08, (byte) shape.length});
        for (int d : shape) b.putInt(d);
        return b.array();
    }

    @Test
    void rejectsDimensionsWhoseProductOverflows() throws IOException {
        // 65536^4 = 2^64 is 0 in a long; 65535 * 42009217 * 6700417 = 2^64 - 1 is -1.
        for (int[] shape : new int[][] {{65536, 65536, 65536, 65536}, {65535, 42009217, 6700417}, {65536, 32768}}) {
            String m = failure(header(shape));
            assertTrue(m.contains("declare more than " + Idx.MAX_VALUES + " values, the most one array holds"), m);
        }
    }

    @Test
    void refusesAHeaderTheFileCannotHoldBeforeAllocating() throws IOException {
        long before = Allocation.bytesSoFar();
        String raw = failure(header(2_000_000_000));
        assertTrue(raw.contains("truncated: header declares 2000000000 values, file holds 0"), raw);
        String gz = failure(GzipBomb.gzip(header(2_000_000_000)));
        assertTrue(gz.contains("header declares 2000000000 values, more than a gzip file of"), gz);
        assertTrue(Allocation.bytesSoFar() - before < (1 << 20), "a few buffers, not the declared 2 GB");
    }

    @Test
    void aGzipThatStopsShortCostsMemoryOnlyForWhatItHolds() throws IOException {
        byte[] noise = new byte[1 << 20];
        new java.util.Random(1).nextBytes(noise);  // incompressible: the gzip is large enough to promise 100 MB
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        content.writeBytes(header(100_000_000));
        content.writeBytes(noise);
        byte[] gz = GzipBomb.gzip(content.toByteArray());
        long before = Allocation.bytesSoFar();
        String m = failure(gz);
        assertTrue(m.contains("truncated: header declares 100000000 values, file holds " + noise.length), m);
        assertTrue(Allocation.bytesSoFar() - before < 8 * noise.length, "memory follows the content, not the header");
    }

    @Test
    @Timeout(10)
    void stopsReadingAGzipBombAtTheLastDeclaredValue() throws IOException {
        byte[] bomb = GzipBomb.of(Idx.encode(sample()), 4L << 30);
        String m = failure(bomb);   // inflating all 4 GiB would take far longer than the timeout
        assertTrue(m.contains("more content than the 60 declared values"), m);
    }
}
