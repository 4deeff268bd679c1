package nn.compute.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.PoolGeometry;
import nn.compute.Tensor;
import nn.random.Rng;

/**
 * oneDNN's max pool gives what the Java loops of {@link CpuMaxPool} give: the same maxima and the
 * same winners (ties included), on every share of the batch the threads take; and those float
 * loops give what CpuMaxPool's float64 reference gives. (FastPathTest compares the engine's float
 * layers, which are oneDNN's where it loads, with the float64 loops.)
 */
class OneDnnMaxPoolTest extends OneDnnLayerTest {
    @ParameterizedTest(name = "{0}x{0} windows {1} apart, {2} threads, {3} images")
    @CsvSource({"2,2,1,7", "2,2,2,7", "2,2,3,64", "3,2,2,5", "3,1,2,5", "2,1,1,4"})
    void agreesWithTheJavaLoops(int size, int stride, int threads, int images) {
        Team.setSize(threads);
        PoolGeometry g = new PoolGeometry(12, 10, 6, size, stride);
        assertAgrees(g, images, false);
        assertAgrees(g, images, true);
    }

    /** oneDNN keeps a winner in a byte up to 255 values a window, in 4 bytes above. */
    @Test
    void windowsOf256ValuesKeepTheirWinnersToo() {
        Team.setSize(2);
        assertAgrees(new PoolGeometry(17, 16, 3, 16, 1), 5, false);
    }

    /** A forward split over two threads, its backward on one (the team busy elsewhere): the winners are per image. */
    @Test
    void backwardNeedNotSplitTheBatchAsItsForwardDid() {
        PoolGeometry g = new PoolGeometry(8, 8, 4, 2, 2);
        Rng rng = new Rng(6);
        Tensor x = random(rng, 6, 256, false), delta = random(rng, 6, 64, false);
        CpuMaxPool java = new CpuMaxPool(g);
        OneDnnMaxPool oneDnn = new OneDnnMaxPool(g);
        Tensor y = Tensor.zeros(DataType.FLOAT, 6, 64), dxJava = Tensor.zeros(DataType.FLOAT, 6, 256), dx = Tensor.zeros(DataType.FLOAT, 6, 256);
        java.forward(x, y, true, true);
        java.backward(delta, dxJava);
        Team.setSize(2);
        oneDnn.forward(x, y, true, true);
        Team.setSize(1);
        oneDnn.backward(delta, dx);
        assertArrayEquals(dxJava.toFloatArray(), dx.toFloatArray());
    }

    @Test
    void backwardNeedsAForwardThatKeptTheWinnersOfAsManyImages() {
        PoolGeometry g = new PoolGeometry(4, 4, 2, 2, 2);
        OneDnnMaxPool pool = new OneDnnMaxPool(g);
        Tensor x = Tensor.zeros(DataType.FLOAT, 3, 32), y = Tensor.zeros(DataType.FLOAT, 3, 8);
        pool.forward(x, y, false, false);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.backward(y, x));
        assertEquals("max-pool backward after a forward for inference only", e.getMessage());
        pool.forward(x, y, false, true);
        assertThrows(IllegalArgumentException.class, () -> pool.backward(Tensor.zeros(DataType.FLOAT, 4, 8), Tensor.zeros(DataType.FLOAT, 4, 32)));
    }

    /**
     * Forward (for training and for inference) and backward, rectified or not, of oneDNN's pool
     * and the Java loops, and of the Java loops in float and float64. {@code ties}: values from
     * {-2, ..., 2}, so windows have several maxima and rectified maxima of exactly 0.
     */
    private static void assertAgrees(PoolGeometry g, int images, boolean ties) {
        Rng rng = new Rng(5);
        int in = g.inH() * g.inW() * g.channels(), out = g.outH() * g.outW() * g.channels();
        Tensor x = random(rng, images, in, ties), delta = random(rng, images, out, false);
        // Overlapping windows add two gradients onto one pixel, possibly in another order.
        float tolerance = g.stride() < g.size() ? 1e-6f : 0;
        for (boolean rectify : new boolean[] {false, true}) {
            String what = (ties ? "ties, " : "") + "rectified " + rectify;
            Result java = run(new CpuMaxPool(g), x, delta, rectify), oneDnn = run(new OneDnnMaxPool(g), x, delta, rectify);
            Result reference = run(new CpuMaxPool(g), asDouble(x), asDouble(delta), rectify);
            assertArrayEquals(java.y, oneDnn.y, what + ": y");
            assertArrayEquals(java.y, oneDnn.inference, what + ": inference's maxima");
            assertArrayEquals(java.dx, oneDnn.dx, tolerance, what + ": dx");
            assertArrayEquals(reference.y, java.y, what + ": the Java loops' y in float and float64");
            assertArrayEquals(reference.inference, java.inference, what + ": the Java loops' inference");
            assertArrayEquals(reference.dx, java.dx, tolerance, what + ": the Java loops' dx in float and float64");
        }
    }

    private record Result(float[] y, float[] inference, float[] dx) {}

    private static Result run(nn.compute.Engine.MaxPool pool, Tensor x, Tensor delta, boolean rectify) {
        Tensor y = Tensor.zeros(x.type(), delta.shape()), inference = Tensor.zeros(x.type(), delta.shape()), dx = Tensor.zeros(x.type(), x.shape());
        dx.fill(7);   // every element is written: the losers' gradient is 0
        pool.forward(x, inference, rectify, false);
        pool.forward(x, y, rectify, true);
        pool.backward(delta, dx);
        return new Result(y.toFloatArray(), inference.toFloatArray(), dx.toFloatArray());
    }

    private static Tensor random(Rng rng, long rows, long cols, boolean ties) {
        if (!ties) return random(rng, rows, cols);
        Tensor t = Tensor.zeros(DataType.FLOAT, rows, cols);
        t.fill(i -> rng.nextInt(5) - 2);
        return t;
    }
}
