package nn.compute.cpu;

import java.util.HashMap;
import java.util.Map;

import org.bytedeco.dnnl.dnnl_version_t;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

import nn.compute.Tensor;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;

/**
 * Matrix products ({@code C = α·op(A)·op(B) + β·C}) and vector updates ({@code y += α·x},
 * {@code x *= α}) straight through native calls, cut into one block per {@link Team} thread:
 * float products through oneDNN's sgemm where nn ships its natives ({@link #sgemm}), the rest
 * through OpenBLAS's cblas calls (the BLAS that ND4J itself loads).
 *
 * <p>Why not {@code Nd4j.gemm}: on a 64x784x128 product it took 200-230 µs where the same
 * cblas call takes 140-160 µs (ND4J adds a native context and shape checks per call), and a
 * block of a matrix is just a pointer and a leading dimension here, while ND4J refuses views
 * as outputs. The blocks are slices of the inner dimension whose partial products are summed
 * when that dimension is long and C small (weight gradients summed over a batch of pixels),
 * else whole columns of C when it is wider than tall, else whole rows (measured per shape of
 * the two reference workloads; BlasTest covers each kind of split).
 *
 * <p>The vector updates carry the optimisers: OpenBLAS's vectorised loops beat element-by-element
 * Java over native memory (which the JIT does not vectorise) several times.
 */
public final class Blas {
    /** Below this many multiply-adds a product runs on one thread: the hand-over would cost more. */
    private static final long SPLIT_WORK = 1L << 17;
    private static final int MIN_BLOCK = 16;
    /** Arrays made once per shape: ones (part -1) and the partial sums of thread `part`. */
    private record Shape(org.nd4j.linalg.api.buffer.DataType type, int rows, int cols, int part) {}
    private static final Map<Shape, Tensor> cache = new HashMap<>();

    /** Whether float products go to oneDNN (see {@link #sgemm}). */
    static final boolean ONEDNN = loadOneDnn();

    static {
        // The natives run single-threaded: parallelism is the Team's (see there why).
        openblas_nolapack.blas_set_num_threads(1);
    }

    private Blas() {}

    /** OpenBLAS back to one thread (another engine in this JVM may have raised it). */
    static void singleThreaded() {
        openblas_nolapack.blas_set_num_threads(1);
    }

