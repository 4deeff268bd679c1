package nn.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Engine;
import nn.compute.Tensor;
import nn.random.Rng;

/**
 * Compares back-propagated gradients with central differences, in double precision:
 * dL/dθ ≈ (L(θ+ε) − L(θ−ε)) / 2ε for every parameter value (and every input value), on a
 * given engine (the cpu engine's double path is its reference loops; the nd4j engine runs ND4J's
 * ops in double).
 */
final class GradientCheck {
    private static final double EPS = 1e-6;

    private GradientCheck() {}

    /** A network of {@code spec} on a small input, initialised, with random input and labels. */
    static void check(Engine engine, String spec, Shape input, int classes, int batch, double tolerance) {
        Network net = new ModelSpec(spec, input, classes).build(DataType.DOUBLE, engine);
        Rng rng = new Rng(42);
        net.initialize(rng);
        // Biases start at 0; random ones exercise more of each backward pass.
        for (Param p : net.params()) for (int i = 0; i < p.value().length; i++) p.value().add(i, 0.1 * rng.nextGaussian());
        net.setComputesInputGradient(true);
        Tensor x = net.inputBuffer(batch);
        for (int i = 0; i < x.length; i++) x.set(i, rng.nextGaussian());
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = rng.nextInt(classes);
        SoftmaxCrossEntropy loss = SoftmaxCrossEntropy.of(net);

        lossAt(net, x, labels, loss);
        Tensor dx = net.backward(loss.backward());
        Tensor analyticInput = copy(dx);
        for (Param p : net.params()) {
            Tensor analytic = copy(p.grad());
            compare(engine.name() + " " + spec + " d" + p.name(), p.value(), analytic, () -> lossAt(net, x, labels, loss), tolerance);
        }
        compare(engine.name() + " " + spec + " dx", x, analyticInput, () -> lossAt(net, x, labels, loss), tolerance);
    }

    private static double lossAt(Network net, Tensor x, int[] labels, SoftmaxCrossEntropy loss) {
        net.setRng(new Rng(7));   // the same dropout mask on every evaluation
        return loss.forward(net.forward(x, true), labels, labels.length);
    }

    private static void compare(String what, Tensor values, Tensor analytic, java.util.function.DoubleSupplier loss, double tolerance) {
        double worst = 0;
        int stride = Math.max(1, values.length / 60);   // at most ~60 entries per array keeps the test fast
        for (int i = 0; i < values.length; i += stride) {
            double v = values.get(i);
            values.set(i, v + EPS);
            double up = loss.getAsDouble();
            values.set(i, v - EPS);
            double down = loss.getAsDouble();
            values.set(i, v);
            double numeric = (up - down) / (2 * EPS);
            double a = analytic.get(i);
            // Relative error; a difference below 1e-8 is rounding of a sum that is exactly 0 (a bias before batch norm).
            double err = Math.abs(numeric - a) < 1e-8 ? 0 : Math.abs(numeric - a) / Math.max(1e-6, Math.abs(numeric) + Math.abs(a));
            worst = Math.max(worst, err);
            assertTrue(err < tolerance, what + "[" + i + "]: analytic " + a + " vs numeric " + numeric + " (relative error " + err + ")");
        }
        assertTrue(worst < tolerance, what + ": worst relative error " + worst);
    }

    private static Tensor copy(Tensor t) {
        Tensor c = Tensor.zeros(t.type(), t.shape());
        c.copyFrom(t, 0, 0, t.length);
        return c;
    }
}
