package nn.compute.cpu;

import static nn.compute.cpu.TestTensors.gaussian;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Engine;
import nn.compute.Engines;
import nn.compute.Tensor;
import nn.random.Rng;

/**
 * The direct BLAS calls against plain loops: every transpose combination, α and β, and shapes
 * that take each way of splitting a product (rows, columns, inner slices, one thread).
 */
class BlasTest {
    @AfterEach
    void oneThreadAgain() {
        Team.setSize(1);
    }

    static List<Arguments> products() {
        int[][] shapes = {
            {64, 784, 128},   // rows of C split (a dense layer's forward)
            {784, 64, 128},   // rows, with a short inner dimension (dW = xᵀ·δ)
            {8, 60, 100},     // few rows: columns split
            {25, 4000, 20},   // small C, long inner dimension: inner slices summed
            {3, 5, 7},        // too small to split
        };
        List<Arguments> out = new ArrayList<>();
        for (int threads : new int[] {1, 2, 3}) {
            for (int[] s : shapes) {
                for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
                    for (int flags = 0; flags < 4; flags++) out.add(Arguments.of(threads, s[0], s[1], s[2], type, (flags & 1) != 0, (flags & 2) != 0));
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} threads, {1}x{2}x{3} {4} transA={5} transB={6}")
    @MethodSource("products")
    void gemmAgreesWithTheDefinition(int threads, int m, int k, int n, DataType type, boolean transA, boolean transB) {
        Team.setSize(threads);
        Rng rng = new Rng(m * 31L + k * 7L + n);
        Tensor a = transA ? gaussian(type, rng, k, m) : gaussian(type, rng, m, k);
        Tensor b = transB ? gaussian(type, rng, n, k) : gaussian(type, rng, k, n);
        Tensor c = gaussian(type, rng, m, n);
        double[] before = new double[c.length];
        for (int i = 0; i < c.length; i++) before[i] = c.get(i);

        Blas.gemm(a, transA, b, transB, c, 0.7, 0.3);

        double tolerance = type == DataType.FLOAT ? 1e-4 : 1e-10;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0, scale = 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? a.get(p * m + i) : a.get(i * k + p);
                    double bv = transB ? b.get(j * k + p) : b.get(p * n + j);
                    sum += av * bv;
                    scale += Math.abs(av * bv);
                }
                double want = 0.7 * sum + 0.3 * before[i * n + j];
                assertEquals(want, c.get(i * n + j), tolerance * (1 + scale), "C[" + i + "," + j + "]");
            }
        }
    }

    /** nn ships oneDNN's natives for x86-64: there float products must run on it, not fall back to OpenBLAS unnoticed. */
    @Test
    void floatProductsRunOnOneDnnOnX86() {
        String arch = System.getProperty("os.arch");
        assumeTrue(arch.equals("amd64") || arch.equals("x86_64"), "oneDNN's natives ship for x86-64 only");
        assertTrue(Blas.ONEDNN, "oneDNN's natives did not load");
        assertTrue(Blas.sgemmLibrary().startsWith("oneDNN 2."), Blas.sgemmLibrary());
    }

    /** The reference workloads' products (per thread) and small odd ones, each transpose combination, with β 0 and 1. */
    static List<Arguments> subMatrixProducts() {
        int[][] shapes = {{64, 64, 784}, {392, 128, 64}, {512, 50, 500}, {50, 500, 512}, {512, 500, 50}, {10368, 20, 25}, {25, 20, 10368},
                          {3, 5, 7}, {17, 1, 9}, {6, 4, 1}, {5, 3, 0}, {0, 4, 6}};
        List<Arguments> out = new ArrayList<>();
        for (int[] s : shapes) {
            for (int flags = 0; flags < 8; flags++) out.add(Arguments.of(s[0], s[1], s[2], (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0 ? 1f : 0f));
        }
        return out;
    }

    /**
     * The fast path against its reference: sgemm (oneDNN's) gives OpenBLAS's product, on
     * sub-matrices (operands at an offset, leading dimensions wider than the rows) as the conv
     * blocks use them, to float rounding; with an empty inner dimension, C = β·C as BLAS defines it.
     */
    @ParameterizedTest(name = "{0}x{1}x{2} transA={3} transB={4} beta={5}")
    @MethodSource("subMatrixProducts")
    void oneDnnSgemmAgreesWithOpenBlas(int m, int n, int k, boolean transA, boolean transB, float beta) {
        assumeTrue(Blas.ONEDNN, "no oneDNN on this platform");
        Rng rng = new Rng(m * 131L + n * 17L + k);
        int lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 5, ldc = n + 2, offA = 7, offB = 2, offC = 11;
        Tensor a = gaussian(DataType.FLOAT, rng, 1, offA + (long) (transA ? k : m) * lda);
        Tensor b = gaussian(DataType.FLOAT, rng, 1, offB + (long) (transB ? n : k) * ldb);
        Tensor want = gaussian(DataType.FLOAT, rng, 1, offC + (long) m * ldc), got = Tensor.zeros(DataType.FLOAT, 1, want.length);
        got.copyFrom(want, 0, 0, want.length);
        Blas.sgemmOpenBlas(transA, transB, m, n, k, 0.5f, a.floats(offA), lda, b.floats(offB), ldb, beta, want.floats(offC), ldc);
        Blas.sgemm(transA, transB, m, n, k, 0.5f, a.floats(offA), lda, b.floats(offB), ldb, beta, got.floats(offC), ldc);
        for (int i = 0; i < want.length; i++) assertEquals(want.get(i), got.get(i), 1e-5 * Math.sqrt(k) * (1 + Math.abs(want.get(i))), "C at " + i);
    }

    /** The same on both engines (the nd4j engine's through ND4J ops): the definitions hold for each. */
    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2})
    void vectorUpdatesBiasesAndSums(int threads) {
        Team.setSize(threads);
        for (Engines.Kind kind : Engines.Kind.values()) vectorUpdatesBiasesAndSums(Engines.of(kind));
    }

    private static void vectorUpdatesBiasesAndSums(Engine engine) {
        Rng rng = new Rng(5);
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            Tensor x = gaussian(type, rng, 300, 70), y = gaussian(type, rng, 300, 70);
            double[] x0 = values(x), y0 = values(y);
            engine.axpy(-0.25, x, y);
            for (int i = 0; i < y.length; i++) assertEquals(y0[i] - 0.25 * x0[i], y.get(i), 1e-6);
            engine.scale(0.5, x);
            for (int i = 0; i < x.length; i++) assertEquals(0.5 * x0[i], x.get(i), 1e-6);

            Tensor rows = gaussian(type, rng, 300, 70), bias = gaussian(type, rng, 1, 70), sums = Tensor.zeros(type, 1, 70);
            double[] r0 = values(rows);
            engine.addToEachRow(rows, bias);
            for (int i = 0; i < rows.length; i++) assertEquals(r0[i] + bias.get(i % 70), rows.get(i), 1e-6);
            engine.sumRows(rows, sums);
            for (int j = 0; j < 70; j++) {
                double want = 0;
                for (int i = 0; i < 300; i++) want += rows.get(i * 70 + j);
                assertEquals(want, sums.get(j), 1e-3);
            }
        }
    }

    private static double[] values(Tensor t) {
        double[] v = new double[t.length];
        for (int i = 0; i < v.length; i++) v[i] = t.get(i);
        return v;
    }
}
