package nn.compute.cpu;

import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Tensor;
import nn.random.Rng;

/** Tensors the kernel tests feed in. */
final class TestTensors {
    private TestTensors() {}

    /** A [rows, cols] matrix of standard normal values, drawn in storage order. */
    static Tensor gaussian(DataType type, Rng rng, long rows, long cols) {
        Tensor t = Tensor.zeros(type, rows, cols);
        t.fill(i -> rng.nextGaussian());
        return t;
    }
}
