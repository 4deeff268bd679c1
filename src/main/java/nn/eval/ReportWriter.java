package nn.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import nn.io.AtomicFile;
import nn.train.EpochMetrics;

/**
 * Writes an evaluation as {@code report.json} (for scripts; schema in the README),
 * {@code report.md} (for people, pictures embedded) and the PNG pictures beside them.
 */
public final class ReportWriter {
    public static final String JSON = "report.json", MARKDOWN = "report.md", CURVES = "training-curves.png",
            CONFUSION = "confusion-matrix.png", RELIABILITY = "reliability.png", MISTAKES = "confident-mistakes.png";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().setFieldNamingPolicy(com.google.gson.FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).serializeSpecialFloatingPointValues().create();

    private ReportWriter() {}

    /** Writes the report files into {@code dir}; {@code versions} names nn, ND4J and Java. */
    public static void write(Path dir, Evaluation e, long seed, Map<String, String> versions) throws IOException {
        Map<String, String> images = new LinkedHashMap<>();
        if (e.training() != null && !e.training().history().isEmpty()) {
            AtomicFile.write(dir.resolve(CURVES), ReportCharts.trainingCurves(e.training().history()));
            images.put("training_curves", CURVES);
        }
        AtomicFile.write(dir.resolve(CONFUSION), ReportCharts.confusion(e.confusion(), e.classNames()));
        images.put("confusion_matrix", CONFUSION);
        AtomicFile.write(dir.resolve(RELIABILITY), ReportCharts.reliability(e.calibration()));
        images.put("reliability", RELIABILITY);
        int[] mistakes = e.confidentMistakes(40);
        List<String> captions = new ArrayList<>();
        for (int i : mistakes) {
            captions.add(String.format("%s->%s %.2f", e.classNames().get(e.predictions().labels()[i]),
                    e.classNames().get(e.predictions().predicted(i)), e.predictions().confidence(i)));
        }
        AtomicFile.write(dir.resolve(MISTAKES), ReportCharts.imageGrid(e.images(), mistakes, captions, 8));
        images.put("confident_mistakes", MISTAKES);

        Map<String, Object> json = json(e, seed, versions, images);
        AtomicFile.writeString(dir.resolve(JSON), GSON.toJson(json) + "\n");
        AtomicFile.writeString(dir.resolve(MARKDOWN), markdown(e, seed, versions));
    }

