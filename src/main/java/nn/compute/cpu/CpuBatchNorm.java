package nn.compute.cpu;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import nn.compute.Engine;
import nn.compute.Tensor;

/**
 * Batch normalisation. Double tensors take the plain loops (the reference), float tensors the
 * fast path below them:
 * <pre>
 *   x̂ = (x − μ_B) / sqrt(σ²_B + ε),   y = γ·x̂ + β
 *   backward: dβ = Σ δ,  dγ = Σ δ·x̂,  dx = γ / (N·σ) · (N·δ − Σ δ − x̂·Σ δ·x̂)
 * </pre>
 * Loops run over rows, then channels: the values of one channel are `channels` apart.
 */
final class CpuBatchNorm implements Engine.BatchNorm {
    private final int channels;
    private final double eps, momentum;
    /** Per batch size: x̂ of the last forward. */
    private final Map<Integer, Tensor> xhatByBatch = new HashMap<>();
    private Tensor xhat;
    private boolean training;
    // Per-channel scratch, sized once: nothing is allocated per batch.
    private final double[] mean, var, invStd, g, sumD, sumDX, scale;

    CpuBatchNorm(int channels, double eps, double momentum) {
        this.channels = channels;
        this.eps = eps;
        this.momentum = momentum;
        mean = new double[channels];
        var = new double[channels];
        invStd = new double[channels];
        g = new double[channels];
        sumD = new double[channels];
        sumDX = new double[channels];
        scale = new double[channels];
    }

    @Override
    public void forward(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, Tensor y, boolean training) {
        this.training = training;
        xhat = xhatByBatch.computeIfAbsent((int) x.shape()[0], n -> Tensor.zeros(x.type(), x.shape()));
        int rows = x.length / channels;
        if (x instanceof Tensor.F32 && y instanceof Tensor.F32) {
            forwardFloat(x, gamma, beta, runningMean, runningVar, y, rows);
            return;
        }
        if (training) {
            Arrays.fill(mean, 0);
            Arrays.fill(var, 0);
            for (int r = 0, i = 0; r < rows; r++) for (int c = 0; c < channels; c++, i++) mean[c] += x.get(i);
            for (int c = 0; c < channels; c++) mean[c] /= rows;
            for (int r = 0, i = 0; r < rows; r++) {
                for (int c = 0; c < channels; c++, i++) {
                    double d = x.get(i) - mean[c];
                    var[c] += d * d;
                }
            }
            for (int c = 0; c < channels; c++) var[c] /= rows;
            updateRunningStatistics(runningMean, runningVar, rows);
        } else {
            useRunningStatistics(runningMean, runningVar);
        }
        setScale(gamma);
        for (int r = 0, i = 0; r < rows; r++) {
            for (int c = 0; c < channels; c++, i++) {
                double h = (x.get(i) - mean[c]) * invStd[c];
                xhat.set(i, h);
                y.set(i, g[c] * h + beta.get(c));            // y = γ·x̂ + β
            }
        }
    }

    private void updateRunningStatistics(Tensor runningMean, Tensor runningVar, int rows) {
        for (int c = 0; c < channels; c++) {
            double unbiased = rows > 1 ? var[c] * rows / (rows - 1) : var[c];
            runningMean.set(c, (1 - momentum) * runningMean.get(c) + momentum * mean[c]);
            runningVar.set(c, (1 - momentum) * runningVar.get(c) + momentum * unbiased);
        }
    }

    private void useRunningStatistics(Tensor runningMean, Tensor runningVar) {
        for (int c = 0; c < channels; c++) {
            mean[c] = runningMean.get(c);
            var[c] = runningVar.get(c);
        }
    }

    private void setScale(Tensor gamma) {
        for (int c = 0; c < channels; c++) {
            invStd[c] = 1 / Math.sqrt(var[c] + eps);
            g[c] = gamma.get(c);
        }
    }

