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

    /** Set by Network when a ReLU comes right before this pool; see {@link #rectify}. */
    private boolean rectifies;
    private boolean rectifiedLast;

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
     * a quarter of the values, fused into this loop. Inference runs both layers as written, so
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
    public Shape build(Shape input, DataType type) {
        Shape out = outputShape(input);
        inH = input.height();
        inW = input.width();
        c = input.channels();
        outH = out.height();
        outW = out.width();
        buffers = new BatchBuffers(type, input.size(), out.size());
        return out;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        int n = (int) x.shape()[0];
        buffers.ensure(n);
        argmax = buffers.extra("argmax", () -> new int[n * outH * outW * c]);
        Tensor y = buffers.output();
        rectifiedLast = rectifies && training;
        int[] argmax = this.argmax;
        if (x instanceof Tensor.F32 && y instanceof Tensor.F32) {
            Team.split(n, 1, (part, first, last) -> {
                for (int b = first; b < last; b++) forwardFloat(x, y, b);
            });
            return y;
        }
        Team.split(n, 1, (part, first, last) -> {
            int o = first * outH * outW * c;
            for (int b = first; b < last; b++) {
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
                            y.set(o, rectifiedLast ? Activation.relu(max) : max);
                            argmax[o] = best;
                        }
                    }
                }
            }
        });
        return y;
    }

    @Override
    public Tensor backward(Tensor delta) {
        Tensor dx = buffers.inputGrad();
        int[] argmax = this.argmax;
        int perImageIn = inH * inW * c, perImageOut = outH * outW * c;
        // Each image's maxima lie in that image, so threads owning whole images never touch the same dx.
        if (delta instanceof Tensor.F32 && dx instanceof Tensor.F32) {
            Team.split(delta.length / perImageOut, 1, (part, first, last) -> {
                for (int b = first; b < last; b++) backwardFloat(delta, dx, b);
            });
            return dx;
        }
        Team.split(delta.length / perImageOut, 1, (part, first, last) -> {
            for (int i = first * perImageIn; i < last * perImageIn; i++) dx.set(i, 0);
            Tensor y = buffers.output();
            for (int o = first * perImageOut; o < last * perImageOut; o++) {
                if (!rectifiedLast || y.get(o) > 0) dx.add(argmax[o], delta.get(o));   // dx[argmax] += δ (· relu'(max))
            }
        });
        return dx;
    }

    // The float fast paths: the loops above over one image copied into Java arrays (see Scratch);
    // FastPathTest checks that they agree.

    private void forwardFloat(Tensor x, Tensor y, int b) {
        int inSize = inH * inW * c, outSize = outH * outW * c, base = b * inSize, argBase = b * outSize;
        float[] in = Scratch.floats(0, inSize), out = Scratch.floats(1, outSize);
        x.copyTo(base, in, 0, inSize);
        if (size == 2 && stride == 2) {
            forwardFloat2x2(in, out, base, argBase);
        } else {
            forwardFloatAnyWindow(in, out, base, argBase);
        }
        if (rectifiedLast) {
            for (int o = 0; o < outSize; o++) out[o] = Activation.relu(out[o]);
        }
        y.copyFrom(out, 0, argBase, outSize);
    }

    /** The common 2x2 window, stride 2: the four candidates of each channel side by side, in window order. */
    private void forwardFloat2x2(float[] in, float[] out, int base, int argBase) {
        int rowStep = inW * c;
        for (int oy = 0; oy < outH; oy++) {
            for (int ox = 0; ox < outW; ox++) {
                int o = (oy * outW + ox) * c, i00 = (2 * oy * inW + 2 * ox) * c, i01 = i00 + c, i10 = i00 + rowStep, i11 = i10 + c;
                for (int ch = 0; ch < c; ch++) {
                    float a = in[i00 + ch], b = in[i01 + ch], d = in[i10 + ch], e = in[i11 + ch];
                    // Strictly greater replaces: ties keep the earlier position, as the general loop
                    // does. Branch-free (the winner of a window is random, so a branch mispredicts).
                    int best = i00 + ch, wins = b > a ? 1 : 0;
                    best += (i01 - i00) * wins;
                    float max = Math.max(a, b);
                    wins = d > max ? 1 : 0;
                    best += (i10 + ch - best) * wins;
                    max = Math.max(max, d);
                    wins = e > max ? 1 : 0;
                    best += (i11 + ch - best) * wins;
                    out[o + ch] = in[best];
                    argmax[argBase + o + ch] = base + best;
                }
            }
        }
    }

    private void forwardFloatAnyWindow(float[] in, float[] out, int base, int argBase) {
        // Channels innermost: each window position is one contiguous run of c values in NHWC,
        // compared against the running maxima of the c channels at once.
        for (int oy = 0; oy < outH; oy++) {
            for (int ox = 0; ox < outW; ox++) {
                int o = (oy * outW + ox) * c, first = (oy * stride * inW + ox * stride) * c;
                for (int ch = 0; ch < c; ch++) {
                    out[o + ch] = in[first + ch];
                    argmax[argBase + o + ch] = base + first + ch;
                }
                for (int ky = 0; ky < size; ky++) {
                    for (int kx = ky == 0 ? 1 : 0; kx < size; kx++) {
                        int at = ((oy * stride + ky) * inW + ox * stride + kx) * c;
                        for (int ch = 0; ch < c; ch++) {
                            float v = in[at + ch], max = out[o + ch];
                            int wins = v > max ? 1 : 0;
                            argmax[argBase + o + ch] += (base + at + ch - argmax[argBase + o + ch]) * wins;
                            out[o + ch] = Float.intBitsToFloat(Float.floatToRawIntBits(max)
                                    + (Float.floatToRawIntBits(v) - Float.floatToRawIntBits(max)) * wins);
                        }
                    }
                }
            }
        }
    }

    private void backwardFloat(Tensor delta, Tensor dx, int b) {
        int inSize = inH * inW * c, outSize = outH * outW * c, base = b * inSize;
        float[] d = Scratch.floats(0, outSize), acc = Scratch.floats(1, inSize);
        delta.copyTo(b * outSize, d, 0, outSize);
        if (rectifiedLast) {
            float[] y = Scratch.floats(2, outSize);
            buffers.output().copyTo(b * outSize, y, 0, outSize);
            for (int o = 0; o < outSize; o++) d[o] = y[o] > 0 ? d[o] : 0f;   // relu'(max)
        }
        java.util.Arrays.fill(acc, 0, inSize, 0f);
        for (int o = 0; o < outSize; o++) acc[argmax[b * outSize + o] - base] += d[o];
        dx.copyFrom(acc, 0, base, inSize);
    }

    @Override
    public String spec() {
        return stride == size ? "pool(" + size + ")" : "pool(" + size + ",stride=" + stride + ")";
    }
}
