package nn.model;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * A layer's working arrays, one set per batch size: training batches, the last (smaller) batch
 * of an epoch, evaluation batches. Each set is allocated the first time its size is seen and
 * reused after that, so training allocates nothing per batch and native memory stays flat
 * (ND4J frees native buffers only when the garbage collector finds their Java wrappers).
 */
final class BatchBuffers {
    private final DataType type;
    private final int inputSize, outputSize;
    private final Map<Integer, Slot> slots = new HashMap<>();
    private Slot current;

    private static final class Slot {
        final int batch;
        Tensor output, inputGrad;
        final Map<String, Object> extras = new HashMap<>();

        Slot(int batch) {
            this.batch = batch;
        }
    }

    BatchBuffers(DataType type, int inputSize, int outputSize) {
        this.type = type;
        this.inputSize = inputSize;
        this.outputSize = outputSize;
    }

    /** Switches to the arrays for {@code n} examples; returns whether they were just created. */
    boolean ensure(int n) {
        if (current != null && current.batch == n) return false;
        current = slots.get(n);
        if (current != null) return false;
        current = new Slot(n);
        current.output = Tensor.zeros(type, n, outputSize);
        slots.put(n, current);
        return true;
    }

    Tensor output() {
        return current.output;
    }

    Tensor inputGrad() {
        if (current.inputGrad == null) current.inputGrad = Tensor.zeros(type, current.batch, inputSize);
        return current.inputGrad;
    }

    /** A layer-specific array for this batch size (im2col columns, pooling argmax, masks), made once. */
    @SuppressWarnings("unchecked")
    <T> T extra(String name, Supplier<T> make) {
        return (T) current.extras.computeIfAbsent(name, k -> make.get());
    }

    int batch() {
        return current.batch;
    }
}
