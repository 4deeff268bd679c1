package nn.train;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Ready-made models with the training settings that suit them, so that {@code nn train} with
 * no flags gives a good model. The settings were chosen on the validation split (README,
 * "Results"); every one can be overridden on the command line.
 */
public enum Preset {
    /** The classic 784-hidden-10 perceptron. */
    MLP(new TrainConfig(12, 64, 0.1, "nesterov", 0.9, 1e-4, Schedule.COSINE, null, 1)),
    /** LeNet-like: conv5x5x20, pool, conv5x5x50, pool, dense 500, 10. */
    CNN(new TrainConfig(12, 64, 0.02, "nesterov", 0.9, 5e-4, Schedule.COSINE, null, 1)),
    /** A deeper net with batch norm, dropout and augmentation, for the best accuracy. */
    CNN_BEST(new TrainConfig(15, 64, 0.05, "nesterov", 0.9, 5e-4, Schedule.ONECYCLE, Augmentation.STANDARD, 1)),
    /** An LSTM of 128 units reading the image row by row, top to bottom. */
    RNN(new TrainConfig(12, 64, 0.002, "adam", 0.9, 0, Schedule.COSINE, null, 1)),
    /** A small vision transformer: 7x7 patches as 16 tokens of 64, four attention blocks, the mean token. */
    VIT(new TrainConfig(15, 128, 0.002, "adam", 0.9, 0.05, Schedule.ONECYCLE, Augmentation.STANDARD, 1));

    public static final List<Integer> DEFAULT_HIDDEN = List.of(256);

    public final TrainConfig defaults;

    Preset(TrainConfig defaults) {
        this.defaults = defaults;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The model spec; {@code hidden} sizes the MLP's hidden layers, {@code dropout} adds dropout after them. */
    public String spec(List<Integer> hidden, double dropout) {
        String drop = dropout > 0 ? ",dropout(" + dropout + ")" : "";
        return switch (this) {
            case MLP -> hidden.stream().map(h -> "dense(" + h + "),relu" + drop).collect(Collectors.joining(","));
            case CNN -> "conv(20,5),relu,pool(2),conv(50,5),relu,pool(2),dense(500),relu" + drop;
            // Pooling right after the first conv keeps the costly 3x3 convolutions at 13x13 and 11x11.
            case CNN_BEST -> "conv(32,3),bn,relu,pool(2),conv(64,3),bn,relu,conv(64,3),bn,relu,pool(2),"
                    + "dense(256),bn,relu,dropout(" + (dropout > 0 ? dropout : 0.3) + ")";
            case RNN -> "lstm(128)" + drop;
            case VIT -> "patches(7,64),attention(4),attention(4),attention(4),attention(4),pool" + drop;
        };
    }

    /** The preset with this name, or null when the text is a model spec. */
    public static Preset find(String name) {
        for (Preset p : values()) if (p.id().equalsIgnoreCase(name.trim())) return p;
        return null;
    }
}
