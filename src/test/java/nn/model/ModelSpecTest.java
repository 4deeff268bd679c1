package nn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import nn.compute.Tensor;
import nn.random.Rng;
import nn.train.Preset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

/** Model specs build the layers they describe, and bad ones fail with a message that says what is wrong. */
class ModelSpecTest {
    @Test
    void presetsBuildWithTheDocumentedShapes() {
        Network mlp = ModelSpec.of(Preset.MLP.spec(List.of(256), 0)).build(DataType.FLOAT);
        assertEquals(784 * 256 + 256 + 256 * 10 + 10, mlp.parameterCount());
        Network cnn = ModelSpec.of(Preset.CNN.spec(List.of(), 0)).build(DataType.FLOAT);
        // conv 5x5x1x20 + conv 5x5x20x50 + dense 800x500 + dense 500x10, with biases: LeNet's 431,080
        assertEquals(520 + 25050 + 400500 + 5010, cnn.parameterCount());
        assertTrue(cnn.summary().contains("flatten"), "a flatten is added before the first dense layer");
        ModelSpec.of(Preset.CNN_BEST.spec(List.of(), 0)).build(DataType.FLOAT);
        Network rnn = ModelSpec.of(Preset.RNN.spec(List.of(), 0)).build(DataType.FLOAT);
        // Wx 28x512 + Wh 128x512 + b 512, then dense 128x10 + 10
        assertEquals(28 * 512 + 128 * 512 + 512 + 1290, rnn.parameterCount());
    }

    @Test
    void lstmReadsRowsAsStepsAndStacksWithSeq() {
        ModelSpec spec = ModelSpec.of("lstm(16,seq),lstm(8)");
        Network net = spec.build(DataType.FLOAT);
        assertEquals("lstm(16,seq),lstm(8)", spec.text());
        assertEquals(new Shape(28, 1, 16), net.outputShape(0));
        assertEquals(Shape.features(8), net.outputShape(1));
        assertEquals((28 + 16 + 1) * 64 + (16 + 8 + 1) * 32 + 8 * 10 + 10, net.parameterCount());
        assertEquals(net.parameterCount(), spec.footprint().parameters());
        // the forget-gate bias starts at 1, the others at 0
        net.initialize(new Rng(3));
        Tensor b = net.params().get(2).value();
        for (int i = 0; i < 64; i++) assertEquals(i >= 16 && i < 32 ? 1 : 0, b.get(i), 0, "b[" + i + "]");
        assertTrue(ModelSpec.of("lstm(8,seq),dense(10)").build(DataType.FLOAT).summary().contains("flatten"));
    }

    @Test
    void aVisionTransformerCutsPatchesIntoTokensAndPoolsThem() {
        ModelSpec spec = ModelSpec.of("patches(7,64),attention(4),attention(4),pool");
        Network net = spec.build(DataType.FLOAT);
        assertEquals(new Shape(4, 4, 64), net.outputShape(0), "16 tokens of 64");
        assertEquals(new Shape(4, 4, 64), net.outputShape(1));
        assertEquals(Shape.features(64), net.outputShape(3), "pool without a size: the mean token");
        long block = 4 * 64 + 65 * 192 + 65 * 64 + 65 * 256 + 257 * 64;
        assertEquals((49 + 1) * 64 + 16 * 64 + 2 * block + 65 * 10, net.parameterCount());
        assertEquals(net.parameterCount(), spec.footprint().parameters());
        // products: the patch projection, per block 12·DIM² per token plus q·kᵀ and P·v (2·T·DIM each), the output layer
        assertEquals(2L * 16 * 49 * 64 + 2 * (2L * 16 * 12 * 64 * 64 + 4L * 16 * 16 * 64) + 2 * 64 * 10, net.forwardFlops());
        assertEquals(new Shape(7, 7, 8), ModelSpec.of("patches(4,8)").build(DataType.FLOAT).outputShape(0), "P = 4: 49 tokens");
        assertTrue(ModelSpec.of("conv(8,3),pool").build(DataType.FLOAT).summary().contains("pool"), "global average pooling after a conv");
    }

    @Test
    void normalisesCaseAndSpaces() {
        assertEquals("dense(64),relu", ModelSpec.of(" Dense(64), ReLU ").text());
    }

    @Test
    void picksHeInitForReluAndGlorotOtherwise() {
        Network net = ModelSpec.of("dense(300),relu,dense(300),tanh").build(DataType.DOUBLE);
        net.initialize(new Rng(1));
        double he = std(net.params().get(0).value()), glorot = std(net.params().get(2).value());
        assertEquals(Math.sqrt(2.0 / 784), he, 0.002);
        assertEquals(Math.sqrt(2.0 / 600), glorot, 0.002);   // uniform ±sqrt(6/(in+out)) has std sqrt(2/(in+out))
    }

    private static double std(Tensor t) {
        double s = 0;
        for (int i = 0; i < t.length; i++) s += t.get(i) * t.get(i);
        return Math.sqrt(s / t.length);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "dense(10),softplus        | unknown layer 'softplus'",
        "dense                     | 'dense' is missing its units",
        "dense(ten)                | units 'ten' is not a whole number",
        "dense(0)                  | units must be at least 1",
        "conv(8,3,pad=-1)          | pad must not be negative",
        "conv(8,3,size=2)          | arguments nn does not understand",
        "conv(8,40)                | does not fit a 28x28x1 input",
        "dense(10),,relu           | empty layer",
        "dense(10                  | unbalanced '('",
        "dropout(1.5)              | dropout rate must be in [0, 1)",
        "pool(2,stride=1),pool(30) | does not fit",
        "lstm                      | 'lstm' is missing its units",
        "lstm(8,all)               | expected 'seq', got 'all'",
        "lstm(8,seq,seq)           | arguments nn does not understand",
        "patches(5,16)             | multiples of 5",
        "patches(7)                | missing its token width",
        "patches(7,30),attention(4)| divisible by 4",
        "attention                 | missing its number of heads",
    })
    void rejectsBadSpecsClearly(String spec, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.of(spec));
        assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should contain '" + expected + "'");
    }
}
