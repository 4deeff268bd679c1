package nn.compute.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Tensor;
import nn.random.Rng;

/** The softmax cross-entropy splits its rows over the threads and gives what one thread gives. */
class CpuSoftmaxLossTest {
    private static final int ROWS = 64, CLASSES = 10;

    @AfterEach
    void oneThreadAgain() {
        Team.setSize(1);
    }

    @Test
    void twoThreadsGiveOneThreadsLossProbabilitiesAndGradient() {
        Rng rng = new Rng(7);
        Tensor logits = Tensor.zeros(DataType.FLOAT, ROWS, CLASSES);
        for (int i = 0; i < logits.length; i++) logits.set(i, 4 * rng.nextGaussian());
        int[] labels = new int[ROWS];
        for (int i = 0; i < ROWS; i++) labels[i] = rng.nextInt(CLASSES);

        Team.setSize(1);
        CpuSoftmaxLoss one = new CpuSoftmaxLoss(CLASSES);
        double lossOne = one.forward(logits, labels, ROWS);
        float[] probsOne = one.probabilities().toFloatArray(), gradOne = one.backward().toFloatArray();

        Team.setSize(2);
        CpuSoftmaxLoss two = new CpuSoftmaxLoss(CLASSES);
        double lossTwo = two.forward(logits, labels, ROWS);
        assertEquals(lossOne, lossTwo, 1e-12 * lossOne, "the same sum, added in two parts");
        assertArrayEquals(probsOne, two.probabilities().toFloatArray(), "each row's softmax is the same computation");
        assertArrayEquals(gradOne, two.backward().toFloatArray());

        double expected = 0;   // −(1/N) Σ log p_y, from the probabilities
        for (int i = 0; i < ROWS; i++) expected -= Math.log(probsOne[i * CLASSES + labels[i]]);
        assertEquals(expected / ROWS, lossTwo, 1e-5);
    }
}
