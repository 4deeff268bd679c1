package nn.train;

import java.util.List;

import nn.model.Param;
import nn.model.Tensor;

/**
 * Stochastic gradient descent with momentum, in PyTorch's formulation (so runs compare):
 * <pre>
 *   g = ∇L + λ·w                      (weight decay λ, weights only, not biases)
 *   v = μ·v + g
 *   classical: w = w − η·v
 *   Nesterov:  w = w − η·(g + μ·v)     (looks ahead along the velocity)
 * </pre>
 */
public final class Sgd extends Optimizer {
    private final double momentum, weightDecay;
    private final boolean nesterov;

    public Sgd(double momentum, boolean nesterov, double weightDecay) {
        if (momentum < 0 || momentum >= 1) throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        if (nesterov && momentum == 0) throw new IllegalArgumentException("Nesterov momentum needs a momentum above 0");
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.weightDecay = weightDecay;
    }

    @Override
    public int arraysPerParam() {
        return 1;
    }

    @Override
    protected void update(List<Param> params, double lr) {
        for (int k = 0; k < params.size(); k++) {
            Param p = params.get(k);
            Tensor w = p.value(), g = p.grad(), v = state.get(k);
            // Whole-vector BLAS updates: several times faster than a Java loop over native memory.
            if (p.decays() && weightDecay != 0) Tensor.axpy(weightDecay, w, g);   // g += λ·w
            Tensor.scale(momentum, v);                                             // v = μ·v
            Tensor.axpy(1, g, v);                                                  //     + g
            if (nesterov) {
                Tensor.axpy(-lr, g, w);                                            // w −= η·g
                Tensor.axpy(-lr * momentum, v, w);                                 // w −= η·μ·v
            } else {
                Tensor.axpy(-lr, v, w);                                            // w −= η·v
            }
        }
    }

    @Override
    public String describe() {
        return (nesterov ? "nesterov" : "sgd") + " momentum " + momentum + ", weight decay " + weightDecay;
    }
}
