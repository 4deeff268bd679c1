package nn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Engine;
import nn.compute.Engines;
import nn.compute.Tensor;
import nn.compute.cpu.Team;
import nn.random.Rng;

/**
 * On the cpu engine, float layers take fast paths (Java-array copies, blocked products, several threads); double
 * layers take the plain element-by-element loops that the gradient checks verify. Here both
 * run on the same numbers and must agree: exactly where nothing is added (ReLU, pooling), to
 * float precision where sums are involved (convolutions, overlapping pools).
 */
class FastPathTest {
    private static final Engine CPU = Engines.of(Engines.Kind.CPU);

    private static final Shape IMAGE = new Shape(9, 9, 3);

    @AfterEach
    void oneThreadAgain() {
        Team.setSize(1);
    }

    /** Forward and backward of one layer in float and in double on identical inputs, compared. */
    private static void compare(String spec, Shape input, double tolerance) {
        compare(CPU, spec, input, tolerance);
    }

    private static void compare(Engine engine, String spec, Shape input, double tolerance) {
        Layer f = ModelSpec.parseLayer(spec), d = ModelSpec.parseLayer(spec);
        Shape out = f.build(input, engine, DataType.FLOAT);
        d.build(input, engine, DataType.DOUBLE);
        f.setComputesInputGradient(true);
        d.setComputesInputGradient(true);
        Rng rng = new Rng(3);
        f.initialize(rng);
        sameParams(f.params(), d.params(), rng);
        int batch = 5;
        Tensor xf = Tensor.zeros(DataType.FLOAT, batch, input.size()), xd = Tensor.zeros(DataType.DOUBLE, batch, input.size());
        fill(xf, xd, rng);
        assertClose(spec + " output", f.forward(xf, true), d.forward(xd, true), tolerance);
        Tensor gf = Tensor.zeros(DataType.FLOAT, batch, out.size()), gd = Tensor.zeros(DataType.DOUBLE, batch, out.size());
        fill(gf, gd, rng);
        assertClose(spec + " dx", f.backward(gf), d.backward(gd), tolerance);
        List<Param> pf = f.params(), pd = d.params();
        for (int p = 0; p < pf.size(); p++) assertClose(spec + " d" + pf.get(p).name(), pf.get(p).grad(), pd.get(p).grad(), tolerance);
    }

    /** Jitters the first set of parameters (biases start at 0) and copies it into the second. */
    private static void sameParams(List<Param> from, List<Param> to, Rng rng) {
        for (int p = 0; p < from.size(); p++) {
            Tensor a = from.get(p).value(), b = to.get(p).value();
            for (int i = 0; i < a.length; i++) {
                a.set(i, a.get(i) + 0.1 * rng.nextGaussian());
                b.set(i, a.get(i));
            }
        }
    }

    /** The same random float values into both tensors. */
    private static void fill(Tensor f, Tensor d, Rng rng) {
        for (int i = 0; i < f.length; i++) {
            f.set(i, rng.nextGaussian());
            d.set(i, f.get(i));
        }
    }

