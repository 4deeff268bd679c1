package nn.compute.cpu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.ConvGeometry;
import nn.compute.Engine;
import nn.compute.Tensor;

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
 * Double tensors take the plain path (the reference); float tensors the blocked fast path below it
 * where nn ships no oneDNN (ARM): elsewhere float convolutions go to {@link OneDnnConv2d}, which
 * OneDnnConv2dTest holds to this class.
 */
final class CpuConv2d implements Engine.Conv2d {
    private final int filters, kernel, stride, padding;
    private final int inH, inW, inC, outH, outW, patch;
    private final DataType type;
    private final Runs runs;

    /** The plain path's im2col matrix and dcols, per batch size. */
    private final Map<Integer, Tensor> cols = new HashMap<>(), dcols = new HashMap<>();
    /** y and δ seen as [batch·outH·outW, filters] matrices: the same memory, reshaped once per array. */
    private final Reshaped yRows = new Reshaped(), deltaRows = new Reshaped();
    private int batch;

    CpuConv2d(ConvGeometry g, DataType type) {
        this.filters = g.filters();
        this.kernel = g.kernel();
        this.stride = g.stride();
        this.padding = g.padding();
        this.inH = g.inH();
        this.inW = g.inW();
        this.inC = g.inC();
        this.outH = g.outH();
        this.outW = g.outW();
        this.patch = g.patch();
        this.type = type;
        this.runs = receptiveFields();
    }

    /** The last array seen and its [rows, filters] view. */
    private final class Reshaped {
        private Tensor of, rows;

        Tensor of(Tensor t) {
            if (of != t) {
                of = t;
                rows = t.reshape((long) t.length / filters, filters);
            }
            return rows;
        }
    }

    @Override
    public void forward(Tensor x, Tensor w, Tensor b, Tensor y) {
        batch = (int) x.shape()[0];
        Tensor out = yRows.of(y);
        if (x instanceof Tensor.F32 && out instanceof Tensor.F32) {
            forwardFloat(x, w, b, out);
            return;
        }
        long rows = (long) batch * outH * outW;
        Tensor c = cols.computeIfAbsent(batch, n -> Tensor.zeros(type, rows, patch));   // padding entries stay 0
        im2col(x, c);
        Blas.gemm(c, false, w, false, out, 1, 0);              // y = cols·W
        Blas.gemm(Blas.ones(type, (int) rows, 1), false, b, false, out, (int) rows, filters, 1, 1, 1);   // y += b
    }

    @Override
    public void backward(Tensor deltaOut, Tensor w, Tensor dW, Tensor db, Tensor dx) {
        Tensor delta = deltaRows.of(deltaOut);
        if (delta instanceof Tensor.F32) {
            backwardFloat(delta, w, dW, db, dx);
            return;
        }
        int rows = delta.length / filters;
        Blas.sumRows(delta, filters, 0, rows, db, 0);   // db = Σ_rows δ
        Tensor c = cols.get(batch);
        if (c == null) throw new IllegalStateException("backward before forward");
        Blas.gemm(c, true, delta, false, dW, 1, 0);             // dW = colsᵀ·δ
        if (dx == null) return;
        Tensor d = dcols.computeIfAbsent(batch, n -> Tensor.zeros(type, (long) rows, patch));
        Blas.gemm(delta, false, w, true, d, 1, 0);            // dcols = δ·Wᵀ
        col2im(d, dx);
    }

    /**
     * Where each receptive field lies, as runs of values that are contiguous both in the image
     * (a run of kernel pixels in NHWC) and in its row of cols: run r copies length[r] values
     * from image offset pixelStart[r] to offset colStart[r] of the image's block of cols. The
     * same for every image, so it is worked out once; padding is whatever no run covers.
     */
    private record Runs(int[] pixelStart, int[] colStart, int[] length) {}

    private Runs receptiveFields() {
        List<int[]> found = new ArrayList<>();
        for (int oy = 0, row = 0; oy < outH; oy++) {
            for (int ox = 0; ox < outW; ox++, row++) {
                int x0 = ox * stride - padding;
                int kxFrom = Math.max(0, -x0), kxTo = Math.min(kernel, inW - x0);   // in-bounds kernel columns
                for (int ky = 0; ky < kernel; ky++) {
                    int iy = oy * stride - padding + ky;
                    if (iy < 0 || iy >= inH || kxFrom >= kxTo) continue;
                    found.add(new int[] {(iy * inW + x0 + kxFrom) * inC, row * patch + (ky * kernel + kxFrom) * inC, (kxTo - kxFrom) * inC});
                }
            }
        }
        int[] pixel = new int[found.size()], col = new int[found.size()], length = new int[found.size()];
        for (int r = 0; r < found.size(); r++) {
            pixel[r] = found.get(r)[0];
            col[r] = found.get(r)[1];
            length[r] = found.get(r)[2];
        }
        return new Runs(pixel, col, length);
    }

