package nn.model;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * 2-D convolution as one matrix product per batch (im2col).
 *
 * <p>Every output pixel's receptive field (k x k x C input values) is copied into one row of
 * {@code cols} [batch·outH·outW, k·k·C]. Then the whole layer is
 * <pre>
 *   forward:   y     = cols·W + b          W: [k·k·C, filters], y: [batch·outH·outW, filters] = NHWC
 *   backward:  dW    = colsᵀ·δ
 *              db    = Σ_rows δ
 *              dcols = δ·Wᵀ, then each row is added back onto the pixels it came from (col2im)
 * </pre>
 * One large GEMM keeps BLAS near its peak, where a loop of small per-image products would not.
 */
public final class Conv2D extends WeightedLayer {
    private final int filters, kernel, stride, padding;
    private int inH, inW, inC, outH, outW, patch;
    private DataType type;
    private BatchBuffers buffers;
    private Runs runs;
    private int batch;

    public Conv2D(int filters, int kernel, int stride, int padding, Init init) {
        super(init);
        if (filters < 1 || kernel < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException("conv needs filters >= 1, kernel >= 1, stride >= 1, padding >= 0");
        }
        this.filters = filters;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    public int filters() {
        return filters;
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.height() + 2 * padding < kernel || input.width() + 2 * padding < kernel) {
            throw new IllegalArgumentException(spec() + " does not fit a " + input + " input");
        }
        return new Shape((input.height() + 2 * padding - kernel) / stride + 1, (input.width() + 2 * padding - kernel) / stride + 1, filters);
    }

    @Override
    public long parameterCount(Shape input) {
        return ((long) kernel * kernel * input.channels() + 1) * filters;
    }

    @Override
    public Shape build(Shape input, DataType type) {
        Shape out = outputShape(input);
        this.type = type;
        inH = input.height();
        inW = input.width();
        inC = input.channels();
        outH = out.height();
        outW = out.width();
        patch = kernel * kernel * inC;
        runs = receptiveFields();
        createParams(type, patch, filters);
        buffers = new BatchBuffers(type, input.size(), out.size());
        return out;
    }

    @Override
    protected int fanOut() {
        return kernel * kernel * filters;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        int n = (int) x.shape()[0];
        buffers.ensure(n);
        batch = n;
        long rows = (long) n * outH * outW;
        // The output seen as a [batch·outH·outW, filters] matrix: the same memory, reshaped once.
        Tensor y = buffers.extra("outputRows", () -> buffers.output().reshape(rows, filters));
        if (x instanceof Tensor.F32 && y instanceof Tensor.F32) {
            forwardFloat(x, y);
            return buffers.output();
        }
        Tensor cols = buffers.extra("cols", () -> Tensor.zeros(type, rows, patch));   // padding entries stay 0
        im2col(x, cols);
        Tensor.gemm(cols, false, w.value(), false, y, 1, 0);              // y = cols·W
        Tensor.addToEachRow(y, b.value());                              // y += b
        return buffers.output();
    }

    @Override
    public Tensor backward(Tensor deltaOut) {
        long rows = (long) batch * outH * outW;
        // The incoming gradient as a [batch·outH·outW, filters] matrix; it normally arrives in the same buffer every batch.
        Tensor[] delta = buffers.extra("deltaRows", () -> new Tensor[1]);
        if (delta[0] == null || delta[0].array.data().address() != deltaOut.array.data().address()) delta[0] = deltaOut.reshape(rows, filters);
        if (deltaOut instanceof Tensor.F32 && transposesCols()) {
            Tensor.gemm(buffers.extra("colsT", Conv2D::noForward), false, delta[0], false, w.grad(), 1, 0);   // dW = (colsᵀ)·δ
        } else {
            Tensor.gemm(buffers.extra("cols", Conv2D::noForward), true, delta[0], false, w.grad(), 1, 0);     // dW = colsᵀ·δ
        }
        Tensor.sumRows(delta[0], b.grad());                              // db = Σ_rows δ
        if (!computesInputGradient) return null;
        Tensor dx = buffers.inputGrad();
        if (dx instanceof Tensor.F32 && delta[0] instanceof Tensor.F32) {
            inputGradientFloat(delta[0], dx);
            return dx;
        }
        Tensor dcols = buffers.extra("dcols", () -> Tensor.zeros(type, rows, patch));
        Tensor.gemm(delta[0], false, w.value(), true, dcols, 1, 0);      // dcols = δ·Wᵀ
        col2im(dcols, dx);
        return dx;
    }

