package nn.train;

import java.util.List;

import nn.compute.Engine;
import nn.compute.Tensor;
import nn.model.Param;

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
    protected void update(Engine e, List<Param> params, double lr) {
        for (int k = 0; k < params.size(); k++) {
            Param p = params.get(k);
            Tensor w = p.value(), g = p.grad(), v = state.get(k);
            if (p.decays() && weightDecay != 0) e.axpy(weightDecay, w, g);   // g += λ·w
            e.scale(momentum, v);                                             // v = μ·v
            e.axpy(1, g, v);                                                  //     + g
            if (nesterov) {
                e.axpy(-lr, g, w);                                            // w −= η·g
                e.axpy(-lr * momentum, v, w);                                 // w −= η·μ·v
            } else {
                e.axpy(-lr, v, w);                                            // w −= η·v
            }
        }
    }

    @Override
    public String describe() {
        return (nesterov ? "nesterov" : "sgd") + " momentum " + momentum + ", weight decay " + weightDecay;
    }
}
