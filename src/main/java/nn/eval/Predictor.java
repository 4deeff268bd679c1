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
        return new Predictions(probabilities(net, data.pixels(), data.size()), data.labels().clone(), net.classes());
    }

    /** Class probabilities [count, classes] of {@code count} images laid end to end in {@code pixels}. */
    public static float[] probabilities(Network net, float[] pixels, int count) {
        return probabilities(net, pixels, count, BATCH);
    }

    public static float[] probabilities(Network net, float[] pixels, int count, int batch) {
        int classes = net.classes(), size = net.inputShape().size();
        float[] probs = new float[count * classes];
        for (int start = 0; start < count; start += batch) {
            int n = Math.min(batch, count - start);
            Tensor x = net.inputBuffer(n);
            x.copyFrom(pixels, start * size, 0, n * size);
            Tensor logits = net.forward(x, false);
            SoftmaxCrossEntropy.softmax(logits, logits, classes);
            for (int i = 0; i < n * classes; i++) probs[start * classes + i] = (float) logits.get(i);
        }
        return probs;
    }
}