    @Override
    public void backward(Tensor delta, Tensor gamma, Tensor dGamma, Tensor dBeta, Tensor dx) {
        int rows = delta.length / channels;
        if (delta instanceof Tensor.F32 && dx instanceof Tensor.F32) {
            backwardFloat(delta, dGamma, dBeta, dx, rows);
            return;
        }
        Arrays.fill(sumD, 0);
        Arrays.fill(sumDX, 0);
        for (int r = 0, i = 0; r < rows; r++) {
            for (int c = 0; c < channels; c++, i++) {
                double d = delta.get(i);
                sumD[c] += d;
                sumDX[c] += d * xhat.get(i);
            }
        }
        for (int c = 0; c < channels; c++) {
            dBeta.set(c, sumD[c]);       // dβ = Σ δ
            dGamma.set(c, sumDX[c]);     // dγ = Σ δ·x̂
            scale[c] = g[c] * invStd[c] / rows;
        }
        if (!training) {
            // Inference uses fixed running statistics, so x̂ is affine in x: dx = δ·γ/σ (saliency maps).
            for (int r = 0, i = 0; r < rows; r++) for (int c = 0; c < channels; c++, i++) dx.set(i, delta.get(i) * g[c] * invStd[c]);
            return;
        }
        for (int r = 0, i = 0; r < rows; r++) {
            for (int c = 0; c < channels; c++, i++) {
                dx.set(i, scale[c] * (rows * delta.get(i) - sumD[c] - xhat.get(i) * sumDX[c]));
            }
        }
    }

    // The float fast path: the same loops over chunks of rows copied into Java arrays (see
    // Scratch), rows split over the Team. Per-channel values are repeated over a chunk's rows, so
    // every loop runs flat over a chunk: a short inner loop over the channels is not vectorised.
    // Each thread sums its chunks element-wise, then per channel, in double; the threads' sums
    // are added in part order, so the same threads give the same numbers. Forward's values are
    // computed in double too (see there); only backward's last step runs in float. FastPathTest
    // checks the path against the loops above.

    /** Rows per chunk: about 4K values. */
    private int chunkRows() {
        return Math.max(1, 4096 / channels);
    }

    /** Per-thread sums over channels, [2 · threads][channels], zeroed here. */
    private double[][] partial = new double[0][];

    private double[][] partialSums() {
        if (partial.length != 2 * Team.size()) partial = new double[2 * Team.size()][channels];
        for (double[] p : partial) Arrays.fill(p, 0);
        return partial;
    }

    /** Σ over threads of sums[2·part + which] into out. */
    private static void addUp(double[][] sums, int which, double[] out) {
        Arrays.fill(out, 0);
        for (int p = which; p < sums.length; p += 2) for (int c = 0; c < out.length; c++) out[c] += sums[p][c];
    }

    /** One channel value per element of a chunk: v[c]·factor repeated chunkRows times. */
    private double[] repeated(double[] v, double factor) {
        double[] out = new double[chunkRows() * channels];
        for (int i = 0; i < out.length; i++) out[i] = v[i % channels] * factor;
        return out;
    }

