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
        return forward(x, false, true);
    }

    /**
     * max(x), or relu(max(x)) when {@code rectify}: the ReLU right before this pool, applied here
     * to a quarter of the values (see Network). Without {@code forBackward} (inference) no backward
     * may follow, and the pool need not remember each window's winner.
     */
    Tensor forward(Tensor x, boolean rectify, boolean forBackward) {
        buffers.ensure((int) x.shape()[0]);
        Tensor y = buffers.output();
        pool.forward(x, y, rectify, forBackward);                   // y = max over each window (then relu)
        return y;
    }

    @Override
    public Tensor backward(Tensor delta) {
        Tensor dx = buffers.inputGrad();
        pool.backward(delta, dx);                                   // dx[argmax] = δ (times relu'(max) if rectified)
        return dx;
    }

    @Override
    public String spec() {
        return stride == size ? "pool(" + size + ")" : "pool(" + size + ",stride=" + stride + ")";
    }
}
