package nn.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import nn.checkpoint.Checkpoint;
import nn.data.LabeledImages;
import nn.data.RealData;
import nn.eval.Predictor;
import org.junit.jupiter.api.Test;

/**
 * Models trained in PyTorch and written by torch.onnx.export (scripts/pytorch-mnist-onnx.py):
 * nn reads them into its layers and gives ONNX Runtime's answers, and PyTorch's accuracy (93.90%).
 */
class OnnxPyTorchTest {
    static final OnnxImport.Scaling PYTORCH = new OnnxImport.Scaling(0.1307, 0.3081);

    void check(Path file, long[] shape, String spec) throws Exception {
        LabeledImages test = RealData.test();
        Checkpoint.Loaded model = OnnxImport.load(file, PYTORCH);
        assertEquals(spec, model.network().spec().text());
        float[] normalised = test.toFloats().clone();
        for (int i = 0; i < normalised.length; i++) normalised[i] = (float) ((normalised[i] - 0.1307) / 0.3081);
        float[] ort = Ort.run(Files.readAllBytes(file), "input", shape, "output", normalised, test.size());
        for (int i = 0; i < ort.length; i++) ort[i] = (float) Math.exp(ort[i]);   // LogSoftmax
        float[] own = Predictor.probabilities(model.network(), test.toFloats(), test.size());
        double diff = Ort.maxDiff(own, ort), accuracy = Predictor.predict(model.network(), test).accuracy();
        System.out.printf("pytorch %s -> %s: max |p_nn - p_ort| = %.2e, %d predictions differ, accuracy %.4f%n", file.getFileName(),
                model.network().spec().text(), diff, Ort.differentClasses(own, ort, 10), accuracy);
        assertTrue(diff < 1e-3, "GELU's tanh form against its exact form: " + diff);
        assertEquals(0, Ort.differentClasses(own, ort, 10));
        assertEquals(0.939, accuracy, 1e-9, "PyTorch's own test accuracy");
    }

    @Test
    void imageInputWithFlattenAndErfGelu() throws Exception {
        check(Path.of("data/models/pytorch-cnn.onnx"), new long[] {-1, 1, 28, 28}, "batchnorm,conv(8,3),relu,conv(16,3),relu,pool(2),dense(32),gelu");
    }

    @Test
    void flatInputWithViewsAndAComputedReshape() throws Exception {
        check(Path.of("src/test/resources/onnx/pytorch-cnn-flat.onnx"), new long[] {-1, 784}, "batchnorm,conv(8,3),relu,conv(16,3),relu,pool(2),dense(32),gelu");
    }
}
