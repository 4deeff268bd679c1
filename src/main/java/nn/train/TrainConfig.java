package nn.train;

import java.util.Locale;

/** The hyper-parameters of a training run; recorded in checkpoints and reports. */
public record TrainConfig(int epochs, int batchSize, double learningRate, String optimizer, double momentum,
                          double weightDecay, Schedule schedule, Augmentation augmentation, long seed, EarlyStopping stopping) {
    /** A run of all its epochs, with no early stopping. */
    public TrainConfig(int epochs, int batchSize, double learningRate, String optimizer, double momentum,
                       double weightDecay, Schedule schedule, Augmentation augmentation, long seed) {
        this(epochs, batchSize, learningRate, optimizer, momentum, weightDecay, schedule, augmentation, seed, EarlyStopping.NONE);
    }

    public TrainConfig {
        java.util.Objects.requireNonNull(stopping, "stopping");
        if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        if (!(learningRate > 0)) throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
        if (weightDecay < 0) throw new IllegalArgumentException("weight decay must not be negative, got " + weightDecay);
        optimizer = optimizer.toLowerCase(Locale.ROOT);
        newOptimizer(optimizer, momentum, weightDecay); // validates the name and momentum
    }

    public Optimizer newOptimizer() {
        return newOptimizer(optimizer, momentum, weightDecay);
    }

    private static Optimizer newOptimizer(String name, double momentum, double weightDecay) {
        return switch (name) {
            case "sgd" -> new Sgd(momentum, false, weightDecay);
            case "nesterov" -> new Sgd(momentum, true, weightDecay);
            case "adam" -> new Adam(weightDecay);
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "': expected sgd, nesterov or adam");
        };
    }

    /** The settings by their names in checkpoints and reports (augmentation null when off). */
    public java.util.Map<String, Object> toMap() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        m.put("learning_rate", learningRate);
        m.put("optimizer", optimizer);
        m.put("momentum", momentum);
        m.put("weight_decay", weightDecay);
        m.put("schedule", schedule.id());
        m.put("augmentation", augmentation);
        m.put("seed", seed);
        m.put("patience", stopping.patience());
        m.put("target_accuracy", stopping.targetAccuracy());
        return m;
    }

    public TrainConfig withEpochs(int n) {
        return new TrainConfig(n, batchSize, learningRate, optimizer, momentum, weightDecay, schedule, augmentation, seed, stopping);
    }

    public TrainConfig withStopping(EarlyStopping s) {
        return new TrainConfig(epochs, batchSize, learningRate, optimizer, momentum, weightDecay, schedule, augmentation, seed, s);
    }
}
