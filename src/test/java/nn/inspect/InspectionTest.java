package nn.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import nn.model.ModelSpec;
import nn.model.Network;
import nn.model.Param;
import nn.random.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Saliency and occlusion point at the pixels the answer depends on. */
class InspectionTest {
    static final int PIXEL = 14 * 28 + 9;   // row 14, column 9

    /** A network whose class-1 score is 3·x[PIXEL] and all other scores 0: only one pixel matters. */
    private static Network onePixelNetwork() {
        Network net = ModelSpec.of("dense(4),relu").build(DataType.FLOAT);
        net.initialize(new Rng(1));
        List<Param> p = net.params();
        for (Param param : p) param.value().fill(0);
        p.get(0).value().set(PIXEL * 4, 1.0);     // hidden unit 0 = x[PIXEL]
        p.get(2).value().set(0 * 10 + 1, 3.0);    // class 1 score = 3 · unit 0
        return net;
    }

    @Test
    void saliencyIsExactlyTheDerivativeOfTheScore() {
        float[] x = new float[784];
        x[PIXEL] = 0.8f;
        x[100] = 0.5f;
        float[] s = Inspection.saliency(onePixelNetwork(), x, 1);
        assertEquals(3.0, s[PIXEL], 1e-6);
        for (int i = 0; i < 784; i++) if (i != PIXEL) assertEquals(0.0, s[i], 0.0, "pixel " + i);
    }

    @Test
    void occlusionDropsOnlyWhereThePixelIsCovered() {
        float[] x = new float[784];
        x[PIXEL] = 1f;
        Network net = onePixelNetwork();
        float[] drop = Inspection.occlusion(net, x, 1, 6, 2);
        int best = 0;
        for (int i = 1; i < 784; i++) if (drop[i] > drop[best]) best = i;
        assertTrue(Math.abs(best / 28 - 14) <= 5 && Math.abs(best % 28 - 9) <= 5, "largest drop near the pixel: " + best);
        assertTrue(drop[PIXEL] > 0.5, "blanking the pixel removes the evidence for class 1: " + drop[PIXEL]);
        assertEquals(0.0, drop[0], 1e-6, "far corners do not matter");
        assertEquals(0.0, drop[783], 1e-6);
    }

    @Test
    void activationsHaveOneEntryPerLayerWithItsShape() {
        Network net = ModelSpec.of("conv(3,5),relu,pool(2),dense(8),relu").build(DataType.FLOAT);
        net.initialize(new Rng(2));
        List<Inspection.LayerOutput> a = Inspection.activations(net, new float[784]);
        assertEquals(net.layers().size(), a.size());
        assertEquals("24x24x3", a.get(0).shape().toString());
        assertEquals(24 * 24 * 3, a.get(0).values().length);
        assertEquals(10, a.get(a.size() - 1).values().length);
    }
}
