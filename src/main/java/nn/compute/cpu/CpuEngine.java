package nn.compute.cpu;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

import nn.compute.ConvGeometry;
import nn.compute.Engine;
import nn.compute.Nonlinearity;
import nn.compute.PoolGeometry;
import nn.compute.Tensor;
import nn.data.LabeledImages;
import nn.random.Rng;

/**
 * The CPU fast path: matrix products and vector updates straight through oneDNN and OpenBLAS with host
 * pointers ({@link Blas}), float convolutions and max-pools as oneDNN primitives ({@link OneDnnConv2d},
 * {@link OneDnnMaxPool}) where nn ships oneDNN, everything else as Java loops over a tensor's memory, each kernel
 * split over our own threads ({@link Team}). In ND4J 1.0.0-M2.1 each INDArray method costs
 * 15-90 µs of JNI and allocation overhead, while a Java loop over 8,192 floats takes a few µs.
 *
 * <p>Each primitive has its plain loop, the <em>reference</em>, which double tensors (the
 * gradient checks) always take; float tensors take the fast path right below it where there is
 * one, and FastPathTest holds the two equal (the oneDNN layers: OneDnnConv2dTest, OneDnnMaxPoolTest).
 */
public final class CpuEngine implements Engine {
    /** Element-wise loops hand a thread at least this many values (fewer cost more to hand over than to do). */
    static final int GRAIN = 4096;

    @Override
    public String name() {
        return "cpu";
    }

    /** Our own threads (see {@link Team}); the natives (oneDNN, OpenBLAS, ND4J's pool) run single-threaded under them. */
    @Override
    public void useThreads(int threads) {
        Team.setSize(threads);
        Blas.singleThreaded();
        org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxThreads(1);
        org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxMasterThreads(1);
    }

