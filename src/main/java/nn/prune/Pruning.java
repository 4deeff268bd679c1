package nn.prune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import nn.model.Network;
import nn.model.Param;
import nn.compute.Tensor;

/**
 * Magnitude pruning: the weights (not biases or batch-norm scales) with the smallest |w| are
 * set to zero and kept there by a mask of 0s and 1s, one mask per weight matrix.
 */
public final class Pruning {
    private Pruning() {}

    /** The weight matrices of a network, in order: the arrays masks refer to. */
    public static List<Param> weights(Network net) {
        return net.weights();
    }

    /**
     * Masks that remove the fraction {@code sparsity} of the weights still alive under
     * {@code current} (null: all alive) — by one threshold over all layers ({@code global}), or
     * layer by layer. Weights already pruned stay pruned.
     */
    public static List<Tensor> masks(Network net, double sparsity, boolean global, List<Tensor> current) {
        List<Param> weights = weights(net);
        List<Tensor> masks = new ArrayList<>();
        if (global) {
            double threshold = threshold(weights, current, sparsity, -1);
            for (int k = 0; k < weights.size(); k++) masks.add(mask(weights.get(k).value(), current == null ? null : current.get(k), threshold));
        } else {
            for (int k = 0; k < weights.size(); k++) {
                double threshold = threshold(weights, current, sparsity, k);
                masks.add(mask(weights.get(k).value(), current == null ? null : current.get(k), threshold));
            }
        }
        return masks;
    }

    /** The |w| below which a weight goes, over all layers (layer -1) or one. */
    private static double threshold(List<Param> weights, List<Tensor> current, double sparsity, int layer) {
        int n = 0;
        for (int k = 0; k < weights.size(); k++) if (layer < 0 || k == layer) n += weights.get(k).value().length;
        double[] alive = new double[n];
        int m = 0;
        for (int k = 0; k < weights.size(); k++) {
            if (layer >= 0 && k != layer) continue;
            Tensor w = weights.get(k).value();
            for (int i = 0; i < w.length; i++) if (current == null || current.get(k).get(i) != 0) alive[m++] = Math.abs(w.get(i));
        }
        if (m == 0) return Double.POSITIVE_INFINITY;
        double[] sorted = Arrays.copyOf(alive, m);
        Arrays.sort(sorted);
        int cut = (int) Math.round(sparsity * m);
        return cut <= 0 ? -1 : sorted[Math.min(cut, m) - 1];
    }

    private static Tensor mask(Tensor w, Tensor current, double threshold) {
        Tensor mask = Tensor.zeros(w.type(), w.shape());
        for (int i = 0; i < w.length; i++) {
            boolean alive = current == null || current.get(i) != 0;
            mask.set(i, alive && Math.abs(w.get(i)) > threshold ? 1 : 0);
        }
        return mask;
    }

    /** w = w ⊙ mask for every weight matrix. */
    public static void apply(Network net, List<Tensor> masks) {
        net.applyMasks(masks);
    }

    /** The fraction of weights that are zero. */
    public static double sparsity(Network net) {
        long zero = 0, all = 0;
        for (Param p : weights(net)) {
            for (int i = 0; i < p.value().length; i++) if (p.value().get(i) == 0) zero++;
            all += p.value().length;
        }
        return (double) zero / all;
    }

    /** Parameters that are not zero (weights and biases). */
    public static long nonzero(Network net) {
        long n = 0;
        for (Param p : net.params()) for (int i = 0; i < p.value().length; i++) if (p.value().get(i) != 0) n++;
        return n;
    }
}
