package nn.train;

import java.util.ArrayList;
import java.util.List;

import nn.compute.Tensor;
import nn.model.Network;
import nn.model.Param;
import nn.random.Rng;

/**
 * Everything a run needs to continue exactly where it stopped: the network, the optimiser and
 * its state, where in which epoch training is, the random stream for dropout and augmentation,
 * the best validation result so far and the history. A checkpoint is this, written to disk.
 */
public final class TrainingState {
    public final Network network;
    public final Optimizer optimizer;
    public final TrainConfig config;
    public final Rng noise;
    /** Epochs fully done. */
    public int epoch;
    /** Batches done inside the current (unfinished) epoch; 0 at an epoch boundary. */
    public int batchInEpoch;
    public long step;
    /** Running sums of the unfinished epoch, so a resumed epoch reports the same metrics. */
    public double epochLossSum;
    public long epochCorrect, epochSeen;
    public double epochSeconds;
    public double bestValidationAccuracy = Double.NEGATIVE_INFINITY;
    public int bestEpoch;
    /** Why the run ended before its last epoch (early stopping), or null. */
    public String stoppedEarly;
    public final List<EpochMetrics> history = new ArrayList<>();
    /** Leading layers whose parameters stay fixed (fine-tuning only the layers after them). */
    public int frozenLayers;
    /** Pruning masks, one per weight matrix (see Network.applyMasks), or null: pruned weights stay 0. */
    public List<Tensor> masks;

    public TrainingState(Network network, TrainConfig config) {
        this.network = network;
        this.config = config;
        this.optimizer = config.newOptimizer();
        this.noise = new Rng(config.seed() ^ 0x5DEECE66DL);
        network.setRng(noise);
    }

    /** The parameters the optimiser updates: those of the layers after the frozen ones. */
    public List<Param> trainableParams() {
        List<Param> out = new ArrayList<>();
        for (Param p : network.params()) {
            if (Integer.parseInt(p.name().substring(0, p.name().indexOf('.'))) >= frozenLayers) out.add(p);
        }
        return out;
    }

    public boolean finished() {
        return epoch >= config.epochs() || stoppedEarly != null;
    }

    public long totalSteps(int trainSize) {
        return (long) config.epochs() * batchesPerEpoch(trainSize);
    }

    public int batchesPerEpoch(int trainSize) {
        return (trainSize + config.batchSize() - 1) / config.batchSize();
    }
}
