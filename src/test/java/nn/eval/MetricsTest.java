package nn.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Metrics against small cases worked out by hand. */
class MetricsTest {
    /** Three classes, six images: probabilities chosen so every metric has a round value. */
    private static Predictions sample() {
        float[] p = {
            0.9f, 0.05f, 0.05f,   // true 0, predicted 0, confidence 0.9
            0.2f, 0.7f, 0.1f,     // true 0, predicted 1, 0.7
            0.1f, 0.8f, 0.1f,     // true 1, predicted 1, 0.8
            0.1f, 0.55f, 0.35f,   // true 1, predicted 1, 0.55
            0.3f, 0.3f, 0.4f,     // true 2, predicted 2, 0.4 (lies in [0.4, 0.6) with 5 bins)
            0.1f, 0.7f, 0.2f,     // true 2, predicted 1, 0.7
        };
        return new Predictions(p, new int[] {0, 0, 1, 1, 2, 2}, 3);
    }

    @Test
    void confusionMatrixCountsRowsAsTrueClass() {
        ConfusionMatrix m = ConfusionMatrix.of(sample());
        assertArrayEquals(new int[][] {{1, 1, 0}, {0, 2, 0}, {0, 1, 1}}, m.counts());
        assertEquals(4 / 6.0, m.accuracy(), 1e-12);
        assertEquals(6, m.total());
    }

    @Test
    void precisionRecallAndF1PerClassAndAveraged() {
        ConfusionMatrix m = ConfusionMatrix.of(sample());
        assertEquals(1.0, m.precision(0), 1e-12);
        assertEquals(0.5, m.recall(0), 1e-12);
        assertEquals(2 / 3.0, m.f1(0), 1e-12);
        assertEquals(0.5, m.precision(1), 1e-12);       // 2 of the 4 called "1"
        assertEquals(1.0, m.recall(1), 1e-12);
        assertEquals(2 / 3.0, m.f1(1), 1e-12);
        assertEquals(1.0, m.precision(2), 1e-12);
        assertEquals(0.5, m.recall(2), 1e-12);
        assertEquals(2 / 3.0, m.macroF1(), 1e-12);
        assertEquals((1 + 0.5 + 1) / 3, m.macroPrecision(), 1e-12);
    }

    @Test
    void topConfusionsAreSortedByCount() {
        ConfusionMatrix m = new ConfusionMatrix(10);
        for (int i = 0; i < 12; i++) m.add(4, 9);
        for (int i = 0; i < 3; i++) m.add(7, 1);
        m.add(3, 5);
        m.add(2, 2);
        assertEquals(List.of(new ConfusionMatrix.Confusion(4, 9, 12), new ConfusionMatrix.Confusion(7, 1, 3),
                new ConfusionMatrix.Confusion(3, 5, 1)), m.topConfusions(5));
    }

    @Test
    void expectedCalibrationErrorByHand() {
        Calibration c = Calibration.of(sample(), 5);   // bins of width 0.2
        // [0.4,0.6): {0.4 right, 0.55 right}; [0.6,0.8): {0.7 wrong, 0.7 wrong}; [0.8,1]: {0.8 right, 0.9 right}
        assertArrayEquals(new int[] {0, 0, 2, 2, 2}, c.counts());
        double ece = 2 / 6.0 * Math.abs(1 - (0.4 + 0.55) / 2) + 2 / 6.0 * Math.abs(0 - 0.7) + 2 / 6.0 * Math.abs(1 - (0.8 + 0.9) / 2);
        assertEquals(ece, c.ece(), 1e-6);
    }

    @Test
    void lossAndAccuracyOfPredictions() {
        Predictions p = sample();
        assertEquals(4 / 6.0, p.accuracy(), 1e-12);
        double loss = -(Math.log(0.9) + Math.log(0.2) + Math.log(0.8) + Math.log(0.55) + Math.log(0.4) + Math.log(0.2)) / 6;
        assertEquals(loss, p.loss(), 1e-6);
        assertEquals(1, p.predicted(1));
    }
}
