package nn.eval;

import nn.data.LabeledImages;
import nn.model.Network;
import nn.model.SoftmaxCrossEntropy;
import nn.model.Tensor;

/** Runs a network over many images in batches (inference mode: no dropout, running batch-norm statistics). */
public final class Predictor {
    public static final int BATCH = 500;

    private Predictor() {}

    public static Predictions predict(Network net, LabeledImages data) {
        int classes = net.classes(), pixels = data.pixelsPerImage();
        float[] probs = new float[data.size() * classes];
        for (int start = 0; start < data.size(); start += BATCH) {
            int n = Math.min(BATCH, data.size() - start);
            Tensor x = net.inputBuffer(n);
            x.copyFrom(data.pixels(), start * pixels, 0, n * pixels);
            Tensor logits = net.forward(x, false);
            SoftmaxCrossEntropy.softmax(logits, logits, classes);
            for (int i = 0; i < n * classes; i++) probs[start * classes + i] = (float) logits.get(i);
        }
        return new Predictions(probs, data.labels().clone(), classes);
    }
}
