package nn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.GsonBuilder;
import nn.checkpoint.Checkpoint;
import nn.data.DataSource;
import nn.data.DatasetFiles;
import nn.data.DatasetKind;
import nn.data.LabeledImages;
import nn.data.Split;
import nn.eval.Predictor;
import nn.eval.ReportCharts;
import nn.checkpoint.SlimModel;
import nn.io.AtomicFile;
import nn.prune.Pruning;
import nn.prune.PruneStudy;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "prune", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"How many weights does a trained network need? Magnitude pruning at several sparsities, test accuracy "
                + "before and after fine-tuning under fixed masks, and optionally the lottery-ticket procedure.",
                "Writes prune.json, prune.png and pruned-SPARSITY.ckpt (masks included: they survive --resume; "
                        + "'nn export --slim' saves one small for use); "
                        + "with --lottery also lottery.json and lottery.png."},
        footer = {"", "Examples:",
                "  nn prune --sparsity 0.5,0.8,0.9,0.95,0.98 --finetune 2",
                "  nn prune --per-layer --sparsity 0.9",
                "  nn prune --lottery 3 --sparsity 0.9 --lottery-epochs 3"})
final class PruneCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DataOptions data;
    @Mixin InspectOptions options;

    @Option(names = "--sparsity", paramLabel = "S[,S...]", split = ",", defaultValue = "0.5,0.8,0.9,0.95,0.98",
            description = "Fractions of weights to remove (default: ${DEFAULT-VALUE}).")
    List<Double> sparsities;

    static final class Scope {
        @Option(names = "--global", description = "One threshold over all layers (default).") boolean global;
        @Option(names = "--per-layer", description = "The same fraction removed from every layer.") boolean perLayer;
    }

    @ArgGroup(exclusive = true) Scope scope;

    @Option(names = "--finetune", paramLabel = "EPOCHS", defaultValue = "2",
            description = "Epochs of fine-tuning under the masks, at a tenth of the model's learning rate (default: ${DEFAULT-VALUE}).")
    int finetune;

    @Option(names = "--lottery", paramLabel = "ROUNDS", defaultValue = "0",
            description = "Also run the lottery-ticket procedure for this many rounds, up to the largest --sparsity.")
    int lottery;

    @Option(names = "--lottery-epochs", paramLabel = "N", defaultValue = "3",
            description = "Training epochs per lottery network (default: ${DEFAULT-VALUE}).")
    int lotteryEpochs;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        for (double s : sparsities) if (!(s > 0 && s < 1)) throw new ParameterException(spec.commandLine(), "sparsities must be between 0 and 1");
        OptionRanges.atLeast(spec, "--finetune", finetune, 0);
        OptionRanges.atLeast(spec, "--lottery", lottery, 0);
        OptionRanges.atLeast(spec, "--lottery-epochs", lotteryEpochs, 1);
        Checkpoint.Loaded base = options.load();
        Path file = base.file();
        if (nn.export.OnnxImport.isOnnx(file) || SlimModel.isSlim(file)) {
            throw new nn.checkpoint.CheckpointException(file, "nn prune fine-tunes, so it needs an nn checkpoint (.ckpt), not an ONNX or slim model");
        }
        Path dir = options.outDir(base);
        DatasetKind kind = Main.dataset(spec, base.origin().dataset());
        DataSource source = new DataSource(kind, data.dataDir(), data.mirrors(), new ConsoleTransferListener(out, false));
        LabeledImages all = source.load(DatasetFiles.Part.TRAIN), test = source.load(DatasetFiles.Part.TEST);
        Split split = Split.ofRun(all, base.origin().limit(), base.origin().validationSize(), base.state().config.seed());
        boolean global = scope == null || !scope.perLayer;

        double dense = Predictor.predict(base.network(), test).accuracy();
        out.printf("%s: %s, %,d parameters, test accuracy %.2f%%; %s pruning%n", file, base.network().spec().text(),
                base.network().parameterCount(), 100 * dense, global ? "global" : "per-layer");
        out.flush();
        List<PruneStudy.Point> points = new ArrayList<>();
        for (double s : sparsities) {
            Path saved = dir.resolve(String.format(Locale.ROOT, "pruned-%02d.ckpt", Math.round(100 * s)));
            points.add(PruneStudy.prune(file, s, global, finetune, split, test, saved, line -> {
                out.println("  " + line);
                out.flush();
            }));
        }
        out.printf("%n%-9s %10s %11s %14s %14s %12s %12s%n", "sparsity", "pruned", "fine-tuned", "nonzero params", "bytes on disk", "gzip bytes",
                "slim bytes");
        out.printf("%-9s %9.2f%% %10.2f%% %,14d %,14d %,12d %,12d%n", "0 (dense)", 100 * dense, 100 * dense, Pruning.nonzero(base.network()),
                Files.size(file), PruneStudy.gzipSize(file), SlimModel.encode(base.network(), base.origin(), base.state().config.seed()).length);
        for (PruneStudy.Point p : points) {
            out.printf("%-9.2f %9.2f%% %10.2f%% %,14d %,14d %,12d %,12d%n", p.sparsity(), 100 * p.accuracyPruned(), 100 * p.accuracyFinetuned(),
                    p.nonzeroParams(), p.bytesOnDisk(), p.bytesGzip(), p.bytesSlim());
        }
        out.println("slim: the model for use only, weights stored sparsely (nn export --checkpoint " + dir.resolve("pruned-NN.ckpt") + " --slim FILE)");
        var gson = new GsonBuilder().setPrettyPrinting().setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();
        AtomicFile.writeString(dir.resolve("prune.json"), gson.toJson(points) + "\n");
        List<Double> x = points.stream().map(PruneStudy.Point::sparsity).toList();
        Map<String, List<Double>> series = new LinkedHashMap<>();
        series.put("pruned", points.stream().map(p -> 100 * p.accuracyPruned()).toList());
        series.put("fine-tuned " + finetune + " epochs", points.stream().map(p -> 100 * p.accuracyFinetuned()).toList());
        AtomicFile.write(dir.resolve("prune.png"), ReportCharts.lines("Test accuracy against sparsity (dense: " + String.format("%.2f%%", 100 * dense) + ")",
                "fraction of weights removed", "test accuracy %", x, series));
        out.println("wrote " + dir.resolve("prune.json") + ", prune.png and pruned-*.ckpt");

        if (lottery > 0) {
            double target = sparsities.stream().mapToDouble(Double::doubleValue).max().orElse(0.9);
            out.printf("%nlottery ticket: %d rounds to sparsity %.2f, %d epochs per network%n", lottery, target, lotteryEpochs);
            List<PruneStudy.Round> rounds = PruneStudy.lottery(base.network().spec(), base.state().config.withEpochs(lotteryEpochs),
                    lottery, target, split, test, line -> {
                        out.println("  " + line);
                        out.flush();
                    });
            AtomicFile.writeString(dir.resolve("lottery.json"), gson.toJson(rounds) + "\n");
            Map<String, List<Double>> ls = new LinkedHashMap<>();
            ls.put("winning ticket (rewound to init)", rounds.stream().map(r -> 100 * r.accuracyTicket()).toList());
            ls.put("same mask, random re-init", rounds.stream().map(r -> 100 * r.accuracyRandomReinit()).toList());
            AtomicFile.write(dir.resolve("lottery.png"), ReportCharts.lines("Lottery tickets: test accuracy against sparsity",
                    "fraction of weights removed", "test accuracy %", rounds.stream().map(PruneStudy.Round::sparsity).toList(), ls));
            out.println("wrote " + dir.resolve("lottery.json") + " and lottery.png");
        }
        out.flush();
        return 0;
    }
}
