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
    /** Fewer rows than this per thread cost more to hand over than to do. */
    private static final int ROWS_PER_PART = 16;
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
        // Rows split over the threads (the exps are most of the cost); the parts' sums are added
        // in part order, so the same thread count gives the same loss.
        double[] partLoss = new double[Team.size()];
        Team.split(n, ROWS_PER_PART, (part, first, last) -> {
            double sum = 0;
            for (int i = first; i < last; i++) {
                int row = i * classes;
                sum -= logits.get(row + labels[i]) - CpuEngine.softmaxRow(logits, probs, row, classes);   // −log p_y = log Σ exp(z) − z_y
            }
            partLoss[part] = sum;
        });
        double loss = 0;
        for (double l : partLoss) loss += l;
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
