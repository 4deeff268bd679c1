package nn.model;

import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Engine;
import nn.compute.PoolGeometry;
import nn.compute.Tensor;

/**
 * Max pooling over k x k windows: y = the largest value of each window, per channel; backward
 * sends each δ to the window's winner (the first, on ties) and nothing to the others.
 */
public final class MaxPool2D implements Layer {
    private final int size, stride;
    private BatchBuffers buffers;
    private Engine.MaxPool pool;

    /** Set by Network when a ReLU comes right before this pool; see {@link #rectify}. */
    private boolean rectifies;

    public MaxPool2D(int size, int stride) {
        if (size < 1 || stride < 1) throw new IllegalArgumentException("pool needs size >= 1 and stride >= 1");
        this.size = size;
        this.stride = stride;
    }

    public int size() {
        return size;
    }

    public int stride() {
        return stride;
    }

    /**
     * Makes training passes compute relu(max(x)) here, and the ReLU before pass its input
     * through: max and ReLU commute (both keep the first largest value of a window, and a
     * window whose maximum is not positive gets no gradient either way), and ReLU then runs on
     * a quarter of the values, fused into the pool. Inference runs both layers as written, so
     * every layer's output stays what its name says. FastPathTest checks the fused gradients.
     */
    void rectify(boolean fused) {
        rectifies = fused;
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.height() < size || input.width() < size) throw new IllegalArgumentException(spec() + " does not fit a " + input + " input");
        return new Shape((input.height() - size) / stride + 1, (input.width() - size) / stride + 1, input.channels());
    }

    @Override
    public Shape build(Shape input, Engine engine, DataType type) {
        Shape out = outputShape(input);
        pool = engine.maxPool(new PoolGeometry(input.height(), input.width(), input.channels(), size, stride), type);
        buffers = new BatchBuffers(type, input.size(), out.size());
        return out;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        buffers.ensure((int) x.shape()[0]);
        Tensor y = buffers.output();
        pool.forward(x, y, rectifies && training);                 // y = max over each window (then relu, fused)
        return y;
    }

    @Override
    public Tensor backward(Tensor delta) {
        Tensor dx = buffers.inputGrad();
        pool.backward(delta, dx);                                   // dx[argmax] = δ
        return dx;
    }

    @Override
    public String spec() {
        return stride == size ? "pool(" + size + ")" : "pool(" + size + ",stride=" + stride + ")";
    }
}
