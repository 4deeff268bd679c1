package nn.compute.cpu;

import java.util.HashMap;
import java.util.Map;

import nn.compute.Engine;
import nn.compute.Tensor;

/**
 * Layer normalisation as plain loops, each row on its own (rows are split over the {@link Team}):
 * <pre>
 *   x̂ = (x − μ) / sqrt(σ² + ε),   y = γ ⊙ x̂ + β          (μ, σ² of the row; ε = 1e-5, as PyTorch)
 *   backward: dβ = Σ_rows δ,  dγ = Σ_rows δ ⊙ x̂,
 *             dx̂ = δ ⊙ γ,  dx = (dx̂ − mean(dx̂) − x̂ · mean(dx̂ ⊙ x̂)) / sqrt(σ² + ε)
 * </pre>
 */
final class CpuLayerNorm implements Engine.LayerNorm {
    private final int width;
    /** Per row count: x̂ and 1/sqrt(σ² + ε) of the last forward. */
    private final Map<Integer, Tensor> xhatByRows = new HashMap<>();
    private final Map<Integer, double[]> invStdByRows = new HashMap<>();
    private Tensor xhat;
    private double[] invStd;

    CpuLayerNorm(int width) {
        this.width = width;
    }

    @Override
    public void forward(Tensor x, Tensor gamma, Tensor beta, Tensor y) {
        int rows = x.length / width;
        xhat = xhatByRows.computeIfAbsent(rows, n -> Tensor.zeros(x.type(), n, width));
        invStd = invStdByRows.computeIfAbsent(rows, double[]::new);
        if (x instanceof Tensor.F32 && y instanceof Tensor.F32) {
            Team.split(rows, 16, (part, first, last) -> forwardFloat(x, gamma, beta, y, first, last));
            return;
        }
        Team.split(rows, 16, (part, first, last) -> {
            for (int r = first; r < last; r++) {
                int row = r * width;
                double mean = 0, var = 0;
                for (int j = 0; j < width; j++) mean += x.get(row + j);
                mean /= width;
                for (int j = 0; j < width; j++) {
                    double d = x.get(row + j) - mean;
                    var += d * d;
                }
                double inv = 1 / Math.sqrt(var / width + EPS);
                invStd[r] = inv;
                for (int j = 0; j < width; j++) {
                    double h = (x.get(row + j) - mean) * inv;
                    xhat.set(row + j, h);
                    y.set(row + j, gamma.get(j) * h + beta.get(j));      // y = γ·x̂ + β
                }
            }
        });
    }

    @Override
    public void backward(Tensor delta, Tensor gamma, Tensor dGamma, Tensor dBeta, Tensor dx) {
        int rows = delta.length / width;
        if (delta instanceof Tensor.F32 && dx instanceof Tensor.F32) {
            backwardFloat(delta, gamma, dGamma, dBeta, dx, rows);
            return;
        }
        Team.split(rows, 16, (part, first, last) -> {
            for (int r = first; r < last; r++) {
                int row = r * width;
                double meanD = 0, meanDX = 0;
                for (int j = 0; j < width; j++) {
                    double d = delta.get(row + j) * gamma.get(j);             // dx̂ = δ ⊙ γ
                    meanD += d;
                    meanDX += d * xhat.get(row + j);
                }
                meanD /= width;
                meanDX /= width;
                for (int j = 0; j < width; j++) {
                    double d = delta.get(row + j) * gamma.get(j);
                    dx.set(row + j, (d - meanD - xhat.get(row + j) * meanDX) * invStd[r]);
                }
            }
        });
        // The parameter sums run over all rows in a fixed order (bit-identical for any thread count).
        for (int j = 0; j < width; j++) {
            double sumD = 0, sumDX = 0;
            for (int r = 0; r < rows; r++) {
                double d = delta.get(r * width + j);
                sumD += d;
                sumDX += d * xhat.get(r * width + j);
            }
            dBeta.set(j, sumD);                                                // dβ = Σ δ
            dGamma.set(j, sumDX);                                              // dγ = Σ δ·x̂
        }
    }

