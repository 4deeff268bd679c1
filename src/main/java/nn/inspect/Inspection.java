package nn.inspect;

import java.util.ArrayList;
import java.util.List;

import nn.model.Layer;
import nn.model.Network;
import nn.model.Shape;
import nn.compute.Tensor;

/**
 * Looks inside a trained network for one input: every layer's activations, the class
 * probabilities, which pixels the decision is most sensitive to (input-gradient saliency), and
 * which regions it depends on (occlusion).
 */
public final class Inspection {
    /** One layer's output for the input: its spec, the shape of one example, the values. */
    public record LayerOutput(String spec, Shape shape, float[] values) {}

    private Inspection() {}

    /** Each layer's output for one 28x28 input, in inference mode. */
    public static List<LayerOutput> activations(Network net, float[] pixels) {
        Tensor a = nn.eval.Predictor.input(net, pixels, 0, 1);
        List<LayerOutput> out = new ArrayList<>();
        List<Layer> layers = net.layers();
        for (int i = 0; i < layers.size(); i++) {
            a = layers.get(i).forward(a, false);
            out.add(new LayerOutput(layers.get(i).spec(), net.outputShape(i), a.toFloatArray()));
        }
        return out;
    }

    /** Class probabilities of one input. */
    public static float[] probabilities(Network net, float[] pixels) {
        return nn.eval.Predictor.probabilities(net, pixels, 1);
    }

    /**
     * |d score_k / d pixel| for every pixel: how much a small change of each pixel moves the
     * class score (the logit, before the softmax). Back-propagates a one-hot gradient.
     */
    public static float[] saliency(Network net, float[] pixels, int k) {
        net.setComputesInputGradient(true);
        try {
            Tensor x = nn.eval.Predictor.input(net, pixels, 0, 1);
            Tensor logits = net.forward(x, false);
            Tensor seed = Tensor.zeros(logits.type(), logits.shape());
            seed.set(k, 1);
            Tensor dx = net.backward(seed);
            float[] s = new float[dx.length];
            for (int i = 0; i < s.length; i++) s[i] = (float) Math.abs(dx.get(i));
            return s;
        } finally {
            net.setComputesInputGradient(false);
        }
    }

    /**
     * How much the probability of class k drops when a square of the image is blanked:
     * a {@code patch} x {@code patch} square slides with {@code stride}; each pixel gets the mean
     * drop over the squares that covered it. All occluded copies go through in one batch.
     */
    public static float[] occlusion(Network net, float[] pixels, int k, int patch, int stride) {
        int size = net.inputShape().height(), width = net.inputShape().width();
        List<int[]> corners = new ArrayList<>();
        for (int y = 0; y + patch <= size; y += stride) for (int x = 0; x + patch <= width; x += stride) corners.add(new int[] {x, y});
        float[] batch = new float[corners.size() * pixels.length];
        for (int c = 0; c < corners.size(); c++) {
            System.arraycopy(pixels, 0, batch, c * pixels.length, pixels.length);
            int[] at = corners.get(c);
            for (int y = at[1]; y < at[1] + patch; y++) for (int x = at[0]; x < at[0] + patch; x++) batch[c * pixels.length + y * width + x] = 0;
        }
        float base = probabilities(net, pixels)[k];
        float[] probs = nn.eval.Predictor.probabilities(net, batch, corners.size());
        float[] drop = new float[pixels.length], covered = new float[pixels.length];
        for (int c = 0; c < corners.size(); c++) {
            float d = base - probs[c * net.classes() + k];
            int[] at = corners.get(c);
            for (int y = at[1]; y < at[1] + patch; y++) {
                for (int x = at[0]; x < at[0] + patch; x++) {
                    drop[y * width + x] += d;
                    covered[y * width + x]++;
                }
            }
        }
        for (int i = 0; i < drop.length; i++) drop[i] = covered[i] > 0 ? drop[i] / covered[i] : 0;
        return drop;
    }
}
