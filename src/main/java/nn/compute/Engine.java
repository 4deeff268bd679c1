package nn.compute;

import org.nd4j.linalg.api.buffer.DataType;

import nn.random.Rng;

/**
 * The arithmetic a network needs, and nothing about networks: layers ({@code nn.model}) and
 * optimisers ({@code nn.train}) are written against this interface, engines implement it.
 * <ul>
 *   <li>{@code cpu} ({@link nn.compute.cpu.CpuEngine}): oneDNN and OpenBLAS with host pointers and Java
 *       loops over a tensor's memory, split over our own threads; the fast path.</li>
 *   <li>{@code nd4j} ({@link nn.compute.nd4j.Nd4jEngine}): ND4J operations only, so it runs
 *       unchanged on any ND4J backend, CUDA included.</li>
 * </ul>
 * A third engine is one more package beside those two implementing this interface, and one more
 * entry in {@link Engines.Kind}.
 *
 * <p>Tensors are 2-D, row-major, one example per row; images are NHWC rows (channels last).
 * Nothing here allocates per call once a kernel has seen a batch size: outputs are given.
 * Stateful kernels (a convolution with its im2col buffers, a pool with its argmax, batch norm
 * with its batch statistics) are small objects an engine makes for one geometry, at build time.
 */
public interface Engine {
    String name();

    /** How many threads share each kernel ({@code --threads}). */
    void useThreads(int threads);

    // --- matrix products ---

