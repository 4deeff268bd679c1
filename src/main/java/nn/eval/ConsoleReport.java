package nn.eval;

import java.io.PrintWriter;
import java.util.List;

/** The evaluation as aligned text: summary, confusion matrix, per-class metrics, top confusions. */
public final class ConsoleReport {
    private ConsoleReport() {}

    public static void print(PrintWriter out, Evaluation e) {
        ConfusionMatrix m = e.confusion();
        List<String> names = e.classNames();
        out.printf("%s %s: accuracy %.2f%% (%d of %d), loss %.4f, ECE %.4f%n", e.dataset(), e.split(), 100 * e.accuracy(),
                Math.round(e.accuracy() * m.total()), m.total(), e.loss(), e.calibration().ece());
        out.println();
        out.println("confusion matrix (rows: true class, columns: predicted)");
        out.print("        ");
        for (int p = 0; p < m.classes(); p++) out.printf("%6s", shortName(names.get(p), p));
        out.println();
        for (int t = 0; t < m.classes(); t++) {
            out.printf("%8s", shortName(names.get(t), t));
            for (int p = 0; p < m.classes(); p++) out.printf("%6d", m.count(t, p));
            out.println();
        }
        out.println();
        out.printf("%-14s %9s %9s %9s %8s%n", "class", "precision", "recall", "f1", "support");
        for (int k = 0; k < m.classes(); k++) {
            out.printf("%-14s %9.4f %9.4f %9.4f %8d%n", names.get(k), m.precision(k), m.recall(k), m.f1(k), m.support(k));
        }
        out.printf("%-14s %9.4f %9.4f %9.4f %8d%n", "macro avg", m.macroPrecision(), m.macroRecall(), m.macroF1(), m.total());
        out.printf("%-14s %9.4f %9.4f %9.4f %8d%n", "micro avg", m.accuracy(), m.accuracy(), m.accuracy(), m.total());
        out.println();
        out.println("top confusions:");
        for (ConfusionMatrix.Confusion c : m.topConfusions(5)) {
            out.printf("  %s -> %s: %d times%n", names.get(c.truth()), names.get(c.predicted()), c.count());
        }
        out.flush();
    }

    /** Digits stay digits; long class names (Fashion-MNIST) become their index. */
    private static String shortName(String name, int k) {
        return name.length() <= 5 ? name : String.valueOf(k);
    }
}
