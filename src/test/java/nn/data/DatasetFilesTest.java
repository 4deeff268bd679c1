package nn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetFilesTest {
    @TempDir Path dir;

    private Path images(int n) throws IOException {
        return images(n, 28, 28);
    }

    private Path images(int n, int rows, int cols) throws IOException {
        byte[] px = new byte[n * rows * cols];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i % 256);
        Path f = dir.resolve("images.gz");
        Idx.write(f, new IdxArray(new int[] {n, rows, cols}, px), true);
        return f;
    }

    private Path labels(byte... y) throws IOException {
        Path f = dir.resolve("labels.gz");
        Idx.write(f, new IdxArray(new int[] {y.length}, y), true);
        return f;
    }

    @Test
    void loadsPixelsIntoUnitRangeAndKeepsTheImageShape() throws IOException {
        LabeledImages d = DatasetFiles.load(images(2), labels((byte) 3, (byte) 9), DatasetKind.MNIST);
        assertEquals(2, d.size());
        assertEquals(28, d.rows());
        assertEquals(28, d.cols());
        assertEquals(9, d.labels()[1]);
        assertEquals(0f, d.toFloats()[0]);
        assertEquals(11 / 255f, d.toFloats()[11]);
    }

    @Test
    void rejectsImageAndLabelCountsThatDisagree() throws IOException {
        Path im = images(3), lb = labels((byte) 1, (byte) 2);
        IOException e = assertThrows(IdxFormatException.class, () -> DatasetFiles.load(im, lb, DatasetKind.MNIST));
        assertTrue(e.getMessage().contains("holds 2 labels but images.gz holds 3 images"), e.getMessage());
    }

    @Test
    void rejectsImagesThatAreNot28By28() throws IOException {
        Path im = images(2, 10, 10), lb = labels((byte) 1, (byte) 2);
        IOException e = assertThrows(IdxFormatException.class, () -> DatasetFiles.load(im, lb, DatasetKind.MNIST));
        assertTrue(e.getMessage().startsWith(im.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("holds images of 10x10 pixels: mnist images are 28x28"), e.getMessage());
    }

    @Test
    void rejectsLabelsOutsideTheClasses() throws IOException {
        Path im = images(2), lb = labels((byte) 1, (byte) 10);
        IOException e = assertThrows(IdxFormatException.class, () -> DatasetFiles.load(im, lb, DatasetKind.MNIST));
        assertTrue(e.getMessage().contains("label 10 at position 1"), e.getMessage());
    }

    @Test
    void rejectsImagesFileWithWrongRank() throws IOException {
        Path im = dir.resolve("flat.gz");
        Idx.write(im, new IdxArray(new int[] {2, 6}, new byte[12]), true);
        Path lb = labels((byte) 1, (byte) 2);
        IOException e = assertThrows(IdxFormatException.class, () -> DatasetFiles.load(im, lb, DatasetKind.MNIST));
        assertTrue(e.getMessage().contains("expected 3 (count, rows, columns)"), e.getMessage());
    }

    @Test
    void loadsTheShippedRealSlice() throws IOException {
        LabeledImages train = DatasetFiles.load(DatasetKind.MNIST, RealData.SLICE_PARENT, DatasetFiles.Part.TRAIN);
        assertEquals(3000, train.size());
        assertEquals(28, train.rows());
        // The first MNIST training digits are 5, 0, 4, 1, 9, 2.
        assertEquals("[5, 0, 4, 1, 9, 2]", Arrays.toString(Arrays.copyOf(train.labels(), 6)));
    }

    @Test
    void splitIsSeededDisjointAndComplete() throws IOException {
        LabeledImages all = DatasetFiles.load(DatasetKind.MNIST, RealData.SLICE_PARENT, DatasetFiles.Part.TEST);
        Split a = Split.of(all, 100, 7), b = Split.of(all, 100, 7), c = Split.of(all, 100, 8);
        assertEquals(900, a.train().size());
        assertEquals(100, a.validation().size());
        assertTrue(Arrays.equals(a.validation().labels(), b.validation().labels()), "same seed, same split");
        assertTrue(!Arrays.equals(a.validation().toFloats(), c.validation().toFloats()), "another seed, another split");
        int[] counts = new int[10];
        for (int y : a.train().labels()) counts[y]++;
        for (int y : a.validation().labels()) counts[y]++;
        int[] expected = new int[10];
        for (int y : all.labels()) expected[y]++;
        assertTrue(Arrays.equals(expected, counts), "every image lands in exactly one part");
    }
}
