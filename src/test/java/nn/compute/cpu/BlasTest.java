package nn.compute.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
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

    private static Tensor random(DataType type, Rng rng, long rows, long cols) {
        Tensor t = Tensor.zeros(type, rows, cols);
        for (int i = 0; i < t.length; i++) t.set(i, rng.nextGaussian());
        return t;
    }

    @ParameterizedTest(name = "{0} threads, {1}x{2}x{3} {4} transA={5} transB={6}")
    @MethodSource("products")
    void gemmAgreesWithTheDefinition(int threads, int m, int k, int n, DataType type, boolean transA, boolean transB) {
        Team.setSize(threads);
        Rng rng = new Rng(m * 31L + k * 7L + n);
        Tensor a = transA ? random(type, rng, k, m) : random(type, rng, m, k);
        Tensor b = transB ? random(type, rng, n, k) : random(type, rng, k, n);
        Tensor c = random(type, rng, m, n);
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
            Tensor x = random(type, rng, 300, 70), y = random(type, rng, 300, 70);
            double[] x0 = values(x), y0 = values(y);
            engine.axpy(-0.25, x, y);
            for (int i = 0; i < y.length; i++) assertEquals(y0[i] - 0.25 * x0[i], y.get(i), 1e-6);
            engine.scale(0.5, x);
            for (int i = 0; i < x.length; i++) assertEquals(0.5 * x0[i], x.get(i), 1e-6);

            Tensor rows = random(type, rng, 300, 70), bias = random(type, rng, 1, 70), sums = Tensor.zeros(type, 1, 70);
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
