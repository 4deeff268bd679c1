package nn.train;

import java.util.Locale;

/**
 * The learning rate at each step, as a fraction of training done. Steps, not epochs, so a
 * resumed run continues the curve exactly where it stopped.
 */
public enum Schedule {
    /** The base rate throughout. */
    CONSTANT,
    /** The base rate, divided by 10 at 50% and again at 75% of training. */
    STEP,
    /** Half a cosine from the base rate down to 0 (Loshchilov & Hutter 2017). */
    COSINE,
    /** Warm up linearly from rate/25 to the rate over the first 25%, then cosine down to rate/10^4 (Smith 2018). */
    ONECYCLE;

    private static final double WARMUP = 0.25;

    public double rate(double base, long step, long totalSteps) {
        double t = totalSteps <= 1 ? 0 : Math.min(1.0, (double) step / (totalSteps - 1));
        return switch (this) {
            case CONSTANT -> base;
            case STEP -> t < 0.5 ? base : t < 0.75 ? base * 0.1 : base * 0.01;
            case COSINE -> base * 0.5 * (1 + Math.cos(Math.PI * t));
            case ONECYCLE -> {
                double start = base / 25, end = base / 1e4;
                if (t < WARMUP) yield start + (base - start) * t / WARMUP;
                double u = (t - WARMUP) / (1 - WARMUP);
                yield end + (base - end) * 0.5 * (1 + Math.cos(Math.PI * u));
            }
        };
    }

    public static Schedule parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT).replace("-", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown schedule '" + name + "': expected constant, step, cosine or onecycle");
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