    /** {@code c = α·op(a)·op(b) + β·c}, op transposing when asked; all three are whole row-major matrices. */
    void gemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, double alpha, double beta);

    /** y[r, j] += b[j] for every row r: a bias added to each example. */
    void addToEachRow(Tensor y, Tensor b);

    /** sum[j] = Σ_r δ[r, j]: the gradient of a bias that was added to every row. */
    void sumRows(Tensor delta, Tensor sum);

    // --- element-wise ---

    /** y = f(x). */
    void activate(Nonlinearity fn, Tensor x, Tensor y);

    /** dx = δ ⊙ f'(x), given x and y = f(x). */
    void activateBackward(Nonlinearity fn, Tensor x, Tensor y, Tensor delta, Tensor dx);

    /** out = a ⊙ b (out may be a or b). */
    void multiply(Tensor a, Tensor b, Tensor out);

    /**
     * dst[r, dstCol + j] = src[r, srcCol + j] for j &lt; width and every row r (both have the same
     * rows): a block of columns moved, as a recurrent layer cuts one time step out of a sequence.
     */
    void copyColumns(Tensor src, int srcCol, Tensor dst, int dstCol, int width);

    /** An inverted-dropout mask: each value 1/(1−p) with probability 1−p, else 0, drawn from rng. */
    void dropoutMask(Tensor mask, double p, Rng rng);

    /** Softmax of each row of logits [n, classes] into probs (which may be logits). */
    void softmax(Tensor logits, Tensor probs);

    /** Whether every element is a finite number. */
    boolean isFinite(Tensor t);

    // --- attention (a transformer block's tokens are rows: [examples·tokens, width]) ---

    /**
     * c_i = α·op(a_i)·op(b_i) for i &lt; count, where a, b and c each hold {@code count} equal
     * matrices one after another (the heads of every example: count = examples·heads).
     */
    void batchedGemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, int count, double alpha);

    /**
     * The heads of a block of columns, each head's tokens together: for x [n·tokens, ≥ col + heads·d]
     * and out [n·heads·tokens, d], out[(e·heads + h)·tokens + t, j] = x[e·tokens + t, col + h·d + j].
     */
    void splitHeads(Tensor x, int col, int heads, int tokens, Tensor out);

    /** The inverse of {@link #splitHeads}: the heads written back into columns col.. of x. */
    void mergeHeads(Tensor heads, int headCount, int tokens, Tensor x, int col);

    /**
     * dz = p ⊙ (δ − Σ_k δ_k·p_k) per row: the backward of a row softmax p = softmax(z). Both are
     * given because the engines' ops differ: the cpu engine reads p, ND4J's {@code softmax_bp} z.
     */
    void softmaxBackward(Tensor z, Tensor p, Tensor delta, Tensor dz);

    /** y[r, c] = the mean over positions q of x[r, q·channels + c], channels = y's columns (global average pooling). */
    void averagePositions(Tensor x, Tensor y);

    /** dx[r, q·channels + c] = δ[r, c] / positions: the backward of {@link #averagePositions}. */
    void averagePositionsBackward(Tensor delta, Tensor dx);

    // --- optimiser updates ---

    /** y += α·x. */
    void axpy(double alpha, Tensor x, Tensor y);

    /** x *= α. */
    void scale(double alpha, Tensor x);

    /** One Adam step of one parameter w with gradient g and moments m, v (see {@link AdamStep}). */
    void adam(Tensor w, Tensor g, Tensor m, Tensor v, AdamStep step);

    /**
     * The numbers of one Adam update: m = β1·m + (1−β1)·g, v = β2·v + (1−β2)·g²,
     * w −= lr·((m/c1) / (sqrt(v/c2) + ε) + decay·w), with c1, c2 the bias corrections.
     */
    record AdamStep(double lr, double beta1, double beta2, double eps, double c1, double c2, double decay) {}

    // --- data in ---

    /**
     * Rows order[from..from+n) of {@code grey} (rowLength grey levels 0..255 each, on the host,
     * as {@link nn.data.LabeledImages} keeps them) into rows 0..n of x, as floats in [0, 1].
     */
    void gatherRows(byte[] grey, int rowLength, int[] order, int from, int n, Tensor x);

    // --- stateful kernels, one per layer, made at build time ---

    Conv2d conv2d(ConvGeometry geometry, DataType type);

    MaxPool maxPool(PoolGeometry geometry, DataType type);

    BatchNorm batchNorm(int channels, double eps, double momentum, DataType type);

    SoftmaxLoss softmaxLoss(int classes);

    LayerNorm layerNorm(int width, DataType type);

    /** A 2-D convolution, NHWC, weights W [k·k·C, filters] (row (ky·k + kx)·C + c), bias [1, filters]. */
    interface Conv2d {
        /** y [n, outH·outW·filters] = conv(x, W) + b; remembers what backward needs. */
        void forward(Tensor x, Tensor w, Tensor b, Tensor y);

        /** dW and db from δ; dx too unless it is null. */
        void backward(Tensor delta, Tensor w, Tensor dW, Tensor db, Tensor dx);
    }

    /** Max pooling over windows; ties go to the first position of a window. */
    interface MaxPool {
        /**
         * y = max over each window of x, then ReLU if {@code rectify} (a ReLU right before, fused).
         * {@code forBackward}: remember what backward needs (each window's winner); inference,
         * which never goes back, passes false and may skip that bookkeeping.
         */
        void forward(Tensor x, Tensor y, boolean rectify, boolean forBackward);

        /** dx: δ goes to each window's winner (times relu'(max) when the last forward rectified); needs a forward for backward. */
        void backward(Tensor delta, Tensor dx);
    }

    /** Batch normalisation per channel (the last dimension of each NHWC row). */
    interface BatchNorm {
        /**
         * y = γ·(x − μ)/sqrt(σ² + ε) + β: batch statistics in training (which also update the
         * running ones by the momentum), the running statistics otherwise.
         */
        void forward(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, Tensor y, boolean training);

        /** dγ, dβ and dx for the last forward. */
        void backward(Tensor delta, Tensor gamma, Tensor dGamma, Tensor dBeta, Tensor dx);
    }

    /**
     * Layer normalisation of each row of {@code width} values: y = γ ⊙ (x − μ)/σ + β with the
     * row's own mean μ and standard deviation σ (population; ε-protected, see the engines).
     */
    interface LayerNorm {
        /** ε in x̂ = (x − μ)/sqrt(σ² + ε), as PyTorch's and ONNX's layer norm default. */
        double EPS = 1e-5;

        void forward(Tensor x, Tensor gamma, Tensor beta, Tensor y);

        /** dγ, dβ (summed over rows) and dx for the last forward. */
        void backward(Tensor delta, Tensor gamma, Tensor dGamma, Tensor dBeta, Tensor dx);
    }

    /** Softmax and mean cross-entropy of a batch of logits against integer labels. */
    interface SoftmaxLoss {
        /** The mean loss of the first n rows; remembers the probabilities. */
        double forward(Tensor logits, int[] labels, int n);

        /** dL/dlogits = (p − onehot(y)) / n. */
        Tensor backward();

        /** The probabilities of the last forward. */
        Tensor probabilities();
    }
}