    // Float fast paths: the same sums over chunks of rows copied into Java arrays, which the JIT
    // vectorises (see Scratch); FastPathTest holds them to the loops above.
    private static final int CHUNK = 4096;

    private void forwardFloat(Tensor x, Tensor gamma, Tensor beta, Tensor y, int first, int last) {
        float[] v = Scratch.floats(0, Math.max(CHUNK, width)), g = Scratch.floats(1, width), b = Scratch.floats(2, width);
        gamma.copyTo(0, g, 0, width);
        beta.copyTo(0, b, 0, width);
        int rowsPerChunk = Math.max(1, CHUNK / width);
        for (int r0 = first; r0 < last; r0 += rowsPerChunk) {
            int rows = Math.min(rowsPerChunk, last - r0), len = rows * width;
            x.copyTo(r0 * width, v, 0, len);
            for (int r = 0; r < rows; r++) {
                int row = r * width;
                float mean = 0, var = 0;
                for (int j = 0; j < width; j++) mean += v[row + j];
                mean /= width;
                for (int j = 0; j < width; j++) {
                    float d = v[row + j] - mean;
                    var += d * d;
                }
                float inv = (float) (1 / Math.sqrt(var / width + EPS));
                invStd[r0 + r] = inv;
                for (int j = 0; j < width; j++) v[row + j] = (v[row + j] - mean) * inv;
            }
            xhat.copyFrom(v, 0, r0 * width, len);
            for (int row = 0; row < len; row += width) {
                for (int j = 0; j < width; j++) v[row + j] = g[j] * v[row + j] + b[j];
            }
            y.copyFrom(v, 0, r0 * width, len);
        }
    }

    private void backwardFloat(Tensor delta, Tensor gamma, Tensor dGamma, Tensor dBeta, Tensor dx, int rows) {
        Team.split(rows, 16, (part, first, last) -> {
            float[] d = Scratch.floats(0, Math.max(CHUNK, width)), h = Scratch.floats(1, Math.max(CHUNK, width)), g = Scratch.floats(2, width);
            gamma.copyTo(0, g, 0, width);
            int rowsPerChunk = Math.max(1, CHUNK / width);
            for (int r0 = first; r0 < last; r0 += rowsPerChunk) {
                int n = Math.min(rowsPerChunk, last - r0), len = n * width;
                delta.copyTo(r0 * width, d, 0, len);
                xhat.copyTo(r0 * width, h, 0, len);
                for (int r = 0; r < n; r++) {
                    int row = r * width;
                    float meanD = 0, meanDX = 0;
                    for (int j = 0; j < width; j++) {
                        float dh = d[row + j] * g[j];                                    // dx̂ = δ ⊙ γ
                        d[row + j] = dh;
                        meanD += dh;
                        meanDX += dh * h[row + j];
                    }
                    meanD /= width;
                    meanDX /= width;
                    float inv = (float) invStd[r0 + r];
                    for (int j = 0; j < width; j++) d[row + j] = (d[row + j] - meanD - h[row + j] * meanDX) * inv;
                }
                dx.copyFrom(d, 0, r0 * width, len);
            }
        });
        // dβ = Σ δ and dγ = Σ δ·x̂ over all rows, in one fixed order.
        float[] d = Scratch.floats(0, Math.max(CHUNK, width)), h = Scratch.floats(1, Math.max(CHUNK, width));
        float[] sumD = Scratch.floats(2, width), sumDX = Scratch.floats(3, width);
        java.util.Arrays.fill(sumD, 0, width, 0);
        java.util.Arrays.fill(sumDX, 0, width, 0);
        int rowsPerChunk = Math.max(1, CHUNK / width);
        for (int r0 = 0; r0 < rows; r0 += rowsPerChunk) {
            int n = Math.min(rowsPerChunk, rows - r0), len = n * width;
            delta.copyTo(r0 * width, d, 0, len);
            xhat.copyTo(r0 * width, h, 0, len);
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < width; j++) {
                    sumD[j] += d[r * width + j];
                    sumDX[j] += d[r * width + j] * h[r * width + j];
                }
            }
        }
        dBeta.copyFrom(sumD, 0, 0, width);
        dGamma.copyFrom(sumDX, 0, 0, width);
    }
}
