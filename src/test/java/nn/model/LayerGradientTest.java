package nn.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Every layer's backward pass agrees with numeric differentiation of its forward pass. */
class LayerGradientTest {
    private static final double TOLERANCE = 1e-5;
    private static final Shape IMAGE = new Shape(6, 6, 2);

    @Test
    void dense() {
        GradientCheck.check("dense(7)", Shape.features(5), 4, 3, TOLERANCE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"relu", "sigmoid", "tanh", "gelu"})
    void activations(String fn) {
        GradientCheck.check("dense(6)," + fn, Shape.features(5), 3, 4, TOLERANCE);
    }

    @Test
    void softmaxCrossEntropyThroughOutputLayer() {
        GradientCheck.check("tanh", Shape.features(6), 6, 5, TOLERANCE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"conv(3,3)", "conv(3,3,pad=1)", "conv(4,2,stride=2)", "conv(2,3,stride=2,pad=1)", "conv(3,1)"})
    void conv(String conv) {
        GradientCheck.check(conv + ",tanh", IMAGE, 3, 2, TOLERANCE);
    }

    @Test
    void convStackedOnConv() {
        GradientCheck.check("conv(3,3),relu,conv(2,2),tanh", IMAGE, 3, 2, TOLERANCE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pool(2)", "pool(3,stride=1)", "pool(2,stride=1)"})
    void maxPool(String pool) {
        GradientCheck.check("conv(2,3,pad=1)," + pool, IMAGE, 3, 2, TOLERANCE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pool(2)", "pool(3,stride=1)"})
    void reluFusedIntoTheMaxPoolAfterIt(String pool) {
        GradientCheck.check("conv(3,3,pad=1),relu," + pool, IMAGE, 3, 2, TOLERANCE);
    }

    @Test
    void flattenBetweenConvAndDense() {
        GradientCheck.check("conv(2,3),flatten,dense(5),relu", IMAGE, 3, 2, TOLERANCE);
    }

    @Test
    void batchNormAfterDense() {
        GradientCheck.check("dense(5),batchnorm,tanh", Shape.features(4), 3, 6, TOLERANCE);
    }

    @Test
    void batchNormAfterConv() {
        GradientCheck.check("conv(3,3),batchnorm,relu", IMAGE, 3, 3, TOLERANCE);
    }

    @Test
    void dropoutWithFixedMask() {
        GradientCheck.check("dense(8),relu,dropout(0.4)", Shape.features(5), 3, 4, TOLERANCE);
    }

    @Test
    void lenetShapedNetwork() {
        GradientCheck.check("conv(3,3),relu,pool(2),conv(4,2),relu,dense(6),gelu", new Shape(10, 10, 1), 4, 2, TOLERANCE);
    }
}
