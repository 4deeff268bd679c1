package nn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import nn.checkpoint.Checkpoint;
import nn.data.DataSource;
import nn.data.DatasetFiles;
import nn.data.DatasetKind;
import nn.data.LabeledImages;
import nn.data.Split;
import nn.eval.ConsoleReport;
import nn.eval.Evaluation;
import nn.eval.Predictions;
import nn.eval.Predictor;
import nn.eval.ReportWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score a trained model on a data set: accuracy, loss, confusion matrix, per-class precision, "
                + "recall and F1, top confusions and calibration; writes report.json, report.md and pictures."},
        footer = {"", "Examples:",
                "  nn eval                                   # runs/latest on the MNIST test set",
                "  nn eval --checkpoint runs/latest/last.ckpt --split validation",
                "  nn eval --json > report.json"})
final class EvalCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin DataOptions data;

    @Mixin CheckpointOption checkpoint;

    @Option(names = "--dataset", paramLabel = "mnist|fashion",
            description = "Data set to score on (default: the one the model was trained on).")
    String dataset;

    @Option(names = "--split", paramLabel = "test|train|validation", defaultValue = "test",
            description = "Which images: the test set, or the training set's train or validation part as the model's "
                    + "run split it (same seed and size). Default: ${DEFAULT-VALUE}.")
    String split;

    @Option(names = "--validation", paramLabel = "N",
            description = "Size of the validation split (default: the one the model was trained with).")
    Integer validation;

    @Option(names = "--out", paramLabel = "DIR", description = "Where to write the report (default: beside the checkpoint).")
    Path out;

    @Option(names = "--json", description = "Print report.json to standard output instead of the text report.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        PrintWriter console = spec.commandLine().getOut();
        OptionRanges.atLeast(spec, "--validation", validation, 1);
        Checkpoint.Loaded loaded = checkpoint.load();
        Path file = loaded.file();
        DatasetKind kind = Main.dataset(spec, dataset != null ? dataset : loaded.origin().dataset());
        PrintWriter progress = json ? spec.commandLine().getErr() : console;
        DataSource source = new DataSource(kind, data.dataDir(), data.mirrors(), new ConsoleTransferListener(progress, false));
        LabeledImages images = switch (split) {
            case "test" -> source.load(DatasetFiles.Part.TEST);
            case "train", "validation" -> {
                // Rebuild the training run's split: same images (limit), same size, same seed.
                int size = validation != null ? validation : loaded.origin().validationSize();
                if (size <= 0) throw new ParameterException(spec.commandLine(), "this model was trained without a validation split; give --validation N");
                Split s;
                try {
                    s = Split.ofRun(source.load(DatasetFiles.Part.TRAIN), loaded.origin().limit(), size, loaded.state().config.seed());
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), "--validation: " + e.getMessage());
                }
                yield split.equals("train") ? s.train() : s.validation();
            }
            default -> throw new ParameterException(spec.commandLine(), "--split must be test, train or validation, not '" + split + "'");
        };
        long start = System.nanoTime();
        Predictions predictions = Predictor.predict(loaded.network(), images);
        double seconds = (System.nanoTime() - start) / 1e9;
        Evaluation e = Evaluation.of(kind.id, split, file.toString(), loaded.network().spec().text(),
                loaded.network().parameterCount(), images, predictions, seconds, null);
        Path dir = out != null ? out : file.toAbsolutePath().getParent();
        java.nio.file.Files.createDirectories(dir);
        ReportWriter.write(dir, e, loaded.state().config.seed(), Versions.asMap());
        if (json) {
            console.print(java.nio.file.Files.readString(dir.resolve(ReportWriter.JSON)));
        } else {
            ConsoleReport.print(console, e);
            console.printf("%nreport: %s (and report.json, pictures) in %.2f s%n", dir.resolve(ReportWriter.MARKDOWN), seconds);
        }
        console.flush();
        return 0;
    }
}
