package nn.compute.nd4j;

import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastCopyOp;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Mean;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SigmoidDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SoftmaxBp;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.TanhDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
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
 * The portable engine: ND4J operations only, on {@link Tensor#array} (never a host pointer, never
 * a Java loop over an array's values in a training step), so it runs unchanged on any ND4J
 * backend: on nd4j-native here, on nd4j-cuda (with cuDNN for conv2d, maxpool2d, batchnorm and
 * their backward ops) with {@code mvn -Pcuda}. Products are {@code Nd4j.gemm} into the given
 * arrays; everything else is ND4J's element-wise, reduction, random and declarable ops, each
 * built once for its arrays and executed again every batch (see {@link Ops}).
 */
public final class Nd4jEngine implements Engine {
    private final Ops ops = new Ops();
    /** Adam's per-parameter scratch (g², then the step), made once per parameter (tensors are keys by identity). */
    private final Map<Tensor, INDArray> adamTemps = Ops.recentlyUsed(256);
    /** The host-side batch that {@link #gatherRows} fills before one copy into the input array. */
    private float[] staging = new float[0];
    /** GELU's backward scratch, two arrays per input array. */
    private final Map<Tensor, INDArray[]> geluTemps = Ops.recentlyUsed(64);
    private Random random;

    @Override
    public String name() {
        return "nd4j";
    }

    /** ND4J's own threads: its ops' thread pool and its BLAS (the launcher starts them at 1, for the cpu engine). */
    @Override
    public void useThreads(int threads) {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
    }

    @Override
    public void gemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, double alpha, double beta) {
        Nd4j.gemm(a.array, b.array, c.array, transA, transB, alpha, beta);
    }

    @Override
    public void addToEachRow(Tensor y, Tensor b) {
        ops.run(() -> new BroadcastAddOp(Ops.matrix(y, b.length), Ops.vector(b), Ops.matrix(y, b.length), 1), "addRow", y, b);
    }

    @Override
    public void sumRows(Tensor delta, Tensor sum) {
        ops.run(() -> new Sum(Ops.matrix(delta, sum.length), Ops.vector(sum), 0), "sumRows", delta, sum);
    }

    @Override
    public void activate(Nonlinearity fn, Tensor x, Tensor y) {
        if (fn == Nonlinearity.GELU) {
            gelu(x, y);
            return;
        }
        ops.run(() -> switch (fn) {
            case RELU -> new RectifiedLinear(x.array, y.array, 0);
            case SIGMOID -> new Sigmoid(x.array, y.array);
            case TANH -> new Tanh(x.array, y.array);
            case GELU -> null;
        }, fn, x, y);
    }

    @Override
    public void activateBackward(Nonlinearity fn, Tensor x, Tensor y, Tensor delta, Tensor dx) {
        switch (fn) {
            case RELU -> ops.run(() -> new RectifiedLinearDerivative(x.array, delta.array, dx.array), "relu_bp", x, delta, dx);
            case SIGMOID -> ops.run(() -> new SigmoidDerivative(x.array, delta.array, dx.array), "sigmoid_bp", x, delta, dx);
            case TANH -> ops.run(() -> new TanhDerivative(x.array, delta.array, dx.array), "tanh_bp", x, delta, dx);
            case GELU -> geluBackward(x, delta, dx);
        }
    }

    private static final double C = Math.sqrt(2 / Math.PI), K = 0.044715;

    /** t = tanh(C·(x + K·x³)) into scratch[1], x² into scratch[0]. */
    private INDArray[] geluTanh(Tensor x) {
        INDArray[] s = geluTemps.computeIfAbsent(x, k -> new INDArray[] {Nd4j.create(x.type(), x.shape()), Nd4j.create(x.type(), x.shape())});
        INDArray u = s[0], t = s[1], xa = x.array;
        ops.run(() -> new MulOp(xa, xa, u), "x²", x, u);
        t.assign(u).muli(K).addi(1);                                            // 1 + K·x²
        ops.run(() -> new MulOp(t, xa, t), "x(1+Kx²)", x, t);
        t.muli(C);
        ops.run(() -> new Tanh(t, t), "tanh", t);                              // t
        return s;
    }

    /**
     * y = ½·x·(1 + tanh(C·(x + K·x³))), GELU's tanh form, from element-wise ops: ND4J's GELU is
     * the sigmoid form and its PreciseGELU differs from this one (the gradient checks saw it).
     */
    private void gelu(Tensor x, Tensor y) {
        INDArray t = geluTanh(x)[1];
        t.addi(1).muli(0.5);
        ops.run(() -> new MulOp(t, x.array, y.array), "gelu", t, x, y);
    }

    /**
     * dx = δ ⊙ f'(x) for GELU's tanh form, f'(x) = ½(1 + t) + ½·x·(1 − t²)·C·(1 + 3K·x²) with
     * t = tanh(C·(x + K·x³)), from element-wise ops.
     */
    private void geluBackward(Tensor x, Tensor delta, Tensor dx) {
        INDArray[] s = geluTanh(x);
        INDArray u = s[0], t = s[1], xa = x.array, d = dx.array;
        u.muli(3 * K).addi(1);                                                  // 1 + 3K·x²
        ops.run(() -> new MulOp(t, t, d), "t²", t, dx);
        d.rsubi(1);                                                             // 1 − t²
        ops.run(() -> new MulOp(d, u, d), "(1-t²)(1+3Kx²)", u, dx);
        ops.run(() -> new MulOp(d, xa, d), "·x", x, dx);
        d.muli(0.5 * C);
        t.addi(1).muli(0.5);                                                    // ½(1 + t)
        ops.run(() -> new AddOp(d, t, d), "+", t, dx);                          // f'(x)
        ops.run(() -> new MulOp(d, delta.array, d), "·δ", delta, dx);           // δ ⊙ f'(x)
    }

    @Override
    public void multiply(Tensor a, Tensor b, Tensor out) {
        ops.run(() -> new MulOp(a.array, b.array, out.array), "mul", a, b, out);
    }

    @Override
    public void copyColumns(Tensor src, int srcCol, Tensor dst, int dstCol, int width) {
        columns(dst, dstCol, width).assign(columns(src, srcCol, width));
    }

    /** Columns [from, from + width) of every row, as a strided view of the same buffer (no copy, no host access). */
    private static INDArray columns(Tensor t, int from, int width) {
        long rows = t.shape()[0], cols = t.shape()[1];
        return Nd4j.create(t.array.data(), new long[] {rows, width}, new long[] {cols, 1}, from, 'c');
    }

    @Override
    public void dropoutMask(Tensor mask, double p, Rng rng) {
        if (random == null) random = Nd4j.getRandomFactory().getNewRandomInstance(0);
        random.setSeed(rng.nextLong());   // one draw from our stream seeds ND4J's, so a run repeats
        Nd4j.getExecutioner().exec(new BernoulliDistribution(mask.array, 1 - p), random);   // 1 with probability 1 − p
        ops.run(() -> new ScalarMultiplication(mask.array, 1 / (1 - p)), "keep", mask);
    }

    @Override
    public void softmax(Tensor logits, Tensor probs) {
        ops.run(() -> new SoftMax(logits.array, probs.array, -1), "softmax", logits, probs);
    }

    // --- attention ---

    @Override
    public void batchedGemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, int count, double alpha) {
        String name = transA ? (transB ? "matmul TT" : "matmul TN") : (transB ? "matmul NT" : "matmul NN");
        ops.run(() -> Ops.custom("matmul", new INDArray[] {stack(a, count), stack(b, count)}, new INDArray[] {stack(c, count)},
                new int[] {transA ? 1 : 0, transB ? 1 : 0, 0}), name, a, b, c, stackCounts.computeIfAbsent(count, Integer::valueOf));
        if (alpha != 1) c.array.muli(alpha);
    }

    /** One Integer object per count, so that an op built for one stacking is never run for another (ops are keyed by identity). */
    private final Map<Integer, Integer> stackCounts = new java.util.HashMap<>();

    /** The same memory as [count, rows/count, cols]: a stack of matrices. */
    private static INDArray stack(Tensor t, int count) {
        long[] s = t.shape();
        return t.array.reshape('c', count, s[0] / count, s[1]);
    }

    /** Columns col.. of x [examples·tokens, width] as [examples, heads, tokens, d]: a strided view, no copy. */
    private static INDArray headsView(Tensor x, int col, int heads, int tokens, long d) {
        long width = x.shape()[1], examples = x.shape()[0] / tokens;
        return Nd4j.create(x.array.data(), new long[] {examples, tokens, heads, d}, new long[] {tokens * width, width, d, 1}, col, 'c')
                .permute(0, 2, 1, 3);
    }

    @Override
    public void splitHeads(Tensor x, int col, int heads, int tokens, Tensor out) {
        long d = out.shape()[1];
        out.array.reshape('c', out.shape()[0] / ((long) heads * tokens), heads, tokens, d).assign(headsView(x, col, heads, tokens, d));
    }

    @Override
    public void mergeHeads(Tensor in, int heads, int tokens, Tensor x, int col) {
        long d = in.shape()[1];
        headsView(x, col, heads, tokens, d).assign(in.array.reshape('c', in.shape()[0] / ((long) heads * tokens), heads, tokens, d));
    }

    @Override
    public void softmaxBackward(Tensor z, Tensor p, Tensor delta, Tensor dz) {
        ops.run(() -> new SoftmaxBp(z.array, delta.array, dz.array, -1), "softmax_bp", z, delta, dz);
    }

    /** x [rows, positions·channels] as [rows, positions, channels]. */
    private static INDArray positions(Tensor x, long rows, long channels) {
        return x.array.reshape('c', rows, x.length / (rows * channels), channels);
    }

    @Override
    public void averagePositions(Tensor x, Tensor y) {
        long rows = y.shape()[0], channels = y.shape()[1];
        ops.run(() -> new Mean(positions(x, rows, channels), y.array, 1), "mean positions", x, y);
    }

    @Override
    public void averagePositionsBackward(Tensor delta, Tensor dx) {
        long rows = delta.shape()[0], channels = delta.shape()[1];
        ops.run(() -> new BroadcastCopyOp(positions(dx, rows, channels), delta.array, positions(dx, rows, channels), 0, 2),
                "spread positions", delta, dx);
        dx.array.muli((double) rows * channels / dx.length);   // δ / positions
    }

    @Override
    public boolean isFinite(Tensor t) {
        return !BooleanIndexing.or(t.array, Conditions.notFinite());
    }

    @Override
    public void axpy(double alpha, Tensor x, Tensor y) {
        Nd4j.getBlasWrapper().level1().axpy(x.length, alpha, Ops.vector(x), Ops.vector(y));
    }

    @Override
    public void scale(double alpha, Tensor x) {
        x.array.muli(alpha);
    }

    @Override
    public void adam(Tensor w, Tensor g, Tensor m, Tensor v, AdamStep s) {
        INDArray t = adamTemps.computeIfAbsent(w, k -> Nd4j.create(w.type(), w.shape()));
        INDArray wa = w.array, ga = g.array, ma = m.array, va = v.array;
        ma.muli(s.beta1());
        axpy(1 - s.beta1(), g, m);                                             // m = β1·m + (1−β1)·g
        ops.run(() -> new MulOp(ga, ga, t), "g²", g, t);
        va.muli(s.beta2());
        Nd4j.getBlasWrapper().level1().axpy(t.length(), 1 - s.beta2(), t, va);  // v = β2·v + (1−β2)·g²
        ops.run(() -> new Sqrt(va, t), "sqrt v", v, t);
        t.muli(1 / Math.sqrt(s.c2())).addi(s.eps());                         // t = sqrt(v/c2) + ε
        ops.run(() -> new DivOp(ma, t, t), "m/t", m, t);                     // t = m / (sqrt(v/c2) + ε)
        if (s.decay() != 0) wa.muli(1 - s.lr() * s.decay());                 // w −= lr·λ·w
        Nd4j.getBlasWrapper().level1().axpy(t.length(), -s.lr() / s.c1(), t, wa);   // w −= lr·m̂/(sqrt(v̂) + ε)
    }

    @Override
    public void gatherRows(byte[] grey, int rowLength, int[] order, int from, int n, Tensor x) {
        int size = n * rowLength;
        if (staging.length < size) staging = new float[size];
        for (int i = 0; i < n; i++) LabeledImages.toUnit(grey, order[from + i] * rowLength, staging, i * rowLength, rowLength);
        x.copyFrom(staging, 0, 0, size);   // one transfer into the array
    }

    @Override
    public Conv2d conv2d(ConvGeometry geometry, DataType type) {
        return new Nd4jConv2d(geometry, type);
    }

    @Override
    public MaxPool maxPool(PoolGeometry geometry, DataType type) {
        return new Nd4jMaxPool(geometry, type);
    }

    @Override
    public BatchNorm batchNorm(int channels, double eps, double momentum, DataType type) {
        return new Nd4jBatchNorm(channels, eps, momentum, type);
    }

    @Override
    public SoftmaxLoss softmaxLoss(int classes) {
        return new Nd4jSoftmaxLoss(classes);
    }

    @Override
    public LayerNorm layerNorm(int width, DataType type) {
        return new Nd4jLayerNorm(width, type);
    }
}