    /** The reference im2col: copies each receptive field into a row of cols. */
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

    /** The reference col2im, im2col's adjoint: every row of dcols is added back onto the input pixels it was copied from. */
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
    // owns those images, on a block of cols of its own that stays in that core's cache between
    // im2col and the products. cols is never kept whole (for the second LeNet conv it would be
    // 8 MB per batch, written to memory in forward and read back in backward): backward runs
    // im2col again on the layer's input, which is smaller than its cols by k·k. The pixel
    // shuffling runs over one image copied into Java arrays (see Scratch). OneDnnConv2dTest checks
    // this path against the plain one (and FastPathTest where nn ships no oneDNN).

    /** The last input (forward's x), which backward turns into cols again. */
    private Tensor input;
    /** Per thread: its block of cols, of dcols, and its partial sums of dW and db. */
    private Tensor[] colsBlocks = new Tensor[0], dcolsBlocks = new Tensor[0], partialDW = new Tensor[0], partialDB = new Tensor[0];

    /** Images per block: about 256K values of cols (1 MB). */
    private int imagesPerBlock() {
        return Math.max(1, (1 << 18) / (outH * outW * patch));
    }

    /**
     * With one input channel a receptive field's rows are only kernel values long, too short to
     * copy fast; so the float path then stores a block of cols transposed, [k·k, images·outH·outW],
     * where each row is the image shifted by one kernel offset: runs of a whole output row.
     */
    private boolean transposesCols() {
        return inC == 1;
    }

    private void ensureBlocks() {
        if (colsBlocks.length == Team.size()) return;
        int threads = Team.size();
        long blockRows = (long) imagesPerBlock() * outH * outW;
        colsBlocks = new Tensor[threads];
        dcolsBlocks = new Tensor[threads];
        partialDW = new Tensor[threads];
        partialDB = new Tensor[threads];
        for (int p = 0; p < threads; p++) {
            colsBlocks[p] = Tensor.zeros(type, blockRows * patch);   // padding entries stay 0 (see im2colFloat)
            dcolsBlocks[p] = Tensor.zeros(type, blockRows * patch);
            partialDW[p] = Tensor.zeros(type, patch * filters);
            partialDB[p] = Tensor.zeros(type, filters);
        }
    }

    /** cols of images first..end − 1 into this thread's block; returns the block's leading dimension as op(A) is read. */
    private int im2colBlock(Tensor x, Tensor block, int first, int end) {
        for (int n = first; n < end; n++) {
            if (transposesCols()) im2colTransposedFloat(x, block, n, n - first);
            else im2colFloat(x, block, n, n - first);
        }
        return transposesCols() ? imagesPerBlock() * outH * outW : patch;
    }

    private void forwardFloat(Tensor x, Tensor w, Tensor b, Tensor y) {
        ensureBlocks();
        input = x;
        int pixels = outH * outW, group = imagesPerBlock();
        Tensor ones = Blas.ones(type, group * pixels, 1);
        Team.split(batch, 1, (part, first, last) -> {
            Tensor c = colsBlocks[part];
            for (int g = first; g < last; g += group) {
                int end = Math.min(last, g + group), rows = (end - g) * pixels;
                int lda = im2colBlock(x, c, g, end);
                Blas.gemmRows(c, transposesCols(), lda, 0, rows, patch, w, false, filters, y, g * pixels, 0);   // y = cols·W
                Blas.gemmRows(ones, false, 1, 0, rows, 1, b, false, filters, y, g * pixels, 1);                  // y += 1·b
            }
        });
    }

