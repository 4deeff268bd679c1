package nn.model;

import java.util.HashMap;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Engine;
import nn.compute.Tensor;
import nn.random.Rng;

/**
 * Inverted dropout: in training each value is zeroed with probability p and the survivors
 * scaled by 1/(1-p), so at inference the layer is the identity and needs no rescaling.
 */
public final class Dropout implements Layer {
    private final double p;
    private Engine engine;
    private BatchBuffers buffers;
    private final Map<Integer, Tensor> masks = new HashMap<>();   // one per batch size
    private Tensor mask;
    private Rng rng = new Rng(0);
    private boolean active;

    public Dropout(double p) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + p);
        this.p = p;
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
    public void setRng(Rng rng) {
        this.rng = rng;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        active = training && p > 0;
        if (!active) return x;
        int n = (int) x.shape()[0];
        buffers.ensure(n);
        mask = masks.computeIfAbsent(n, k -> Tensor.zeros(x.type(), x.shape()));
        Tensor y = buffers.output();
        engine.dropoutMask(mask, p, rng);                          // mask = 1/(1−p) with probability 1−p, else 0
        engine.multiply(x, mask, y);                               // y = x ⊙ mask
        return y;
    }

    @Override
    public Tensor backward(Tensor delta) {
        if (!active) return delta;
        Tensor dx = buffers.inputGrad();
        engine.multiply(delta, mask, dx);                          // dx = δ ⊙ mask
        return dx;
    }

    @Override
    public String spec() {
        return "dropout(" + p + ")";
    }
}
