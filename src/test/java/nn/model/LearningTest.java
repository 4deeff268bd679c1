package nn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import nn.compute.Engines;
import nn.compute.Tensor;
import nn.random.Rng;
import nn.train.Sgd;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;

/** Each engine learns: a small network drives the loss on a tiny batch to about zero. */
class LearningTest {
    private static double overfit(Engines.Kind kind, String spec, Shape input, int steps) {
        Network net = new ModelSpec(spec, input, 4).build(DataType.FLOAT, Engines.of(kind));
        Rng rng = new Rng(3);
        net.initialize(rng);
        int n = 8;
        Tensor x = net.inputBuffer(n);
        for (int i = 0; i < x.length; i++) x.set(i, rng.nextDouble());
        int[] labels = {0, 1, 2, 3, 3, 2, 1, 0};
        SoftmaxCrossEntropy loss = SoftmaxCrossEntropy.of(net);
        Sgd sgd = new Sgd(0.9, false, 0);
        double first = loss.forward(net.forward(x, true), labels, n), last = first;
        for (int step = 0; step < steps; step++) {
            last = loss.forward(net.forward(x, true), labels, n);
            net.backward(loss.backward());
            sgd.step(net.engine(), net.params(), 0.05);
        }
        assertTrue(first > 1.0, "starts near log(4): " + first);
        return last;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Engines.Kind.class)
    void mlpOverfitsATinyBatch(Engines.Kind kind) {
        assertTrue(overfit(kind, "dense(32),relu", Shape.features(20), 1000) < 1e-3);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Engines.Kind.class)
    void cnnOverfitsATinyBatch(Engines.Kind kind) {
        assertTrue(overfit(kind, "conv(4,3),relu,pool(2),dense(16),tanh", new Shape(8, 8, 1), 1000) < 1e-3);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Engines.Kind.class)
    void softmaxCrossEntropyIsStableForHugeLogits(Engines.Kind kind) {
        Tensor logits = Tensor.zeros(DataType.FLOAT, 2, 3);
        double[] v = {1000, 0, -1000, -1e4, -1e4, -1e4};
        for (int i = 0; i < 6; i++) logits.set(i, v[i]);
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(3, Engines.of(kind));
        double l = loss.forward(logits, new int[] {0, 2}, 2);
        assertEquals(Math.log(3) / 2, l, 1e-5, "row 1 is certain and right, row 2 uniform");
        Tensor g = loss.backward();
        assertEquals(0, g.get(0), 1e-7);
        assertEquals((1 / 3.0) / 2, g.get(3), 1e-6);
        assertEquals((1 / 3.0 - 1) / 2, g.get(5), 1e-6);
    }
}
