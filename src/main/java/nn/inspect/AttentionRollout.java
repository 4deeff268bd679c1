package nn.inspect;

import java.util.ArrayList;
import java.util.List;

import nn.compute.Tensor;
import nn.model.Attention;
import nn.model.Inference;
import nn.model.Layer;
import nn.model.Network;

/**
 * Where a vision transformer looked, patch by patch, for one image (attention rollout, Abnar and
 * Zuidema 2020). Each block's attention, averaged over its heads, is A [tokens, tokens]; the
 * residual connection around it keeps half of each token as it was, so a block passes on
 * Ã = ½(A + I). Multiplying them, R = Ã_L ··· Ã_1, says how much of each input patch reaches
 * each token after the last block; the model's answer reads the mean token ({@code pool}), so
 * a patch's share of the answer is the mean of its column of R.
 *
 * @param rollout each patch's share of the final tokens (sums to 1), row by row over the patch grid
 * @param lastBlock the last block's own attention to each patch, averaged over heads and over the tokens that look
 * @param gridHeight patches down, {@code gridWidth} patches across
 */
public record AttentionRollout(float[] rollout, float[] lastBlock, int gridHeight, int gridWidth) {
    /** Whether the network has attention blocks to roll out. */
    public static boolean appliesTo(Network net) {
        return blocks(net).size() > 0;
    }

    private static List<Integer> blocks(Network net) {
        List<Integer> out = new ArrayList<>();
        List<Layer> layers = net.layers();
        for (int i = 0; i < layers.size(); i++) if (layers.get(i) instanceof Attention) out.add(i);
        return out;
    }

    public static AttentionRollout of(Network net, float[] pixels) {
        List<Integer> blocks = blocks(net);
        if (blocks.isEmpty()) throw new IllegalArgumentException("the model " + net.spec().text() + " has no attention blocks");
        net.forward(Inference.input(net, pixels, 0, 1), false);
        int first = blocks.get(0), tokens = ((Attention) net.layers().get(first)).tokens();
        double[][] rollout = identity(tokens), last = null;
        for (int index : blocks) {
            Attention block = (Attention) net.layers().get(index);
            if (block.tokens() != tokens) throw new IllegalArgumentException("attention blocks over different token counts cannot be rolled out");
            last = headMean(block);
            double[][] passed = new double[tokens][tokens];
            for (int i = 0; i < tokens; i++) for (int j = 0; j < tokens; j++) passed[i][j] = 0.5 * last[i][j] + (i == j ? 0.5 : 0);
            rollout = multiply(passed, rollout);                                          // R = Ã_l · R
        }
        var grid = net.outputShape(first);
        return new AttentionRollout(columnMeans(rollout), columnMeans(last), grid.height(), grid.width());
    }

    /** A [tokens, tokens] of the block's last forward (one example), averaged over its heads. */
    private static double[][] headMean(Attention block) {
        Tensor p = block.attentionWeights();
        int tokens = block.tokens(), heads = block.heads();
        double[][] a = new double[tokens][tokens];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < tokens; i++) for (int j = 0; j < tokens; j++) a[i][j] += p.get((h * tokens + i) * tokens + j) / heads;
        }
        return a;
    }

    private static double[][] identity(int n) {
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) m[i][i] = 1;
        return m;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) for (int k = 0; k < n; k++) for (int j = 0; j < n; j++) c[i][j] += a[i][k] * b[k][j];
        return c;
    }

    /** The mean of each column: how much the average token takes from each patch. */
    private static float[] columnMeans(double[][] m) {
        float[] out = new float[m.length];
        for (double[] row : m) for (int j = 0; j < m.length; j++) out[j] += (float) (row[j] / m.length);
        return out;
    }

    /** The patch with the largest share of the answer, as {row, column} of the grid. */
    public int[] strongestPatch() {
        int best = 0;
        for (int i = 1; i < rollout.length; i++) if (rollout[i] > rollout[best]) best = i;
        return new int[] {best / gridWidth, best % gridWidth};
    }
}
