package nn.model;

import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Engine;
import nn.compute.Tensor;

/**
 * Layer normalisation over the channels at each position (the features of a flat input, the
 * width of each token in a transformer):
 * <pre>
 *   y = γ ⊙ (x − μ)/σ + β        μ, σ: the mean and standard deviation of those channels
 * </pre>
 * Unlike batch norm it needs no batch statistics, so training and inference compute the same.
 * The engine's kernel holds the arithmetic and its backward.
 */
public final class LayerNorm implements Layer {
    private Param gamma, beta;
    private BatchBuffers buffers;
    private Engine.LayerNorm norm;

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    @Override
    public long parameterCount(Shape input) {
        return 2L * input.channels();
    }

    @Override
    public Shape build(Shape input, Engine engine, DataType type) {
        int channels = input.channels();
        gamma = Param.of("gamma", Tensor.zeros(type, 1, channels), false);
        beta = Param.of("beta", Tensor.zeros(type, 1, channels), false);
        gamma.value().fill(1);
        norm = engine.layerNorm(channels, type);
        buffers = new BatchBuffers(type, input.size(), input.size());
        return input;
    }

    @Override
    public void initialize(nn.random.Rng rng) {
        gamma.value().fill(1);
        beta.value().fill(0);
    }

    @Override
    public List<Param> params() {
        return List.of(gamma, beta);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        buffers.ensure((int) x.shape()[0]);
        Tensor y = buffers.output();
        norm.forward(x, gamma.value(), beta.value(), y);                       // y = γ·x̂ + β
        return y;
    }

    @Override
    public Tensor backward(Tensor delta) {
        Tensor dx = buffers.inputGrad();
        norm.backward(delta, gamma.value(), gamma.grad(), beta.grad(), dx);    // dγ, dβ, dx
        return dx;
    }

    @Override
    public String spec() {
        return "layernorm";
    }
}
