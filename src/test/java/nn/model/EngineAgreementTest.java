package nn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Engine;
import nn.compute.Engines;
import nn.compute.Tensor;
import nn.random.Rng;
import nn.train.Adam;
import nn.train.Preset;
import nn.train.Sgd;

/**
 * The nd4j engine (ND4J ops, here on the native CPU backend) computes what the cpu engine
 * computes: the same network with the same parameters and input gives the same loss, outputs,
 * parameter gradients and input gradient, to float precision; for single layers and for whole
 * mlp, cnn, cnn-best, rnn and vit networks, in training and inference mode, and through optimiser steps.
 */
class EngineAgreementTest {
    private static final Engine CPU = Engines.of(Engines.Kind.CPU), ND4J = Engines.of(Engines.Kind.ND4J);
    private static final Shape IMAGE = new Shape(9, 9, 3);

    /** Relative float tolerance: sums of a few hundred products in a different order. */
    private static final double TOLERANCE = 2e-4;

    /** Builds the spec on both engines with the same parameters (biases and γ jittered) and the same input. */
    private record Pair(Network cpu, Network nd4j, Tensor xc, Tensor xn) {}

    private static Pair pair(ModelSpec spec, int batch, long seed) {
        Network c = spec.build(DataType.FLOAT, CPU), n = spec.build(DataType.FLOAT, ND4J);
        Rng rng = new Rng(seed);
        c.initialize(rng);
        n.initialize(new Rng(seed));
        for (int p = 0; p < c.params().size(); p++) {
            Tensor a = c.params().get(p).value(), b = n.params().get(p).value();
            for (int i = 0; i < a.length; i++) {
                a.set(i, a.get(i) + 0.1 * rng.nextGaussian());
                b.set(i, a.get(i));
            }
        }
        c.setComputesInputGradient(true);
        n.setComputesInputGradient(true);
        Tensor xc = c.inputBuffer(batch), xn = n.inputBuffer(batch);
        for (int i = 0; i < xc.length; i++) {
            xc.set(i, rng.nextGaussian());
            xn.set(i, xc.get(i));
        }
        return new Pair(c, n, xc, xn);
    }

    private static int[] labels(int batch, int classes) {
        int[] y = new int[batch];
        for (int i = 0; i < batch; i++) y[i] = (i * 7 + 3) % classes;
        return y;
    }

    /** Forward (training mode), loss, backward, then every gradient and dx compared; then inference mode. */
    private static void agree(ModelSpec spec, int batch) {
        Pair p = pair(spec, batch, 11);
        int[] y = labels(batch, spec.classes());
        SoftmaxCrossEntropy lc = SoftmaxCrossEntropy.of(p.cpu), ln = SoftmaxCrossEntropy.of(p.nd4j);
        Tensor zc = p.cpu.forward(p.xc, true), zn = p.nd4j.forward(p.xn, true);
        assertClose(spec.text() + " logits", zc, zn);
        double lossC = lc.forward(zc, y, batch), lossN = ln.forward(zn, y, batch);
        assertEquals(lossC, lossN, TOLERANCE * (1 + Math.abs(lossC)), spec.text() + " loss");
        assertClose(spec.text() + " probabilities", lc.probabilities(), ln.probabilities());
        Tensor dxc = p.cpu.backward(lc.backward()), dxn = p.nd4j.backward(ln.backward());
        assertClose(spec.text() + " dx", dxc, dxn);
        for (int k = 0; k < p.cpu.params().size(); k++) {
            assertClose(spec.text() + " d" + p.cpu.params().get(k).name(), p.cpu.params().get(k).grad(), p.nd4j.params().get(k).grad());
        }
        for (int k = 0; k < p.cpu.buffers().size(); k++) {
            assertClose(spec.text() + " running statistics " + k, p.cpu.buffers().get(k), p.nd4j.buffers().get(k));
        }
        assertClose(spec.text() + " inference logits", p.cpu.forward(p.xc, false), p.nd4j.forward(p.xn, false));
        dxc = p.cpu.backward(lc.backward());
        dxn = p.nd4j.backward(ln.backward());
        assertClose(spec.text() + " inference-mode dx", dxc, dxn);
    }

