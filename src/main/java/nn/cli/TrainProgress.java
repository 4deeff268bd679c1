package nn.cli;

import java.io.PrintWriter;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import nn.train.EpochMetrics;
import nn.train.TrainListener;
import nn.train.TrainingState;

/** A progress bar per epoch on a terminal; one plain line per epoch in a log. */
final class TrainProgress implements TrainListener {
    private final PrintWriter out;
    private final boolean bars;
    private final int totalEpochs;
    private ProgressBar bar;
    private long lastUpdate;

    TrainProgress(PrintWriter out, boolean bars, int totalEpochs) {
        this.out = out;
        this.bars = bars;
        this.totalEpochs = totalEpochs;
    }

    @Override
    public void epochStarted(int epoch, int batches) {
        if (!bars) return;
        bar = new ProgressBarBuilder().setTaskName(String.format("epoch %d/%d", epoch, totalEpochs)).setInitialMax(batches)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate().build();
    }

    @Override
    public void batchDone(int epoch, int batch, int batches, double loss, double accuracy, double imagesPerSecond) {
        if (bar == null) return;
        bar.stepTo(batch);
        long now = System.nanoTime();
        if (now - lastUpdate > 200_000_000L || batch == batches) {
            lastUpdate = now;
            bar.setExtraMessage(String.format(" loss %.4f acc %5.1f%% %,.0f img/s", loss, 100 * accuracy, imagesPerSecond));
        }
    }

    @Override
    public void epochDone(TrainingState state, EpochMetrics m, boolean improved) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        String validation = Double.isNaN(m.validationAccuracy()) ? ""
                : String.format("  val loss %.4f acc %6.2f%%", m.validationLoss(), 100 * m.validationAccuracy());
        out.printf("epoch %2d/%d  train loss %.4f acc %6.2f%%%s  lr %.4g  %.1f s%s%n", m.epoch(), totalEpochs, m.trainLoss(),
                100 * m.trainAccuracy(), validation, m.learningRate(), m.seconds(), improved ? "  *best" : "");
        out.flush();
    }

    void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
