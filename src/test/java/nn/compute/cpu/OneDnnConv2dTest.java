package nn.compute.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.ConvGeometry;
import nn.compute.Tensor;
import nn.random.Rng;

/**
 * oneDNN's convolution gives what {@link CpuConv2d}'s im2col and products give (themselves held
 * to the double reference by FastPathTest), to float rounding: y, dW, db and dx, on every share
 * of the batch the threads take, batch after batch.
 */
class OneDnnConv2dTest {
    @AfterEach
    void oneThreadAgain() {
        Team.setSize(1);
    }

    @ParameterizedTest(name = "{0}x{1}x{2} in, {3} filters {4}x{4}, stride {5}, padding {6}, {7} threads")
    @CsvSource({
        "28,28,1,8,5,1,0,2",    // a first LeNet layer
        "12,12,6,10,5,1,0,1",   // a second one
        "12,12,6,10,5,1,0,3",
        "9,9,3,5,3,1,1,2",      // padded
        "9,9,3,4,4,2,0,2",      // strided, the last row and column unread
        "9,7,3,6,3,2,1,2",      // both, not square
        "5,5,4,3,1,1,0,2"})     // 1x1
    void agreesWithIm2colAndProducts(int h, int w, int c, int filters, int kernel, int stride, int padding, int threads) {
        assumeTrue(Blas.ONEDNN, "oneDNN's natives load on this platform");
        Team.setSize(threads);
        ConvGeometry g = new ConvGeometry(h, w, c, filters, kernel, stride, padding);
        CpuConv2d reference = new CpuConv2d(g, DataType.FLOAT);
        OneDnnConv2d oneDnn = new OneDnnConv2d(g);
        Rng rng = new Rng(8);
        Tensor weights = random(rng, g.patch(), filters), bias = random(rng, 1, filters);
        for (int images : new int[] {7, 4, 7}) {   // another batch size between two of one size
            Tensor x = random(rng, images, h * w * c), delta = random(rng, images, g.outH() * g.outW() * filters);
            Result expected = run(reference, x, weights, bias, delta), actual = run(oneDnn, x, weights, bias, delta);
            assertClose("y", expected.y, actual.y);
            assertClose("dW", expected.dW, actual.dW);
            assertClose("db", expected.db, actual.db);
            assertClose("dx", expected.dx, actual.dx);
        }
    }

    @Test
    void theFirstLayerSkipsTheInputGradient() {
        assumeTrue(Blas.ONEDNN, "oneDNN's natives load on this platform");
        ConvGeometry g = new ConvGeometry(6, 6, 1, 2, 3, 1, 0);
        OneDnnConv2d conv = new OneDnnConv2d(g);
        Tensor w = Tensor.zeros(DataType.FLOAT, 9, 2), b = Tensor.zeros(DataType.FLOAT, 1, 2);
        Tensor delta = Tensor.zeros(DataType.FLOAT, 3, 32);
        assertEquals("backward before forward",
                assertThrows(IllegalStateException.class, () -> conv.backward(delta, w, w, b, null)).getMessage());
        conv.forward(Tensor.zeros(DataType.FLOAT, 3, 36), w, b, delta);
        conv.backward(delta, w, Tensor.zeros(DataType.FLOAT, 9, 2), Tensor.zeros(DataType.FLOAT, 1, 2), null);
    }

    private record Result(Tensor y, Tensor dW, Tensor db, Tensor dx) {}

    private static Result run(nn.compute.Engine.Conv2d conv, Tensor x, Tensor w, Tensor b, Tensor delta) {
        Result r = new Result(Tensor.zeros(DataType.FLOAT, delta.shape()), Tensor.zeros(DataType.FLOAT, w.shape()),
                Tensor.zeros(DataType.FLOAT, b.shape()), Tensor.zeros(DataType.FLOAT, x.shape()));
        r.dW.fill(5);   // written, not added to
        r.dx.fill(5);
        conv.forward(x, w, b, r.y);
        conv.backward(delta, w, r.dW, r.db, r.dx);
        return r;
    }

    /** Sums of up to 4,000 products, added in another order: float rounding, as in FastPathTest. */
    private static void assertClose(String what, Tensor expected, Tensor actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected.get(i), actual.get(i), 2e-4 * (1 + Math.abs(expected.get(i))), what + "[" + i + "]");
        }
    }

    private static Tensor random(Rng rng, long rows, long cols) {
        Tensor t = Tensor.zeros(DataType.FLOAT, rows, cols);
        for (int i = 0; i < t.length; i++) t.set(i, rng.nextGaussian());
        return t;
    }
}
