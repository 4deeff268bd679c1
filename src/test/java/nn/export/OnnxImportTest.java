package nn.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import nn.checkpoint.Checkpoint;
import nn.checkpoint.CheckpointException;
import nn.data.LabeledImages;
import nn.data.RealData;
import nn.eval.Predictor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX graphs as other exporters write them, read by nn: its predictions must be ONNX Runtime's. */
class OnnxImportTest {
    static LabeledImages test;

    @TempDir Path dir;

    @BeforeAll
    static void data() throws Exception {
        test = RealData.test();
    }

    enum Out { LOGITS, SOFTMAX, LOG_SOFTMAX }

    /** Imports the fixture, runs it in nn and in ONNX Runtime on 1,000 images; returns the imported model. */
    Checkpoint.Loaded check(String name, OnnxFixture fx, Out out, int opset, double tolerance, OnnxImport.Scaling scaling) throws Exception {
        if (out == Out.SOFTMAX) fx.op("Softmax", OnnxFixture.i("axis", 1));
        if (out == Out.LOG_SOFTMAX) fx.op("LogSoftmax", OnnxFixture.i("axis", -1));
        byte[] bytes = fx.bytes(opset, 10);
        Path file = dir.resolve(name + ".onnx");
        Files.write(file, bytes);
        Checkpoint.Loaded model = OnnxImport.load(file, scaling);
        float[] pixels = test.toFloats();
        if (scaling != null) {
            pixels = pixels.clone();
            for (int i = 0; i < pixels.length; i++) pixels[i] = (float) ((pixels[i] - scaling.mean()) / scaling.std());
        }
        float[] ort = Ort.run(bytes, "x", fx.inputShape, "out", pixels, test.size());
        if (out == Out.LOG_SOFTMAX) for (int i = 0; i < ort.length; i++) ort[i] = (float) Math.exp(ort[i]);
        if (out == Out.LOGITS) softmax(ort, 10);
        float[] own = Predictor.probabilities(model.network(), test.toFloats(), test.size());
        double diff = Ort.maxDiff(own, ort);
        int classes = Ort.differentClasses(own, ort, 10);
        System.out.printf("import %-24s -> %-60s max |p_nn - p_ort| = %.2e, %d of %d predictions differ%n", name, model.network().spec().text(),
                diff, classes, test.size());
        assertTrue(diff <= tolerance, name + ": max |Δp| " + diff);
        assertEquals(0, classes, name + ": predicted classes differ");
        return model;
    }