    private static Tensor noForward() {
        throw new IllegalStateException("backward before forward");
    }

    /**
     * Where each receptive field lies, as runs of values that are contiguous both in the image
     * (a run of kernel pixels in NHWC) and in its row of cols: run r copies length[r] values
     * from image offset pixelStart[r] to offset colStart[r] of the image's block of cols. The
     * same for every image, so it is worked out once; padding is whatever no run covers.
     */
    private record Runs(int[] pixelStart, int[] colStart, int[] length) {}

    private Runs receptiveFields() {
        java.util.List<int[]> runs = new java.util.ArrayList<>();
        for (int oy = 0, row = 0; oy < outH; oy++) {
            for (int ox = 0; ox < outW; ox++, row++) {
                int x0 = ox * stride - padding;
                int kxFrom = Math.max(0, -x0), kxTo = Math.min(kernel, inW - x0);   // in-bounds kernel columns
                for (int ky = 0; ky < kernel; ky++) {
                    int iy = oy * stride - padding + ky;
                    if (iy < 0 || iy >= inH || kxFrom >= kxTo) continue;
                    runs.add(new int[] {(iy * inW + x0 + kxFrom) * inC, row * patch + (ky * kernel + kxFrom) * inC, (kxTo - kxFrom) * inC});
                }
            }
        }
        int[] pixel = new int[runs.size()], col = new int[runs.size()], length = new int[runs.size()];
        for (int r = 0; r < runs.size(); r++) {
            pixel[r] = runs.get(r)[0];
            col[r] = runs.get(r)[1];
            length[r] = runs.get(r)[2];
        }
        return new Runs(pixel, col, length);
    }

    /** Copies each receptive field into a row of cols. */
    void im2col(Tensor x, Tensor cols) {
        int imageSize = inH * inW * inC, block = outH * outW * patch;
        Team.split(batch, 1, (part, first, last) -> {
            for (int n = first; n < last; n++) {
                for (int r = 0; r < runs.length().length; r++) {
                    int src = n * imageSize + runs.pixelStart()[r], dst = n * block + runs.colStart()[r];
                    for (int i = 0; i < runs.length()[r]; i++) cols.set(dst + i, x.get(src + i));
                }
            }
        });
    }

    /** The adjoint of im2col: every row of dcols is added back onto the input pixels it was copied from. */
    void col2im(Tensor dcols, Tensor dx) {
        int imageSize = inH * inW * inC, block = outH * outW * patch;
        // Images are independent: each thread owns whole images of dx, so no two threads add to one pixel.
        Team.split(batch, 1, (part, first, last) -> {
            for (int i = first * imageSize; i < last * imageSize; i++) dx.set(i, 0);
            for (int n = first; n < last; n++) {
                for (int r = 0; r < runs.length().length; r++) {
                    int dst = n * imageSize + runs.pixelStart()[r], src = n * block + runs.colStart()[r];
                    for (int i = 0; i < runs.length()[r]; i++) dx.add(dst + i, dcols.get(src + i));
                }
            }
        });
    }

    // The float fast path. The same products, done a few images at a time by the thread that
    // owns those images, so each block of cols is still in that core's cache when the product
    // reads it (the whole cols of the second LeNet conv is 8 MB); the pixel shuffling runs over
    // one image copied into Java arrays (see Scratch). FastPathTest checks it against the plain path.

    /** Images per block: about 256K values of cols (1 MB), which measured best here. */
    private int imagesPerBlock() {
        return Math.max(1, (1 << 18) / (outH * outW * patch));
    }

    /**
     * With one input channel a receptive field's rows are only kernel values long, too short to
     * copy fast; so the float path then stores cols transposed, [k·k, batch·outH·outW], where
     * each row is the image shifted by one kernel offset: runs of a whole output row.
     */
    private boolean transposesCols() {
        return inC == 1;
    }

    private void forwardFloat(Tensor x, Tensor y) {
        int pixels = outH * outW, group = imagesPerBlock(), total = batch * pixels;
        Tensor ones = Blas.ones(type, total, 1);
        boolean transposed = transposesCols();
        Tensor cols = transposed ? buffers.extra("colsT", () -> Tensor.zeros(type, patch, total))
                : buffers.extra("cols", () -> Tensor.zeros(type, total, patch));
        Team.split(batch, 1, (part, first, last) -> {
            for (int g = first; g < last; g += group) {
                int end = Math.min(last, g + group), r0 = g * pixels, r1 = end * pixels;
                for (int n = g; n < end; n++) {
                    if (transposed) im2colTransposedFloat(x, cols, n);
                    else im2colFloat(x, cols, n);
                }
                Blas.gemmRows(cols, transposed, transposed ? total : patch, r0, r1, patch, w.value(), false, filters, y, r0, 0);   // y = cols·W
                Blas.gemmRows(ones, false, 1, r0, r1, 1, b.value(), false, filters, y, r0, 1);                                       // y += 1·b
            }
        });
    }