    @Override
    public void gemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, double alpha, double beta) {
        Blas.gemm(a, transA, b, transB, c, alpha, beta);
    }

    @Override
    public void addToEachRow(Tensor y, Tensor b) {
        int cols = b.length, rows = y.length / cols;
        // y += 1·b, a product with a column of ones: BLAS does it vectorised, a Java loop would not.
        Blas.gemm(Blas.ones(y.type(), rows, 1), false, b, false, y, rows, cols, 1, 1, 1);
    }

    @Override
    public void sumRows(Tensor delta, Tensor sum) {
        int cols = sum.length, rows = delta.length / cols;
        Blas.sumRows(delta, cols, 0, rows, sum, 0);   // δᵀ·1
    }

    // --- activations ---

    /** max(v, 0) by clearing negative values' bits: no data-dependent branch. */
    static double relu(double v) {
        long bits = Double.doubleToRawLongBits(v);
        return Double.longBitsToDouble(bits & ~(bits >> 63));
    }

    /** The same for a float, as the float fast paths use it (inlined, it still vectorises). */
    static float relu(float v) {
        int bits = Float.floatToRawIntBits(v);
        return Float.intBitsToFloat(bits & ~(bits >> 31));
    }

    /** d if y > 0, else 0, for y >= 0 (a ReLU output), without a branch. */
    static double keepIfPositive(double d, double y) {
        long bits = Double.doubleToRawLongBits(y);
        long mask = (bits | -bits) >> 63;   // all ones when y != 0
        return Double.longBitsToDouble(Double.doubleToRawLongBits(d) & mask);
    }

    /** The same for floats. */
    static float keepIfPositive(float d, float y) {
        int bits = Float.floatToRawIntBits(y);
        return Float.intBitsToFloat(Float.floatToRawIntBits(d) & ((bits | -bits) >> 31));
    }

    @Override
    public void activate(Nonlinearity fn, Tensor x, Tensor y) {
        if (fn == Nonlinearity.RELU && x instanceof Tensor.F32 && y instanceof Tensor.F32) {
            Team.split(y.length, GRAIN, (part, from, to) -> reluFloat(x, y, from, to));
            return;
        }
        if (fn == Nonlinearity.GELU && x instanceof Tensor.F32 && y instanceof Tensor.F32) {
            Team.split(y.length, GRAIN, (part, from, to) -> geluFloat(x, y, from, to));
            return;
        }
        activateReference(fn, x, y);
    }

    /** The reference: f applied value by value. */
    static void activateReference(Nonlinearity fn, Tensor x, Tensor y) {
        Team.split(y.length, GRAIN, (part, from, to) -> {
            if (fn == Nonlinearity.RELU) {
                // The hot case gets its own branch-free loop: with an if, half the signs of random
                // activations were mispredicted and ReLU cost 5 ns per value instead of < 0.5.
                for (int i = from; i < to; i++) y.set(i, relu(x.get(i)));
            } else {
                for (int i = from; i < to; i++) y.set(i, fn.apply(x.get(i)));
            }
        });
    }

    @Override
    public void activateBackward(Nonlinearity fn, Tensor x, Tensor y, Tensor delta, Tensor dx) {
        if (fn == Nonlinearity.RELU && delta instanceof Tensor.F32 && y instanceof Tensor.F32) {
            Team.split(dx.length, GRAIN, (part, from, to) -> reluBackwardFloat(delta, y, dx, from, to));
            return;
        }
        if (fn == Nonlinearity.GELU && delta instanceof Tensor.F32 && x instanceof Tensor.F32) {
            Team.split(dx.length, GRAIN, (part, from, to) -> geluBackwardFloat(x, delta, dx, from, to));
            return;
        }
        activateBackwardReference(fn, x, y, delta, dx);
    }

    static void activateBackwardReference(Nonlinearity fn, Tensor x, Tensor y, Tensor delta, Tensor dx) {
        Team.split(dx.length, GRAIN, (part, from, to) -> {
            if (fn == Nonlinearity.RELU) {
                for (int i = from; i < to; i++) dx.set(i, keepIfPositive(delta.get(i), y.get(i)));   // dx = δ ⊙ [x > 0]
            } else {
                for (int i = from; i < to; i++) dx.set(i, delta.get(i) * fn.derivative(x.get(i), y.get(i)));   // dx = δ ⊙ f'(x)
            }
        });
    }

    // Float fast paths for ReLU: the same bit tricks over chunks copied into Java arrays, which
    // the JIT vectorises (see Scratch); FastPathTest checks they agree with the loops above.
    private static final int CHUNK = 4096;

    private static void reluFloat(Tensor x, Tensor y, int from, int to) {
        float[] v = Scratch.floats(0, CHUNK);
        for (int start = from; start < to; start += CHUNK) {
            int len = Math.min(CHUNK, to - start);
            x.copyTo(start, v, 0, len);
            for (int i = 0; i < len; i++) v[i] = relu(v[i]);
            y.copyFrom(v, 0, start, len);
        }
    }

    private static void reluBackwardFloat(Tensor delta, Tensor y, Tensor dx, int from, int to) {
        float[] d = Scratch.floats(0, CHUNK), out = Scratch.floats(1, CHUNK);
        for (int start = from; start < to; start += CHUNK) {
            int len = Math.min(CHUNK, to - start);
            delta.copyTo(start, d, 0, len);
            y.copyTo(start, out, 0, len);
            for (int i = 0; i < len; i++) d[i] = keepIfPositive(d[i], out[i]);
            dx.copyFrom(d, 0, start, len);
        }
    }

    // Float fast paths for GELU (the transformer's MLP runs it on 4·DIM values per token). Math.tanh
    // costs ~20 ns a value and stops the JIT from vectorising the loop; this tanh is a ratio of two
    // polynomials in z², the depth-10 convergent of Lambert's continued fraction
    // tanh z = z/(1 + z²/(3 + z²/(5 + ...))): within 7e-7 of tanh for |z| <= 7.5, and only
    // multiplies, adds and one divide, which vectorise. GELU caps x at ±4.7, where C(x + Kx³)
    // reaches 7.5: beyond, tanh is ±1 to 7e-7 and tanh' below 2e-6, so f(x) = x or 0 and f'(x) = 1
    // or 0 to float precision, and capping keeps the tanh' term from growing with x³.
    private static final float GELU_C = (float) Math.sqrt(2 / Math.PI), GELU_K = 0.044715f, GELU_CAP = 4.7f;
    private static final float N1 = 1f / 7, N2 = 4.678362573e-3f, N3 = 4.914246400e-5f, N4 = 1.560078222e-7f, N5 = 7.273091946e-11f;
    private static final float D1 = 10f / 21, D2 = 3.007518797e-2f, D3 = 5.503955968e-4f, D4 = 3.276164267e-6f, D5 = 4.800240684e-9f;

    /** tanh z for |z| <= 7.5 (see above). */
    static float tanh(float z) {
        float y = z * z;
        float num = 1 + y * (N1 + y * (N2 + y * (N3 + y * (N4 + y * N5))));
        float den = 1 + y * (D1 + y * (D2 + y * (D3 + y * (D4 + y * D5))));
        return z * num / den;
    }

    /** tanh(C(x + Kx³)) for GELU, x capped at ±GELU_CAP. */
    private static float geluTanh(float capped) {
        return tanh(GELU_C * (capped + GELU_K * capped * capped * capped));
    }

    private static void geluFloat(Tensor x, Tensor y, int from, int to) {
        float[] v = Scratch.floats(0, CHUNK);
        for (int start = from; start < to; start += CHUNK) {
            int len = Math.min(CHUNK, to - start);
            x.copyTo(start, v, 0, len);
            for (int i = 0; i < len; i++) {
                float u = v[i], capped = Math.max(-GELU_CAP, Math.min(GELU_CAP, u));
                v[i] = 0.5f * u * (1 + geluTanh(capped));                                   // ½x(1 + tanh(C(x + Kx³)))
            }
            y.copyFrom(v, 0, start, len);
        }
    }

    private static void geluBackwardFloat(Tensor x, Tensor delta, Tensor dx, int from, int to) {
        float[] v = Scratch.floats(0, CHUNK), d = Scratch.floats(1, CHUNK);
        for (int start = from; start < to; start += CHUNK) {
            int len = Math.min(CHUNK, to - start);
            x.copyTo(start, v, 0, len);
            delta.copyTo(start, d, 0, len);
            for (int i = 0; i < len; i++) {
                float u = v[i], capped = Math.max(-GELU_CAP, Math.min(GELU_CAP, u)), t = geluTanh(capped);
                d[i] *= 0.5f * (1 + t) + 0.5f * capped * (1 - t * t) * GELU_C * (1 + 3 * GELU_K * capped * capped);   // δ ⊙ f'(x)
            }
            dx.copyFrom(d, 0, start, len);
        }
    }

    // --- other element-wise work ---

    @Override
    public void multiply(Tensor a, Tensor b, Tensor out) {
        Team.split(out.length, GRAIN, (part, from, to) -> {
            for (int i = from; i < to; i++) out.set(i, a.get(i) * b.get(i));
        });
    }

    @Override
    public void copyColumns(Tensor src, int srcCol, Tensor dst, int dstCol, int width) {
        int rows = (int) src.shape()[0], srcWidth = (int) src.shape()[1], dstWidth = (int) dst.shape()[1];
        for (int r = 0; r < rows; r++) dst.copyFrom(src, r * srcWidth + srcCol, r * dstWidth + dstCol, width);
    }

    @Override
    public void dropoutMask(Tensor mask, double p, Rng rng) {
        double keep = 1 / (1 - p);
        for (int i = 0; i < mask.length; i++) mask.set(i, rng.nextFloat() >= p ? keep : 0);   // one stream, in order
    }

    @Override
    public void softmax(Tensor logits, Tensor out) {
        int classes = (int) logits.shape()[1], n = logits.length / classes;
        if (logits instanceof Tensor.F32 && out instanceof Tensor.F32 && classes <= CHUNK) {
            Team.split(n, 64, (part, first, last) -> softmaxFloat(logits, out, classes, first, last));
            return;
        }
        Team.split(n, 64, (part, first, last) -> {
            for (int i = first; i < last; i++) softmaxRow(logits, out, i * classes, classes);
        });
    }

    /** Rows first..last of a float softmax, a chunk of rows at a time in a Java array. */
    private static void softmaxFloat(Tensor logits, Tensor out, int classes, int first, int last) {
        float[] v = Scratch.floats(0, CHUNK);
        int rowsPerChunk = CHUNK / classes;
        for (int r0 = first; r0 < last; r0 += rowsPerChunk) {
            int rows = Math.min(rowsPerChunk, last - r0), len = rows * classes;
            logits.copyTo(r0 * classes, v, 0, len);
            for (int row = 0; row < len; row += classes) {
                float max = Float.NEGATIVE_INFINITY;
                for (int k = 0; k < classes; k++) max = Math.max(max, v[row + k]);
                float sum = 0;
                for (int k = 0; k < classes; k++) {
                    float e = (float) Math.exp(v[row + k] - max);
                    v[row + k] = e;
                    sum += e;
                }
                float inv = 1 / sum;
                for (int k = 0; k < classes; k++) v[row + k] *= inv;
            }
            out.copyFrom(v, 0, r0 * classes, len);
        }
    }

    /**
     * The softmax of one row of {@code classes} logits from {@code row} on, into out; returns
     * log Σ_k exp(z_k), worked out the stable way: m + log Σ_k exp(z_k − m), m = max_k z_k.
     */
    static double softmaxRow(Tensor logits, Tensor out, int row, int classes) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < classes; k++) max = Math.max(max, logits.get(row + k));
        double sum = 0;
        for (int k = 0; k < classes; k++) {
            double e = Math.exp(logits.get(row + k) - max);   // one exp per logit: they are most of the cost
            out.set(row + k, e);
            sum += e;
        }
        for (int k = 0; k < classes; k++) out.set(row + k, out.get(row + k) / sum);
        return max + Math.log(sum);
    }

    @Override
    public boolean isFinite(Tensor t) {
        return !BooleanIndexing.or(t.array, Conditions.notFinite());
    }

    // --- attention ---

    @Override
    public void batchedGemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, int count, double alpha) {
        Blas.batchedGemm(a, transA, b, transB, c, count, alpha);
    }

    @Override
    public void splitHeads(Tensor x, int col, int heads, int tokens, Tensor out) {
        int d = (int) out.shape()[1], width = (int) x.shape()[1], examples = (int) x.shape()[0] / tokens;
        Team.split(examples, 4, (part, first, last) -> {
            for (int e = first; e < last; e++) {
                for (int h = 0; h < heads; h++) {
                    for (int t = 0; t < tokens; t++) {
                        out.copyFrom(x, (e * tokens + t) * width + col + h * d, ((e * heads + h) * tokens + t) * d, d);
                    }
                }
            }
        });
    }

    @Override
    public void mergeHeads(Tensor in, int heads, int tokens, Tensor x, int col) {
        int d = (int) in.shape()[1], width = (int) x.shape()[1], examples = (int) x.shape()[0] / tokens;
        Team.split(examples, 4, (part, first, last) -> {
            for (int e = first; e < last; e++) {
                for (int h = 0; h < heads; h++) {
                    for (int t = 0; t < tokens; t++) {
                        x.copyFrom(in, ((e * heads + h) * tokens + t) * d, (e * tokens + t) * width + col + h * d, d);
                    }
                }
            }
        });
    }

    @Override
    public void softmaxBackward(Tensor z, Tensor p, Tensor delta, Tensor dz) {
        int cols = (int) p.shape()[1], rows = p.length / cols;
        if (p instanceof Tensor.F32 && delta instanceof Tensor.F32 && cols <= CHUNK) {
            Team.split(rows, 64, (part, first, last) -> softmaxBackwardFloat(p, delta, dz, cols, first, last));
            return;
        }
        Team.split(rows, 64, (part, first, last) -> {
            for (int r = first; r < last; r++) {
                int row = r * cols;
                double dot = 0;
                for (int k = 0; k < cols; k++) dot += delta.get(row + k) * p.get(row + k);
                for (int k = 0; k < cols; k++) dz.set(row + k, p.get(row + k) * (delta.get(row + k) - dot));   // p ⊙ (δ − δ·p)
            }
        });
    }

    private static void softmaxBackwardFloat(Tensor p, Tensor delta, Tensor dz, int cols, int first, int last) {
        float[] pv = Scratch.floats(0, CHUNK), d = Scratch.floats(1, CHUNK);
        int rowsPerChunk = CHUNK / cols;
        for (int r0 = first; r0 < last; r0 += rowsPerChunk) {
            int rows = Math.min(rowsPerChunk, last - r0), len = rows * cols;
            p.copyTo(r0 * cols, pv, 0, len);
            delta.copyTo(r0 * cols, d, 0, len);
            for (int row = 0; row < len; row += cols) {
                float dot = 0;
                for (int k = 0; k < cols; k++) dot += d[row + k] * pv[row + k];
                for (int k = 0; k < cols; k++) d[row + k] = pv[row + k] * (d[row + k] - dot);
            }
            dz.copyFrom(d, 0, r0 * cols, len);
        }
    }

    @Override
    public void averagePositions(Tensor x, Tensor y) {
        int channels = (int) y.shape()[1], rows = (int) y.shape()[0], positions = x.length / (rows * channels);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < channels; c++) {
                double sum = 0;
                for (int q = 0; q < positions; q++) sum += x.get((r * positions + q) * channels + c);
                y.set(r * channels + c, sum / positions);
            }
        }
    }

    @Override
    public void averagePositionsBackward(Tensor delta, Tensor dx) {
        int channels = (int) delta.shape()[1], rows = (int) delta.shape()[0], positions = dx.length / (rows * channels);
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < positions; q++) {
                for (int c = 0; c < channels; c++) dx.set((r * positions + q) * channels + c, delta.get(r * channels + c) / positions);
            }
        }
    }

    // --- optimiser updates: whole-vector BLAS, several times faster than a Java loop over native memory ---

    @Override
    public void axpy(double alpha, Tensor x, Tensor y) {
        Blas.axpy(alpha, x, y);
    }

    @Override
    public void scale(double alpha, Tensor x) {
        Blas.scal(alpha, x);
    }

    @Override
    public void adam(Tensor w, Tensor grad, Tensor m, Tensor v, AdamStep s) {
        Team.split(w.length, GRAIN, (part, from, to) -> {
            for (int i = from; i < to; i++) {
                double g = grad.get(i);
                double mi = s.beta1() * m.get(i) + (1 - s.beta1()) * g;
                double vi = s.beta2() * v.get(i) + (1 - s.beta2()) * g * g;
                m.set(i, mi);
                v.set(i, vi);
                double wi = w.get(i);
                w.set(i, wi - s.lr() * ((mi / s.c1()) / (Math.sqrt(vi / s.c2()) + s.eps()) + s.decay() * wi));
            }
        });
    }

    @Override
    public void gatherRows(byte[] grey, int rowLength, int[] order, int from, int n, Tensor x) {
        // Each thread gathers the rows it will multiply first, so they are already in its cache:
        // their bytes first, with bulk copies (whose loads of rows scattered over the data set
        // overlap, where a converting loop waits for each), then one conversion and one copy out.
        Team.split(n, 8, (part, first, last) -> {
            int size = (last - first) * rowLength;
            byte[] bytes = Scratch.bytes(size);
            for (int i = first; i < last; i++) System.arraycopy(grey, order[from + i] * rowLength, bytes, (i - first) * rowLength, rowLength);
            float[] rows = Scratch.floats(0, size);
            LabeledImages.toUnit(bytes, 0, rows, 0, size);
            x.copyFrom(rows, 0, first * rowLength, size);
        });
    }

    // --- kernels ---

    /** What computes the float convolutions and max-pools, for reports. */
    public static String convolutionsAndPools() {
        return Blas.ONEDNN ? "oneDNN's primitives" : "im2col, products and Java loops";
    }

    @Override
    public Conv2d conv2d(ConvGeometry geometry, DataType type) {
        return type == DataType.FLOAT && Blas.ONEDNN ? new OneDnnConv2d(geometry) : new CpuConv2d(geometry, type);
    }

    @Override
    public MaxPool maxPool(PoolGeometry geometry, DataType type) {
        return type == DataType.FLOAT && Blas.ONEDNN ? new OneDnnMaxPool(geometry) : new CpuMaxPool(geometry);
    }

    @Override
    public BatchNorm batchNorm(int channels, double eps, double momentum, DataType type) {
        return new CpuBatchNorm(channels, eps, momentum);
    }

    @Override
    public SoftmaxLoss softmaxLoss(int classes) {
        return new CpuSoftmaxLoss(classes);
    }

    @Override
    public LayerNorm layerNorm(int width, DataType type) {
        return new CpuLayerNorm(width);
    }
}
