package nn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import nn.checkpoint.Checkpoint;
import nn.checkpoint.CheckpointWriter;
import nn.checkpoint.ProgressFile;
import nn.checkpoint.RunDirectory;
import nn.data.DataSource;
import nn.data.DatasetFiles;
import nn.data.DatasetKind;
import nn.data.LabeledImages;
import nn.data.Split;
import nn.eval.Evaluation;
import nn.eval.Predictions;
import nn.eval.ReportWriter;
import nn.eval.Predictor;
import nn.model.ModelSpec;
import nn.model.Network;
import nn.random.Rng;
import nn.train.Augmentation;
import nn.train.DivergedException;
import nn.train.EarlyStopping;
import nn.train.Preset;
import nn.train.Schedule;
import nn.train.TrainConfig;
import nn.train.TrainListener;
import nn.train.Trainer;
import nn.train.TrainingMemory;
import nn.train.TrainingState;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a digit recogniser and write its checkpoints, metrics and report.",
                "A validation split is held out of the training set to pick the best epoch; the test set is "
                        + "scored once, at the end."},
        footer = {"", "Model specs: layers separated by commas, e.g.",
                "  conv(32,3,pad=1),relu,pool(2),dense(128),relu,dropout(0.3)",
                "Layers: dense(N) conv(F,K[,stride=S][,pad=P]) pool(K[,stride=S]) relu sigmoid tanh gelu",
                "        dropout(P) batchnorm layernorm flatten lstm(N[,seq]) patches(P,DIM) attention(HEADS)",
                "        pool (no size: the mean over positions).  The output layer and softmax are added for you.",
                "", "Examples:",
                "  nn train                                   # the default MLP",
                "  nn train --model cnn --epochs 5",
                "  nn train --model mlp --hidden 256,128 --dropout 0.2",
                "  nn train --dataset fashion --limit 5000 --epochs 2"})