    private static float[] floats(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) v[i];
        return out;
    }

    private void forwardFloat(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, Tensor y, int rows) {
        int chunk = chunkRows();
        double[] m;   // the mean, repeated over a chunk
        if (training) {
            double[][] sums = partialSums();
            Team.split(rows, chunk, (part, first, last) -> sumChunks(x, null, null, first, last, sums[2 * part], null));
            addUp(sums, 0, mean);
            for (int c = 0; c < channels; c++) mean[c] /= rows;
            m = repeated(mean, 1);
            double[][] squares = partialSums();
            Team.split(rows, chunk, (part, first, last) -> sumChunks(x, null, m, first, last, squares[2 * part], null));
            addUp(squares, 0, var);
            for (int c = 0; c < channels; c++) var[c] /= rows;
            updateRunningStatistics(runningMean, runningVar, rows);
        } else {
            useRunningStatistics(runningMean, runningVar);
            m = repeated(mean, 1);
        }
        setScale(gamma);
        double[] b = new double[channels];
        for (int c = 0; c < channels; c++) b[c] = beta.get(c);
        // x̂ and y in double, rounded once, as the loops above: a last-bit difference in y flips
        // a following ReLU where y is near 0, and the gradient with it.
        double[] inv = repeated(invStd, 1), gd = repeated(g, 1), bd = repeated(b, 1);
        Tensor xh = xhat;
        Team.split(rows, chunk, (part, first, last) -> {
            float[] in = Scratch.floats(0, m.length), h = Scratch.floats(1, m.length), out = Scratch.floats(2, m.length);
            for (int r0 = first; r0 < last; r0 += chunk) {
                int n = Math.min(chunk, last - r0) * channels, at = r0 * channels;
                x.copyTo(at, in, 0, n);
                for (int i = 0; i < n; i++) {
                    double v = (in[i] - m[i]) * inv[i];
                    h[i] = (float) v;
                    out[i] = (float) (gd[i] * v + bd[i]);                    // y = γ·x̂ + β
                }
                xh.copyFrom(h, 0, at, n);
                y.copyFrom(out, 0, at, n);
            }
        });
    }

    /**
     * Over rows first..last, per channel into sumA: Σ a, or Σ (a − center)² when center is
     * given; and Σ a·b into sumAB when b is given.
     */
    private void sumChunks(Tensor a, Tensor b, double[] center, int first, int last, double[] sumA, double[] sumAB) {
        int chunk = chunkRows(), size = chunk * channels;
        float[] va = Scratch.floats(0, size), vb = Scratch.floats(1, size);
        // In double: sums of gradients nearly cancel, and float sums would lose the difference.
        double[] accA = new double[size], accAB = new double[b != null ? size : 0];
        for (int r0 = first; r0 < last; r0 += chunk) {
            int n = Math.min(chunk, last - r0) * channels, at = r0 * channels;
            a.copyTo(at, va, 0, n);
            if (center != null) {
                for (int i = 0; i < n; i++) {
                    double d = va[i] - center[i];
                    accA[i] += d * d;
                }
            } else {
                for (int i = 0; i < n; i++) accA[i] += va[i];
            }
            if (b != null) {
                b.copyTo(at, vb, 0, n);
                for (int i = 0; i < n; i++) accAB[i] += (double) va[i] * vb[i];
            }
        }
        for (int i = 0; i < size; i++) sumA[i % channels] += accA[i];
        for (int i = 0; i < accAB.length; i++) sumAB[i % channels] += accAB[i];
    }

    private void backwardFloat(Tensor delta, Tensor dGamma, Tensor dBeta, Tensor dx, int rows) {
        int chunk = chunkRows();
        double[][] sums = partialSums();
        Tensor xh = xhat;
        Team.split(rows, chunk, (part, first, last) -> sumChunks(delta, xh, null, first, last, sums[2 * part], sums[2 * part + 1]));
        addUp(sums, 0, sumD);
        addUp(sums, 1, sumDX);
        for (int c = 0; c < channels; c++) {
            dBeta.set(c, sumD[c]);       // dβ = Σ δ
            dGamma.set(c, sumDX[c]);     // dγ = Σ δ·x̂
            scale[c] = g[c] * invStd[c];
        }
        // dx = γ/(N·σ)·(N·δ − Σδ − x̂·Σδ·x̂) = γ/σ·δ − γ/(N·σ)·(Σδ + x̂·Σδ·x̂). Inference uses fixed
        // statistics, so x̂ is affine in x and dx = γ/σ·δ (saliency maps): the sums drop out.
        float[] sc = floats(repeated(scale, 1)), sd = floats(repeated(sumD, training ? 1.0 / rows : 0)), sdx = floats(repeated(sumDX, training ? 1.0 / rows : 0));
        Team.split(rows, chunk, (part, first, last) -> {
            float[] d = Scratch.floats(0, sc.length), h = Scratch.floats(1, sc.length), out = Scratch.floats(2, sc.length);
            for (int r0 = first; r0 < last; r0 += chunk) {
                int len = Math.min(chunk, last - r0) * channels, at = r0 * channels;
                delta.copyTo(at, d, 0, len);
                xh.copyTo(at, h, 0, len);
                for (int i = 0; i < len; i++) out[i] = sc[i] * (d[i] - sd[i] - h[i] * sdx[i]);
                dx.copyFrom(out, 0, at, len);
            }
        });
    }
}
