package nn.train;

/**
 * When to end a run before its last epoch: after {@code patience} epochs without a better
 * validation accuracy, or once validation reaches {@code targetAccuracy}. 0 turns either off.
 * The best checkpoint is what the run keeps either way.
 */
public record EarlyStopping(int patience, double targetAccuracy) {
    public static final EarlyStopping NONE = new EarlyStopping(0, 0);

    public EarlyStopping {
        if (patience < 0) throw new IllegalArgumentException("patience must not be negative, got " + patience);
        if (!(targetAccuracy >= 0 && targetAccuracy <= 1)) throw new IllegalArgumentException("target accuracy must be from 0 to 1, got " + targetAccuracy);
    }

    /** Why training should stop after the state's latest epoch, or null to go on. */
    String reason(TrainingState s) {
        if (s.history.isEmpty()) return null;
        double latest = s.history.get(s.history.size() - 1).validationAccuracy();
        if (targetAccuracy > 0 && latest >= targetAccuracy) {
            return String.format("validation accuracy %.2f%% reached the target %.2f%%", 100 * latest, 100 * targetAccuracy);
        }
        if (patience > 0 && s.epoch - s.bestEpoch >= patience) {
            return String.format("validation accuracy did not improve for %d epochs (best %.2f%% at epoch %d)",
                    patience, 100 * s.bestValidationAccuracy, s.bestEpoch);
        }
        return null;
    }
}
