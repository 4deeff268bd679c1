package nn.model;

import org.nd4j.linalg.api.buffer.DataType;

/** An element-wise non-linearity y = f(x); backward multiplies by f'(x). */
public final class Activation implements Layer {
    public enum Fn {
        RELU, SIGMOID, TANH,
        /** Gaussian error linear unit, in the tanh approximation of Hendrycks & Gimpel. */
        GELU;

        private static final double C = Math.sqrt(2 / Math.PI);

        double apply(double x) {
            return switch (this) {
                case RELU -> x > 0 ? x : 0;
                case SIGMOID -> 1 / (1 + Math.exp(-x));
                case TANH -> Math.tanh(x);
                case GELU -> 0.5 * x * (1 + Math.tanh(C * (x + 0.044715 * x * x * x)));
            };
        }

        /** f'(x), given x and y = f(x) (sigmoid and tanh are cheapest from y). */
        double derivative(double x, double y) {
            return switch (this) {
                case RELU -> x > 0 ? 1 : 0;
                case SIGMOID -> y * (1 - y);
                case TANH -> 1 - y * y;
                case GELU -> {
                    double t = Math.tanh(C * (x + 0.044715 * x * x * x));
                    yield 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * C * (1 + 3 * 0.044715 * x * x);
                }
            };
        }
    }

    /** max(v, 0) by clearing negative values' bits: no data-dependent branch. */
    static double relu(double v) {
        long bits = Double.doubleToRawLongBits(v);
        return Double.longBitsToDouble(bits & ~(bits >> 63));
    }

    /** The same for a float, as the float fast paths use it (inlined, it still vectorises). */
    static float relu(float v) {
        int bits = Float.floatToRawIntBits(v);
        return Float.intBitsToFloat(bits & ~(bits >> 31));
    }

    /** d if y > 0, else 0, for y >= 0 (a ReLU output), without a branch. */
    static double keepIfPositive(double d, double y) {
        long bits = Double.doubleToRawLongBits(y);
        long mask = (bits | -bits) >> 63;   // all ones when y != 0
        return Double.longBitsToDouble(Double.doubleToRawLongBits(d) & mask);
    }

    private final Fn fn;
    private BatchBuffers buffers;
    private Tensor x;
    private int size;

    /** Set by Network for a ReLU right before a max-pool, which then rectifies instead (see MaxPool2D). */
    private boolean deferredToPool;
    private boolean passedThrough;

    public Activation(Fn fn) {
        this.fn = fn;
    }

    /** Training passes leave this ReLU to the max-pool that follows it (max and ReLU commute). */
    void deferToPool(boolean defer) {
        if (defer && fn != Fn.RELU) throw new IllegalStateException("only a ReLU can be left to a pool");
        deferredToPool = defer;
    }

    public Fn fn() {
        return fn;
    }

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    @Override
    public Shape build(Shape input, DataType type) {
        size = input.size();
        buffers = new BatchBuffers(type, size, size);
        return input;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        this.x = x;
        passedThrough = deferredToPool && training;
        if (passedThrough) return x;
        buffers.ensure((int) x.shape()[0]);
        Tensor y = buffers.output();
        if (fn == Fn.RELU && x instanceof Tensor.F32 && y instanceof Tensor.F32) {
            Team.split(y.length, Tensor.GRAIN, (part, from, to) -> reluFloat(x, y, from, to));
            return y;
        }
        Team.split(y.length, Tensor.GRAIN, (part, from, to) -> {
            if (fn == Fn.RELU) {
                // The hot case gets its own branch-free loop: with an if, half the signs of random
                // activations were mispredicted and ReLU cost 5 ns per value instead of < 0.5.
                for (int i = from; i < to; i++) y.set(i, relu(x.get(i)));
            } else {
                for (int i = from; i < to; i++) y.set(i, fn.apply(x.get(i)));
            }
        });
        return y;
    }

    @Override
    public Tensor backward(Tensor delta) {
        if (passedThrough) return delta;   // the pool already applied ReLU's derivative
        Tensor y = buffers.output();
        Tensor dx = buffers.inputGrad();
        Tensor x = this.x;
        if (fn == Fn.RELU && delta instanceof Tensor.F32 && y instanceof Tensor.F32) {
            Team.split(dx.length, Tensor.GRAIN, (part, from, to) -> reluBackwardFloat(delta, y, dx, from, to));
            return dx;
        }
        Team.split(dx.length, Tensor.GRAIN, (part, from, to) -> {
            if (fn == Fn.RELU) {
                for (int i = from; i < to; i++) dx.set(i, keepIfPositive(delta.get(i), y.get(i)));   // dx = δ ⊙ [x > 0]
            } else {
                for (int i = from; i < to; i++) dx.set(i, delta.get(i) * fn.derivative(x.get(i), y.get(i)));   // dx = δ ⊙ f'(x)
            }
        });
        return dx;
    }

    // Float fast paths for ReLU: the same bit tricks over chunks copied into Java arrays, which
    // the JIT vectorises (see Scratch); FastPathTest checks they agree with the loops above.
    private static final int CHUNK = 4096;

    private static void reluFloat(Tensor x, Tensor y, int from, int to) {
        float[] v = Scratch.floats(0, CHUNK);
        for (int start = from; start < to; start += CHUNK) {
            int len = Math.min(CHUNK, to - start);
            x.copyTo(start, v, 0, len);
            for (int i = 0; i < len; i++) v[i] = relu(v[i]);
            y.copyFrom(v, 0, start, len);
        }
    }

    private static void reluBackwardFloat(Tensor delta, Tensor y, Tensor dx, int from, int to) {
        float[] d = Scratch.floats(0, CHUNK), out = Scratch.floats(1, CHUNK);
        for (int start = from; start < to; start += CHUNK) {
            int len = Math.min(CHUNK, to - start);
            delta.copyTo(start, d, 0, len);
            y.copyTo(start, out, 0, len);
            for (int i = 0; i < len; i++) {
                int bits = Float.floatToRawIntBits(out[i]);
                d[i] = Float.intBitsToFloat(Float.floatToRawIntBits(d[i]) & ((bits | -bits) >> 31));
            }
            dx.copyFrom(d, 0, start, len);
        }
    }

    @Override
    public String spec() {
        return fn.name().toLowerCase(java.util.Locale.ROOT);
    }
}
