package nn.model;

import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Engine;
import nn.compute.Tensor;
import nn.random.Rng;

/**
 * Batch normalisation (Ioffe & Szegedy 2015) per channel: after a dense layer each feature is a
 * channel; after a conv layer each filter is, normalised over batch, height and width.
 * <pre>
 *   x̂ = (x − μ_B) / sqrt(σ²_B + ε),   y = γ·x̂ + β
 *   backward: dβ = Σ δ,  dγ = Σ δ·x̂,  dx = γ / (N·σ) · (N·δ − Σ δ − x̂·Σ δ·x̂)
 * </pre>
 * At inference the running averages of μ and σ² (momentum 0.1, σ² unbiased) replace the batch statistics.
 */
public final class BatchNorm implements Layer {
    private static final double EPS = 1e-5;
    private static final double MOMENTUM = 0.1;

    private Param gamma, beta;
    private Tensor runningMean, runningVar;
    private BatchBuffers buffers;
    private Engine.BatchNorm norm;

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    /** γ and β, and the running mean and variance saved beside them. */
    @Override
    public long parameterCount(Shape input) {
        return 4L * input.channels();
    }

    @Override
    public Shape build(Shape input, Engine engine, DataType type) {
        int channels = input.channels();
        gamma = Param.of("gamma", Tensor.zeros(type, 1, channels), false);
        beta = Param.of("beta", Tensor.zeros(type, 1, channels), false);
        runningMean = Tensor.zeros(type, 1, channels);
        runningVar = Tensor.zeros(type, 1, channels);
        buffers = new BatchBuffers(type, input.size(), input.size());
        norm = engine.batchNorm(channels, EPS, MOMENTUM, type);
        return input;
    }

    @Override
    public void initialize(Rng rng) {
        gamma.value().fill(1);
        beta.value().fill(0);
        runningMean.fill(0);
        runningVar.fill(1);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        buffers.ensure((int) x.shape()[0]);
        Tensor y = buffers.output();
        norm.forward(x, gamma.value(), beta.value(), runningMean, runningVar, y, training);   // y = γ·x̂ + β
        return y;
    }

    @Override
    public Tensor backward(Tensor delta) {
        Tensor dx = buffers.inputGrad();
        norm.backward(delta, gamma.value(), gamma.grad(), beta.grad(), dx);                  // dγ, dβ, dx
        return dx;
    }

    @Override
    public List<Param> params() {
        return List.of(gamma, beta);
    }

    @Override
    public List<Tensor> buffers() {
        return List.of(runningMean, runningVar);
    }

    @Override
    public String spec() {
        return "batchnorm";
    }
}
