package nn.compute.cpu;

import static nn.compute.cpu.TestTensors.gaussian;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Engine;
import nn.compute.Engines;
import nn.compute.Tensor;
import nn.random.Rng;

/** The cpu engine's attention primitives against their definitions, and the rational tanh behind its fast GELU. */
class AttentionKernelsTest {
    private static final Engine CPU = Engines.of(Engines.Kind.CPU);

    @AfterEach
    void oneThreadAgain() {
        Team.setSize(1);
    }

    @Test
    void theRationalTanhStaysWithinAMillionthOfTanhWhereGeluUsesIt() {
        double worst = 0;
        for (double z = -7.5; z <= 7.5; z += 1e-4) worst = Math.max(worst, Math.abs(CpuEngine.tanh((float) z) - Math.tanh((float) z)));
        assertTrue(worst < 1e-6, "worst error " + worst);
    }

    /** GELU's float fast path agrees with its definition far out in the tails too (where tanh' vanishes). */
    @Test
    void theFastGeluAndItsGradientHoldInTheTails() {
        float[] xs = {-1000, -100, -30, -8, -3, -0.5f, 0, 0.5f, 3, 8, 30, 100, 1000};
        Tensor x = Tensor.zeros(DataType.FLOAT, 1, xs.length), y = Tensor.zeros(DataType.FLOAT, 1, xs.length);
        Tensor ones = Tensor.zeros(DataType.FLOAT, 1, xs.length), dx = Tensor.zeros(DataType.FLOAT, 1, xs.length);
        x.copyFrom(xs, 0, 0, xs.length);
        ones.fill(1);
        CPU.activate(nn.compute.Nonlinearity.GELU, x, y);
        CPU.activateBackward(nn.compute.Nonlinearity.GELU, x, y, ones, dx);
        for (int i = 0; i < xs.length; i++) {
            double f = nn.compute.Nonlinearity.GELU.apply(xs[i]), df = nn.compute.Nonlinearity.GELU.derivative(xs[i], f);
            assertEquals(f, y.get(i), 1e-6 * (1 + Math.abs(xs[i])), "gelu(" + xs[i] + ")");   // float precision of x
            assertEquals(df, dx.get(i), 5e-6, "gelu'(" + xs[i] + ")");   // bounded: the cap keeps x³ out
        }
    }

    /** Each of the stacked products equals the triple loop of its definition, every transpose, float and double, 1-3 threads. */
    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3})
    void batchedProductsAreTheProductOfEachPair(int threads) {
        Team.setSize(threads);
        int count = 7, m = 5, k = 4, n = 3;
        Rng rng = new Rng(1);
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    Tensor a = gaussian(type, rng, (long) count * (ta ? k : m), ta ? m : k), b = gaussian(type, rng, (long) count * (tb ? n : k), tb ? k : n);
                    Tensor c = Tensor.zeros(type, (long) count * m, n);
                    CPU.batchedGemm(a, ta, b, tb, c, count, 0.5);
                    for (int i = 0; i < count; i++) {
                        for (int r = 0; r < m; r++) {
                            for (int col = 0; col < n; col++) {
                                double sum = 0;
                                for (int j = 0; j < k; j++) {
                                    double av = ta ? a.get(i * k * m + j * m + r) : a.get(i * m * k + r * k + j);
                                    double bv = tb ? b.get(i * n * k + col * k + j) : b.get(i * k * n + j * n + col);
                                    sum += av * bv;
                                }
                                assertEquals(0.5 * sum, c.get(i * m * n + r * n + col), 1e-5, type + " " + ta + " " + tb);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void headsAreCutOutOfTheirColumnsAndPutBack() {
        int examples = 3, tokens = 4, heads = 2, d = 3, width = 2 + heads * d + 1;
        Tensor x = Tensor.zeros(DataType.FLOAT, examples * tokens, width);
        x.fill(i -> i);
        Tensor out = Tensor.zeros(DataType.FLOAT, examples * heads * tokens, d);
        CPU.splitHeads(x, 2, heads, tokens, out);
        for (int e = 0; e < examples; e++) for (int h = 0; h < heads; h++) for (int t = 0; t < tokens; t++) for (int j = 0; j < d; j++) {
            assertEquals(x.get((e * tokens + t) * width + 2 + h * d + j), out.get(((e * heads + h) * tokens + t) * d + j));
        }
        Tensor back = Tensor.zeros(DataType.FLOAT, examples * tokens, width);
        CPU.mergeHeads(out, heads, tokens, back, 2);
        for (int i = 0; i < back.length; i++) {
            int col = i % width;
            assertEquals(col >= 2 && col < 2 + heads * d ? x.get(i) : 0, back.get(i), "element " + i);
        }
    }
}
