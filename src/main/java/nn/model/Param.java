package nn.model;

import nn.compute.Tensor;

/** A learned array and the gradient of the loss with respect to it, filled by backward. */
public record Param(String name, Tensor value, Tensor grad, boolean decays) {
    /** A weight (weight decay applies) or a bias/scale (it does not). */
    public static Param of(String name, Tensor value, boolean decays) {
        return new Param(name, value, Tensor.zeros(value.type(), value.shape()), decays);
    }
}
