package nn.eval;

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
        return nn.model.Inference.argmax(values, from, classes);
    }

    public float probability(int i, int k) {
        return probabilities[i * classes + k];
    }

    public float confidence(int i) {
        return probability(i, predicted(i));
    }

    public double accuracy() {
        int correct = 0;
        for (int i = 0; i < size(); i++) if (predicted(i) == labels[i]) correct++;
        return size() == 0 ? 0 : (double) correct / size();
    }

    /** Mean cross-entropy −log p(true class); probabilities are clamped so a certain mistake costs ~16, not infinity. */
    public double loss() {
        double sum = 0;
        for (int i = 0; i < size(); i++) sum -= Math.log(Math.max(probability(i, labels[i]), 1e-7f));
        return size() == 0 ? 0 : sum / size();
    }
}
