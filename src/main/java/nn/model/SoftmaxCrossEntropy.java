package nn.model;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * Softmax and cross-entropy in one step, the numerically stable way:
 * <pre>
 *   log p_k = z_k − m − log Σ_j exp(z_j − m),   m = max_j z_j     (no overflow, no log 0)
 *   L = −(1/N) Σ_i log p_{i, y_i}
 *   dL/dz = (p − onehot(y)) / N                                    (the fused gradient)
 * </pre>
 */
public final class SoftmaxCrossEntropy {
    private final int classes;
    private Tensor probs, grad;
    private int[] labels;
    private final java.util.Map<Integer, Tensor[]> byBatch = new java.util.HashMap<>();   // [probs, grad] per batch size

    public SoftmaxCrossEntropy(int classes) {
        this.classes = classes;
    }

    /** Softmax of each row of the logits, into {@code out} (which may be the logits themselves). */
    public static void softmax(Tensor logits, Tensor out, int classes) {
        int n = logits.length / classes;
        for (int i = 0; i < n; i++) {
            int row = i * classes;
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) max = Math.max(max, logits.get(row + k));
            double sum = 0;
            for (int k = 0; k < classes; k++) {
                double e = Math.exp(logits.get(row + k) - max);
                out.set(row + k, e);
                sum += e;
            }
            for (int k = 0; k < classes; k++) out.set(row + k, out.get(row + k) / sum);
        }
    }

    /** Mean cross-entropy of the batch; remembers the probabilities for backward. */
    public double forward(Tensor logits, int[] labels, int n) {
        DataType type = logits.type();
        Tensor[] pair = byBatch.computeIfAbsent(n, k -> new Tensor[] {Tensor.zeros(type, logits.shape()), Tensor.zeros(type, logits.shape())});
        probs = pair[0];
        grad = pair[1];
        this.labels = labels;
        double loss = 0;
        for (int i = 0; i < n; i++) {
            int row = i * classes;
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) max = Math.max(max, logits.get(row + k));
            double sum = 0;
            for (int k = 0; k < classes; k++) {
                double e = Math.exp(logits.get(row + k) - max);   // one exp per logit: they are most of the cost
                probs.set(row + k, e);
                sum += e;
            }
            for (int k = 0; k < classes; k++) probs.set(row + k, probs.get(row + k) / sum);
            loss -= logits.get(row + labels[i]) - max - Math.log(sum);
        }
        return loss / n;
    }

    /** dL/dlogits = (p − onehot(y)) / N. */
    public Tensor backward() {
        int n = probs.length / classes;
        for (int i = 0; i < probs.length; i++) grad.set(i, probs.get(i) / n);
        for (int i = 0; i < n; i++) grad.add(i * classes + labels[i], -1.0 / n);
        return grad;
    }

    /** The probabilities of the last forward. */
    public Tensor probabilities() {
        return probs;
    }
}
