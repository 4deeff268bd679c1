package nn.train;

/** One line of metrics.csv: how an epoch went. Validation values are NaN without a validation set. */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double validationLoss,
                           double validationAccuracy, double learningRate, double seconds) {
    public static final String CSV_HEADER = "epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,learning_rate,seconds";

    public String csv() {
        return String.format(java.util.Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.6g,%.3f",
                epoch, trainLoss, trainAccuracy, validationLoss, validationAccuracy, learningRate, seconds);
    }
}
