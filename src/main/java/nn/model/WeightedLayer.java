package nn.model;

import java.util.List;

import nn.compute.Engine;
import nn.compute.Tensor;
import nn.random.Rng;

/**
 * What Dense and Conv2D share: a weight matrix W [fan-in, outputs] and a bias b [1, outputs],
 * initialised for the activation that follows, and the option to skip dL/dx in the first layer.
 */
public abstract class WeightedLayer implements Layer {
    protected Param w, b;
    protected Init init;
    protected boolean computesInputGradient = true;
    protected Engine engine;

    protected WeightedLayer(Init init) {
        this.init = init;
    }

    public void setInit(Init init) {
        this.init = init;
    }

    /** Creates W and b with zeros; {@link #initialize} draws W. */
    protected void createParams(org.nd4j.linalg.api.buffer.DataType type, int fanIn, int outputs) {
        w = Param.of("W", Tensor.zeros(type, fanIn, outputs), true);
        b = Param.of("b", Tensor.zeros(type, 1, outputs), false);
    }

    /** The fan-out Glorot initialisation counts (outputs, times the kernel area for a convolution). */
    protected abstract int fanOut();

    @Override
    public void initialize(Rng rng) {
        init.fill(w.value(), (int) w.value().shape()[0], fanOut(), rng);
        b.value().fill(0);
    }

    @Override
    public List<Param> params() {
        return List.of(w, b);
    }

    @Override
    public void setComputesInputGradient(boolean computes) {
        computesInputGradient = computes;
    }
}
