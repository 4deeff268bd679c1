package nn.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.google.gson.Gson;
import nn.checkpoint.Checkpoint;
import nn.eval.DigitAnswer;
import nn.inspect.AttentionRollout;
import nn.inspect.Inspection;
import nn.inspect.InspectionPictures;
import nn.inspect.RowByRow;
import nn.io.AtomicFile;
import nn.model.Network;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Which pixels drove the decision for one picture, two ways:",
                "saliency - how strongly each pixel moves the class score (the gradient of the score with respect to the input);",
                "occlusion - how much the class probability drops when a 6x6 square around the pixel is blanked.",
                "Writes explain-NAME.png and explain-NAME.json (both maps, 28x28, row by row).",
                "A model that reads the rows with an lstm also gets explain-NAME-rows.png: the class probabilities after each row;",
                "a transformer gets explain-NAME-attention.png: its attention over the patches (rollout, and the last block)."})
final class ExplainCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin InspectOptions options;

    @Parameters(paramLabel = "IMAGE", description = "A picture of a digit (prepared as nn predict does).")
    Path image;

    @Option(names = "--class", paramLabel = "K", description = "Explain this class instead of the predicted one.")
    Integer klass;

    @Override
    public Integer call() throws IOException {
        Checkpoint.Loaded model = options.load();
        var net = model.network();
        float[] x = InspectOptions.digit(image);
        float[] probs = Inspection.probabilities(net, x);
        int predicted = nn.eval.Predictions.argmax(probs, 0, probs.length);
        int k = klass != null ? klass : predicted;
        if (k < 0 || k >= net.classes()) throw new ParameterException(spec.commandLine(), "--class must be 0 to " + (net.classes() - 1));
        float[] saliency = Inspection.saliency(net, x, k);
        float[] occlusion = Inspection.occlusion(net, x, k, 6, 2);
        var names = model.origin().classNames();
        String name = image.getFileName().toString().replaceAll("\\.[^.]*$", "");
        Path dir = options.outDir(model);
        Path png = dir.resolve("explain-" + name + ".png"), json = dir.resolve("explain-" + name + ".json");
        String file = image.getFileName().toString();
        AtomicFile.write(png, InspectionPictures.explanation(x, saliency, occlusion, String.format(
                "%s: predicted %s (%.3f); explaining class %s (%.3f)", file, names.get(predicted), probs[predicted],
                names.get(k), probs[k])));
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("file", image.toString());
        // Classes as numbers, as in nn predict --json; a data set with names adds them.
        boolean labels = !DigitAnswer.digitClasses(names);
        j.put("prediction", predicted);
        if (labels) j.put("label", names.get(predicted));
        j.put("confidence", probs[predicted]);
        j.put("class", k);
        if (labels) j.put("class_label", names.get(k));
        j.put("probability", probs[k]);
        j.put("saliency", saliency);
        j.put("occlusion", occlusion);
        var out = spec.commandLine().getOut();
        out.printf("%s: predicted %s (%.3f), explaining %s%nwrote %s%n", image, names.get(predicted), probs[predicted], names.get(k), png);
        for (KindSpecific extra : kindSpecific(net, x, file, names)) {
            Path extraPng = dir.resolve("explain-" + name + "-" + extra.suffix() + ".png");
            AtomicFile.write(extraPng, extra.picture());
            j.putAll(extra.json());
            out.printf("wrote %s%n", extraPng);
        }
        AtomicFile.writeString(json, new Gson().toJson(j) + "\n");
        out.printf("wrote %s%n", json);
        return 0;
    }

    /** An explanation only one kind of model has: its picture (explain-NAME-SUFFIX.png) and its keys in explain-NAME.json. */
    private record KindSpecific(String suffix, byte[] picture, Map<String, Object> json) {}

    /**
     * What this kind of model adds to the saliency and occlusion maps: for one that reads the rows
     * with an lstm, the probabilities after each row; for a transformer, where its attention went.
     */
    private static List<KindSpecific> kindSpecific(Network net, float[] x, String file, List<String> names) throws IOException {
        if (RowByRow.appliesTo(net)) {
            RowByRow reading = RowByRow.of(net, x);
            float[] last = reading.probabilities()[reading.probabilities().length - 1];
            String title = String.format("%s: predicted %s (%.3f); on top from row %d of %d", file, names.get(reading.prediction()),
                    last[reading.prediction()], reading.decidedAtRow(), reading.probabilities().length);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("rows", reading.probabilities());
            json.put("decided_at_row", reading.decidedAtRow());
            return List.of(new KindSpecific("rows", InspectionPictures.rowByRow(x, reading, names, title), json));
        }
        if (AttentionRollout.appliesTo(net)) {
            AttentionRollout rollout = AttentionRollout.of(net, x);
            int[] strongest = rollout.strongestPatch();
            String title = String.format("%s: where the transformer looked (%dx%d patches; strongest: row %d, column %d)", file,
                    rollout.gridHeight(), rollout.gridWidth(), strongest[0] + 1, strongest[1] + 1);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("patch_grid", new int[] {rollout.gridHeight(), rollout.gridWidth()});
            json.put("attention_rollout", rollout.rollout());
            json.put("last_block_attention", rollout.lastBlock());
            return List.of(new KindSpecific("attention", InspectionPictures.attention(x, rollout, title), json));
        }
        return List.of();
    }
}
