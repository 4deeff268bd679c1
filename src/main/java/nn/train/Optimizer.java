package nn.train;

import java.util.List;

import nn.model.Param;
import nn.model.Tensor;

/** Updates parameters from their gradients. Its state (momenta, moments) is saved in checkpoints. */
public interface Optimizer {
    /** One update of every parameter with learning rate {@code lr}. */
    void step(List<Param> params, double lr);

    /** The optimiser's arrays, in a fixed order, created on the first step (empty before it). */
    List<Tensor> state();

    /** Number of steps taken (Adam's bias correction needs it). */
    long steps();

    void setSteps(long steps);

    /** Creates the state arrays for these parameters now (so a checkpoint can be loaded into them). */
    void prepare(List<Param> params);

    String describe();
}
