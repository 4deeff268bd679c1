package nn.eval;

/**
 * How well confidence matches accuracy. Predictions are put in equal-width bins by their
 * confidence (the top probability); a calibrated model is right 90% of the time when it says 0.9.
 * <pre>
 *   ECE = Σ_b (n_b / N) · |accuracy_b − confidence_b|      (Guo et al. 2017, 15 bins)
 * </pre>
 */
public record Calibration(int[] counts, double[] accuracy, double[] confidence, double ece) {
    public static final int BINS = 15;

    public static Calibration of(Predictions p) {
        return of(p, BINS);
    }

    public static Calibration of(Predictions p, int bins) {
        int[] n = new int[bins];
        double[] correct = new double[bins], conf = new double[bins];
        for (int i = 0; i < p.size(); i++) {
            double c = p.confidence(i);
            int b = Math.min(bins - 1, (int) (c * bins));   // bin b holds [b/B, (b+1)/B); 1.0 goes in the last
            n[b]++;
            conf[b] += c;
            if (p.predicted(i) == p.labels()[i]) correct[b]++;
        }
        double ece = 0;
        double[] acc = new double[bins], meanConf = new double[bins];
        for (int b = 0; b < bins; b++) {
            if (n[b] == 0) continue;
            acc[b] = correct[b] / n[b];
            meanConf[b] = conf[b] / n[b];
            ece += (double) n[b] / p.size() * Math.abs(acc[b] - meanConf[b]);
        }
        return new Calibration(n, acc, meanConf, ece);
    }
}
