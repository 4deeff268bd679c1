package nn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import nn.model.ModelSpec;
import org.junit.jupiter.api.Test;

/** The memory a run needs is known from its spec, and a run that cannot fit is refused up front. */
class TrainingMemoryTest {
    private static final long GB = 1_000_000_000L;

    @Test
    void theEstimateCountsParametersOptimiserStateAndActivations() {
        TrainingMemory m = TrainingMemory.estimate(ModelSpec.of("dense(256),relu"), Preset.MLP.defaults);
        long params = 784 * 256 + 256 + 256 * 10 + 10;
        long activations = 784 + 256 + 256 + 10;   // flatten, dense, relu, output
        assertEquals(4 * (params * 3 + 3L * 64 * activations), m.offHeapBytes(), "value, gradient, momentum; batch of 64");
        assertEquals(4 * params * 2, m.checkpointBytes());
        m.check(4 * GB, 4 * GB);
    }

    @Test
    void aMillionHiddenUnitsDoNotFitFourGigabytes() {
        TrainingMemory m = TrainingMemory.estimate(ModelSpec.of("dense(1000000),relu"), Preset.MLP.defaults);
        assertTrue(m.offHeapBytes() > 9 * GB, "about 800 million weights, three copies: " + m.offHeapBytes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.check(4 * GB, 4 * GB));
        assertTrue(e.getMessage().contains("off-heap (limit 4.0 GB)") && e.getMessage().contains("heap limit 4.0 GB"), e.getMessage());
    }

    @Test
    void anArrayLargerThanJavaAllowsIsRefused() {
        TrainingMemory m = TrainingMemory.estimate(ModelSpec.of("dense(3000000)"), Preset.MLP.defaults);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.check(Long.MAX_VALUE, Long.MAX_VALUE));
        assertTrue(e.getMessage().contains("one weight array would hold 2,355,000,000 values"), e.getMessage());
    }
}
