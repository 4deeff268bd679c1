package nn.cli;

import java.util.List;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Range checks of numeric options, run before a command does anything: a value outside its
 * range is a usage error (exit 2) that names the option and the range. A null value is an
 * option that was not given, and passes.
 */
final class OptionRanges {
    private OptionRanges() {}

    static void atLeast(CommandSpec spec, String option, Integer value, int min) {
        if (value != null && value < min) fail(spec, option, value, "at least " + min);
    }

    static void eachAtLeast(CommandSpec spec, String option, List<Integer> values, int min) {
        if (values != null) for (Integer v : values) atLeast(spec, option, v, min);
    }

    /** A finite number above zero (learning rates). */
    static void positive(CommandSpec spec, String option, Double value) {
        if (value != null && !(value > 0 && Double.isFinite(value))) fail(spec, option, value, "a number above 0");
    }

    /** A finite number of zero or more (penalties). */
    static void nonNegative(CommandSpec spec, String option, Double value) {
        if (value != null && !(value >= 0 && Double.isFinite(value))) fail(spec, option, value, "a number of 0 or more");
    }

    /** A share in [0, 1): dropout rates, momentum. */
    static void fraction(CommandSpec spec, String option, Double value) {
        if (value != null && !(value >= 0 && value < 1)) fail(spec, option, value, "from 0 up to (not including) 1");
    }

    /** An accuracy in (0, 1]. */
    static void accuracy(CommandSpec spec, String option, Double value) {
        if (value != null && !(value > 0 && value <= 1)) fail(spec, option, value, "above 0 and at most 1 (0.99 is 99%)");
    }

    private static void fail(CommandSpec spec, String option, Object value, String range) {
        throw new ParameterException(spec.commandLine(), option + " must be " + range + ", got " + value);
    }
}
