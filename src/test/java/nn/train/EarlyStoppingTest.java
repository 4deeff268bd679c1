package nn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import nn.model.ModelSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Early stopping: patience counts epochs since the best one; a target stops once reached. */
class EarlyStoppingTest {
    private static TrainingState afterEpochs(EarlyStopping rule, double... validationAccuracies) {
        TrainConfig config = Preset.MLP.defaults.withStopping(rule);
        TrainingState s = new TrainingState(ModelSpec.of("dense(4)").build(DataType.FLOAT), config);
        for (double v : validationAccuracies) {
            s.epoch++;
            s.history.add(new EpochMetrics(s.epoch, 0.1, 0.9, 0.1, v, 0.1, 1));
            if (v > s.bestValidationAccuracy) {
                s.bestValidationAccuracy = v;
                s.bestEpoch = s.epoch;
            }
        }
        return s;
    }

    @Test
    void patienceCountsEpochsWithoutImprovement() {
        EarlyStopping two = new EarlyStopping(2, 0);
        assertNull(two.reason(afterEpochs(two, 0.90, 0.95, 0.94)));
        assertEquals("validation accuracy did not improve for 2 epochs (best 95.00% at epoch 2)",
                two.reason(afterEpochs(two, 0.90, 0.95, 0.94, 0.95)));
    }

    @Test
    void aTargetStopsOnceReached() {
        EarlyStopping target = new EarlyStopping(0, 0.95);
        assertNull(target.reason(afterEpochs(target, 0.90, 0.949)));
        assertEquals("validation accuracy 95.10% reached the target 95.00%", target.reason(afterEpochs(target, 0.90, 0.951)));
        assertNull(EarlyStopping.NONE.reason(afterEpochs(EarlyStopping.NONE, 0.9, 0.8, 0.7, 0.6)));
    }

    @Test
    void rulesOutsideTheirRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new EarlyStopping(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> new EarlyStopping(0, 1.5));
    }
}
