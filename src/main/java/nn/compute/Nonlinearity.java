package nn.compute;

/** The element-wise functions an activation layer applies, with their derivatives (the reference the engines follow). */
public enum Nonlinearity {
    RELU, SIGMOID, TANH,
    /** Gaussian error linear unit, in the tanh approximation of Hendrycks & Gimpel. */
    GELU;

    private static final double C = Math.sqrt(2 / Math.PI);

    public double apply(double x) {
        return switch (this) {
            case RELU -> x > 0 ? x : 0;
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case TANH -> Math.tanh(x);
            case GELU -> 0.5 * x * (1 + Math.tanh(C * (x + 0.044715 * x * x * x)));
        };
    }

    /** f'(x), given x and y = f(x) (sigmoid and tanh are cheapest from y). */
    public double derivative(double x, double y) {
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
