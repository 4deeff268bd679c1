package nn.model;

import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Engine;
import nn.compute.Tensor;

/** Fully connected layer: y = x·W + b, with W of shape [inputs, units]. */
public final class Dense extends WeightedLayer {
    private final int units;
    private int inputs;
    private BatchBuffers buffers;
    private Tensor x;

    public Dense(int units, Init init) {
        super(init);
        if (units < 1) throw new IllegalArgumentException("dense needs at least 1 unit, got " + units);
        this.units = units;
    }

    public int units() {
        return units;
    }

    @Override
    public Shape outputShape(Shape input) {
        return Shape.features(units);
    }

    @Override
    public long parameterCount(Shape input) {
        return ((long) input.size() + 1) * units;
    }

    @Override
    public Shape build(Shape input, Engine engine, DataType type) {
        this.engine = engine;
        inputs = input.size();
        createParams(type, inputs, units);
        buffers = new BatchBuffers(type, inputs, units);
        return outputShape(input);
    }

    @Override
    protected int fanOut() {
        return units;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        this.x = x;
        buffers.ensure((int) x.shape()[0]);
        Tensor y = buffers.output();
        engine.gemm(x, false, w.value(), false, y, 1, 0);           // y = x·W
        engine.addToEachRow(y, b.value());                          // y += b
        return y;
    }

    @Override
    public Tensor backward(Tensor delta) {
        engine.gemm(x, true, delta, false, w.grad(), 1, 0);          // dW = xᵀ·δ
        engine.sumRows(delta, b.grad());                             // db = Σ_rows δ
        if (!computesInputGradient) return null;
        Tensor dx = buffers.inputGrad();
        engine.gemm(delta, false, w.value(), true, dx, 1, 0);        // dx = δ·Wᵀ
        return dx;
    }

    @Override
    public long forwardFlops() {
        return 2L * inputs * units;
    }

    @Override
    public String spec() {
        return "dense(" + units + ")";
    }
}