final class TrainCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin DataOptions data;

    @Mixin EngineOption engine;

    @Option(names = "--dataset", paramLabel = "mnist|fashion", defaultValue = "mnist",
            description = "Data set to train on (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--model", paramLabel = "mlp|cnn|cnn-best|rnn|vit|SPEC", defaultValue = "mlp",
            description = "A preset or a model spec (see below). Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--hidden", paramLabel = "N[,N...]", split = ",",
            description = "Hidden layer sizes of the mlp preset (default: 256).")
    List<Integer> hidden;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training set (preset default: mlp 12, cnn 12, cnn-best 15, rnn 12, vit 15).")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "N", description = "Images per gradient step (preset default: 64; vit 128).")
    Integer batchSize;

    @Option(names = "--lr", paramLabel = "X", description = "Peak learning rate (preset default).")
    Double lr;

    @Option(names = "--optimizer", paramLabel = "sgd|nesterov|adam", description = "Update rule (preset default: nesterov; rnn and vit use adam).")
    String optimizer;

    @Option(names = "--momentum", paramLabel = "X", description = "Momentum of sgd and nesterov (default: 0.9).")
    Double momentum;

    @Option(names = "--weight-decay", paramLabel = "X", description = "L2 penalty on weights, not biases (preset default).")
    Double weightDecay;

    @Option(names = "--schedule", paramLabel = "constant|step|cosine|onecycle", description = "Learning-rate schedule over the run (preset default).")
    String schedule;

    @Option(names = "--augment", negatable = true,
            description = "Randomly shift, rotate and scale training images (default: on for cnn-best and vit).")
    Boolean augment;

    @Option(names = "--elastic", description = "With --augment, also apply elastic distortions.")
    boolean elastic;

    @Option(names = "--dropout", paramLabel = "X", defaultValue = "0",
            description = "Dropout rate after the hidden layers of a preset (default: none; cnn-best uses 0.3).")
    double dropout;

    @Option(names = "--validation", paramLabel = "N",
            description = "Training images held out for validation (default: " + DEFAULT_VALIDATION
                    + ", or a tenth of --limit when that is less; 0 for none).")
    Integer validation;

    @Option(names = "--limit", paramLabel = "N", description = "Use only the first N training images (quick runs).")
    Integer limit;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of every random choice: same seed and threads, same run (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Runs folder; each run gets a subfolder, and 'latest' points at it (default: $NN_RUNS_DIR, else runs/).")
    Path out;

    @Option(names = "--patience", paramLabel = "N",
            description = "Stop early when validation accuracy has not improved for N epochs (the best checkpoint is kept).")
    Integer patience;

    @Option(names = "--target-accuracy", paramLabel = "X",
            description = "Stop early once validation accuracy reaches X (0.99 is 99%%).")
    Double targetAccuracy;

    @Option(names = "--keep", paramLabel = "N", defaultValue = "0",
            description = "Also keep a checkpoint every N epochs (epoch-N.ckpt).")
    int keep;

    @Option(names = "--no-progress", description = "Plain lines instead of progress bars, even on a terminal.")
    boolean noProgress;

    @Option(names = "--resume", paramLabel = "RUN_DIR|CHECKPOINT",
            description = "Continue an interrupted or finished run where it stopped (its last.ckpt); with --epochs, train longer.")
    Path resume;

    @Option(names = "--init", paramLabel = "CHECKPOINT",
            description = "Start from a trained model's weights (fine-tuning). On another data set the output layer starts afresh.")
    Path init;

    @Option(names = "--freeze", description = "With --init: keep every layer but the output layer fixed.")
    boolean freeze;

    /** Images held out for validation when --validation is not given (and --limit leaves enough). */
    static final int DEFAULT_VALIDATION = 5000;

    /** What --resume lets change; every other setting is the run's own. */
    private static final java.util.Set<String> RESUMABLE = java.util.Set.of("--resume", "--epochs", "--patience", "--target-accuracy",
            "--keep", "--no-progress", "--data-dir", "--mirror", "--threads", "--verbose");

    @Override
    public Integer call() throws Exception {
        PrintWriter console = spec.commandLine().getOut();
        checkRanges();
        if (resume != null && init != null) throw new ParameterException(spec.commandLine(), "--resume and --init do not go together");
        if (resume != null) refuseSettingsTheRunFixes();
        if (freeze && init == null) throw new ParameterException(spec.commandLine(), "--freeze needs --init CHECKPOINT");

        Checkpoint.Loaded resumed = resume != null ? Checkpoint.load(RunDirectory.resolveCheckpoint(resume, RunDirectory.LAST)) : null;
        DatasetKind kind = Main.dataset(spec, resumed != null ? resumed.origin().dataset() : dataset);
        int validationSize = resumed != null ? resumed.origin().validationSize() : validation != null ? validation
                : limit != null ? Math.min(DEFAULT_VALIDATION, limit / 10) : DEFAULT_VALIDATION;
        if ((patience != null || targetAccuracy != null) && validationSize == 0) {
            throw new ParameterException(spec.commandLine(), "--patience and --target-accuracy watch the validation split; it is 0 here");
        }
        int limitSize = resumed != null ? resumed.origin().limit() : limit != null ? limit : -1;
        TrainingState state = resumed != null ? resumedState(resumed) : freshState(kind);
        TrainConfig config = state.config;

        DataSource source = new DataSource(kind, data.dataDir(), data.mirrors(), new ConsoleTransferListener(console, false));
        long loadStart = System.nanoTime();
        LabeledImages all = source.load(DatasetFiles.Part.TRAIN);
        LabeledImages test = source.load(DatasetFiles.Part.TEST);
        if (limitSize > all.size()) {
            throw new ParameterException(spec.commandLine(), "--limit " + limitSize + " is more than the " + all.size() + " training images");
        }
        Split split;
        try {
            split = Split.ofRun(all, limitSize, validationSize, config.seed());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--validation: " + e.getMessage());
        }
        console.printf("data: %s, %,d training / %,d validation / %,d test images (loaded in %.1f s)%n", kind.id,
                split.train().size(), validationSize, test.size(), (System.nanoTime() - loadStart) / 1e9);

        Network network = state.network;
        Path runDir = resumed != null ? resumed.file().toAbsolutePath().getParent()
                : RunDirectory.create(runsDir(), Preset.find(model) != null ? Preset.find(model).id() : "custom");
        console.printf("model: %s (%,d parameters)%n%s", network.spec().text(), network.parameterCount(), network.summary());
        console.printf("training: %d epochs, batch %d, %s, lr %s (%s), augmentation %s, seed %d%s%n", config.epochs(),
                config.batchSize(), state.optimizer.describe(), config.learningRate(), config.schedule().id(),
                config.augmentation() == null ? "off" : "on", config.seed(),
                state.frozenLayers > 0 ? ", first " + state.frozenLayers + " layers frozen" : "");
        if (resumed != null) console.printf("resuming %s at epoch %d, step %d%n", resumed.file(), state.epoch + 1, state.step);
        console.println("run folder: " + runDir);
        console.flush();

        Checkpoint.Origin origin = new Checkpoint.Origin(kind.id, kind.classNames, validationSize, limitSize, Versions.nn(), Versions.nd4j());
        CheckpointWriter writer = new CheckpointWriter(runDir, origin, keep);
        TrainProgress progress = new TrainProgress(console, !noProgress && Terminal.isInteractive(), config.epochs());
        ProgressFile live = new ProgressFile(runDir, config.epochs());   // for nn serve's live pages

        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch saved = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.set(true);   // Ctrl-C: let the current step finish and the checkpoint be written, then exit
            try {
                saved.await();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        long start = System.nanoTime();
        boolean finished = false;
        try {
            try {
                finished = new Trainer(split.train(), split.validation(), TrainListener.all(progress, writer, live)).run(state, stop::get);
            } catch (DivergedException e) {
                progress.close();
                if (state.epoch > 0) throw new DivergedException(e, "kept the last finite checkpoint, of epoch " + state.epoch + ", in " + runDir);
                if (resumed == null) RunDirectory.discardUnstarted(runDir);
                throw new DivergedException(e, "no checkpoint was written");
            }
            if (!finished) {
                progress.close();
                Path file = writer.saveInterrupted(state);
                console.printf("%ninterrupted in epoch %d after step %d; saved %s%nresume with: nn train --resume %s%n",
                        state.epoch + 1, state.step, file, runDir);
                console.flush();
                return 130;
            }
        } finally {
            live.end(finished);
            saved.countDown();
        }
        Runtime.getRuntime().removeShutdownHook(hook);
        double seconds = (System.nanoTime() - start) / 1e9;
        report(console, runDir, state, kind, test, seconds);
        return 0;
    }

    /** Scores the best checkpoint (chosen on validation) once on the test set and writes the report. */
    private void report(PrintWriter console, Path runDir, TrainingState state, DatasetKind kind, LabeledImages test, double seconds)
            throws IOException {
        Path bestFile = runDir.resolve(RunDirectory.BEST);
        Checkpoint.Loaded best = Checkpoint.load(bestFile);
        // The epoch best.ckpt really holds: its own state, written with it (the run's state may be ahead of it).
        TrainingState bestState = best.state();
        long evalStart = System.nanoTime();
        Predictions predictions = Predictor.predict(best.network(), test);
        double evalSeconds = (System.nanoTime() - evalStart) / 1e9;
        Evaluation.TrainingSummary summary = new Evaluation.TrainingSummary(hyperParameters(state), state.history,
                bestState.bestEpoch, bestState.bestValidationAccuracy, seconds, state.stoppedEarly);
        Evaluation e = Evaluation.of(kind.id, "test", bestFile.toString(), best.network().spec().text(),
                best.network().parameterCount(), test, predictions, evalSeconds, summary);
        ReportWriter.write(runDir, e, state.config.seed(), Versions.asMap());
        String validation = Double.isInfinite(bestState.bestValidationAccuracy) ? "no validation set"
                : String.format("validation accuracy %.2f%%", 100 * bestState.bestValidationAccuracy);
        if (state.stoppedEarly != null) console.printf("%nstopped early after epoch %d: %s", state.epoch, state.stoppedEarly);
        console.printf("%ndone: %d epochs in %.1f s; best epoch %d (%s)%ntest accuracy %.2f%% (loss %.4f, ECE %.4f) on %,d images%n",
                state.history.size(), seconds, bestState.bestEpoch, validation, 100 * e.accuracy(), e.loss(), e.calibration().ece(),
                test.size());
        console.printf("outputs: %s (best.ckpt, last.ckpt, metrics.csv, report.md, report.json, pictures)%n", runDir);
    }

    private static java.util.Map<String, Object> hyperParameters(TrainingState s) {
        java.util.Map<String, Object> h = s.config.toMap();
        h.put("frozen_layers", s.frozenLayers);
        return h;
    }

    private TrainingState freshState(DatasetKind kind) throws IOException {
        TrainConfig config = config();
        Checkpoint.Loaded from = init != null ? Checkpoint.load(RunDirectory.resolveCheckpoint(init, RunDirectory.BEST)) : null;
        ModelSpec modelSpec;
        try {
            modelSpec = from != null ? from.network().spec() : ModelSpec.of(modelSpec());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "bad --model: " + e.getMessage());
        }
        try {
            TrainingMemory.estimate(modelSpec, config).check();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), (hidden != null ? "--hidden " : "--model ") + modelSpec.text() + ": " + e.getMessage());
        }
        Network network = modelSpec.build(DataType.FLOAT);
        network.initialize(new Rng(config.seed()));
        TrainingState state = new TrainingState(network, config);
        if (from != null) {
            // Keep the learned features; a new data set gets a new output layer (the last two arrays).
            var source = from.network().params();
            var target = network.params();
            boolean sameClasses = from.origin().classNames().equals(kind.classNames);
            int keep = sameClasses ? target.size() : target.size() - 2;
            for (int i = 0; i < keep; i++) target.get(i).value().copyFrom(source.get(i).value(), 0, 0, source.get(i).value().length);
            var fromBuffers = from.network().buffers();
            var toBuffers = network.buffers();
            for (int i = 0; i < toBuffers.size(); i++) toBuffers.get(i).copyFrom(fromBuffers.get(i), 0, 0, toBuffers.get(i).length);
            if (freeze) state.frozenLayers = network.layers().size() - 1;
        }
        return state;
    }

    private TrainingState resumedState(Checkpoint.Loaded resumed) {
        TrainingState state = resumed.state();
        TrainConfig before = state.config;
        if (epochs != null && epochs < state.epoch) throw new ParameterException(spec.commandLine(), "the run already did " + state.epoch + " epochs");
        TrainConfig after = before.withEpochs(or(epochs, before.epochs())).withStopping(new EarlyStopping(
                or(patience, before.stopping().patience()), or(targetAccuracy, before.stopping().targetAccuracy())));
        if (after.equals(before)) return state;
        // Train longer (or shorter, or with other stopping rules): the same state under the new settings.
        TrainingState changed = new TrainingState(state.network, after);
        Checkpoint.copyProgress(state, changed);
        changed.stoppedEarly = null;
        return changed;
    }

    /** Usage errors for numeric options outside their range, before anything is loaded. */
    private void checkRanges() {
        OptionRanges.atLeast(spec, "--epochs", epochs, 1);
        OptionRanges.atLeast(spec, "--batch-size", batchSize, 1);
        OptionRanges.eachAtLeast(spec, "--hidden", hidden, 1);
        OptionRanges.positive(spec, "--lr", lr);
        OptionRanges.fraction(spec, "--momentum", momentum);
        OptionRanges.nonNegative(spec, "--weight-decay", weightDecay);
        OptionRanges.fraction(spec, "--dropout", dropout);
        OptionRanges.atLeast(spec, "--validation", validation, 0);
        OptionRanges.atLeast(spec, "--limit", limit, 1);
        OptionRanges.atLeast(spec, "--keep", keep, 0);
        OptionRanges.atLeast(spec, "--patience", patience, 1);
        OptionRanges.accuracy(spec, "--target-accuracy", targetAccuracy);
    }

    /** A resumed run keeps its model, data and training settings; changing them would silently train something else. */
    private void refuseSettingsTheRunFixes() {
        List<String> fixed = spec.commandLine().getParseResult().matchedOptions().stream()
                .map(o -> o.longestName()).filter(name -> !RESUMABLE.contains(name)).distinct().toList();
        if (!fixed.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--resume continues a run with its own settings; " + String.join(", ", fixed)
                    + " cannot" + " change (with --resume you may give --epochs, --patience, "
                    + "--target-accuracy, --keep)");
        }
    }

    private TrainConfig config() {
        Preset preset = Preset.find(model);
        TrainConfig d = (preset != null ? preset : Preset.MLP).defaults;
        Augmentation aug = d.augmentation();
        if (augment != null) aug = augment ? Augmentation.STANDARD : null;
        if (aug != null && elastic) aug = new Augmentation(aug.maxShift(), aug.maxRotationDegrees(), aug.maxScale(), true);
        try {
            return new TrainConfig(or(epochs, d.epochs()), or(batchSize, d.batchSize()), or(lr, d.learningRate()),
                    or(optimizer, d.optimizer()), or(momentum, d.momentum()), or(weightDecay, d.weightDecay()),
                    schedule != null ? Schedule.parse(schedule) : d.schedule(), aug, seed,
                    new EarlyStopping(or(patience, 0), or(targetAccuracy, 0.0)));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private String modelSpec() {
        Preset preset = Preset.find(model);
        if (preset == null) {
            if (hidden != null) throw new ParameterException(spec.commandLine(), "--hidden applies to the mlp preset, not to a model spec");
            return model;
        }
        if (hidden != null && preset != Preset.MLP) throw new ParameterException(spec.commandLine(), "--hidden applies to the mlp preset only");
        return preset.spec(hidden != null ? hidden : Preset.DEFAULT_HIDDEN, dropout);
    }

    private Path runsDir() {
        if (out != null) return out;
        String env = System.getenv("NN_RUNS_DIR");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of("runs");
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
