package nn.model;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * A layer's activation buffers for the current batch size: allocated when the batch size
 * changes (the last batch of an epoch, evaluation), reused otherwise.
 */
final class BatchBuffers {
    private final DataType type;
    private int batch = -1;
    private Tensor output;
    private Tensor inputGrad;
    private final int outputSize;
    private final int inputSize;

    BatchBuffers(DataType type, int inputSize, int outputSize) {
        this.type = type;
        this.inputSize = inputSize;
        this.outputSize = outputSize;
    }

    /** Makes sure the buffers hold {@code n} examples; returns whether they were (re)allocated. */
    boolean ensure(int n) {
        if (n == batch) return false;
        batch = n;
        output = Tensor.zeros(type, n, outputSize);
        inputGrad = null;
        return true;
    }

    Tensor output() {
        return output;
    }

    Tensor inputGrad() {
        if (inputGrad == null) inputGrad = Tensor.zeros(type, batch, inputSize);
        return inputGrad;
    }

    int batch() {
        return batch;
    }
}
