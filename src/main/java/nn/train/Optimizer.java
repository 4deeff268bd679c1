package nn.train;

import java.util.ArrayList;
import java.util.List;

import nn.compute.Engine;
import nn.compute.Tensor;
import nn.model.Param;

/**
 * Updates parameters from their gradients. Its state (momenta, moments) and step count are
 * saved in checkpoints, so a resumed run updates exactly as the uninterrupted one would.
 */
public abstract class Optimizer {
    /** The optimiser's arrays, in a fixed order: {@link #arraysPerParam()} per trainable parameter. */
    protected final List<Tensor> state = new ArrayList<>();
    protected long steps;

    /** One update of every parameter with learning rate {@code lr}, on the engine of the network the parameters belong to. */
    public final void step(Engine engine, List<Param> params, double lr) {
        prepare(params);
        steps++;
        update(engine, params, lr);
    }

    protected abstract void update(Engine engine, List<Param> params, double lr);

    /** Arrays of state kept per parameter (momentum 1, Adam 2). */
    public abstract int arraysPerParam();

    public abstract String describe();

    /** Creates the state arrays for these parameters now (so a checkpoint can be loaded into them). */
    public final void prepare(List<Param> params) {
        if (!state.isEmpty()) return;
        for (Param p : params) {
            for (int k = 0; k < arraysPerParam(); k++) state.add(Tensor.zeros(p.value().type(), p.value().shape()));
        }
    }

    public final List<Tensor> state() {
        return state;
    }

    public final long steps() {
        return steps;
    }

    public final void setSteps(long steps) {
        this.steps = steps;
    }
}