    static void softmax(float[] v, int classes) {
        for (int r = 0; r < v.length / classes; r++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int k = 0; k < classes; k++) max = Math.max(max, v[r * classes + k]);
            for (int k = 0; k < classes; k++) sum += Math.exp(v[r * classes + k] - max);
            for (int k = 0; k < classes; k++) v[r * classes + k] = (float) (Math.exp(v[r * classes + k] - max) / sum);
        }
    }

    /** PyTorch's nn.Linear stack: Flatten, Gemm (transB=1), Relu, Dropout, logits out. */
    @Test
    void pytorchMlp() throws Exception {
        OnnxFixture fx = OnnxFixture.image(1);
        fx.op("Flatten", OnnxFixture.i("axis", 1));
        fx.linear(784, 64);
        fx.op("Relu");
        fx.op("Dropout");
        fx.linear(64, 10);
        Checkpoint.Loaded m = check("pytorch-mlp", fx, Out.LOGITS, 17, 1e-5, null);
        assertEquals("dense(64),relu", m.network().spec().text());
    }

    /** A Keras Dense stack: [N,784] input, MatMul+Add, Sigmoid, Identity, Softmax. */
    @Test
    void kerasMlp() throws Exception {
        OnnxFixture fx = OnnxFixture.flat(2);
        fx.matMulAdd(784, 32);
        fx.op("Sigmoid");
        fx.op("Identity");
        fx.matMulAdd(32, 10);
        check("keras-mlp", fx, Out.SOFTMAX, 13, 1e-5, null);
    }

    /** Conv (padded, strided), MaxPool, BatchNormalization (Keras' epsilon), Tanh, Reshape, Gelu node, LogSoftmax. */
    @Test
    void cnnWithEveryOperator() throws Exception {
        OnnxFixture fx = OnnxFixture.image(3);
        fx.op("Conv", List.of(".", fx.random(25, 6, 1, 5, 5), fx.uniform(-0.1, 0.1, 6)), OnnxFixture.ints("kernel_shape", 5, 5),
                OnnxFixture.ints("pads", 2, 2, 2, 2));
        fx.op("Relu");
        fx.op("MaxPool", OnnxFixture.ints("kernel_shape", 2, 2), OnnxFixture.ints("strides", 2, 2));
        fx.op("Conv", List.of(".", fx.random(54, 8, 6, 3, 3), fx.uniform(-0.1, 0.1, 8)), OnnxFixture.ints("strides", 2, 2));
        fx.batchNorm(8, 1e-3f);
        fx.op("Tanh");
        fx.op("Reshape", List.of(".", fx.ints(-1, 8 * 6 * 6)));
        fx.linear(288, 24);
        fx.op("Gelu", OnnxFixture.s("approximate", "tanh"));
        fx.linear(24, 10);
        Checkpoint.Loaded m = check("cnn-every-operator", fx, Out.LOG_SOFTMAX, 20, 1e-5, null);
        assertEquals("conv(6,5,pad=2),relu,pool(2),conv(8,3,stride=2),batchnorm,tanh,dense(24),gelu", m.network().spec().text());
    }

    /** [N,784] reshaped to [N,1,28,28], Conv + Add bias, GELU in its Erf form, a computed Reshape, batch norm on features. */
    @Test
    void erfGeluAndComputedReshape() throws Exception {
        OnnxFixture fx = OnnxFixture.flat(4);
        fx.op("Reshape", List.of(".", fx.ints(-1, 1, 28, 28)));
        fx.op("Conv", List.of(".", fx.random(9, 4, 1, 3, 3)), OnnxFixture.ints("kernel_shape", 3, 3));
        fx.op("Add", List.of(".", fx.uniform(-0.1, 0.1, 1, 4, 1, 1)));
        fx.erfGelu();
        String pooled = fx.op("MaxPool", OnnxFixture.ints("kernel_shape", 3, 3), OnnxFixture.ints("strides", 2, 2));
        // x.view(x.size(0), -1)
        fx.op("Shape", List.of(pooled));
        fx.op("Gather", List.of(".", fx.ints(0)), OnnxFixture.i("axis", 0));
        String batch = fx.current;
        fx.op("Concat", List.of(batch, fx.ints(-1)), OnnxFixture.i("axis", 0));
        fx.op("Reshape", List.of(pooled, fx.current));
        fx.batchNorm(4 * 12 * 12, 1e-5f);
        fx.linear(576, 16);
        fx.erfGelu();
        fx.linear(16, 10);
        // nn runs GELU's tanh form: a little further from the exact one than float rounding
        Checkpoint.Loaded m = check("erf-gelu-computed-reshape", fx, Out.SOFTMAX, 13, 1e-3, null);
        assertEquals("conv(4,3),gelu,pool(3,stride=2),flatten,batchnorm,dense(16),gelu", m.network().spec().text());
    }

    /** As tf2onnx writes a Keras CNN: channels-last input, Transposes around the convolutions, a Reshape of the NHWC map. */
    @Test
    void kerasCnnChannelsLast() throws Exception {
        OnnxFixture fx = new OnnxFixture(11, -1, 28, 28, 1);
        fx.op("Transpose", OnnxFixture.ints("perm", 0, 3, 1, 2));
        fx.op("Conv", List.of(".", fx.random(9, 8, 1, 3, 3), fx.uniform(-0.1, 0.1, 8)), OnnxFixture.ints("kernel_shape", 3, 3));
        fx.op("Relu");
        fx.op("MaxPool", OnnxFixture.ints("kernel_shape", 2, 2), OnnxFixture.ints("strides", 2, 2));
        fx.op("Transpose", OnnxFixture.ints("perm", 0, 2, 3, 1));
        fx.op("Reshape", List.of(".", fx.ints(-1, 13 * 13 * 8)));
        fx.matMulAdd(13 * 13 * 8, 32);
        fx.op("Relu");
        fx.matMulAdd(32, 10);
        Checkpoint.Loaded m = check("keras-cnn-nhwc", fx, Out.SOFTMAX, 13, 1e-5, null);
        assertEquals("conv(8,3),relu,pool(2),dense(32),relu", m.network().spec().text());
    }

    /** --normalize: the model expects (pixel/255 − mean) / std; nn feeds pixel/255 and gets the same answers. */
    @Test
    void normalizeFromTheCommandLineOrMetadata() throws Exception {
        OnnxFixture fx = OnnxFixture.image(5);
        fx.op("Conv", List.of(".", fx.random(9, 4, 1, 3, 3), fx.uniform(-0.1, 0.1, 4)), OnnxFixture.ints("pads", 1, 1, 1, 1));
        fx.op("Relu");
        fx.op("Flatten");
        fx.linear(28 * 28 * 4, 10);
        OnnxImport.Scaling pytorch = new OnnxImport.Scaling(0.1307, 0.3081);
        Checkpoint.Loaded m = check("normalized", fx, Out.LOGITS, 17, 1e-5, pytorch);
        assertTrue(m.network().spec().text().startsWith("batchnorm,conv"), m.network().spec().text());

        OnnxFixture meta = OnnxFixture.flat(6);
        meta.linear(784, 10);
        Path file = dir.resolve("meta.onnx");
        Files.write(file, meta.bytes(17, 10, OnnxExport.KEY_NORMALIZE, "0.5,0.25", OnnxExport.KEY_DATASET, "fashion"));
        Checkpoint.Loaded withMeta = OnnxImport.load(file, pytorch);   // the metadata wins
        assertEquals("batchnorm", withMeta.network().spec().text());
        assertEquals("fashion", withMeta.origin().dataset());
        assertEquals(nn.data.DatasetKind.FASHION.classNames, withMeta.origin().classNames());
    }

    // ---- refusals: one clear line, never a stack trace ----

    String refusal(byte[] bytes) throws Exception {
        Path file = dir.resolve("bad.onnx");
        Files.write(file, bytes);
        CheckpointException e = assertThrows(CheckpointException.class, () -> OnnxImport.load(file, null));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        System.out.println("refused: " + e.getMessage());
        return e.getMessage();
    }

    /** Damaged files (cut anywhere, a byte changed anywhere) load or fail with a CheckpointException: never another exception. */
    @Test
    void damagedFilesNeverEscapeAsOtherExceptions() throws Exception {
        OnnxFixture fx = OnnxFixture.image(13);
        fx.op("Conv", List.of(".", fx.random(9, 2, 1, 3, 3), fx.uniform(-0.1, 0.1, 2)));
        fx.op("Relu");
        fx.op("Flatten");
        fx.linear(26 * 26 * 2, 10);
        byte[] good = fx.bytes(17, 10);
        java.util.Random rnd = new java.util.Random(1);
        Path file = dir.resolve("damaged.onnx");
        int refused = 0;
        for (int k = 0; k < 300; k++) {
            byte[] bad = k % 2 == 0 ? Arrays.copyOf(good, rnd.nextInt(good.length)) : good.clone();
            if (k % 2 == 1) bad[rnd.nextInt(bad.length)] ^= (byte) (1 + rnd.nextInt(255));
            Files.write(file, bad);
            try {
                OnnxImport.load(file, null);
            } catch (CheckpointException e) {
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
                refused++;
            }
        }
        assertTrue(refused > 100, "most damaged files are refused: " + refused);
    }

    @Test
    void unsupportedOperatorsAreNamedWithTheirNodes() throws Exception {
        OnnxFixture fx = OnnxFixture.image(7);
        fx.op("Conv", List.of(".", fx.random(9, 4, 1, 3, 3)));
        fx.op("AveragePool", OnnxFixture.ints("kernel_shape", 2, 2));
        fx.op("Flatten");
        fx.linear(13 * 13 * 4, 16);
        fx.op("LeakyRelu");
        fx.linear(16, 10);
        String m = refusal(fx.bytes(17, 10));
        assertTrue(m.contains("AveragePool (node 'averagepool") && m.contains("LeakyRelu (node 'leakyrelu"), m);
    }

    @Test
    void truncatedNonOnnxWrongShapeAndThreeClasses() throws Exception {
        OnnxFixture fx = OnnxFixture.image(8);
        fx.op("Flatten");
        fx.linear(784, 10);
        byte[] good = fx.bytes(17, 10);
        assertTrue(refusal(Arrays.copyOf(good, good.length / 2)).contains("truncated"));
        assertTrue(refusal("name,age\nada,36\n".getBytes()).contains("not an ONNX model"));
        assertTrue(refusal(Files.readAllBytes(Path.of("data/models/cnn.ckpt"))).contains("not an ONNX model"));

        OnnxFixture three = OnnxFixture.image(9);
        three.op("Flatten");
        three.linear(784, 3);
        assertTrue(refusal(three.bytes(17, 3)).contains("3 class scores"));

        OnnxFixture rgb = new OnnxFixture(10, -1, 3, 32, 32);
        rgb.op("Flatten");
        rgb.linear(3072, 10);
        assertTrue(refusal(rgb.bytes(17, 10)).contains("[N,3,32,32]"));

        OnnxFixture branch = OnnxFixture.image(12);   // a skip connection: y = relu(x) + x
        String in = branch.current;
        branch.op("Conv", List.of(".", branch.random(9, 2, 1, 3, 3)), OnnxFixture.ints("pads", 1, 1, 1, 1));
        String conv = branch.current;
        branch.op("Relu");
        branch.op("Conv", List.of(".", branch.random(18, 2, 2, 3, 3)), OnnxFixture.ints("pads", 1, 1, 1, 1));
        branch.op("Add", List.of(".", conv));
        branch.op("Flatten");
        branch.linear(1568, 10);
        assertTrue(refusal(branch.bytes(17, 10)).contains("branches"), in);   // the ResNet shape nn cannot build
    }
}