    /**
     * dW = colsᵀ·δ and dx = col2im(δ·Wᵀ), block by block as in forward. Each thread sums its
     * blocks' dW into a partial sum of its own, added up at the end. With cols [rows, patch] the
     * partial sums are dWᵀ = δᵀ·cols [filters, patch]: OpenBLAS ran that shape up to twice as
     * fast as colsᵀ·δ [patch, filters] (a wide output instead of a tall one).
     */
    private void backwardFloat(Tensor delta, Tensor w, Tensor dW, Tensor db, Tensor dx) {
        if (input == null) throw new IllegalStateException("backward before forward");
        int pixels = outH * outW, group = imagesPerBlock();
        Tensor x = input;
        boolean[] ran = new boolean[Team.size()];
        Team.split(batch, 1, (part, first, last) -> {
            Tensor c = colsBlocks[part], sum = partialDW[part], biasSum = partialDB[part];
            for (int g = first; g < last; g += group) {
                int end = Math.min(last, g + group), r0 = g * pixels, r1 = end * pixels;
                int lda = im2colBlock(x, c, g, end);
                double beta = g == first ? 0 : 1;
                if (transposesCols()) Blas.gemmInner(c, false, lda, 0, delta, filters, r0, r1 - r0, patch, filters, sum, beta);   // dW += colsᵀ·δ
                else Blas.gemmInner(delta, true, filters, r0, c, patch, 0, r1 - r0, filters, patch, sum, beta);              // dWᵀ += δᵀ·cols
                Blas.sumRows(delta, filters, r0, r1, biasSum, beta);                                                         // db += Σ_rows δ
                if (dx == null) continue;
                Blas.gemmRows(delta, false, filters, r0, r1, filters, w, true, patch, dcolsBlocks[part], 0, 0);   // dcols = δ·Wᵀ
                for (int n = g; n < end; n++) col2imFloat(dcolsBlocks[part], (n - g) * pixels * patch, dx, n);
            }
            ran[part] = true;
        });
        addPartialSums(ran, !transposesCols(), dW, db);
    }

    /** dW and db = Σ of the threads' partial sums, dW's stored as dW or, when {@code transposedSums}, as dWᵀ. */
    private void addPartialSums(boolean[] ran, boolean transposedSums, Tensor dW, Tensor db) {
        int size = patch * filters;
        float[] sum = Scratch.floats(0, size), part = Scratch.floats(1, size), biasSum = Scratch.floats(2, filters);
        java.util.Arrays.fill(sum, 0, size, 0f);
        java.util.Arrays.fill(biasSum, 0, filters, 0f);
        for (int p = 0; p < ran.length; p++) {
            if (!ran[p]) continue;
            partialDW[p].copyTo(0, part, 0, size);
            for (int i = 0; i < size; i++) sum[i] += part[i];
            partialDB[p].copyTo(0, part, 0, filters);
            for (int f = 0; f < filters; f++) biasSum[f] += part[f];
        }
        db.copyFrom(biasSum, 0, 0, filters);
        if (transposedSums) {
            float[] t = Scratch.floats(1, size);
            for (int f = 0; f < filters; f++) for (int i = 0; i < patch; i++) t[i * filters + f] = sum[f * patch + i];
            sum = t;
        }
        dW.copyFrom(sum, 0, 0, size);
    }

    /** Image n's cols into rows of the block from image slot {@code slot} on. Only the runs are written: the rest is padding, zero since the block was made. */
    private void im2colFloat(Tensor x, Tensor block, int n, int slot) {
        int imageSize = inH * inW * inC, size = outH * outW * patch;
        float[] image = Scratch.floats(0, imageSize);
        x.copyTo(n * imageSize, image, 0, imageSize);
        for (int r = 0; r < runs.length().length; r++) block.copyFrom(image, runs.pixelStart()[r], slot * size + runs.colStart()[r], runs.length()[r]);
    }

    /** im2col into the transposed layout (one input channel): row (ky, kx) holds x[oy·s − p + ky, ox·s − p + kx]. */
    private void im2colTransposedFloat(Tensor x, Tensor block, int n, int slot) {
        int imageSize = inH * inW, pixels = outH * outW, ld = imagesPerBlock() * pixels;
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
                block.copyFrom(row, 0, (ky * kernel + kx) * ld + slot * pixels, pixels);
            }
        }
    }

    /**
     * Each run is first copied to where it lands (in {@code run}, an image-sized array), then
     * added with one index for both arrays: the JIT vectorises {@code a[i] += b[i]} but not
     * {@code a[i + p] += b[i + q]} (C2 in JDK 17 leaves a loop scalar when its arrays are read
     * at different offsets), and the copy is a vectorised intrinsic. 3x faster than adding in place.
     */
    private void col2imFloat(Tensor dcols, int from, Tensor dx, int n) {
        int imageSize = inH * inW * inC, block = outH * outW * patch;
        float[] rows = Scratch.floats(0, block), image = Scratch.floats(1, imageSize), run = Scratch.floats(2, imageSize);
        dcols.copyTo(from, rows, 0, block);
        java.util.Arrays.fill(image, 0, imageSize, 0f);
        for (int r = 0; r < runs.length().length; r++) {
            int dst = runs.pixelStart()[r], end = dst + runs.length()[r];
            System.arraycopy(rows, runs.colStart()[r], run, dst, end - dst);
            for (int i = dst; i < end; i++) image[i] += run[i];
        }
        dx.copyFrom(image, 0, n * imageSize, imageSize);
    }
}
