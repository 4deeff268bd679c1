package nn.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import nn.compute.Engines;

/** Every layer's backward pass agrees with numeric differentiation of its forward pass, on every engine. */
class LayerGradientTest {
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> each(String... specs) {
        return java.util.Arrays.stream(Engines.Kind.values())
                .flatMap(k -> java.util.Arrays.stream(specs).map(s -> org.junit.jupiter.params.provider.Arguments.of(k, s)));
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> activations() {
        return each("relu", "sigmoid", "tanh", "gelu");
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> convs() {
        return each("conv(3,3)", "conv(3,3,pad=1)", "conv(4,2,stride=2)", "conv(2,3,stride=2,pad=1)", "conv(3,1)");
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> pools() {
        return each("pool(2)", "pool(3,stride=1)", "pool(2,stride=1)");
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> fusedPools() {
        return each("pool(2)", "pool(3,stride=1)");
    }

    private static final double TOLERANCE = 1e-5;
    private static final Shape IMAGE = new Shape(6, 6, 2);

    @ParameterizedTest(name = "{0}")
    @EnumSource(Engines.Kind.class)
    void dense(Engines.Kind kind) {
        GradientCheck.check(Engines.of(kind), "dense(7)", Shape.features(5), 4, 3, TOLERANCE);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("activations")
    void activations(Engines.Kind kind, String fn) {
        GradientCheck.check(Engines.of(kind), "dense(6)," + fn, Shape.features(5), 3, 4, TOLERANCE);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Engines.Kind.class)
    void softmaxCrossEntropyThroughOutputLayer(Engines.Kind kind) {
        GradientCheck.check(Engines.of(kind), "tanh", Shape.features(6), 6, 5, TOLERANCE);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("convs")
    void conv(Engines.Kind kind, String conv) {
        GradientCheck.check(Engines.of(kind), conv + ",tanh", IMAGE, 3, 2, TOLERANCE);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Engines.Kind.class)
    void convStackedOnConv(Engines.Kind kind) {
        GradientCheck.check(Engines.of(kind), "conv(3,3),relu,conv(2,2),tanh", IMAGE, 3, 2, TOLERANCE);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("pools")
    void maxPool(Engines.Kind kind, String pool) {
        GradientCheck.check(Engines.of(kind), "conv(2,3,pad=1)," + pool, IMAGE, 3, 2, TOLERANCE);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("fusedPools")
    void reluFusedIntoTheMaxPoolAfterIt(Engines.Kind kind, String pool) {
        GradientCheck.check(Engines.of(kind), "conv(3,3,pad=1),relu," + pool, IMAGE, 3, 2, TOLERANCE);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Engines.Kind.class)
    void flattenBetweenConvAndDense(Engines.Kind kind) {
        GradientCheck.check(Engines.of(kind), "conv(2,3),flatten,dense(5),relu", IMAGE, 3, 2, TOLERANCE);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Engines.Kind.class)
    void batchNormAfterDense(Engines.Kind kind) {
        GradientCheck.check(Engines.of(kind), "dense(5),batchnorm,tanh", Shape.features(4), 3, 6, TOLERANCE);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Engines.Kind.class)
    void batchNormAfterConv(Engines.Kind kind) {
        GradientCheck.check(Engines.of(kind), "conv(3,3),batchnorm,relu", IMAGE, 3, 3, TOLERANCE);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Engines.Kind.class)
    void dropoutWithFixedMask(Engines.Kind kind) {
        GradientCheck.check(Engines.of(kind), "dense(8),relu,dropout(0.4)", Shape.features(5), 3, 4, TOLERANCE);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Engines.Kind.class)
    void lenetShapedNetwork(Engines.Kind kind) {
        GradientCheck.check(Engines.of(kind), "conv(3,3),relu,pool(2),conv(4,2),relu,dense(6),gelu", new Shape(10, 10, 1), 4, 2, TOLERANCE);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Engines.Kind.class)
    void lstmLastState(Engines.Kind kind) {
        GradientCheck.check(Engines.of(kind), "lstm(5)", new Shape(4, 3, 1), 3, 3, TOLERANCE);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Engines.Kind.class)
    void lstmSequenceStackedUnderLstm(Engines.Kind kind) {
        GradientCheck.check(Engines.of(kind), "lstm(4,seq),lstm(3)", new Shape(4, 3, 1), 3, 3, TOLERANCE);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Engines.Kind.class)
    void lstmSequenceIntoDense(Engines.Kind kind) {
        GradientCheck.check(Engines.of(kind), "lstm(3,seq),dense(4),tanh", new Shape(3, 2, 2), 3, 2, TOLERANCE);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Engines.Kind.class)
    void layerNorm(Engines.Kind kind) {
        GradientCheck.check(Engines.of(kind), "dense(6),layernorm,tanh", Shape.features(4), 3, 4, TOLERANCE);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Engines.Kind.class)
    void patchesThenAveragePool(Engines.Kind kind) {
        GradientCheck.check(Engines.of(kind), "patches(2,3),pool", new Shape(4, 6, 2), 3, 3, TOLERANCE);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Engines.Kind.class)
    void attentionBlock(Engines.Kind kind) {
        GradientCheck.check(Engines.of(kind), "patches(2,4),attention(2),pool", new Shape(4, 6, 1), 3, 3, TOLERANCE);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Engines.Kind.class)
    void twoAttentionBlocksOneHead(Engines.Kind kind) {
        GradientCheck.check(Engines.of(kind), "patches(2,3),attention(1),attention(3),pool", new Shape(4, 4, 1), 3, 2, TOLERANCE);
    }
}