    private static void assertClose(String what, Tensor f, Tensor d, double tolerance) {
        assertEquals(d.length, f.length, what + " size");
        for (int i = 0; i < f.length; i++) {
            assertEquals(d.get(i), f.get(i), tolerance * (1 + Math.abs(d.get(i))), what + "[" + i + "]");
        }
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3})
    void convolutions(int threads) {
        Team.setSize(threads);
        for (String conv : new String[] {"conv(4,3)", "conv(5,3,pad=1)", "conv(2,4,stride=2)", "conv(3,3,stride=2,pad=1)", "conv(6,1)"}) {
            compare(conv, IMAGE, 2e-5);
        }
        // A first LeNet layer (several images per block): dW sums 2,880 products, float rounds them.
        compare("conv(8,5)", new Shape(28, 28, 1), 2e-4);
    }

    /** The nd4j engine's float ops against its own double ones, on the same layers. */
    @org.junit.jupiter.api.Test
    void theNd4jEnginesFloatAgreesWithItsDouble() {
        Engine nd4j = Engines.of(Engines.Kind.ND4J);
        for (String conv : new String[] {"conv(4,3)", "conv(5,3,pad=1)", "conv(2,4,stride=2)", "conv(3,3,stride=2,pad=1)", "conv(6,1)"}) {
            compare(nd4j, conv, IMAGE, 2e-5);
        }
        compare(nd4j, "conv(8,5)", new Shape(28, 28, 1), 2e-4);
        for (String pool : new String[] {"pool(2)", "pool(3)", "pool(3,stride=2)", "pool(2,stride=1)"}) compare(nd4j, pool, IMAGE, 1e-7);
        for (String other : new String[] {"relu", "sigmoid", "tanh", "gelu", "batchnorm", "layernorm", "patches(3,6)", "pool"}) {
            compare(nd4j, other, IMAGE, 1e-5);
        }
        compare(nd4j, "attention(2)", new Shape(3, 3, 6), 1e-5);
    }

    /** Batch norm over chunks of rows: sums per element of a chunk, then per channel, all in double. */
    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3})
    void batchNorm(int threads) {
        Team.setSize(threads);
        compare("batchnorm", new Shape(30, 30, 5), 2e-5);    // 4,500 rows: several chunks per thread
        compare("batchnorm", new Shape(3, 3, 70), 2e-5);     // a chunk of 58 rows, partly filled
        compare("batchnorm", Shape.features(4100), 2e-5);    // wider than a chunk: one row per chunk
        compare("batchnorm", Shape.features(256), 2e-5);
        compare("batchnorm", new Shape(11, 11, 64), 2e-5);
        compare("batchnorm", new Shape(26, 26, 32), 2e-5);
    }

    /** GELU's rational tanh, layer norm over array chunks, the float softmax and its backward inside attention. */
    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3})
    void transformerPieces(int threads) {
        Team.setSize(threads);
        compare("gelu", new Shape(30, 30, 5), 2e-6);
        compare("layernorm", new Shape(9, 9, 70), 2e-5);   // rows wider than a chunk's share, several chunks
        compare("attention(4)", new Shape(4, 4, 16), 2e-5);
        compare("patches(3,6)", IMAGE, 2e-5);
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2})
    void poolingAndReluAreExact(int threads) {
        Team.setSize(threads);
        for (String pool : new String[] {"pool(2)", "pool(3)"}) compare(pool, IMAGE, 0);
        // Overlapping windows add two gradients onto one pixel: exact up to float rounding.
        for (String pool : new String[] {"pool(3,stride=2)", "pool(2,stride=1)"}) compare(pool, IMAGE, 1e-7);
        compare("relu", new Shape(30, 30, 5), 0);   // several chunks of the copy-in loop
    }

    @ParameterizedTest(name = "{0} {1}")
    @org.junit.jupiter.params.provider.CsvSource({"FLOAT,CPU", "DOUBLE,CPU", "FLOAT,ND4J", "DOUBLE,ND4J"})
    void reluThenPoolFusedGivesExactlyTheUnfusedResult(String typeName, String engineName) {
        DataType type = DataType.valueOf(typeName);
        Engine engine = Engines.of(Engines.Kind.valueOf(engineName));
        ModelSpec spec = new ModelSpec("conv(4,3),relu,pool(2),conv(3,2),relu,pool(2,stride=1),dense(6)", IMAGE, 6);
        Network fused = spec.build(type, engine), plain = spec.build(type, engine);
        plain.setFusesReluIntoPool(false);
        Rng rng = new Rng(9);
        fused.initialize(rng);
        sameParams(fused.params(), plain.params(), rng);
        Tensor xf = fused.inputBuffer(7), xp = plain.inputBuffer(7);
        fill(xf, xp, rng);
        int[] labels = {0, 1, 2, 3, 4, 5, 0};
        SoftmaxCrossEntropy lf = SoftmaxCrossEntropy.of(fused), lp = SoftmaxCrossEntropy.of(plain);
        assertEquals(lp.forward(plain.forward(xp, true), labels, 7), lf.forward(fused.forward(xf, true), labels, 7));
        fused.backward(lf.backward());
        plain.backward(lp.backward());
        for (int p = 0; p < fused.params().size(); p++) {
            assertClose("d" + fused.params().get(p).name(), fused.params().get(p).grad(), plain.params().get(p).grad(), 0);
        }
        // Inference fuses them too, to the same numbers, and so does a saliency map's backward pass.
        fused.setComputesInputGradient(true);
        plain.setComputesInputGradient(true);
        assertClose("inference", fused.forward(xf, false), plain.forward(xp, false), 0);
        Tensor seed = Tensor.zeros(type, 7, 6);
        for (int i = 0; i < 7; i++) seed.set(i * 6 + labels[i], 1);
        assertClose("dL/dx in inference", fused.backward(seed), plain.backward(seed), 0);
        // A layer run on its own gives its own output: the ReLU's is rectified.
        Tensor relu = fused.layers().get(1).forward(fused.layers().get(0).forward(xf, false), false);
        for (int i = 0; i < relu.length; i++) assertEquals(Math.max(0, relu.get(i)), relu.get(i));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"CPU", "ND4J"})
    void predictionGivesTheForwardPassesScoresWithoutKeepingWinners(String engineName) {
        Team.setSize(2);
        Engine engine = Engines.of(Engines.Kind.valueOf(engineName));
        // pool(2) after a fused ReLU, pool(2) alone, and a window other than 2x2.
        ModelSpec spec = new ModelSpec("conv(4,3),relu,pool(2),conv(3,2),pool(2),pool(2,stride=1),dense(6)", new Shape(13, 13, 3), 6);
        Network net = spec.build(DataType.FLOAT, engine);
        Rng rng = new Rng(11);
        net.initialize(rng);
        Tensor x = net.inputBuffer(9);
        for (int i = 0; i < x.length; i++) x.set(i, rng.nextGaussian());
        float[] forward = net.forward(x, false).toFloatArray();
        assertArrayEquals(forward, net.predict(x).toFloatArray(), "max alone equals max with its winner");
        if (engine == CPU) {
            Tensor seed = Tensor.zeros(DataType.FLOAT, 9, 6);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.backward(seed));
            assertEquals("max-pool backward after a forward for inference only", e.getMessage());
        }
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {2, 3})
    void gradientChecksHoldWithSeveralThreads(int threads) {
        Team.setSize(threads);
        GradientCheck.check(CPU, "conv(3,3),relu,pool(2),dense(40),relu", new Shape(8, 8, 2), 3, 40, 1e-5);
        GradientCheck.check(CPU, "dense(64),relu,dense(48),tanh", Shape.features(60), 4, 64, 1e-5);
    }
}
