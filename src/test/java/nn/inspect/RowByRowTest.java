package nn.inspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import nn.model.Inference;
import nn.model.ModelSpec;
import nn.model.Network;
import nn.model.Param;
import nn.model.Shape;
import nn.random.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;

/** A recurrent network's answer after row t is what the same network answers when the image ends at row t. */
class RowByRowTest {
    private static Network network(String spec, Shape input, long seed) {
        Network net = new ModelSpec(spec, input, 10).build(DataType.FLOAT);
        net.initialize(new Rng(seed));
        return net;
    }

    private static float[] image(long seed) {
        Rng rng = new Rng(seed);
        float[] pixels = new float[28 * 28];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (float) rng.nextDouble();
        return pixels;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lstm(8)", "lstm(6,seq),tanh,lstm(5)", "lstm(6,seq),dropout(0.5),lstm(5,seq),lstm(4)", "lstm(7),dense(6),relu"})
    void afterRowTItIsTheSameNetworkRunOnTheFirstTRowsAlone(String spec) {
        Network net = network(spec, ModelSpec.MNIST_INPUT, 3);
        float[] image = image(4);
        float[][] rows = RowByRow.of(net, image).probabilities();
        assertEquals(28, rows.length);
        for (int t = 1; t <= 28; t++) {
            // An independent reference: the spec built for t-row images, with the trained parameters.
            Network firstRows = new ModelSpec(spec, new Shape(t, 28, 1), 10).build(DataType.FLOAT);
            List<Param> from = net.params(), to = firstRows.params();
            for (int i = 0; i < from.size(); i++) to.get(i).value().copyFrom(from.get(i).value(), 0, 0, from.get(i).value().length);
            float[] expected = Inference.probabilities(firstRows, Arrays.copyOf(image, t * 28), 1);
            assertArrayEquals(expected, rows[t - 1], 1e-6f, spec + ", after row " + t);
        }
    }

    @Test
    void afterTheLastRowItIsTheNetworksAnswer() {
        Network net = network("lstm(16)", ModelSpec.MNIST_INPUT, 6);
        float[] image = image(7);
        RowByRow reading = RowByRow.of(net, image);
        float[] answer = Inspection.probabilities(net, image);
        assertArrayEquals(answer, reading.probabilities()[27], 1e-6f);
        assertEquals(Inference.argmax(answer, 0, 10), reading.prediction());
    }

    @Test
    void decidedAtRowIsWhereTheFinalAnswerBecomesTheLikeliestForGood() {
        // the likeliest class after each row: 0, 2, 2, 1, 2, 2
        float[][] wavering = {{.5f, .2f, .3f}, {.2f, .3f, .5f}, {.1f, .3f, .6f}, {.2f, .5f, .3f}, {.1f, .2f, .7f}, {0, .1f, .9f}};
        assertEquals(5, RowByRow.decidedAtRow(wavering));
        float[][] sure = {{.1f, .9f}, {.2f, .8f}, {.3f, .7f}};
        assertEquals(1, RowByRow.decidedAtRow(sure));
        float[][] late = {{.9f, .1f}, {.8f, .2f}, {.3f, .7f}};
        assertEquals(3, RowByRow.decidedAtRow(late));
    }

    @Test
    void onlyNetworksThatReadTheRowsIntoOneStateAreReadRowByRow() {
        for (String spec : List.of("lstm(8)", "lstm(6,seq),lstm(5)", "lstm(6,seq),relu,lstm(5),dense(4)", "batchnorm,lstm(4)")) {
            assertTrue(RowByRow.appliesTo(network(spec, ModelSpec.MNIST_INPUT, 1)), spec);
        }
        // lstm(4,seq),dense(5): the dense layer reads all 28 steps at once, so no answer exists before the last row
        for (String spec : List.of("dense(8),relu", "conv(2,3),relu,pool(2)", "lstm(4,seq),dense(5)")) {
            Network net = network(spec, ModelSpec.MNIST_INPUT, 1);
            assertFalse(RowByRow.appliesTo(net), spec);
            assertThrows(IllegalArgumentException.class, () -> RowByRow.of(net, image(1)), spec);
        }
    }
}
