package nn.model;

import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Engine;
import nn.compute.Tensor;

/**
 * {@code pool} without a size: the mean of each channel over all positions, an H x W x C map
 * (a transformer's tokens) becoming C features:
 * <pre>
 *   y[c] = (1/HW) Σ_q x[q, c]        backward: dx[q, c] = δ[c] / HW
 * </pre>
 */
public final class GlobalAveragePool implements Layer {
    private Engine engine;
    private BatchBuffers buffers;

    @Override
    public Shape outputShape(Shape input) {
        return Shape.features(input.channels());
    }

    @Override
    public Shape build(Shape input, Engine engine, DataType type) {
        this.engine = engine;
        buffers = new BatchBuffers(type, input.size(), input.channels());
        return outputShape(input);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        buffers.ensure((int) x.shape()[0]);
        engine.averagePositions(x, buffers.output());
        return buffers.output();
    }

    @Override
    public Tensor backward(Tensor delta) {
        Tensor dx = buffers.inputGrad();
        engine.averagePositionsBackward(delta, dx);
        return dx;
    }

    @Override
    public String spec() {
        return "pool";
    }
}
