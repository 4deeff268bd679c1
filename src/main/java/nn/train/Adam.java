package nn.train;

import java.util.List;

import nn.model.Param;
import nn.model.Team;
import nn.model.Tensor;

/**
 * Adam (Kingma & Ba 2015) with decoupled weight decay (AdamW, Loshchilov & Hutter 2019):
 * <pre>
 *   m = β1·m + (1−β1)·g,   v = β2·v + (1−β2)·g²
 *   w = w − η·( m̂ / (sqrt(v̂) + ε) + λ·w ),   m̂ = m/(1−β1^t), v̂ = v/(1−β2^t)
 * </pre>
 */
public final class Adam extends Optimizer {
    private static final double BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;
    private final double weightDecay;

    public Adam(double weightDecay) {
        this.weightDecay = weightDecay;
    }

    @Override
    public int arraysPerParam() {
        return 2;   // m and v
    }

    @Override
    protected void update(List<Param> params, double lr) {
        double c1 = 1 - Math.pow(BETA1, steps), c2 = 1 - Math.pow(BETA2, steps);
        for (int k = 0; k < params.size(); k++) {
            Param p = params.get(k);
            Tensor w = p.value(), grad = p.grad(), m = state.get(2 * k), v = state.get(2 * k + 1);
            double decay = p.decays() ? weightDecay : 0;
            Team.split(w.length, Tensor.GRAIN, (part, from, to) -> {
                for (int i = from; i < to; i++) {
                    double g = grad.get(i);
                    double mi = BETA1 * m.get(i) + (1 - BETA1) * g;
                    double vi = BETA2 * v.get(i) + (1 - BETA2) * g * g;
                    m.set(i, mi);
                    v.set(i, vi);
                    double wi = w.get(i);
                    w.set(i, wi - lr * ((mi / c1) / (Math.sqrt(vi / c2) + EPS) + decay * wi));
                }
            });
        }
    }

    @Override
    public String describe() {
        return "adam, weight decay " + weightDecay;
    }
}
