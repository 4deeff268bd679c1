package nn.model;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Tensor;
import nn.random.Rng;

/** What a network computes in a training step, beyond its layers' own math. */
class NetworkTest {
    private static Tensor backwardOnce(Network net) {
        Tensor x = net.inputBuffer(3);
        x.fill(i -> (i % 7) / 7.0);
        SoftmaxCrossEntropy loss = SoftmaxCrossEntropy.of(net);
        loss.forward(net.forward(x, true), new int[] {0, 1, 2}, 3);
        return net.backward(loss.backward());
    }

    @Test
    void trainingSkipsTheGradientOfThePixelsEvenBehindAFlatten() {
        for (String spec : new String[] {"dense(6),relu", "flatten,dense(6),relu", "conv(2,3),relu,pool(2)"}) {
            Network net = new ModelSpec(spec, new Shape(6, 6, 1), 4).build(DataType.FLOAT);
            net.initialize(new Rng(1));
            assertNull(backwardOnce(net), spec + ": dL/dx computed in training");
            net.setComputesInputGradient(true);   // saliency maps ask for it
            assertNotNull(backwardOnce(net), spec + ": dL/dx when asked");
        }
    }
}
