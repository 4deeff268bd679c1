package nn.compute.cpu;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Tensor;
import nn.random.Rng;

/** What the tests of the oneDNN layers share: they run where oneDNN loads, leave the team at one thread, and make tensors. */
abstract class OneDnnLayerTest {
    @BeforeEach
    void needsOneDnn() {
        assumeTrue(Blas.ONEDNN, "oneDNN's natives load on this platform");
    }

    @AfterEach
    void oneThreadAgain() {
        Team.setSize(1);
    }

    /** A float matrix of standard normal values. */
    static Tensor random(Rng rng, long rows, long cols) {
        return TestTensors.gaussian(DataType.FLOAT, rng, rows, cols);
    }

    /** The same values in float64, for the reference loops. */
    static Tensor asDouble(Tensor t) {
        Tensor d = Tensor.zeros(DataType.DOUBLE, t.shape());
        for (int i = 0; i < t.length; i++) d.set(i, t.get(i));
        return d;
    }
}
