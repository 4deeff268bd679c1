package nn.compute.cpu;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import nn.compute.Engine;
import nn.compute.Tensor;

/**
 * Batch normalisation as plain loops (the reference; it is a small share of any step):
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
            for (int c = 0; c < channels; c++) {
                var[c] /= rows;
                double unbiased = rows > 1 ? var[c] * rows / (rows - 1) : var[c];
                runningMean.set(c, (1 - momentum) * runningMean.get(c) + momentum * mean[c]);
                runningVar.set(c, (1 - momentum) * runningVar.get(c) + momentum * unbiased);
            }
        } else {
            for (int c = 0; c < channels; c++) {
                mean[c] = runningMean.get(c);
                var[c] = runningVar.get(c);
            }
        }
        for (int c = 0; c < channels; c++) {
            invStd[c] = 1 / Math.sqrt(var[c] + eps);
            g[c] = gamma.get(c);
        }
        for (int r = 0, i = 0; r < rows; r++) {
            for (int c = 0; c < channels; c++, i++) {
                double h = (x.get(i) - mean[c]) * invStd[c];
                xhat.set(i, h);
                y.set(i, g[c] * h + beta.get(c));            // y = γ·x̂ + β
            }
        }
    }

    @Override
    public void backward(Tensor delta, Tensor gamma, Tensor dGamma, Tensor dBeta, Tensor dx) {
        int rows = delta.length / channels;
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
}
