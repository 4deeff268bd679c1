package nn.compute.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.ConvGeometry;
import nn.compute.Engine;
import nn.compute.Tensor;
import nn.random.Rng;

/**
 * oneDNN's convolution gives what {@link CpuConv2d}'s im2col and products give, to float
 * rounding: y, dW, db and dx, on every share of the batch the threads take, batch after batch;
 * and CpuConv2d's float path gives what its float64 reference gives. (FastPathTest compares the
 * engine's float layers, which are oneDNN's where it loads, with the float64 loops.)
 */
class OneDnnConv2dTest extends OneDnnLayerTest {
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
        Team.setSize(threads);
        ConvGeometry g = new ConvGeometry(h, w, c, filters, kernel, stride, padding);
        CpuConv2d java = new CpuConv2d(g, DataType.FLOAT), reference = new CpuConv2d(g, DataType.DOUBLE);
        OneDnnConv2d oneDnn = new OneDnnConv2d(g);
        Rng rng = new Rng(8);
        Tensor weights = random(rng, g.patch(), filters), bias = random(rng, 1, filters);
        for (int images : new int[] {7, 4, 7}) {   // another batch size between two of one size
            Tensor x = random(rng, images, h * w * c), delta = random(rng, images, g.outH() * g.outW() * filters);
            Result expected = run(java, x, weights, bias, delta, true);
            assertSame("oneDNN", expected, run(oneDnn, x, weights, bias, delta, true));
            assertSame("the float64 reference", run(reference, asDouble(x), asDouble(weights), asDouble(bias), asDouble(delta), true), expected);
        }
    }

    @Test
    void theFirstLayerSkipsTheInputGradient() {
        ConvGeometry g = new ConvGeometry(10, 10, 1, 4, 3, 1, 0);
        Rng rng = new Rng(9);
        Tensor x = random(rng, 5, 100), w = random(rng, 9, 4), b = random(rng, 1, 4), delta = random(rng, 5, 256);
        assertSame("without dx", run(new CpuConv2d(g, DataType.FLOAT), x, w, b, delta, false), run(new OneDnnConv2d(g), x, w, b, delta, false));
    }

    /** A forward split over two threads, its backward on one (the team busy elsewhere), and the other way round. */
    @Test
    void backwardNeedNotSplitTheBatchAsItsForwardDid() {
        ConvGeometry g = new ConvGeometry(8, 8, 3, 4, 3, 1, 0);
        Rng rng = new Rng(10);
        Tensor x = random(rng, 6, 192), w = random(rng, 27, 4), b = random(rng, 1, 4), delta = random(rng, 6, 144);
        Result expected = run(new CpuConv2d(g, DataType.FLOAT), x, w, b, delta, true);
        for (int forwardThreads : new int[] {2, 1}) {
            OneDnnConv2d conv = new OneDnnConv2d(g);
            Result r = new Result(Tensor.zeros(DataType.FLOAT, 6, 144), Tensor.zeros(DataType.FLOAT, 27, 4), Tensor.zeros(DataType.FLOAT, 1, 4), Tensor.zeros(DataType.FLOAT, 6, 192));
            Team.setSize(forwardThreads);
            conv.forward(x, w, b, r.y);
            Team.setSize(3 - forwardThreads);
            conv.backward(delta, w, r.dW, r.db, r.dx);
            assertSame("forward on " + forwardThreads + " threads", expected, r);
        }
    }

    @Test
    void backwardChecksItHasTheImagesOfItsForward() {
        ConvGeometry g = new ConvGeometry(6, 6, 1, 2, 3, 1, 0);
        OneDnnConv2d conv = new OneDnnConv2d(g);
        Tensor w = Tensor.zeros(DataType.FLOAT, 9, 2), b = Tensor.zeros(DataType.FLOAT, 1, 2), dW = Tensor.zeros(DataType.FLOAT, 9, 2);
        Tensor delta = Tensor.zeros(DataType.FLOAT, 3, 32);
        assertEquals("backward before forward", assertThrows(IllegalStateException.class, () -> conv.backward(delta, w, dW, b, null)).getMessage());
        conv.forward(Tensor.zeros(DataType.FLOAT, 3, 36), w, b, delta);
        assertThrows(IllegalArgumentException.class, () -> conv.backward(Tensor.zeros(DataType.FLOAT, 4, 32), w, dW, b, null));
        assertThrows(IllegalArgumentException.class, () -> conv.backward(delta, w, dW, b, Tensor.zeros(DataType.FLOAT, 4, 36)));
    }

    private record Result(Tensor y, Tensor dW, Tensor db, Tensor dx) {}

    private static Result run(Engine.Conv2d conv, Tensor x, Tensor w, Tensor b, Tensor delta, boolean withDx) {
        Result r = new Result(Tensor.zeros(x.type(), delta.shape()), Tensor.zeros(x.type(), w.shape()),
                Tensor.zeros(x.type(), b.shape()), withDx ? Tensor.zeros(x.type(), x.shape()) : null);
        r.dW.fill(5);   // written, not added to
        if (withDx) r.dx.fill(5);
        conv.forward(x, w, b, r.y);
        conv.backward(delta, w, r.dW, r.db, r.dx);
        return r;
    }

    /** Sums of up to 4,000 products, added in another order: float rounding, as in FastPathTest. */
    private static void assertSame(String what, Result expected, Result actual) {
        assertClose(what + ": y", expected.y, actual.y);
        assertClose(what + ": dW", expected.dW, actual.dW);
        assertClose(what + ": db", expected.db, actual.db);
        if (expected.dx != null) assertClose(what + ": dx", expected.dx, actual.dx);
    }

    private static void assertClose(String what, Tensor expected, Tensor actual) {
        assertEquals(expected.length, actual.length, what + " size");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected.get(i), actual.get(i), 2e-4 * (1 + Math.abs(expected.get(i))), what + "[" + i + "]");
        }
    }
}