    public static void gemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, double alpha, double beta) {
        long[] as = a.shape(), bs = b.shape(), cs = c.shape();
        if (as.length != 2 || bs.length != 2 || cs.length != 2) throw new IllegalArgumentException("gemm needs matrices");
        int m = (int) (transA ? as[1] : as[0]), k = (int) (transA ? as[0] : as[1]);
        int kb = (int) (transB ? bs[1] : bs[0]), n = (int) (transB ? bs[0] : bs[1]);
        if (k != kb || cs[0] != m || cs[1] != n) {
            throw new IllegalArgumentException("gemm shapes do not fit: " + m + "x" + k + " times " + kb + "x" + n + " into " + cs[0] + "x" + cs[1]);
        }
        gemm(a, transA, b, transB, c, m, n, k, alpha, beta);
    }

    /** The same with the sizes given: op(A) is m x k, op(B) k x n, C m x n, each stored whole and row-major. */
    static void gemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, int m, int n, int k, double alpha, double beta) {
        if ((long) m * k != a.length || (long) k * n != b.length || (long) m * n != c.length || a.type() != c.type() || b.type() != c.type()) {
            throw new IllegalArgumentException("gemm operands do not hold " + m + "x" + k + " times " + k + "x" + n);
        }
        Product p = new Product(a, transA, transA ? m : k, b, transB, transB ? k : n, c, n, alpha, beta);
        long work = (long) m * n * k;
        if (Team.size() == 1 || work < SPLIT_WORK || k < MIN_BLOCK) {   // a broadcast (k = 1) is memory-bound: one thread
            p.block(0, m, 0, n, 0, k, c, beta);
        } else if (k >= 4 * Math.max(m, n)) {
            // Long and thin (a weight gradient summed over a whole batch of pixels): each thread
            // takes its own rows of the inputs, which it wrote itself, and the small partial
            // products are added up.
            sumOverInnerBlocks(p, m, n, k);
        } else if (n > m && n >= 2 * MIN_BLOCK) {
            // Wide C (a dense layer's output for a batch of 64): each thread reads only its
            // part of B, the weights, instead of all of it.
            Team.split(n, MIN_BLOCK, (part, from, to) -> p.block(0, m, from, to, 0, k, c, beta));
        } else if (m >= 2 * MIN_BLOCK) {
            Team.split(m, MIN_BLOCK, (part, from, to) -> p.block(from, to, 0, n, 0, k, c, beta));
        } else if (n >= 2 * MIN_BLOCK) {
            Team.split(n, MIN_BLOCK, (part, from, to) -> p.block(0, m, from, to, 0, k, c, beta));
        } else {
            sumOverInnerBlocks(p, m, n, k);
        }
    }

    /**
     * Rows r0..r1 of op(A) (m x k; A is stored row-major with leading dimension lda, transposed
     * or not) times op(B) (k x n) into C [·, n] from row cRow on, on the calling thread: for
     * kernels that already split their work.
     */
    static void gemmRows(Tensor a, boolean transA, int lda, int r0, int r1, int k, Tensor b, boolean transB, int n,
                         Tensor c, int cRow, double beta) {
        Product p = new Product(a, transA, lda, b, transB, transB ? k : n, c, n, 1, beta);
        p.multiply(r0, r1, 0, n, 0, k, c, (long) cRow * n, beta);
    }

    /**
     * C[m, n] = op(A)[:, aFrom..aFrom+k]·B[bFrom..bFrom+k, :] + β·C on the calling thread: a
     * slice of the inner dimension, for kernels that sum partial products themselves. A is stored
     * row-major with leading dimension lda (transposed or not), B [·, ldb] row-major, C [m, n].
     */
    static void gemmInner(Tensor a, boolean transA, int lda, int aFrom, Tensor b, int ldb, int bFrom, int k, int m, int n,
                          Tensor c, double beta) {
        long offA = transA ? (long) aFrom * lda : aFrom, offB = (long) bFrom * ldb;
        product(transA, false, m, n, k, 1, a, offA, lda, b, offB, ldb, beta, c, 0, n);
    }

    /**
     * c_i = α·op(a_i)·op(b_i) for the {@code count} matrices stacked in each tensor; the stack is
     * split over the Team, one cblas call per matrix (attention's are 16x16: too small to split).
     */
    static void batchedGemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, int count, double alpha) {
        int sizeA = a.length / count, sizeB = b.length / count, sizeC = c.length / count;
        int m = (int) (c.shape()[0] / count), n = (int) c.shape()[1], k = m == 0 ? 0 : sizeA / m;   // c is [count·m, n]
        if ((long) sizeA * count != a.length || (long) sizeC * count != c.length || (long) m * n != sizeC || (long) k * n != sizeB
                || a.type() != c.type() || b.type() != c.type()) {
            throw new IllegalArgumentException("batched gemm operands do not hold " + count + " products of " + m + "x" + k + " times " + k + "x" + n);
        }
        int lda = transA ? m : k, ldb = transB ? k : n;
        Team.split(count, 8, (part, first, last) -> {
            for (int i = first; i < last; i++) {
                product(transA, transB, m, n, k, alpha, a, (long) i * sizeA, lda, b, (long) i * sizeB, ldb, 0, c, (long) i * sizeC, n);
            }
        });
    }

    /**
     * C = α·op(A)·op(B) + β·C with each operand starting at an offset into its tensor (row-major,
     * leading dimensions lda, ldb, ldc): {@link #sgemm} for float tensors, OpenBLAS's dgemm for double ones.
     */
    private static void product(boolean transA, boolean transB, int m, int n, int k, double alpha, Tensor a, long offA, int lda,
                                Tensor b, long offB, int ldb, double beta, Tensor c, long offC, int ldc) {
        if (c instanceof Tensor.F32) {
            sgemm(transA, transB, m, n, k, (float) alpha, a.floats(offA), lda, b.floats(offB), ldb, (float) beta, c.floats(offC), ldc);
        } else {
            openblas_nolapack.cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k,
                    alpha, a.doubles(offA), lda, b.doubles(offB), ldb, beta, c.doubles(offC), ldc);
        }
    }

    /**
     * Single precision C = α·op(A)·op(B) + β·C, all row-major with leading dimensions lda, ldb,
     * ldc: the one place float products are computed. oneDNN's sgemm where its natives load (nn
     * ships them for x86-64), else OpenBLAS's, the reference it is tested against (BlasTest).
     * An empty inner dimension (k = 0) goes to OpenBLAS too: oneDNN leaves C as it was there,
     * where BLAS defines C = β·C.
     */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, FloatPointer a, int lda,
                      FloatPointer b, int ldb, float beta, FloatPointer c, int ldc) {
        if (ONEDNN && k > 0) sgemmOneDnn(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        else sgemmOpenBlas(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /** The reference: OpenBLAS's cblas_sgemm. */
    static void sgemmOpenBlas(boolean transA, boolean transB, int m, int n, int k, float alpha, FloatPointer a, int lda,
                              FloatPointer b, int ldb, float beta, FloatPointer c, int ldc) {
        openblas_nolapack.cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k,
                alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /**
     * oneDNN's dnnl_sgemm (row-major, like the calls above): on the reference workloads' shapes,
     * one thread, 1.0-1.75x OpenBLAS 0.3.19's speed, with AVX-512 kernels and with AVX2 ones (docs/benchmarks.md).
     */
    static void sgemmOneDnn(boolean transA, boolean transB, int m, int n, int k, float alpha, FloatPointer a, int lda,
                            FloatPointer b, int ldb, float beta, FloatPointer c, int ldc) {
        int status = dnnl.dnnl_sgemm(transA ? (byte) 'T' : (byte) 'N', transB ? (byte) 'T' : (byte) 'N', m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        if (status != dnnl.dnnl_success) throw new IllegalStateException("oneDNN sgemm failed with status " + status);
    }

    /** The library that computes float products, for reports: "oneDNN 2.5.2" or "OpenBLAS". */
    public static String sgemmLibrary() {
        if (!ONEDNN) return "OpenBLAS";
        dnnl_version_t v = dnnl.dnnl_version();
        return "oneDNN " + v.major() + "." + v.minor() + "." + v.patch();
    }

    /** Whether oneDNN's natives load here; where they do not (no build for the platform), OpenBLAS computes. */
    private static boolean loadOneDnn() {
        try {
            Loader.load(dnnl.class);
            return true;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            return false;
        }
    }

    /**
     * y = Σ rows r0..r1 of A [·, cols] (row-major) + β·y, on the calling thread: a product with
     * a column of ones (one thread: it reads A once, memory-bound).
     */
    static void sumRows(Tensor a, int cols, int r0, int r1, Tensor y, double beta) {
        Tensor ones = ones(a.type(), r1 - r0, 1);
        if (y instanceof Tensor.F32) {
            openblas_nolapack.cblas_sgemv(CblasRowMajor, CblasTrans, r1 - r0, cols, 1f, a.floats((long) r0 * cols), cols, ones.floats(0), 1, (float) beta, y.floats(0), 1);
        } else {
            openblas_nolapack.cblas_dgemv(CblasRowMajor, CblasTrans, r1 - r0, cols, 1, a.doubles((long) r0 * cols), cols, ones.doubles(0), 1, beta, y.doubles(0), 1);
        }
    }

    /** y += α·x, element by element. */
    static void axpy(double alpha, Tensor x, Tensor y) {
        if (x.length != y.length || x.type() != y.type()) throw new IllegalArgumentException("axpy needs two vectors of one length and type");
        Team.split(y.length, CpuEngine.GRAIN, (part, from, to) -> {
            if (y instanceof Tensor.F32) openblas_nolapack.cblas_saxpy(to - from, (float) alpha, x.floats(from), 1, y.floats(from), 1);
            else openblas_nolapack.cblas_daxpy(to - from, alpha, x.doubles(from), 1, y.doubles(from), 1);
        });
    }

    /** x *= α, element by element. */
    static void scal(double alpha, Tensor x) {
        Team.split(x.length, CpuEngine.GRAIN, (part, from, to) -> {
            if (x instanceof Tensor.F32) openblas_nolapack.cblas_sscal(to - from, (float) alpha, x.floats(from), 1);
            else openblas_nolapack.cblas_dscal(to - from, alpha, x.doubles(from), 1);
        });
    }

    /** C = α·Σ_parts A_part·B_part + β·C: part 0 into C, the others into scratch, then added. */
    private static void sumOverInnerBlocks(Product p, int m, int n, int k) {
        Tensor[] partial = new Tensor[Team.size()];
        for (int i = 1; i < partial.length; i++) partial[i] = scratch(p.c, m, n, i);
        boolean[] ran = new boolean[partial.length];
        Team.split(k, MIN_BLOCK, (part, from, to) -> {
            p.block(0, m, 0, n, from, to, part == 0 ? p.c : partial[part], part == 0 ? p.beta : 0);
            ran[part] = true;
        });
        for (int i = 1; i < partial.length; i++) {
            if (!ran[i]) continue;
            Tensor s = partial[i];
            if (s instanceof Tensor.F32) openblas_nolapack.cblas_saxpy(s.length, 1f, s.floats(0), 1, p.c.floats(0), 1);
            else openblas_nolapack.cblas_daxpy(s.length, 1, s.doubles(0), 1, p.c.doubles(0), 1);
        }
    }

    /** A [rows, cols] matrix of ones (for sums and broadcasts as products), made once per shape. */
    static synchronized Tensor ones(org.nd4j.linalg.api.buffer.DataType type, int rows, int cols) {
        return cache.computeIfAbsent(new Shape(type, rows, cols, -1), key -> {
            Tensor t = Tensor.zeros(type, rows, cols);
            t.fill(1);
            return t;
        });
    }

    private static synchronized Tensor scratch(Tensor like, int m, int n, int part) {
        return cache.computeIfAbsent(new Shape(like.type(), m, n, part), key -> Tensor.zeros(like.type(), m, n));
    }

    /** One product's operands, with their row-major leading dimensions. */
    private record Product(Tensor a, boolean transA, int lda, Tensor b, boolean transB, int ldb, Tensor c, int ldc,
                           double alpha, double beta) {
        /** out[rows, cols] = α·op(A)[rows, inner]·op(B)[inner, cols] + β·out; out is C or a partial sum (ldc = C's). */
        void block(int r0, int r1, int c0, int c1, int k0, int k1, Tensor out, double outBeta) {
            multiply(r0, r1, c0, c1, k0, k1, out, (long) r0 * ldc + c0, outBeta);
        }

        /** The same, written from element offOut of out on. */
        void multiply(int r0, int r1, int c0, int c1, int k0, int k1, Tensor out, long offOut, double outBeta) {
            long offA = transA ? (long) k0 * lda + r0 : (long) r0 * lda + k0;
            long offB = transB ? (long) c0 * ldb + k0 : (long) k0 * ldb + c0;
            product(transA, transB, r1 - r0, c1 - c0, k1 - k0, alpha, a, offA, lda, b, offB, ldb, outBeta, out, offOut, ldc);
        }
    }
}
