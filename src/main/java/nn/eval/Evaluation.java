package nn.eval;

import java.util.List;

import nn.data.LabeledImages;

/**
 * A model scored on one split of a data set: the predictions and everything derived from them.
 * {@code training} is set when the report ends a training run (history, hyper-parameters, timings).
 */
public record Evaluation(String dataset, String split, String checkpoint, String model, long parameters,
                         LabeledImages images, Predictions predictions, ConfusionMatrix confusion,
                         Calibration calibration, double seconds, TrainingSummary training) {

    /** What a training run adds to its report. */
    public record TrainingSummary(java.util.Map<String, Object> hyperParameters, List<nn.train.EpochMetrics> history,
                                  int bestEpoch, double bestValidationAccuracy, double trainSeconds, String stoppedEarly) {}

    public static Evaluation of(String dataset, String split, String checkpoint, String model, long parameters,
                                LabeledImages images, Predictions predictions, double seconds, TrainingSummary training) {
        return new Evaluation(dataset, split, checkpoint, model, parameters, images, predictions,
                ConfusionMatrix.of(predictions), Calibration.of(predictions), seconds, training);
    }

    public List<String> classNames() {
        return images.classNames();
    }

    public double accuracy() {
        return predictions.accuracy();
    }

    public double loss() {
        return predictions.loss();
    }

    /** Indices of wrong predictions, the most confident first. */
    public int[] confidentMistakes(int n) {
        return java.util.stream.IntStream.range(0, predictions.size())
                .filter(i -> predictions.predicted(i) != predictions.labels()[i])
                .boxed()
                .sorted((a, b) -> Float.compare(predictions.confidence(b), predictions.confidence(a)))
                .limit(n).mapToInt(Integer::intValue).toArray();
    }
}
