package nn.model;

import nn.compute.Nonlinearity;
import nn.compute.Tensor;
import nn.random.Rng;

/**
 * How a layer's weights start. The variance is chosen so that activations neither explode nor
 * vanish through many layers: He for ReLU-like units (which zero half their inputs), Glorot
 * (Xavier) for symmetric squashing units like tanh and sigmoid.
 */
public enum Init {
    /** He et al. 2015: normal with variance 2 / fan_in. */
    HE,
    /** Glorot & Bengio 2010: uniform in ±sqrt(6 / (fan_in + fan_out)). */
    XAVIER;

    public void fill(Tensor w, int fanIn, int fanOut, Rng rng) {
        if (this == HE) {
            double std = Math.sqrt(2.0 / fanIn);
            w.fill(i -> rng.nextGaussian() * std);
        } else {
            double limit = Math.sqrt(6.0 / (fanIn + fanOut));
            w.fill(i -> (2 * rng.nextDouble() - 1) * limit);
        }
    }

    /** The right choice for weights feeding the given activation (null: the output layer). */
    public static Init forActivation(Nonlinearity next) {
        return next == Nonlinearity.RELU || next == Nonlinearity.GELU ? HE : XAVIER;
    }
}
