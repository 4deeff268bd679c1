package nn.inspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Tensor;
import nn.model.Attention;
import nn.model.ModelSpec;
import nn.model.Network;
import nn.model.Param;
import nn.random.Rng;

/** Attention rollout follows its definition: shares that add up to one, uniform attention rolls out uniform, one block by hand. */
class AttentionRolloutTest {
    private static Network vit(String spec, long seed) {
        Network net = ModelSpec.of(spec).build(DataType.FLOAT);
        net.initialize(new Rng(seed));
        return net;
    }

    private static float[] image(long seed) {
        Rng rng = new Rng(seed);
        float[] x = new float[784];
        for (int i = 0; i < x.length; i++) x[i] = rng.nextFloat();
        return x;
    }

    @Test
    void appliesOnlyToNetworksWithAttention() {
        assertTrue(AttentionRollout.appliesTo(vit("patches(7,8),attention(2),pool", 1)));
        assertFalse(AttentionRollout.appliesTo(vit("dense(8),relu", 1)));
    }

    @Test
    void theSharesOfTheAnswerAddUpToOne() {
        AttentionRollout r = AttentionRollout.of(vit("patches(4,8),attention(2),attention(4),pool", 3), image(4));
        assertEquals(7, r.gridHeight());
        assertEquals(7, r.gridWidth());
        double rollout = 0, last = 0;
        for (int i = 0; i < 49; i++) {
            rollout += r.rollout()[i];
            last += r.lastBlock()[i];
        }
        assertEquals(1, rollout, 1e-5);
        assertEquals(1, last, 1e-5);
    }

    /** With the query and key weights at zero every token attends to all alike, through any number of blocks. */
    @Test
    void uniformAttentionRollsOutUniform() {
        Network net = vit("patches(7,8),attention(2),attention(2),attention(2),pool", 5);
        for (Param p : net.params()) {
            if (p.name().endsWith("qkv.W")) for (int i = 0; i < p.value().length; i++) if (i % 24 < 16) p.value().set(i, 0);   // q and k columns
            if (p.name().endsWith("qkv.b")) p.value().fill(0);
        }
        AttentionRollout r = AttentionRollout.of(net, image(6));
        float[] uniform = new float[16];
        java.util.Arrays.fill(uniform, 1 / 16f);
        assertArrayEquals(uniform, r.rollout(), 1e-6f);
        assertArrayEquals(uniform, r.lastBlock(), 1e-6f);
    }

    /** One block by hand: the rollout is ½(column means of A) + ½/T, A the attention averaged over heads. */
    @Test
    void oneBlockIsHalfItsAttentionAndHalfTheResidual() {
        Network net = vit("patches(7,8),attention(2),pool", 7);
        AttentionRollout r = AttentionRollout.of(net, image(8));
        Attention block = (Attention) net.layers().get(1);
        Tensor p = block.attentionWeights();
        for (int j = 0; j < 16; j++) {
            double column = 0;
            for (int h = 0; h < 2; h++) for (int i = 0; i < 16; i++) column += p.get((h * 16 + i) * 16 + j) / 2 / 16;
            assertEquals(column, r.lastBlock()[j], 1e-6);
            assertEquals(0.5 * column + 0.5 / 16, r.rollout()[j], 1e-6);
        }
    }
}
