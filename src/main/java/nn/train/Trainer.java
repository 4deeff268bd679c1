package nn.train;

import java.io.IOException;
import java.util.List;
import java.util.function.BooleanSupplier;

import nn.compute.Engine;
import nn.compute.Tensor;
import nn.data.LabeledImages;
import nn.model.Inference;
import nn.model.Network;
import nn.model.Param;
import nn.model.SoftmaxCrossEntropy;
import nn.random.Rng;

/**
 * The training loop: mini-batch gradient descent over shuffled training images, one
 * validation pass per epoch. Each step is forward → loss → backward → optimiser update.
 */
public final class Trainer {
    private final LabeledImages train;
    private final LabeledImages validation;
    private final TrainListener listener;
    /** One training image as floats, the source of an augmented copy. */
    private final float[] image;

    public Trainer(LabeledImages train, LabeledImages validation, TrainListener listener) {
        this.train = train;
        this.validation = validation;
        this.listener = listener;
        this.image = new float[train.pixelsPerImage()];
    }

    /**
     * Trains until the configured number of epochs, or until {@code stop} says so (checked
     * after each step, so the state stays consistent); returns whether training finished.
     */
    public boolean run(TrainingState s, BooleanSupplier stop) throws IOException {
        Network net = s.network;
        TrainConfig cfg = s.config;
        int pixels = train.pixelsPerImage(), batches = s.batchesPerEpoch(train.size());
        long totalSteps = s.totalSteps(train.size());
        Engine engine = net.engine();
        SoftmaxCrossEntropy loss = SoftmaxCrossEntropy.of(net);
        float[] batchPixels = new float[cfg.batchSize() * pixels];
        int[] batchLabels = new int[cfg.batchSize()];
        float[] batchProbabilities = new float[cfg.batchSize() * net.classes()];
        List<Param> params = s.trainableParams();
        s.optimizer.prepare(params);
        while (!s.finished()) {
            int[] order = epochOrder(cfg.seed(), s.epoch, train.size());
            listener.epochStarted(s.epoch + 1, batches);
            long epochStart = System.nanoTime();
            double before = s.epochSeconds;
            while (s.batchInEpoch < batches) {
                int from = s.batchInEpoch * cfg.batchSize();
                int n = Math.min(cfg.batchSize(), train.size() - from);
                int[] labels = n == cfg.batchSize() ? batchLabels : new int[n];
                Tensor x = net.inputBuffer(n);
                fillBatch(engine, order, from, n, x, batchPixels, labels, cfg.augmentation(), s.noise);
                Tensor logits = net.forward(x, true);
                double batchLoss = loss.forward(logits, labels, n);
                if (!Double.isFinite(batchLoss)) throw new DivergedException(s.epoch + 1, s.step + 1, "the loss is " + batchLoss, cfg.learningRate());
                net.backward(loss.backward());
                double lr = cfg.schedule().rate(cfg.learningRate(), s.step, totalSteps);
                s.optimizer.step(engine, params, lr);
                if (s.masks != null) net.applyMasks(s.masks);   // pruned weights stay pruned

                s.step++;
                s.batchInEpoch++;
                s.epochLossSum += batchLoss * n;
                s.epochSeen += n;
                int correct = countCorrect(loss.probabilities(), batchProbabilities, labels, n, net.classes());
                s.epochCorrect += correct;
                double seconds = before + (System.nanoTime() - epochStart) / 1e9;
                listener.batchDone(s.epoch + 1, s.batchInEpoch, batches, batchLoss, (double) correct / n, s.epochSeen / seconds);
                if (stop.getAsBoolean()) {
                    s.epochSeconds = seconds;
                    return false;
                }
            }
            endEpoch(s, before + (System.nanoTime() - epochStart) / 1e9, totalSteps);
        }
        return true;
    }

    private void endEpoch(TrainingState s, double seconds, long totalSteps) throws IOException {
        for (Param p : s.network.params()) {
            if (!s.network.engine().isFinite(p.value())) throw new DivergedException(s.epoch + 1, s.step, "parameter " + p.name() + " is not finite", s.config.learningRate());
        }
        double vLoss = Double.NaN, vAcc = Double.NaN;
        if (validation != null && validation.size() > 0) {
            float[] probs = Inference.probabilities(s.network, validation);
            vLoss = Inference.meanLoss(probs, validation.labels(), s.network.classes());
            vAcc = (double) Inference.correct(probs, validation.labels(), validation.size(), s.network.classes()) / validation.size();
        }
        s.epoch++;
        double lr = s.config.schedule().rate(s.config.learningRate(), Math.max(0, s.step - 1), totalSteps);
        EpochMetrics m = new EpochMetrics(s.epoch, s.epochLossSum / s.epochSeen, (double) s.epochCorrect / s.epochSeen,
                vLoss, vAcc, lr, seconds);
        s.history.add(m);
        // Without a validation set the latest epoch counts as the best.
        boolean improved = Double.isNaN(vAcc) || vAcc > s.bestValidationAccuracy;
        if (improved) {
            s.bestValidationAccuracy = Double.isNaN(vAcc) ? s.bestValidationAccuracy : vAcc;
            s.bestEpoch = s.epoch;
        }
        s.stoppedEarly = s.config.stopping().reason(s);
        s.batchInEpoch = 0;
        s.epochLossSum = 0;
        s.epochCorrect = 0;
        s.epochSeen = 0;
        s.epochSeconds = 0;
        listener.epochDone(s, m, improved);
    }

    /** The shuffle of epoch e depends only on the seed and e, so a resumed run sees the same order. */
    static int[] epochOrder(long seed, int epoch, int n) {
        return new Rng(seed * 0x9E3779B97F4A7C15L + epoch).permutation(n);
    }

    /** Copies the batch's images into x; augmented ones are drawn one after another, so the noise stream stays in order. */
    private void fillBatch(Engine engine, int[] order, int from, int n, Tensor x, float[] scratch, int[] labels, Augmentation aug, Rng rng) {
        int p = train.pixelsPerImage();
        for (int i = 0; i < n; i++) labels[i] = train.labels()[order[from + i]];
        if (aug == null) {
            engine.gatherRows(train.grey(), p, order, from, n, x);
            return;
        }
        for (int i = 0; i < n; i++) {
            train.copyImage(order[from + i], image, 0);
            aug.apply(image, 0, scratch, i * p, train.rows(), train.cols(), rng);
        }
        x.copyFrom(scratch, 0, 0, n * p);
    }

    private static int countCorrect(Tensor probs, float[] copy, int[] labels, int n, int classes) {
        probs.copyTo(0, copy, 0, n * classes);
        return Inference.correct(copy, labels, n, classes);
    }
}
