package nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of seeded random mutations of a valid IDX file, raw and gzip: the reader either
 * returns an array the file really holds or throws an {@link IdxFormatException} naming the file,
 * and never allocates more than a few buffers beyond what the file holds.
 */
class IdxFuzzTest {
    private static final int MUTANTS = 2000;
    /** The reader's own buffers (three of 64 KiB) and the first chunk of values, at most. */
    private static final long BUFFERS = 2 << 20;

    @TempDir Path dir;

    @Test
    @Timeout(30)
    void everyMutantIsReadOrRefusedWithOneLine() throws IOException {
        byte[] px = new byte[6 * 7 * 5];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 13);
        byte[] raw = Idx.encode(new IdxArray(new int[] {6, 7, 5}, px));
        byte[] gz = GzipBomb.gzip(raw);
        Random random = new Random(20261202);
        Path file = dir.resolve("mutant.idx");
        for (int i = 0; i < MUTANTS; i++) {
            boolean gzip = i % 2 == 1;
            byte[] mutant = mutate(gzip ? gz : raw, random);
            Files.write(file, mutant);
            long before = Allocation.bytesSoFar();
            try {
                IdxArray read = Idx.read(file);
                if (!gzip) assertArrayEquals(mutant, Idx.encode(read), "exactly what the file holds");
            } catch (IdxFormatException e) {
                assertTrue(e.getMessage().startsWith(file.toString()) && !e.getMessage().contains("\n"),
                        "one line naming the file: " + e.getMessage());
            } catch (Exception | Error e) {
                fail("mutant " + i + " " + Arrays.toString(mutant) + " threw " + e, e);
            }
            long allocated = Allocation.bytesSoFar() - before;
            assertTrue(allocated < BUFFERS + 4L * mutant.length * 1032,
                    "mutant " + i + " allocated " + allocated + " bytes");
        }
    }

    /** One to four random edits: flipped bits, random bytes, a random header int, cuts and additions. */
    private static byte[] mutate(byte[] original, Random random) {
        byte[] b = original.clone();
        for (int edits = 1 + random.nextInt(4); edits > 0; edits--) {
            switch (random.nextInt(6)) {
                case 0 -> b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                case 1 -> b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                case 2 -> {
                    if (b.length >= 8) ByteBuffer.wrap(b).putInt(4 * random.nextInt(b.length / 4 - 1), random.nextInt());
                }
                case 3 -> b = Arrays.copyOf(b, random.nextInt(b.length + 1));
                case 4 -> b = Arrays.copyOf(b, b.length + 1 + random.nextInt(64));
                default -> {
                    int from = random.nextInt(b.length + 1);
                    b = Arrays.copyOfRange(b, from, b.length);
                }
            }
            if (b.length == 0) return b;
        }
        return b;
    }
}
