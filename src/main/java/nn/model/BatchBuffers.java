package nn.model;

import java.util.HashMap;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Tensor;

/**
 * A layer's output and input-gradient arrays, one pair per batch size: training batches, the
 * last (smaller) batch of an epoch, evaluation batches. Each pair is allocated the first time
 * its size is seen and reused after that, so training allocates nothing per batch and native
 * memory stays flat (ND4J frees native buffers only when the garbage collector finds their Java
 * wrappers). The engine's kernels keep their own working arrays the same way.
 */
final class BatchBuffers {
    private final DataType type;
    private final int inputSize, outputSize;
    private final Map<Integer, Slot> slots = new HashMap<>();
    private Slot current;

    private static final class Slot {
        final int batch;
        final Tensor output;
        Tensor inputGrad;

        Slot(int batch, Tensor output) {
            this.batch = batch;
            this.output = output;
        }
    }

    BatchBuffers(DataType type, int inputSize, int outputSize) {
        this.type = type;
        this.inputSize = inputSize;
        this.outputSize = outputSize;
    }

    /** Switches to the arrays for {@code n} examples. */
    void ensure(int n) {
        if (current != null && current.batch == n) return;
        current = slots.computeIfAbsent(n, k -> new Slot(k, Tensor.zeros(type, k, outputSize)));
    }

    Tensor output() {
        return current.output;
    }

    Tensor inputGrad() {
        if (current.inputGrad == null) current.inputGrad = Tensor.zeros(type, current.batch, inputSize);
        return current.inputGrad;
    }
}
