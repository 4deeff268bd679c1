package nn.compute.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.PoolGeometry;
import nn.compute.Tensor;
import nn.random.Rng;

/**
 * oneDNN's max pool gives what the Java loops of {@link CpuMaxPool} give (themselves held to the
 * double reference by FastPathTest): the same maxima, the same winners, on every share of the
 * batch that the threads take.
 */
class OneDnnMaxPoolTest {
    @AfterEach
    void oneThreadAgain() {
        Team.setSize(1);
    }

    @ParameterizedTest(name = "{0}x{0} windows {1} apart, {2} threads, {3} images")
    @CsvSource({"2,2,1,7", "2,2,2,7", "2,2,3,64", "3,2,2,5", "3,1,2,5", "2,1,1,4"})
    void agreesWithTheJavaLoops(int size, int stride, int threads, int images) {
        Team.setSize(threads);
        assertAgrees(new PoolGeometry(12, 10, 6, size, stride), images);
    }

    /** oneDNN keeps a winner in a byte up to 255 values a window, in 4 bytes above. */
    @Test
    void windowsOf256ValuesKeepTheirWinnersToo() {
        Team.setSize(2);
        assertAgrees(new PoolGeometry(17, 16, 3, 16, 1), 5);
    }

    private static void assertAgrees(PoolGeometry g, int images) {
        assumeTrue(Blas.ONEDNN, "oneDNN's natives load on this platform");
        Rng rng = new Rng(5);
        Tensor x = random(rng, images, g.inH() * g.inW() * g.channels());
        Tensor delta = random(rng, images, g.outH() * g.outW() * g.channels());
        // Overlapping windows add two gradients onto one pixel, possibly in another order.
        float tolerance = g.stride() < g.size() ? 1e-6f : 0;
        for (boolean rectify : new boolean[] {false, true}) {
            CpuMaxPool java = new CpuMaxPool(g);
            OneDnnMaxPool oneDnn = new OneDnnMaxPool(g);
            Tensor yJava = Tensor.zeros(DataType.FLOAT, delta.shape()), yOneDnn = Tensor.zeros(DataType.FLOAT, delta.shape());
            java.forward(x, yJava, rectify, true);
            oneDnn.forward(x, yOneDnn, rectify, true);
            assertArrayEquals(yJava.toFloatArray(), yOneDnn.toFloatArray(), "y, rectified " + rectify);
            Tensor dxJava = Tensor.zeros(DataType.FLOAT, x.shape()), dxOneDnn = Tensor.zeros(DataType.FLOAT, x.shape());
            dxOneDnn.fill(7);   // every element is written: the losers' gradient is 0
            java.backward(delta, dxJava);
            oneDnn.backward(delta, dxOneDnn);
            assertArrayEquals(dxJava.toFloatArray(), dxOneDnn.toFloatArray(), tolerance, "dx, rectified " + rectify);

            Tensor inference = Tensor.zeros(DataType.FLOAT, delta.shape());
            oneDnn.forward(x, inference, rectify, false);
            assertArrayEquals(yJava.toFloatArray(), inference.toFloatArray(), "inference's maxima, rectified " + rectify);
        }
    }

    @Test
    void backwardNeedsAForwardThatKeptTheWinners() {
        assumeTrue(Blas.ONEDNN, "oneDNN's natives load on this platform");
        PoolGeometry g = new PoolGeometry(4, 4, 2, 2, 2);
        OneDnnMaxPool pool = new OneDnnMaxPool(g);
        Tensor x = Tensor.zeros(DataType.FLOAT, 3, 32), y = Tensor.zeros(DataType.FLOAT, 3, 8);
        pool.forward(x, y, false, false);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.backward(y, x));
        assertEquals("max-pool backward after a forward for inference only", e.getMessage());
    }

    private static Tensor random(Rng rng, long rows, long cols) {
        Tensor t = Tensor.zeros(DataType.FLOAT, rows, cols);
        for (int i = 0; i < t.length; i++) t.set(i, rng.nextGaussian());
        return t;
    }
}
