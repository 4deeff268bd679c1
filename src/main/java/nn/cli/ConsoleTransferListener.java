package nn.cli;

import java.io.PrintWriter;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import nn.data.TransferListener;

/** Shows downloads as a progress bar on a terminal, and as a few plain lines in a log. */
final class ConsoleTransferListener implements TransferListener {
    private final PrintWriter out;
    private final boolean interactive;
    private ProgressBar bar;
    private String name;
    private long total;
    private long start;
    private int lastQuarter;

    ConsoleTransferListener(PrintWriter out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    @Override
    public void say(String message) {
        out.println(message);
        out.flush();
    }

    @Override
    public void started(String name, long alreadyHave, long totalBytes) {
        this.name = name;
        this.total = totalBytes;
        this.start = System.nanoTime();
        this.lastQuarter = 0;
        if (interactive) {
            bar = new ProgressBarBuilder().setTaskName(name).setInitialMax(Math.max(totalBytes, 0))
                    .setStyle(ProgressBarStyle.ASCII).setUnit(" MB", 1 << 20).showSpeed().startsFrom(alreadyHave, java.time.Duration.ZERO)
                    .build();
        } else {
            say(name + ": downloading" + (alreadyHave > 0 ? " (resuming at " + alreadyHave + " bytes)" : "")
                    + (totalBytes > 0 ? ", " + totalBytes + " bytes" : ""));
        }
    }

    @Override
    public void advanced(long bytesSoFar) {
        if (bar != null) {
            bar.stepTo(bytesSoFar);
        } else if (total > 0) {
            int quarter = (int) (4 * bytesSoFar / total);
            if (quarter > lastQuarter && quarter < 4) {
                lastQuarter = quarter;
                double seconds = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
                say(String.format("%s: %d%% (%.1f MB/s)", name, quarter * 25, bytesSoFar / seconds / 1e6));
            }
        }
    }

    @Override
    public void finished() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
