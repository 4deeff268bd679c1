package nn.eval;

import nn.model.Inference;

/** The class probabilities a network gave a set of images, with the true labels. */
public record Predictions(float[] probabilities, int[] labels, int classes) {

    public int size() {
        return labels.length;
    }

    public int predicted(int i) {
        return argmax(probabilities, i * classes, classes);
    }

    /** The index of the largest of {@code classes} values starting at {@code from} (the first one on ties). */
    public static int argmax(float[] values, int from, int classes) {
        return Inference.argmax(values, from, classes);
    }

    public float probability(int i, int k) {
        return probabilities[i * classes + k];
    }

    public float confidence(int i) {
        return probability(i, predicted(i));
    }

    public double accuracy() {
        return size() == 0 ? 0 : (double) Inference.correct(probabilities, labels, size(), classes) / size();
    }

    /** Mean cross-entropy −log p(true class), a certain mistake costing ~16 (see {@link Inference#meanLoss}). */
    public double loss() {
        return Inference.meanLoss(probabilities, labels, classes);
    }
}
