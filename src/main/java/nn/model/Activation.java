package nn.model;

import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Engine;
import nn.compute.Nonlinearity;
import nn.compute.Tensor;

/** An element-wise non-linearity y = f(x); backward multiplies by f'(x). */
public final class Activation implements Layer {
    private final Nonlinearity fn;
    private Engine engine;
    private BatchBuffers buffers;
    private Tensor x;

    public Activation(Nonlinearity fn) {
        this.fn = fn;
    }

    public Nonlinearity fn() {
        return fn;
    }

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    @Override
    public Shape build(Shape input, Engine engine, DataType type) {
        this.engine = engine;
        buffers = new BatchBuffers(type, input.size(), input.size());
        return input;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        this.x = x;
        buffers.ensure((int) x.shape()[0]);
        Tensor y = buffers.output();
        engine.activate(fn, x, y);                                  // y = f(x)
        return y;
    }

    @Override
    public Tensor backward(Tensor delta) {
        Tensor dx = buffers.inputGrad();
        engine.activateBackward(fn, x, buffers.output(), delta, dx);  // dx = δ ⊙ f'(x)
        return dx;
    }

    @Override
    public String spec() {
        return fn.name().toLowerCase(java.util.Locale.ROOT);
    }
}
