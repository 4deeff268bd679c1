package nn.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Counts of (true class, predicted class) pairs, rows = true class, and what follows from them.
 * <pre>
 *   precision_k = C[k][k] / Σ_i C[i][k]     (of the images called k, how many are k)
 *   recall_k    = C[k][k] / Σ_j C[k][j]     (of the images that are k, how many were found)
 *   F1_k        = 2·P·R / (P + R)
 * </pre>
 * With one label per image, micro-averaged precision, recall and F1 all equal the accuracy.
 */
public final class ConfusionMatrix {
    private final int[][] counts;
    private final int classes;

    public ConfusionMatrix(int classes) {
        this.classes = classes;
        this.counts = new int[classes][classes];
    }

    public static ConfusionMatrix of(Predictions p) {
        ConfusionMatrix m = new ConfusionMatrix(p.classes());
        for (int i = 0; i < p.size(); i++) m.add(p.labels()[i], p.predicted(i));
        return m;
    }

    public void add(int truth, int predicted) {
        counts[truth][predicted]++;
    }

    public int count(int truth, int predicted) {
        return counts[truth][predicted];
    }

    public int classes() {
        return classes;
    }

    public int[][] counts() {
        int[][] copy = new int[classes][];
        for (int k = 0; k < classes; k++) copy[k] = counts[k].clone();
        return copy;
    }

    public int total() {
        int n = 0;
        for (int[] row : counts) for (int c : row) n += c;
        return n;
    }

    public int support(int k) {
        int n = 0;
        for (int c : counts[k]) n += c;
        return n;
    }

    private int predictedAs(int k) {
        int n = 0;
        for (int[] row : counts) n += row[k];
        return n;
    }

    public double precision(int k) {
        int n = predictedAs(k);
        return n == 0 ? 0 : (double) counts[k][k] / n;
    }

    public double recall(int k) {
        int n = support(k);
        return n == 0 ? 0 : (double) counts[k][k] / n;
    }

    public double f1(int k) {
        double p = precision(k), r = recall(k);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    public double accuracy() {
        int correct = 0;
        for (int k = 0; k < classes; k++) correct += counts[k][k];
        return total() == 0 ? 0 : (double) correct / total();
    }

    public double macroPrecision() {
        double s = 0;
        for (int k = 0; k < classes; k++) s += precision(k);
        return s / classes;
    }

    public double macroRecall() {
        double s = 0;
        for (int k = 0; k < classes; k++) s += recall(k);
        return s / classes;
    }

    public double macroF1() {
        double s = 0;
        for (int k = 0; k < classes; k++) s += f1(k);
        return s / classes;
    }

    /** A mistake that happened {@code count} times: true class → predicted class. */
    public record Confusion(int truth, int predicted, int count) {}

    /** The most frequent mistakes, most frequent first (ties: by true, then predicted class). */
    public List<Confusion> topConfusions(int n) {
        List<Confusion> all = new ArrayList<>();
        for (int t = 0; t < classes; t++) {
            for (int p = 0; p < classes; p++) if (t != p && counts[t][p] > 0) all.add(new Confusion(t, p, counts[t][p]));
        }
        all.sort(Comparator.comparingInt(Confusion::count).reversed().thenComparingInt(Confusion::truth).thenComparingInt(Confusion::predicted));
        return all.subList(0, Math.min(n, all.size()));
    }
}
