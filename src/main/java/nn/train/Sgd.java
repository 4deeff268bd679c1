package nn.train;

import java.util.ArrayList;
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
public final class Sgd implements Optimizer {
    private final double momentum, weightDecay;
    private final boolean nesterov;
    private final List<Tensor> velocity = new ArrayList<>();
    private long steps;

    public Sgd(double momentum, boolean nesterov, double weightDecay) {
        if (momentum < 0 || momentum >= 1) throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        if (nesterov && momentum == 0) throw new IllegalArgumentException("Nesterov momentum needs a momentum above 0");
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.weightDecay = weightDecay;
    }

    @Override
    public void prepare(List<Param> params) {
        if (!velocity.isEmpty()) return;
        for (Param p : params) velocity.add(Tensor.zeros(p.value().type(), p.value().shape()));
    }

    @Override
    public void step(List<Param> params, double lr) {
        prepare(params);
        for (int k = 0; k < params.size(); k++) {
            Param p = params.get(k);
            Tensor w = p.value(), grad = p.grad(), v = velocity.get(k);
            double decay = p.decays() ? weightDecay : 0;
            for (int i = 0; i < w.length; i++) {
                double g = grad.get(i) + decay * w.get(i);
                double vi = momentum * v.get(i) + g;
                v.set(i, vi);
                w.set(i, w.get(i) - lr * (nesterov ? g + momentum * vi : vi));
            }
        }
        steps++;
    }

    @Override
    public List<Tensor> state() {
        return velocity;
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public void setSteps(long steps) {
        this.steps = steps;
    }

    @Override
    public String describe() {
        return (nesterov ? "nesterov" : "sgd") + " momentum " + momentum + ", weight decay " + weightDecay;
    }
}
