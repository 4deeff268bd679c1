package nn.eval;

import nn.compute.Tensor;
import nn.data.LabeledImages;
import nn.model.Inference;
import nn.model.Network;

/** Runs a network over many images in batches (inference mode: no dropout, running batch-norm statistics); see {@link Inference}. */
public final class Predictor {
    private Predictor() {}

    public static Predictions predict(Network net, LabeledImages data) {
        return new Predictions(Inference.probabilities(net, data), data.labels().clone(), net.classes());
    }

    /** Mean and standard deviation of the class probabilities over {@code passes} dropout samples. */
    public record Spread(float[] mean, float[] std) {}

    /** Monte-Carlo dropout: {@code passes} forward passes with dropout on, per image the mean and spread of each probability. */
    public static Spread monteCarlo(Network net, float[] pixels, int count, int passes, long seed) {
        Inference.Spread s = Inference.monteCarlo(net, pixels, count, passes, seed);
        return new Spread(s.mean(), s.std());
    }

    /** Class probabilities [count, classes] of {@code count} images laid end to end in {@code pixels}. */
    public static float[] probabilities(Network net, float[] pixels, int count) {
        return Inference.probabilities(net, pixels, count);
    }

    /** Images start..start+n of {@code pixels} in the network's input buffer for n examples. */
    public static Tensor input(Network net, float[] pixels, int start, int n) {
        return Inference.input(net, pixels, start, n);
    }
}
