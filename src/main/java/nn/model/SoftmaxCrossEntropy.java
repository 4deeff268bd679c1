package nn.model;

import nn.compute.Engine;
import nn.compute.Tensor;

/**
 * Softmax and cross-entropy in one step, the numerically stable way:
 * <pre>
 *   log p_k = z_k − m − log Σ_j exp(z_j − m),   m = max_j z_j     (no overflow, no log 0)
 *   L = −(1/N) Σ_i log p_{i, y_i}
 *   dL/dz = (p − onehot(y)) / N                                    (the fused gradient)
 * </pre>
 */
public final class SoftmaxCrossEntropy {
    private final Engine.SoftmaxLoss loss;

    public SoftmaxCrossEntropy(int classes, Engine engine) {
        this.loss = engine.softmaxLoss(classes);
    }

    /** The loss of a network's class scores, on that network's engine. */
    public static SoftmaxCrossEntropy of(Network net) {
        return new SoftmaxCrossEntropy(net.classes(), net.engine());
    }

    /** Mean cross-entropy of the batch; remembers the probabilities for backward. */
    public double forward(Tensor logits, int[] labels, int n) {
        return loss.forward(logits, labels, n);
    }

    /** dL/dlogits = (p − onehot(y)) / N. */
    public Tensor backward() {
        return loss.backward();
    }

    /** The probabilities of the last forward. */
    public Tensor probabilities() {
        return loss.probabilities();
    }
}
