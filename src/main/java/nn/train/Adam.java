package nn.train;

import java.util.List;

import nn.compute.Engine;
import nn.model.Param;

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
    protected void update(Engine e, List<Param> params, double lr) {
        double c1 = 1 - Math.pow(BETA1, steps), c2 = 1 - Math.pow(BETA2, steps);
        for (int k = 0; k < params.size(); k++) {
            Param p = params.get(k);
            Engine.AdamStep step = new Engine.AdamStep(lr, BETA1, BETA2, EPS, c1, c2, p.decays() ? weightDecay : 0);
            e.adam(p.value(), p.grad(), state.get(2 * k), state.get(2 * k + 1), step);
        }
    }

    @Override
    public String describe() {
        return "adam, weight decay " + weightDecay;
    }
}
