package nn.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import nn.checkpoint.Checkpoint;
import nn.data.DatasetKind;
import nn.data.LabeledImages;
import nn.data.RealData;
import nn.eval.Predictor;
import nn.export.onnx.OnnxProto.ModelProto;
import nn.model.BatchNorm;
import nn.model.Layer;
import nn.model.ModelSpec;
import nn.model.Network;
import nn.random.Rng;
import nn.compute.Tensor;
import nn.train.Preset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** nn export, checked by running each exported model in ONNX Runtime on 1,000 test images, and importing it back. */
class OnnxExportTest {
    static final String EVERY_LAYER = "conv(8,3,pad=1),bn,relu,pool(2),conv(12,3,stride=2),sigmoid,pool(2,stride=1),flatten,bn,"
            + "dense(32),bn,gelu,dropout(0.2),dense(16),tanh";
    static final Checkpoint.Origin ORIGIN = new Checkpoint.Origin("mnist", DatasetKind.MNIST.classNames, 0, 0, "test", "test");
    static LabeledImages test;

    @TempDir Path dir;

    @BeforeAll
    static void data() throws Exception {
        test = RealData.test();
        assertEquals(1000, test.size());
    }

    /** A network of the spec with seeded random weights, and batch-norm statistics that are not the identity. */
    static Network random(String spec, long seed) {
        Network net = ModelSpec.of(spec).build(DataType.FLOAT);
        Rng rng = new Rng(seed);
        net.initialize(rng);
        for (Layer layer : net.layers()) {
            if (!(layer instanceof BatchNorm bn)) continue;
            List<Tensor> arrays = List.of(bn.params().get(0).value(), bn.params().get(1).value(), bn.buffers().get(0), bn.buffers().get(1));
            for (int i = 0; i < arrays.get(0).length; i++) {
                arrays.get(0).set(i, 0.5 + rng.nextDouble());
                arrays.get(1).set(i, 0.2 * rng.nextGaussian());
                arrays.get(2).set(i, 0.3 * rng.nextGaussian());
                arrays.get(3).set(i, 0.5 + rng.nextDouble());
            }
        }
        return net;
    }

    /** Exports, runs in ONNX Runtime, compares with nn; returns max |Δp|. */
    static double compare(String name, Network net, OnnxExport.Options options) throws Exception {
        byte[] onnx = OnnxExport.build(net, ORIGIN, options, "test").toByteArray();
        float[] ort = Ort.run(onnx, OnnxExport.INPUT, new long[] {-1, 1, 28, 28}, OnnxExport.PROBABILITIES, test.toFloats(), test.size());
        float[] own = Predictor.probabilities(net, test.toFloats(), test.size());
        double diff = Ort.maxDiff(own, ort);
        int classes = Ort.differentClasses(own, ort, net.classes());
        System.out.printf("export %-34s opset %d%s: max |p_nn - p_ort| = %.2e over %d images, %d predictions differ%n", name, options.opset(),
                options.foldBatchNorm() ? " folded" : "", diff, test.size(), classes);
        assertTrue(diff <= 1e-4, name + ": max |Δp| " + diff);
        assertEquals(0, classes, name + ": predicted classes differ");
        return diff;
    }

    @Test
    void presetsAndEveryLayerKindRunInOnnxRuntime() throws Exception {
        OnnxExport.Options plain = new OnnxExport.Options(OnnxExport.DEFAULT_OPSET, false, false);
        compare("mlp", random(Preset.MLP.spec(Preset.DEFAULT_HIDDEN, 0), 1), plain);
        compare("cnn", random(Preset.CNN.spec(null, 0), 2), plain);
        compare("cnn-best", random(Preset.CNN_BEST.spec(null, 0), 3), plain);
        compare("cnn-best", random(Preset.CNN_BEST.spec(null, 0), 3), new OnnxExport.Options(OnnxExport.DEFAULT_OPSET, false, true));
        Network every = random(EVERY_LAYER, 4);
        compare("every layer kind", every, plain);
        compare("every layer kind", every, new OnnxExport.Options(13, false, true));
        compare("every layer kind", every, new OnnxExport.Options(20, true, false));
        compare("every layer kind", every, new OnnxExport.Options(OnnxExport.MAX_OPSET, false, false));
    }

    @Test
    void theShippedCnnRunsInOnnxRuntime() throws Exception {
        Checkpoint.Loaded cnn = Checkpoint.load(Path.of("data/models/cnn.ckpt"));
        compare("data/models/cnn.ckpt", cnn.network(), new OnnxExport.Options(OnnxExport.DEFAULT_OPSET, true, false));
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource({"lstm(8),lstm(8)", "'patches(7,8),attention(2),pool',patches(7,8)", "'dense(8),layernorm',layernorm"})
    void refusesRecurrentAndTransformerLayersInOneLine(String spec, String layer) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> OnnxExport.build(random(spec, 7), ORIGIN, new OnnxExport.Options(OnnxExport.DEFAULT_OPSET, false, false), "test"));
        assertTrue(e.getMessage().contains("covers dense and convolutional networks, not " + layer), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }

    @Test
    void metadataAndInterface() throws Exception {
        ModelProto m = OnnxExport.build(random("dense(16),relu", 5), ORIGIN, new OnnxExport.Options(17, true, false), "9.9");
        assertEquals("input", m.getGraph().getInput(0).getName());
        assertEquals("N", m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
        assertEquals(List.of("logits", "probabilities"), m.getGraph().getOutputList().stream().map(o -> o.getName()).sorted().toList());
        var meta = new java.util.HashMap<String, String>();
        m.getMetadataPropsList().forEach(e -> meta.put(e.getKey(), e.getValue()));
        assertEquals("9.9", meta.get(OnnxExport.KEY_VERSION));
        assertEquals("mnist", meta.get(OnnxExport.KEY_DATASET));
        assertEquals("0,1", meta.get(OnnxExport.KEY_NORMALIZE));
        assertTrue(meta.get(OnnxExport.KEY_CLASS_NAMES).startsWith("[\"0\""), meta.get(OnnxExport.KEY_CLASS_NAMES));
        assertTrue(meta.get(OnnxExport.KEY_INPUT_SCALING).contains("255"));
        assertTrue(m.getGraph().getNodeList().stream().noneMatch(n -> n.getOpType().equals("Dropout")));
    }

    /** export → import gives the original's predictions (and, without folding, its probabilities to float rounding). */
    @Test
    void roundTrip() throws Exception {
        for (String spec : List.of(Preset.MLP.spec(Preset.DEFAULT_HIDDEN, 0.2), Preset.CNN_BEST.spec(null, 0), EVERY_LAYER)) {
            for (boolean fold : new boolean[] {false, true}) {
                Network net = random(spec, 6);
                Path file = dir.resolve("model.onnx");
                Files.write(file, OnnxExport.build(net, ORIGIN, new OnnxExport.Options(17, false, fold), "test").toByteArray());
                Checkpoint.Loaded back = OnnxImport.load(file, null);
                float[] a = Predictor.probabilities(net, test.toFloats(), test.size());
                float[] b = Predictor.probabilities(back.network(), test.toFloats(), test.size());
                double diff = Ort.maxDiff(a, b);
                System.out.printf("round trip %-30s%s: max |Δp| = %.2e, spec back: %s%n", spec, fold ? " folded" : "", diff, back.network().spec().text());
                assertEquals(0, Ort.differentClasses(a, b, 10), spec);
                assertTrue(diff <= (fold ? 1e-4 : 1e-6), spec + ": " + diff);
                assertEquals(ORIGIN.classNames(), back.origin().classNames());
            }
        }
    }
}
