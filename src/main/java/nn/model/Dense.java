package nn.model;

import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;

/** Fully connected layer: y = x·W + b, with W of shape [inputs, units]. */
public final class Dense implements Layer {
    private final int units;
    private Init init;
    private int inputs;
    private Param w, b;
    private BatchBuffers buffers;
    private Tensor x;
    private boolean computesInputGradient = true;

    public Dense(int units, Init init) {
        if (units < 1) throw new IllegalArgumentException("dense needs at least 1 unit, got " + units);
        this.units = units;
        this.init = init;
    }

    public int units() {
        return units;
    }

    public void setInit(Init init) {
        this.init = init;
    }

    @Override
    public Shape build(Shape input, DataType type) {
        inputs = input.size();
        w = Param.of("W", Tensor.zeros(type, inputs, units), true);
        b = Param.of("b", Tensor.zeros(type, 1, units), false);
        buffers = new BatchBuffers(type, inputs, units);
        return Shape.features(units);
    }

    @Override
    public void initialize(Rng rng) {
        init.fill(w.value(), inputs, units, rng);
        b.value().fill(0);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        this.x = x;
        int n = (int) x.shape()[0];
        buffers.ensure(n);
        Tensor y = buffers.output();
        Tensor.gemm(x, false, w.value(), false, y, 1, 0);           // y = x·W
        Tensor.addToEachRow(y, b.value());                          // y += b
        return y;
    }

    @Override
    public Tensor backward(Tensor delta) {
        Tensor.gemm(x, true, delta, false, w.grad(), 1, 0);          // dW = xᵀ·δ
        Tensor.sumRows(delta, b.grad());                             // db = Σ_rows δ
        if (!computesInputGradient) return null;
        Tensor dx = buffers.inputGrad();
        Tensor.gemm(delta, false, w.value(), true, dx, 1, 0);        // dx = δ·Wᵀ
        return dx;
    }

    @Override
    public List<Param> params() {
        return List.of(w, b);
    }

    @Override
    public void setComputesInputGradient(boolean computes) {
        computesInputGradient = computes;
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