    /** im2col into the transposed layout (one input channel): row (ky, kx) holds x[oy·s − p + ky, ox·s − p + kx]. */
    private void im2colTransposedFloat(Tensor x, Tensor colsT, int n) {
        int imageSize = inH * inW, pixels = outH * outW;
        long total = (long) batch * pixels;
        float[] image = Scratch.floats(0, imageSize), row = Scratch.floats(1, pixels);
        x.copyTo(n * imageSize, image, 0, imageSize);
        for (int ky = 0; ky < kernel; ky++) {
            for (int kx = 0; kx < kernel; kx++) {
                for (int oy = 0, o = 0; oy < outH; oy++) {
                    int iy = oy * stride - padding + ky;
                    if (stride == 1 && padding == 0) {   // the usual case: a plain run of the image row
                        System.arraycopy(image, iy * inW + kx, row, o, outW);
                        o += outW;
                        continue;
                    }
                    for (int ox = 0; ox < outW; ox++, o++) {
                        int ix = ox * stride - padding + kx;
                        row[o] = iy >= 0 && iy < inH && ix >= 0 && ix < inW ? image[iy * inW + ix] : 0f;
                    }
                }
                colsT.copyFrom(row, 0, (int) ((ky * kernel + kx) * total + (long) n * pixels), pixels);
            }
        }
    }

    private void inputGradientFloat(Tensor delta, Tensor dx) {
        int pixels = outH * outW, group = imagesPerBlock();
        Tensor[] dcols = buffers.extra("dcolsBlocks" + Team.size(), () -> new Tensor[Team.size()]);   // one per thread
        for (int p = 0; p < dcols.length; p++) if (dcols[p] == null) dcols[p] = Tensor.zeros(type, (long) group * pixels, patch);
        Team.split(batch, 1, (part, first, last) -> {
            for (int g = first; g < last; g += group) {
                int end = Math.min(last, g + group);
                Blas.gemmRows(delta, false, filters, g * pixels, end * pixels, filters, w.value(), true, patch, dcols[part], 0, 0);   // dcols = δ·Wᵀ
                for (int n = g; n < end; n++) col2imFloat(dcols[part], (n - g) * pixels * patch, dx, n);
            }
        });
    }

    private void im2colFloat(Tensor x, Tensor cols, int n) {
        int imageSize = inH * inW * inC, block = outH * outW * patch;
        float[] image = Scratch.floats(0, imageSize), rows = Scratch.floats(1, block);
        x.copyTo(n * imageSize, image, 0, imageSize);
        if (padding > 0) java.util.Arrays.fill(rows, 0, block, 0f);
        for (int r = 0; r < runs.length().length; r++) {
            int src = runs.pixelStart()[r], dst = runs.colStart()[r];
            for (int i = 0; i < runs.length()[r]; i++) rows[dst + i] = image[src + i];
        }
        cols.copyFrom(rows, 0, n * block, block);
    }

    private void col2imFloat(Tensor dcols, int from, Tensor dx, int n) {
        int imageSize = inH * inW * inC, block = outH * outW * patch;
        float[] rows = Scratch.floats(0, block), image = Scratch.floats(1, imageSize);
        dcols.copyTo(from, rows, 0, block);
        java.util.Arrays.fill(image, 0, imageSize, 0f);
        for (int r = 0; r < runs.length().length; r++) {
            int dst = runs.pixelStart()[r], src = runs.colStart()[r];
            for (int i = 0; i < runs.length()[r]; i++) image[dst + i] += rows[src + i];
        }
        dx.copyFrom(image, 0, n * imageSize, imageSize);
    }

    @Override
    public long forwardFlops() {
        return 2L * outH * outW * patch * filters;
    }

    @Override
    public String spec() {
        String s = "conv(" + filters + "," + kernel;
        if (stride != 1) s += ",stride=" + stride;
        if (padding != 0) s += ",pad=" + padding;
        return s + ")";
    }
}
