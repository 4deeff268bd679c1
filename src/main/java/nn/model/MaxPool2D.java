package nn.model;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * Max pooling over k x k windows. Forward remembers where each maximum came from, so backward
 * is a scatter: the gradient goes to the winning input, nothing to the others.
 * (ND4J's maxpool2d_bp recomputes the argmax and was as slow as a whole conv backward.)
 */
public final class MaxPool2D implements Layer {
    private final int size, stride;
    private int inH, inW, c, outH, outW;
    private BatchBuffers buffers;
    private int[] argmax;

    public MaxPool2D(int size, int stride) {
        if (size < 1 || stride < 1) throw new IllegalArgumentException("pool needs size >= 1 and stride >= 1");
        this.size = size;
        this.stride = stride;
    }

    @Override
    public Shape build(Shape input, DataType type) {
        inH = input.height();
        inW = input.width();
        c = input.channels();
        outH = (inH - size) / stride + 1;
        outW = (inW - size) / stride + 1;
        if (inH < size || inW < size) throw new IllegalArgumentException(spec() + " does not fit a " + input + " input");
        Shape out = new Shape(outH, outW, c);
        buffers = new BatchBuffers(type, input.size(), out.size());
        return out;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        int n = (int) x.shape()[0];
        buffers.ensure(n);
        argmax = buffers.extra("argmax", () -> new int[n * outH * outW * c]);
        Tensor y = buffers.output();
        int o = 0;
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    for (int ch = 0; ch < c; ch++, o++) {
                        int best = ((b * inH + oy * stride) * inW + ox * stride) * c + ch;
                        double max = x.get(best);
                        for (int ky = 0; ky < size; ky++) {
                            for (int kx = 0; kx < size; kx++) {
                                int i = ((b * inH + oy * stride + ky) * inW + ox * stride + kx) * c + ch;
                                double v = x.get(i);
                                // Integer selects compile to cmov; an if (or a select of doubles) became a
                                // mispredicted branch, since the winner of a window is random: 4 ms -> 2.6 ms.
                                int wins = v > max ? 1 : 0;
                                best += (i - best) * wins;
                                max = Double.longBitsToDouble(Double.doubleToRawLongBits(max)
                                        + (Double.doubleToRawLongBits(v) - Double.doubleToRawLongBits(max)) * wins);
                            }
                        }
                        y.set(o, max);
                        argmax[o] = best;
                    }
                }
            }
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor delta) {
        Tensor dx = buffers.inputGrad();
        dx.fill(0);
        for (int o = 0; o < delta.length; o++) dx.add(argmax[o], delta.get(o));   // dx[argmax] += δ
        return dx;
    }

    @Override
    public String spec() {
        return stride == size ? "pool(" + size + ")" : "pool(" + size + ",stride=" + stride + ")";
    }
}
