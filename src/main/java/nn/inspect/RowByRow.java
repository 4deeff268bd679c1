package nn.inspect;

import java.util.List;
import java.util.OptionalInt;

import nn.compute.Tensor;
import nn.model.Activation;
import nn.model.BatchNorm;
import nn.model.Dropout;
import nn.model.Inference;
import nn.model.Layer;
import nn.model.Lstm;
import nn.model.Network;

/**
 * How a recurrent network's answer grows as it reads an image top to bottom: for each row t, the
 * class probabilities it gives when the image ends after row t, {@code probabilities[t − 1]}.
 *
 * <p>That is the network run on rows 1..t alone. An lstm's state after t rows does not depend on
 * the rows below, so one pass over the whole image gives every such state: the lstm that ends the
 * sequence (the first without {@code seq}) holds h_1..h_T, and the layers after it turn each h_t
 * into the probabilities after row t, as they turn h_T into the network's answer.
 *
 * @param probabilities [rows][classes]
 * @param decidedAtRow the row (from 1) from which on the final answer is the likeliest class after every row
 */
public record RowByRow(float[][] probabilities, int decidedAtRow) {
    /**
     * Whether the network reads the image row by row into one state: an lstm without {@code seq},
     * with only layers that work on each row by itself (or, as an lstm with {@code seq}, on the
     * rows in order) before it. Not an mlp or a cnn; not {@code lstm(8,seq),dense(10)}, whose dense
     * layer reads all rows at once.
     */
    public static boolean appliesTo(Network net) {
        return sequenceEnd(net).isPresent();
    }

    /** The probabilities after each row of one image; the network must read rows ({@link #appliesTo}). */
    public static RowByRow of(Network net, float[] pixels) {
        int end = sequenceEnd(net).orElseThrow(() -> new IllegalArgumentException(
                "the model " + net.spec().text() + " does not read the image row by row into one state"));
        List<Layer> layers = net.layers();
        Tensor a = Inference.input(net, pixels, 0, 1);
        for (int i = 0; i <= end; i++) a = layers.get(i).forward(a, false);
        Lstm lstm = (Lstm) layers.get(end);
        int rows = net.inputShape().height(), units = lstm.units(), classes = net.classes();
        Tensor states = Tensor.zeros(net.type(), rows, units);   // one example per row: h_1 .. h_T
        for (int t = 0; t < rows; t++) states.copyFrom(lstm.hiddenState(t), 0, t * units, units);
        Tensor logits = states;
        for (int i = end + 1; i < layers.size(); i++) logits = layers.get(i).forward(logits, false);
        net.engine().softmax(logits, logits);
        float[][] probabilities = new float[rows][classes];
        for (int t = 0; t < rows; t++) logits.copyTo(t * classes, probabilities[t], 0, classes);
        return new RowByRow(probabilities, decidedAtRow(probabilities));
    }

    /** The final answer: the likeliest class after the last row. */
    public int prediction() {
        return likeliest(probabilities[probabilities.length - 1]);
    }

    static int decidedAtRow(float[][] probabilities) {
        int answer = likeliest(probabilities[probabilities.length - 1]);
        int row = probabilities.length;   // from 1
        while (row > 1 && likeliest(probabilities[row - 2]) == answer) row--;
        return row;
    }

    private static int likeliest(float[] probabilities) {
        return Inference.argmax(probabilities, 0, probabilities.length);
    }

    /** Where the lstm that ends the sequence stands, if everything before it works row by row. */
    private static OptionalInt sequenceEnd(Network net) {
        List<Layer> layers = net.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            if (layer instanceof Lstm lstm && !lstm.returnsSequence()) return OptionalInt.of(i);
            boolean rowByRow = layer instanceof Lstm || layer instanceof Activation || layer instanceof Dropout || layer instanceof BatchNorm;
            if (!rowByRow) return OptionalInt.empty();
        }
        return OptionalInt.empty();
    }
}
