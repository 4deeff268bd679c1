package nn.compute.cpu;

import java.util.HashMap;
import java.util.Map;

import nn.compute.Engine;
import nn.compute.PoolGeometry;
import nn.compute.Tensor;

/**
 * Max pooling. Forward remembers where each maximum came from, so backward is a scatter: the
 * gradient goes to the winning input, nothing to the others. (ND4J's maxpool2d_bp recomputes the
 * argmax and was as slow as a whole conv backward.) Double tensors take the plain loops (the
 * reference), float tensors the fast paths below them where nn ships no oneDNN (ARM): elsewhere
 * float pools go to {@link OneDnnMaxPool}, which OneDnnMaxPoolTest holds to this class.
 */
final class CpuMaxPool implements Engine.MaxPool {
    private final int size, stride, inH, inW, c, outH, outW;
    /** Per batch size: the flat input index of each output's maximum. */
    private final Map<Integer, int[]> argmaxByBatch = new HashMap<>();
    private int[] argmax;
    private Tensor y;
    private boolean rectified;
    /** Whether the last forward filled argmax (inference skips it where it can). */
    private boolean winnersKept;

    CpuMaxPool(PoolGeometry g) {
        this.size = g.size();
        this.stride = g.stride();
        this.inH = g.inH();
        this.inW = g.inW();
        this.c = g.channels();
        this.outH = g.outH();
        this.outW = g.outW();
    }

    @Override
    public void forward(Tensor x, Tensor y, boolean rectify, boolean forBackward) {
        int n = (int) x.shape()[0];
        int[] argmax = argmaxByBatch.computeIfAbsent(n, k -> new int[k * outH * outW * c]);
        this.argmax = argmax;
        this.y = y;
        this.rectified = rectify;
        if (x instanceof Tensor.F32 && y instanceof Tensor.F32) {
            boolean maxOnly = !forBackward && size == 2 && stride == 2;
            winnersKept = !maxOnly;
            Team.split(n, 1, (part, first, last) -> {
                for (int b = first; b < last; b++) forwardFloat(x, y, b, maxOnly);
            });
            return;
        }
        winnersKept = true;
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
                            y.set(o, rectify ? CpuEngine.relu(max) : max);
                            argmax[o] = best;
                        }
                    }
                }
            }
        });
    }

    @Override
    public void backward(Tensor delta, Tensor dx) {
        if (!winnersKept) throw new IllegalStateException("max-pool backward after a forward for inference only");
        int[] argmax = this.argmax;
        int perImageIn = inH * inW * c, perImageOut = outH * outW * c;
        // Each image's maxima lie in that image, so threads owning whole images never touch the same dx.
        if (delta instanceof Tensor.F32 && dx instanceof Tensor.F32) {
            Team.split(delta.length / perImageOut, 1, (part, first, last) -> {
                for (int b = first; b < last; b++) backwardFloat(delta, dx, b);
            });
            return;
        }
        Tensor y = this.y;
        Team.split(delta.length / perImageOut, 1, (part, first, last) -> {
            for (int i = first * perImageIn; i < last * perImageIn; i++) dx.set(i, 0);
            for (int o = first * perImageOut; o < last * perImageOut; o++) {
                if (!rectified || y.get(o) > 0) dx.add(argmax[o], delta.get(o));   // dx[argmax] += δ (· relu'(max))
            }
        });
    }

    // The float fast paths: the loops above over one image copied into Java arrays (see Scratch);
    // OneDnnMaxPoolTest checks that they agree (and FastPathTest where nn ships no oneDNN).

    private void forwardFloat(Tensor x, Tensor y, int b, boolean maxOnly) {
        int inSize = inH * inW * c, outSize = outH * outW * c, base = b * inSize, argBase = b * outSize;
        float[] in = Scratch.floats(0, inSize), out = Scratch.floats(1, outSize);
        x.copyTo(base, in, 0, inSize);
        if (maxOnly) {
            maxFloat2x2(in, out);
        } else if (size == 2 && stride == 2) {
            forwardFloat2x2(in, out, base, argBase);
        } else {
            forwardFloatAnyWindow(in, out, base, argBase);
        }
        if (rectified) {
            for (int o = 0; o < outSize; o++) out[o] = CpuEngine.relu(out[o]);
        }
        y.copyFrom(out, 0, argBase, outSize);
    }

    /** The common 2x2 window, stride 2: the four candidates of each channel side by side, in window order. */
    private void forwardFloat2x2(float[] in, float[] out, int base, int argBase) {
        int rowStep = inW * c;
        int[] argmax = this.argmax;
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
                    out[o + ch] = Math.max(max, e);   // = in[best] (NaN aside), without a load that waits for best: 9.5-10.9 -> 7.3-7.9 µs an image
                    argmax[argBase + o + ch] = base + best;
                }
            }
        }
    }

    /** The 2x2 window, stride 2, for inference: the maxima alone (3.2-4.0 µs an image against 9.5-10.9 with winners). */
    private void maxFloat2x2(float[] in, float[] out) {
        int rowStep = inW * c;
        for (int oy = 0; oy < outH; oy++) {
            for (int ox = 0; ox < outW; ox++) {
                int o = (oy * outW + ox) * c, i00 = (2 * oy * inW + 2 * ox) * c, i01 = i00 + c, i10 = i00 + rowStep, i11 = i10 + c;
                for (int ch = 0; ch < c; ch++) {
                    out[o + ch] = Math.max(Math.max(in[i00 + ch], in[i01 + ch]), Math.max(in[i10 + ch], in[i11 + ch]));
                }
            }
        }
    }

    private void forwardFloatAnyWindow(float[] in, float[] out, int base, int argBase) {
        int[] argmax = this.argmax;
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
        if (rectified) {
            float[] out = Scratch.floats(2, outSize);
            y.copyTo(b * outSize, out, 0, outSize);
            for (int o = 0; o < outSize; o++) d[o] = CpuEngine.keepIfPositive(d[o], out[o]);   // relu'(max), branch-free
        }
        java.util.Arrays.fill(acc, 0, inSize, 0f);
        for (int o = 0; o < outSize; o++) acc[argmax[b * outSize + o] - base] += d[o];
        dx.copyFrom(acc, 0, base, inSize);
    }
}