    private static void assertClose(String what, Tensor a, Tensor b) {
        assertEquals(a.length, b.length, what + " size");
        double scale = 0;
        for (int i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a.get(i)));
        for (int i = 0; i < a.length; i++) {
            assertEquals(a.get(i), b.get(i), TOLERANCE * (Math.abs(a.get(i)) + 0.01 * scale) + 1e-6, what + "[" + i + "]");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dense(7)", "dense(6),relu", "dense(6),sigmoid", "dense(6),tanh", "dense(6),gelu",
            "dense(5),batchnorm,tanh", "dense(8),relu,dropout(0.0)"})
    void everyDenseLayer(String spec) {
        agree(new ModelSpec(spec, Shape.features(13), 4), 6);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"conv(4,3)", "conv(5,3,pad=1)", "conv(2,4,stride=2)", "conv(3,3,stride=2,pad=1)", "conv(6,1)",
            "conv(4,3),relu,pool(2)", "conv(4,3),pool(3,stride=2)", "conv(4,3,pad=1),pool(2,stride=1)",
            "conv(4,3),batchnorm,relu,pool(2)", "conv(3,3),flatten,dense(5),relu"})
    void everyImageLayer(String spec) {
        agree(new ModelSpec(spec, IMAGE, 5), 5);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lstm(6)", "lstm(5,seq),lstm(4)", "lstm(4,seq),dense(5),tanh"})
    void everyRecurrentLayer(String spec) {
        agree(new ModelSpec(spec, IMAGE, 5), 5);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"layernorm", "dense(6),layernorm,tanh", "conv(4,3),pool", "patches(3,6)", "patches(3,6),pool",
            "patches(3,8),attention(2),pool", "patches(3,4),attention(1),attention(4),layernorm,pool"})
    void everyTransformerLayer(String spec) {
        agree(new ModelSpec(spec, IMAGE, 5), 5);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mlp", "cnn", "cnn-best", "rnn", "vit"})
    void wholeNetworks(String preset) {
        Preset p = Preset.find(preset);
        // cnn-best's dropout draws different masks on each engine: compare it with dropout off here
        // (the gradient checks cover dropout on each engine, and the test below its masks).
        String spec = p.spec(Preset.DEFAULT_HIDDEN, 0).replace("dropout(0.3)", "dropout(0.0)");
        agree(ModelSpec.of(spec), 16);
    }

    @Test
    void optimiserStepsAgree() {
        stepsAgree(new Sgd(0.9, false, 0), new Sgd(0.9, false, 0));
        stepsAgree(new Sgd(0.9, true, 1e-3), new Sgd(0.9, true, 1e-3));
        stepsAgree(new Adam(1e-2), new Adam(1e-2));
    }

    private static void stepsAgree(nn.train.Optimizer onCpu, nn.train.Optimizer onNd4j) {
        Pair p = pair(ModelSpec.of("dense(16),relu"), 8, 5);
        int[] y = labels(8, 10);
        SoftmaxCrossEntropy lc = SoftmaxCrossEntropy.of(p.cpu), ln = SoftmaxCrossEntropy.of(p.nd4j);
        for (int step = 0; step < 3; step++) {
            lc.forward(p.cpu.forward(p.xc, true), y, 8);
            ln.forward(p.nd4j.forward(p.xn, true), y, 8);
            p.cpu.backward(lc.backward());
            p.nd4j.backward(ln.backward());
            onCpu.step(CPU, p.cpu.params(), 0.05);
            onNd4j.step(ND4J, p.nd4j.params(), 0.05);
        }
        for (int k = 0; k < p.cpu.params().size(); k++) {
            assertClose(onCpu.describe() + " " + p.cpu.params().get(k).name(), p.cpu.params().get(k).value(), p.nd4j.params().get(k).value());
        }
    }

    /** Each engine draws its own masks (ND4J's generator, seeded from ours), so dropout is held to its definition on each. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(Engines.Kind.class)
    void dropoutScalesTheSurvivorsAndPassesGradientsThroughThem(Engines.Kind kind) {
        Dropout d = new Dropout(0.4);
        d.build(Shape.features(50), Engines.of(kind), DataType.FLOAT);
        d.setRng(new Rng(4));
        Tensor x = Tensor.zeros(DataType.FLOAT, 8, 50), delta = Tensor.zeros(DataType.FLOAT, 8, 50);
        Rng rng = new Rng(6);
        x.fill(i -> 0.5 + rng.nextDouble());
        delta.fill(i -> rng.nextGaussian());
        Tensor y = d.forward(x, true);
        double[] ys = new double[y.length];
        for (int i = 0; i < y.length; i++) ys[i] = y.get(i);
        Tensor dx = d.backward(delta);
        int kept = 0;
        for (int i = 0; i < ys.length; i++) {
            boolean survived = ys[i] != 0;
            if (survived) kept++;
            assertEquals(survived ? x.get(i) / 0.6 : 0, ys[i], 1e-5, "y[" + i + "]");
            assertEquals(survived ? delta.get(i) / 0.6 : 0, dx.get(i), 1e-5, "dx[" + i + "]");
        }
        assertEquals(0.6, kept / 400.0, 0.1);
        assertTrue(d.forward(x, false) == x, "inference: the identity");
    }

    @Test
    void dropoutMasksOfTheNd4jEngineKeepTheRightShare() {
        Tensor mask = Tensor.zeros(DataType.FLOAT, 100, 100);
        Rng rng = new Rng(3);
        ND4J.dropoutMask(mask, 0.25, rng);
        int kept = 0;
        for (int i = 0; i < mask.length; i++) {
            double m = mask.get(i);
            assertTrue(m == 0 || Math.abs(m - 1 / 0.75) < 1e-6, "mask value " + m);
            if (m != 0) kept++;
        }
        assertEquals(0.75, kept / 10000.0, 0.02);
        Tensor again = Tensor.zeros(DataType.FLOAT, 100, 100);
        ND4J.dropoutMask(again, 0.25, new Rng(3));
        for (int i = 0; i < mask.length; i++) assertEquals(mask.get(i), again.get(i), "the same stream, the same mask");
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(Engines.Kind.class)
    void gatherRowsMakesGreyLevelsUnitFloatsInTheOrderGiven(Engines.Kind kind) {
        Engine engine = Engines.of(kind);
        byte[] grey = {0, 1, 2, (byte) 128, (byte) 200, (byte) 255};   // three rows of two; above 127 is negative as a byte
        Tensor x = Tensor.zeros(DataType.FLOAT, 2, 2);
        engine.gatherRows(grey, 2, new int[] {1, 2, 0}, 1, 2, x);     // order[1..3): rows 2, then 0
        float[] expected = {200 / 255f, 255 / 255f, 0, 1 / 255f};
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], x.get(i), 1e-7, "value " + i);
    }

    @Test
    void inferenceProbabilitiesAgree() {
        Pair p = pair(ModelSpec.of("conv(4,5),relu,pool(2),dense(20),relu"), 1, 2);
        float[] pixels = new float[37 * 784];
        Rng rng = new Rng(8);
        for (int i = 0; i < pixels.length; i++) pixels[i] = rng.nextFloat();
        float[] a = Inference.probabilities(p.cpu, pixels, 37, 16), b = Inference.probabilities(p.nd4j, pixels, 37, 16);
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-5, "probability " + i);
    }
}
