package nn.prune;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;

import nn.checkpoint.Checkpoint;
import nn.data.LabeledImages;
import nn.data.Split;
import nn.eval.Predictor;
import nn.model.ModelSpec;
import nn.model.Network;
import nn.random.Rng;
import nn.compute.Tensor;
import nn.train.Schedule;
import nn.train.TrainConfig;
import nn.train.TrainListener;
import nn.train.Trainer;
import nn.train.TrainingState;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Pruning experiments on a trained model: accuracy against sparsity before and after
 * fine-tuning under fixed masks, and the lottery-ticket procedure (Frankle and Carbin 2019).
 */
public final class PruneStudy {
    /**
     * One sparsity level of {@code nn prune}: {@code bytesOnDisk} is the pruned checkpoint (masks and
     * optimiser state included, for more training), {@code bytesSlim} the same model saved for use
     * only with its weights stored sparsely ({@code nn export --slim}).
     */
    public record Point(double sparsity, double accuracyPruned, double accuracyFinetuned, long nonzeroParams,
                        long bytesOnDisk, long bytesGzip, long bytesSlim) {}

    /** One round of the lottery-ticket procedure. */
    public record Round(int round, double sparsity, double accuracyTicket, double accuracyRandomReinit) {}

    private PruneStudy() {}

    /**
     * Prunes a copy of the model to {@code sparsity}, scores it, fine-tunes it for
     * {@code epochs} under the fixed masks (a tenth of the original learning rate, cosine),
     * scores it again and saves it (masks included) to {@code saveTo}.
     */
    public static Point prune(Path checkpoint, double sparsity, boolean global, int epochs, Split split, LabeledImages test,
                              Path saveTo, Consumer<String> log) throws IOException {
        Checkpoint.Loaded base = Checkpoint.load(checkpoint);
        Network net = base.network();
        List<Tensor> masks = Pruning.masks(net, sparsity, global, null);
        Pruning.apply(net, masks);
        double pruned = Predictor.predict(net, test).accuracy();
        TrainConfig c = base.state().config;
        TrainingState state = new TrainingState(net, new TrainConfig(Math.max(1, epochs), c.batchSize(), c.learningRate() / 10,
                c.optimizer(), c.momentum(), c.weightDecay(), Schedule.COSINE, c.augmentation(), c.seed()));
        state.masks = masks;
        double tuned = pruned;
        if (epochs > 0) {
            new Trainer(split.train(), split.validation(), new TrainListener() {}).run(state, () -> false);
            tuned = Predictor.predict(net, test).accuracy();
        }
        state.optimizer.prepare(state.trainableParams());   // with --finetune 0 nothing trained: zero state, so the checkpoint loads
        Checkpoint.save(saveTo, state, base.origin());
        log.accept(String.format("sparsity %.2f: test accuracy %.2f%% pruned, %.2f%% after %d epochs of fine-tuning (%.1f%% of weights zero)",
                sparsity, 100 * pruned, 100 * tuned, epochs, 100 * Pruning.sparsity(net)));
        return new Point(sparsity, pruned, tuned, Pruning.nonzero(net), Files.size(saveTo), gzipSize(saveTo),
                nn.checkpoint.SlimModel.encode(net, base.origin(), c.seed()).length);
    }

    /**
     * The lottery-ticket procedure: train the dense network from its seeded initialisation;
     * then each round prune the smallest surviving weights globally, rewind the survivors to their
     * initial values and retrain; and, for comparison, train the same mask from a fresh random
     * initialisation. Each round removes the same fraction, reaching {@code target} at the end.
     */
    public static List<Round> lottery(ModelSpec spec, TrainConfig config, int rounds, double target, Split split, LabeledImages test,
                                      Consumer<String> log) throws IOException {
        double perRound = 1 - Math.pow(1 - target, 1.0 / rounds);
        List<Round> out = new ArrayList<>();
        Network trained = train(spec, config, config.seed(), null, split);
        double dense = Predictor.predict(trained, test).accuracy();
        out.add(new Round(0, 0, dense, dense));
        log.accept(String.format("round 0: dense network, test accuracy %.2f%%", 100 * dense));
        List<Tensor> masks = null;
        for (int r = 1; r <= rounds; r++) {
            masks = Pruning.masks(trained, perRound, true, masks);
            Network ticket = train(spec, config, config.seed(), masks, split);                 // rewound to the same init
            Network random = train(spec, config, config.seed() + 7919L * r, masks, split);     // same mask, new init
            double sparsity = Pruning.sparsity(ticket);
            Round round = new Round(r, sparsity, Predictor.predict(ticket, test).accuracy(), Predictor.predict(random, test).accuracy());
            out.add(round);
            log.accept(String.format("round %d: sparsity %.1f%%, ticket %.2f%%, random re-init %.2f%%", r, 100 * sparsity,
                    100 * round.accuracyTicket(), 100 * round.accuracyRandomReinit()));
            trained = ticket;
        }
        return out;
    }

    /** A network initialised from {@code seed}, masked, trained under the mask. */
    private static Network train(ModelSpec spec, TrainConfig config, long seed, List<Tensor> masks, Split split) throws IOException {
        Network net = spec.build(DataType.FLOAT);
        net.initialize(new Rng(seed));
        TrainingState state = new TrainingState(net, config);
        if (masks != null) {
            state.masks = masks;
            Pruning.apply(net, masks);
        }
        new Trainer(split.train(), null, new TrainListener() {}).run(state, () -> false);
        return net;
    }

    /** The size of the file once gzip-compressed: what the zeros of a pruned model save. */
    public static long gzipSize(Path file) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            Files.copy(file, gz);
        }
        return bytes.size();
    }
}