    static Map<String, Object> json(Evaluation e, long seed, Map<String, String> versions, Map<String, String> images) {
        ConfusionMatrix m = e.confusion();
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("dataset", e.dataset());
        j.put("split", e.split());
        j.put("checkpoint", e.checkpoint());
        j.put("model", e.model());
        j.put("parameters", e.parameters());
        j.put("n", m.total());
        j.put("accuracy", e.accuracy());
        j.put("loss", e.loss());
        j.put("ece", e.calibration().ece());
        j.put("confusion_matrix", m.counts());
        List<Map<String, Object>> perClass = new ArrayList<>();
        for (int k = 0; k < m.classes(); k++) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("class", k);
            c.put("name", e.classNames().get(k));
            c.put("precision", m.precision(k));
            c.put("recall", m.recall(k));
            c.put("f1", m.f1(k));
            c.put("support", m.support(k));
            perClass.add(c);
        }
        j.put("per_class", perClass);
        j.put("macro_precision", m.macroPrecision());
        j.put("macro_recall", m.macroRecall());
        j.put("macro_f1", m.macroF1());
        j.put("micro_f1", m.accuracy());
        List<Map<String, Object>> confusions = new ArrayList<>();
        for (ConfusionMatrix.Confusion c : m.topConfusions(10)) {
            confusions.add(Map.of("true", c.truth(), "predicted", c.predicted(), "count", c.count()));
        }
        j.put("top_confusions", confusions);
        List<Map<String, Object>> bins = new ArrayList<>();
        Calibration cal = e.calibration();
        for (int b = 0; b < cal.counts().length; b++) {
            Map<String, Object> bin = new LinkedHashMap<>();
            bin.put("lower", (double) b / cal.counts().length);
            bin.put("upper", (double) (b + 1) / cal.counts().length);
            bin.put("count", cal.counts()[b]);
            bin.put("accuracy", cal.accuracy()[b]);
            bin.put("confidence", cal.confidence()[b]);
            bins.add(bin);
        }
        j.put("calibration_bins", bins);
        j.put("seed", seed);
        j.put("versions", versions);
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("eval_seconds", e.seconds());
        if (e.training() != null) {
            Evaluation.TrainingSummary t = e.training();
            j.put("hyperparameters", t.hyperParameters());
            j.put("best_epoch", t.bestEpoch());
            j.put("best_validation_accuracy", t.bestValidationAccuracy());
            j.put("stopped_early", t.stoppedEarly());
            j.put("history", t.history());
            timings.put("train_seconds", t.trainSeconds());
            timings.put("epoch_seconds", t.history().stream().map(EpochMetrics::seconds).toList());
        }
        j.put("timings", timings);
        j.put("images", images);
        return j;
    }

    static String markdown(Evaluation e, long seed, Map<String, String> versions) {
        ConfusionMatrix m = e.confusion();
        List<String> names = e.classNames();
        StringBuilder md = new StringBuilder();
        md.append("# nn report: ").append(e.model()).append(" on ").append(e.dataset()).append(" (").append(e.split()).append(")\n\n");
        md.append("| | |\n|---|---|\n");
        row(md, "accuracy", String.format(Locale.ROOT, "**%.2f%%** (%d images)", 100 * e.accuracy(), m.total()));
        row(md, "loss", String.format(Locale.ROOT, "%.4f", e.loss()));
        row(md, "expected calibration error", String.format(Locale.ROOT, "%.4f", e.calibration().ece()));
        row(md, "macro F1", String.format(Locale.ROOT, "%.4f", m.macroF1()));
        row(md, "model", "`" + e.model() + "` (" + String.format("%,d", e.parameters()) + " parameters)");
        row(md, "checkpoint", "`" + e.checkpoint() + "`");
        row(md, "seed", String.valueOf(seed));
        row(md, "versions", versions.toString());
        if (e.training() != null) {
            Evaluation.TrainingSummary t = e.training();
            row(md, "training", String.format(Locale.ROOT, "%d epochs in %.1f s; best epoch %d, validation accuracy %.2f%%",
                    t.history().size(), t.trainSeconds(), t.bestEpoch(), 100 * t.bestValidationAccuracy())
                    + (t.stoppedEarly() != null ? "; stopped early: " + t.stoppedEarly() : ""));
            row(md, "hyper-parameters", t.hyperParameters().toString());
            md.append("\n## Training curves\n\n![training curves](").append(CURVES).append(")\n");
            md.append("\n| epoch | train loss | train acc | val loss | val acc | lr | seconds |\n|---|---|---|---|---|---|---|\n");
            for (EpochMetrics h : t.history()) {
                md.append(String.format(Locale.ROOT, "| %d | %.4f | %.2f%% | %.4f | %.2f%% | %.4g | %.1f |%n", h.epoch(), h.trainLoss(),
                        100 * h.trainAccuracy(), h.validationLoss(), 100 * h.validationAccuracy(), h.learningRate(), h.seconds()));
            }
        }
        md.append("\n## Confusion matrix\n\nRows are the true class, columns the prediction.\n\n| true \\ predicted |");
        for (String n : names) md.append(' ').append(n).append(" |");
        md.append("\n|---|").append("---|".repeat(names.size())).append('\n');
        for (int t = 0; t < m.classes(); t++) {
            md.append("| **").append(names.get(t)).append("** |");
            for (int p = 0; p < m.classes(); p++) md.append(' ').append(t == p ? "**" + m.count(t, p) + "**" : m.count(t, p)).append(" |");
            md.append('\n');
        }
        md.append("\n![confusion matrix](").append(CONFUSION).append(")\n");
        md.append("\n## Per class\n\n| class | precision | recall | F1 | support |\n|---|---|---|---|---|\n");
        for (int k = 0; k < m.classes(); k++) {
            md.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %d |%n", names.get(k), m.precision(k), m.recall(k), m.f1(k), m.support(k)));
        }
        md.append(String.format(Locale.ROOT, "| macro avg | %.4f | %.4f | %.4f | %d |%n", m.macroPrecision(), m.macroRecall(), m.macroF1(), m.total()));
        md.append("\n## Top confusions\n\n");
        for (ConfusionMatrix.Confusion c : m.topConfusions(10)) {
            md.append("- ").append(names.get(c.truth())).append(" → ").append(names.get(c.predicted())).append(": ").append(c.count()).append(" times\n");
        }
        md.append("\n## The most confidently wrong images\n\nCaption: true → predicted, confidence.\n\n![mistakes](").append(MISTAKES).append(")\n");
        md.append("\n## Calibration\n\nHow often the model is right when it is this sure (15 bins).\n\n![reliability diagram](").append(RELIABILITY).append(")\n");
        return md.toString();
    }

    private static void row(StringBuilder md, String key, String value) {
        md.append("| ").append(key).append(" | ").append(value).append(" |\n");
    }
}
