package nn.train;

import java.io.IOException;
import java.util.List;

/** Hears the training loop: progress for the console, epoch ends for checkpoints and metrics. */
public interface TrainListener {
    default void epochStarted(int epoch, int batches) {}

    default void batchDone(int epoch, int batch, int batches, double loss, double accuracy, double imagesPerSecond) {}

    /** An epoch ended; {@code improved} when its validation accuracy is the best so far. */
    default void epochDone(TrainingState state, EpochMetrics metrics, boolean improved) throws IOException {}

    /** Several listeners, called in order. */
    static TrainListener all(TrainListener... listeners) {
        List<TrainListener> list = List.of(listeners);
        return new TrainListener() {
            @Override
            public void epochStarted(int epoch, int batches) {
                for (TrainListener l : list) l.epochStarted(epoch, batches);
            }

            @Override
            public void batchDone(int epoch, int batch, int batches, double loss, double accuracy, double imagesPerSecond) {
                for (TrainListener l : list) l.batchDone(epoch, batch, batches, loss, accuracy, imagesPerSecond);
            }

            @Override
            public void epochDone(TrainingState state, EpochMetrics metrics, boolean improved) throws IOException {
                for (TrainListener l : list) l.epochDone(state, metrics, improved);
            }
        };
    }
}
