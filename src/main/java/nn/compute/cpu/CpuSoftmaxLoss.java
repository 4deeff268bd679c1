package nn.compute.cpu;

import java.util.HashMap;
import java.util.Map;

import nn.compute.Engine;
import nn.compute.Tensor;

/**
 * Softmax and cross-entropy in one loop, the numerically stable way:
 * <pre>
 *   log p_k = z_k − m − log Σ_j exp(z_j − m),   m = max_j z_j     (no overflow, no log 0)
 *   L = −(1/N) Σ_i log p_{i, y_i},   dL/dz = (p − onehot(y)) / N
 * </pre>
 */
final class CpuSoftmaxLoss implements Engine.SoftmaxLoss {
    private final int classes;
    /** Per batch size: the probabilities and the gradient. */
    private record Arrays(Tensor probs, Tensor grad) {}
    private final Map<Integer, Arrays> byBatch = new HashMap<>();
    private Arrays current;
    private int[] labels;

    CpuSoftmaxLoss(int classes) {
        this.classes = classes;
    }

    @Override
    public double forward(Tensor logits, int[] labels, int n) {
        current = byBatch.computeIfAbsent(n, k -> new Arrays(Tensor.zeros(logits.type(), logits.shape()), Tensor.zeros(logits.type(), logits.shape())));
        Tensor probs = current.probs;
        this.labels = labels;
        double loss = 0;
        for (int i = 0; i < n; i++) {
            int row = i * classes;
            loss -= logits.get(row + labels[i]) - CpuEngine.softmaxRow(logits, probs, row, classes);   // −log p_y = log Σ exp(z) − z_y
        }
        return loss / n;
    }

    @Override
    public Tensor backward() {
        Tensor probs = current.probs, grad = current.grad;
        int n = probs.length / classes;
        for (int i = 0; i < probs.length; i++) grad.set(i, probs.get(i) / n);
        for (int i = 0; i < n; i++) grad.add(i * classes + labels[i], -1.0 / n);
        return grad;
    }

    @Override
    public Tensor probabilities() {
        return current.probs;
    }
}
