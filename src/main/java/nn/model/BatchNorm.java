package nn.model;

import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * Batch normalisation (Ioffe & Szegedy 2015) per channel: after a dense layer each feature is a
 * channel; after a conv layer each filter is, normalised over batch, height and width.
 * <pre>
 *   x̂ = (x − μ_B) / sqrt(σ²_B + ε),   y = γ·x̂ + β
 *   backward: dβ = Σ δ,  dγ = Σ δ·x̂,  dx = γ / (N·σ) · (N·δ − Σ δ − x̂·Σ δ·x̂)
 * </pre>
 * At inference the running averages of μ and σ² replace the batch statistics.
 */
public final class BatchNorm implements Layer {
    private static final double EPS = 1e-5;
    private static final double MOMENTUM = 0.1;

    private int channels;
    private Param gamma, beta;
    private Tensor runningMean, runningVar;
    private BatchBuffers buffers;
    private Tensor xhat;
    private boolean trainingMode;
    // Per-channel scratch, sized once in build: nothing is allocated per batch.
    private double[] mean, var, invStd, g, bt, sumD, sumDX, scale;

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    /** γ and β, and the running mean and variance saved beside them. */
    @Override
    public long parameterCount(Shape input) {
        return 4L * input.channels();
    }

    @Override
    public Shape build(Shape input, DataType type) {
        channels = input.channels();
        gamma = Param.of("gamma", Tensor.zeros(type, 1, channels), false);
        beta = Param.of("beta", Tensor.zeros(type, 1, channels), false);
        runningMean = Tensor.zeros(type, 1, channels);
        runningVar = Tensor.zeros(type, 1, channels);
        buffers = new BatchBuffers(type, input.size(), input.size());
        mean = new double[channels];
        var = new double[channels];
        invStd = new double[channels];
        g = new double[channels];
        bt = new double[channels];
        sumD = new double[channels];
        sumDX = new double[channels];
        scale = new double[channels];
        return input;
    }

    @Override
    public void initialize(Rng rng) {
        gamma.value().fill(1);
        beta.value().fill(0);
        runningMean.fill(0);
        runningVar.fill(1);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        trainingMode = training;
        buffers.ensure((int) x.shape()[0]);
        xhat = buffers.extra("xhat", () -> Tensor.zeros(x.type(), x.shape()));
        Tensor y = buffers.output();
        int rows = x.length / channels;
        // Loops run over rows, then channels: the values of one channel are `channels` apart.
        if (training) {
            java.util.Arrays.fill(mean, 0);
            java.util.Arrays.fill(var, 0);
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
                runningMean.set(c, (1 - MOMENTUM) * runningMean.get(c) + MOMENTUM * mean[c]);
                runningVar.set(c, (1 - MOMENTUM) * runningVar.get(c) + MOMENTUM * unbiased);
            }
        } else {
            for (int c = 0; c < channels; c++) {
                mean[c] = runningMean.get(c);
                var[c] = runningVar.get(c);
            }
        }
        for (int c = 0; c < channels; c++) {
            invStd[c] = 1 / Math.sqrt(var[c] + EPS);
            g[c] = gamma.value().get(c);
            bt[c] = beta.value().get(c);
        }
        for (int r = 0, i = 0; r < rows; r++) {
            for (int c = 0; c < channels; c++, i++) {
                double h = (x.get(i) - mean[c]) * invStd[c];
                xhat.set(i, h);
                y.set(i, g[c] * h + bt[c]);                    // y = γ·x̂ + β
            }
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor delta) {
        int rows = delta.length / channels;
        java.util.Arrays.fill(sumD, 0);
        java.util.Arrays.fill(sumDX, 0);
        for (int r = 0, i = 0; r < rows; r++) {
            for (int c = 0; c < channels; c++, i++) {
                double d = delta.get(i);
                sumD[c] += d;
                sumDX[c] += d * xhat.get(i);
            }
        }
        for (int c = 0; c < channels; c++) {
            beta.grad().set(c, sumD[c]);       // dβ = Σ δ
            gamma.grad().set(c, sumDX[c]);     // dγ = Σ δ·x̂
            scale[c] = g[c] * invStd[c] / rows;
        }
        Tensor dx = buffers.inputGrad();
        if (!trainingMode) {
            // Inference uses fixed running statistics, so x̂ is affine in x: dx = δ·γ/σ (saliency maps).
            for (int r = 0, i = 0; r < rows; r++) for (int c = 0; c < channels; c++, i++) dx.set(i, delta.get(i) * g[c] * invStd[c]);
            return dx;
        }
        for (int r = 0, i = 0; r < rows; r++) {
            for (int c = 0; c < channels; c++, i++) {
                dx.set(i, scale[c] * (rows * delta.get(i) - sumD[c] - xhat.get(i) * sumDX[c]));
            }
        }
        return dx;
    }

    @Override
    public List<Param> params() {
        return List.of(gamma, beta);
    }

    @Override
    public List<Tensor> buffers() {
        return List.of(runningMean, runningVar);
    }

    @Override
    public String spec() {
        return "batchnorm";
    }
}
