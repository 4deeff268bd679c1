package nn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import nn.compute.Engines;
import nn.compute.Tensor;
import nn.model.Param;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;

/** Each update rule matches its formula, worked by hand for two steps, on every engine. */
class OptimizerTest {
    private static Param param(double w, double g, boolean decays) {
        Param p = Param.of("w", Tensor.zeros(DataType.DOUBLE, 1, 1), decays);
        p.value().set(0, w);
        p.grad().set(0, g);
        return p;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Engines.Kind.class)
    void sgdWithClassicalMomentum(Engines.Kind kind) {
        Param p = param(1.0, 0.5, true);
        Sgd sgd = new Sgd(0.9, false, 0);
        sgd.step(Engines.of(kind), List.of(p), 0.1);          // v = 0.5, w = 1 - 0.05
        assertEquals(0.95, p.value().get(0), 1e-12);
        sgd.step(Engines.of(kind), List.of(p), 0.1);          // v = 0.45 + 0.5 = 0.95, w = 0.95 - 0.095
        assertEquals(0.855, p.value().get(0), 1e-12);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Engines.Kind.class)
    void nesterovLooksAhead(Engines.Kind kind) {
        Param p = param(1.0, 0.5, true);
        Sgd sgd = new Sgd(0.9, true, 0);
        sgd.step(Engines.of(kind), List.of(p), 0.1);          // v = 0.5, w = 1 - 0.1 (0.5 + 0.45)
        assertEquals(0.905, p.value().get(0), 1e-12);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Engines.Kind.class)
    void weightDecayAppliesToWeightsNotBiases(Engines.Kind kind) {
        Param w = param(2.0, 0, true), b = param(2.0, 0, false);
        new Sgd(0, false, 0.1).step(Engines.of(kind), List.of(w, b), 0.5);
        assertEquals(2.0 - 0.5 * 0.1 * 2.0, w.value().get(0), 1e-12);
        assertEquals(2.0, b.value().get(0), 1e-12);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Engines.Kind.class)
    void adamFirstStepMovesByTheLearningRate(Engines.Kind kind) {
        Param p = param(1.0, 123.0, true);
        Adam adam = new Adam(0);
        adam.step(Engines.of(kind), List.of(p), 0.01);        // bias-corrected m̂/sqrt(v̂) = g/|g| = 1
        assertEquals(0.99, p.value().get(0), 1e-9);
        assertEquals(1, adam.steps());
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new Sgd(1.0, false, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(0, true, 0));
        assertThrows(IllegalArgumentException.class, () -> new TrainConfig(1, 64, 0.1, "rmsprop", 0.9, 0, Schedule.CONSTANT, null, 1));
    }

    @Test
    void schedulesFollowTheirCurves() {
        assertEquals(0.1, Schedule.CONSTANT.rate(0.1, 500, 1001), 1e-12);
        assertEquals(0.1, Schedule.STEP.rate(0.1, 499, 1001), 1e-12);
        assertEquals(0.01, Schedule.STEP.rate(0.1, 501, 1001), 1e-12);
        assertEquals(0.001, Schedule.STEP.rate(0.1, 800, 1001), 1e-12);
        assertEquals(0.1, Schedule.COSINE.rate(0.1, 0, 1001), 1e-12);
        assertEquals(0.05, Schedule.COSINE.rate(0.1, 500, 1001), 1e-12);
        assertEquals(0.0, Schedule.COSINE.rate(0.1, 1000, 1001), 1e-12);
        assertEquals(0.1 / 25, Schedule.ONECYCLE.rate(0.1, 0, 1001), 1e-12);
        assertEquals(0.1, Schedule.ONECYCLE.rate(0.1, 250, 1001), 1e-12);
        assertEquals(0.1 / 1e4, Schedule.ONECYCLE.rate(0.1, 1000, 1001), 1e-12);
        assertEquals(Schedule.ONECYCLE, Schedule.parse("one-cycle"));
        assertThrows(IllegalArgumentException.class, () -> Schedule.parse("linear"));
    }
}
