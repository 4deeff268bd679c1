package nn.model;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * Inverted dropout: in training each value is zeroed with probability p and the survivors
 * scaled by 1/(1-p), so at inference the layer is the identity and needs no rescaling.
 */
public final class Dropout implements Layer {
    private final double p;
    private BatchBuffers buffers;
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
    public Shape build(Shape input, DataType type) {
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
        buffers.ensure((int) x.shape()[0]);
        mask = buffers.extra("mask", () -> Tensor.zeros(x.type(), x.shape()));
        Tensor y = buffers.output();
        double keep = 1 / (1 - p);
        for (int i = 0; i < y.length; i++) {
            double m = rng.nextFloat() >= p ? keep : 0;
            mask.set(i, m);
            y.set(i, x.get(i) * m);
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor delta) {
        if (!active) return delta;
        Tensor dx = buffers.inputGrad();
        for (int i = 0; i < dx.length; i++) dx.set(i, delta.get(i) * mask.get(i));   // dx = δ ⊙ mask
        return dx;
    }

    @Override
    public String spec() {
        return "dropout(" + p + ")";
    }
}
