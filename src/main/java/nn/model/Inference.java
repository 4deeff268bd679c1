package nn.model;

import nn.compute.Tensor;
import nn.data.LabeledImages;
import nn.random.Rng;

/**
 * A network run over many images in batches (inference mode: no dropout, running batch-norm
 * statistics), giving class probabilities. Training uses it for validation, evaluation and
 * prediction above it.
 */
public final class Inference {
    /**
     * Images per forward pass. Small enough that a CNN's layer outputs stay in the caches between
     * layers: the reference CNN took 30.1, 25.8, 26.9-27.4, 33.2, 31.7 and 33.1 ms per 1,000 test
     * images in batches of 64, 96, 128, 192, 250 and 1,000 (docs/benchmarks.md; 96 and 128 within
     * the noise of each other); the MLP runs at over 800,000 images a second in batches of 128.
     */
    public static final int BATCH = 128;

    private Inference() {}

    /** Class probabilities [count, classes] of {@code count} images laid end to end in {@code pixels}. */
    public static float[] probabilities(Network net, float[] pixels, int count) {
        return probabilities(net, pixels, count, BATCH);
    }

    /** The same, {@code batch} images per forward pass. */
    public static float[] probabilities(Network net, float[] pixels, int count, int batch) {
        return probabilities(net, count, batch, (start, n) -> input(net, pixels, start, n));
    }

    /** Class probabilities [size, classes] of a data set's images, made floats one batch at a time, as training does. */
    public static float[] probabilities(Network net, LabeledImages images) {
        int[] inOrder = java.util.stream.IntStream.range(0, images.size()).toArray();
        return probabilities(net, images.size(), BATCH, (start, n) -> {
            Tensor x = net.inputBuffer(n);
            net.engine().gatherRows(images.grey(), images.pixelsPerImage(), inOrder, start, n, x);
            return x;
        });
    }

    /** Puts images start..start+n into the network's input and returns it. */
    private interface BatchInput {
        Tensor fill(int start, int n);
    }

    private static float[] probabilities(Network net, int count, int batch, BatchInput batches) {
        int classes = net.classes();
        float[] probs = new float[count * classes];
        for (int start = 0; start < count; start += batch) {
            int n = Math.min(batch, count - start);
            Tensor logits = net.predict(batches.fill(start, n));
            net.engine().softmax(logits, logits);
            logits.copyTo(0, probs, start * classes, n * classes);
        }
        return probs;
    }

    /** Mean and standard deviation of the class probabilities over {@code passes} dropout samples. */
    public record Spread(float[] mean, float[] std) {}

    /** Monte-Carlo dropout: {@code passes} forward passes with dropout on, per image the mean and spread of each probability. */
    public static Spread monteCarlo(Network net, float[] pixels, int count, int passes, long seed) {
        int classes = net.classes();
        double[] sum = new double[count * classes], sq = new double[count * classes];
        float[] probs = new float[Math.min(BATCH, count) * classes];
        net.setRng(new Rng(seed));
        for (int start = 0; start < count; start += BATCH) {
            int n = Math.min(BATCH, count - start);
            Tensor x = input(net, pixels, start, n);
            for (int pass = 0; pass < passes; pass++) {
                Tensor logits = net.forwardWithDropout(x);
                net.engine().softmax(logits, logits);
                logits.copyTo(0, probs, 0, n * classes);
                for (int i = 0; i < n * classes; i++) {
                    double p = probs[i];
                    sum[start * classes + i] += p;
                    sq[start * classes + i] += p * p;
                }
            }
        }
        float[] mean = new float[sum.length], std = new float[sum.length];
        for (int i = 0; i < sum.length; i++) {
            double m = sum[i] / passes;
            mean[i] = (float) m;
            std[i] = (float) Math.sqrt(Math.max(0, sq[i] / passes - m * m));
        }
        return new Spread(mean, std);
    }

    /** Images start..start+n of {@code pixels} in the network's input buffer for n examples. */
    public static Tensor input(Network net, float[] pixels, int start, int n) {
        int size = net.inputShape().size();
        Tensor x = net.inputBuffer(n);
        x.copyFrom(pixels, start * size, 0, n * size);
        return x;
    }

    /** The index of the largest of {@code classes} values starting at {@code from} (the first one on ties). */
    public static int argmax(float[] values, int from, int classes) {
        int best = 0;
        for (int k = 1; k < classes; k++) if (values[from + k] > values[from + best]) best = k;
        return best;
    }

    /** How many of the images (probabilities [n, classes]) the network got right. */
    public static int correct(float[] probabilities, int[] labels, int n, int classes) {
        int right = 0;
        for (int i = 0; i < n; i++) if (argmax(probabilities, i * classes, classes) == labels[i]) right++;
        return right;
    }

    /** Mean cross-entropy −log p(true class); probabilities are clamped so a certain mistake costs ~16, not infinity. */
    public static double meanLoss(float[] probabilities, int[] labels, int classes) {
        double sum = 0;
        for (int i = 0; i < labels.length; i++) sum -= Math.log(Math.max(probabilities[i * classes + labels[i]], 1e-7f));
        return labels.length == 0 ? 0 : sum / labels.length;
    }
}
