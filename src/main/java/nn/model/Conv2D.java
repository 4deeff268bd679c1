package nn.model;

import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.ConvGeometry;
import nn.compute.Engine;
import nn.compute.Tensor;

/**
 * 2-D convolution: k x k windows over NHWC images, {@code filters} outputs per pixel.
 * <pre>
 *   y[n, oy, ox, f] = b[f] + Σ_{ky, kx, c} x[n, oy·s − p + ky, ox·s − p + kx, c] · W[(ky·k + kx)·C + c, f]
 *   backward:  dW = Σ over pixels of (receptive field)ᵀ·δ,   db = Σ δ,   dx = the adjoint of the window gather applied to δ·Wᵀ
 * </pre>
 * The engine's kernel does the arithmetic (the cpu engine as one im2col product per batch, the
 * nd4j engine through ND4J's conv2d and conv2d_bp).
 */
public final class Conv2D extends WeightedLayer {
    private final int filters, kernel, stride, padding;
    private int outH, outW, patch;
    private BatchBuffers buffers;
    private Engine.Conv2d conv;

    public Conv2D(int filters, int kernel, int stride, int padding, Init init) {
        super(init);
        if (filters < 1 || kernel < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException("conv needs filters >= 1, kernel >= 1, stride >= 1, padding >= 0");
        }
        this.filters = filters;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    public int filters() {
        return filters;
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.height() + 2 * padding < kernel || input.width() + 2 * padding < kernel) {
            throw new IllegalArgumentException(spec() + " does not fit a " + input + " input");
        }
        return new Shape((input.height() + 2 * padding - kernel) / stride + 1, (input.width() + 2 * padding - kernel) / stride + 1, filters);
    }

    @Override
    public long parameterCount(Shape input) {
        return ((long) kernel * kernel * input.channels() + 1) * filters;
    }

    @Override
    public Shape build(Shape input, Engine engine, DataType type) {
        this.engine = engine;
        Shape out = outputShape(input);
        outH = out.height();
        outW = out.width();
        patch = kernel * kernel * input.channels();
        conv = engine.conv2d(new ConvGeometry(input.height(), input.width(), input.channels(), filters, kernel, stride, padding), type);
        createParams(type, patch, filters);
        buffers = new BatchBuffers(type, input.size(), out.size());
        return out;
    }

    @Override
    protected int fanOut() {
        return kernel * kernel * filters;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        buffers.ensure((int) x.shape()[0]);
        Tensor y = buffers.output();
        conv.forward(x, w.value(), b.value(), y);                              // y = x ⊛ W + b
        return y;
    }

    @Override
    public Tensor backward(Tensor delta) {
        Tensor dx = computesInputGradient ? buffers.inputGrad() : null;
        conv.backward(delta, w.value(), w.grad(), b.grad(), dx);             // dW, db, dx
        return dx;
    }

    @Override
    public long forwardFlops() {
        return 2L * outH * outW * patch * filters;
    }

    @Override
    public String spec() {
        String s = "conv(" + filters + "," + kernel;
        if (stride != 1) s += ",stride=" + stride;
        if (padding != 0) s += ",pad=" + padding;
        return s + ")";
    }
}
