package nn.eval;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.ImageIO;

import nn.data.LabeledImages;
import nn.train.EpochMetrics;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's pictures as PNG bytes: charts through XChart, image grids in plain Java 2D.
 */
public final class ReportCharts {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private ReportCharts() {}

    /** Loss and accuracy per epoch, training vs validation, side by side. */
    public static byte[] trainingCurves(List<EpochMetrics> history) throws IOException {
        List<Double> epochs = new ArrayList<>(), trainLoss = new ArrayList<>(), valLoss = new ArrayList<>(),
                trainAcc = new ArrayList<>(), valAcc = new ArrayList<>();
        for (EpochMetrics m : history) {
            epochs.add((double) m.epoch());
            trainLoss.add(m.trainLoss());
            valLoss.add(m.validationLoss());
            trainAcc.add(100 * m.trainAccuracy());
            valAcc.add(100 * m.validationAccuracy());
        }
        XYChart loss = new XYChartBuilder().width(520).height(380).title("Loss").xAxisTitle("epoch").yAxisTitle("cross-entropy").build();
        XYChart acc = new XYChartBuilder().width(520).height(380).title("Accuracy").xAxisTitle("epoch").yAxisTitle("%").build();
        loss.addSeries("train", epochs, trainLoss).setMarker(SeriesMarkers.CIRCLE);
        acc.addSeries("train", epochs, trainAcc).setMarker(SeriesMarkers.CIRCLE);
        if (valLoss.stream().noneMatch(v -> v.isNaN())) {
            loss.addSeries("validation", epochs, valLoss).setMarker(SeriesMarkers.DIAMOND);
            acc.addSeries("validation", epochs, valAcc).setMarker(SeriesMarkers.DIAMOND);
        }
        BufferedImage img = new BufferedImage(1040, 380, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        loss.paint(g, 520, 380);
        g.translate(520, 0);
        acc.paint(g, 520, 380);
        g.dispose();
        return png(img);
    }

    /** Line chart of several series over the same x values (e.g. accuracy against sparsity). */
    public static byte[] lines(String title, String xTitle, String yTitle, List<Double> x, java.util.Map<String, List<Double>> series)
            throws IOException {
        XYChart chart = new XYChartBuilder().width(640).height(440).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        for (var e : series.entrySet()) chart.addSeries(e.getKey(), x, e.getValue()).setMarker(SeriesMarkers.CIRCLE);
        return png(BitmapEncoder.getBufferedImage(chart));
    }

    /** The confusion matrix as a heat map, rows = true class. */
    public static byte[] confusion(ConfusionMatrix m, List<String> names) throws IOException {
        HeatMapChart chart = new HeatMapChartBuilder().width(640).height(560).title("Confusion matrix (rows: true class)").build();
        chart.getStyler().setShowValue(true);
        chart.getStyler().setPlotContentSize(1);
        chart.getStyler().setRangeColors(new Color[] {new Color(0xF7FBFF), new Color(0x6BAED6), new Color(0x08306B)});
        List<String> predicted = new ArrayList<>(), truth = new ArrayList<>();
        for (int k = 0; k < m.classes(); k++) {
            predicted.add(names.get(k));
            truth.add(names.get(k));
        }
        // Log-like scaling would hide small counts less, but raw counts keep the chart honest.
        List<Number[]> cells = new ArrayList<>();
        for (int t = 0; t < m.classes(); t++) {
            for (int p = 0; p < m.classes(); p++) cells.add(new Number[] {p, m.classes() - 1 - t, m.count(t, p)});
        }
        List<String> truthTopDown = new ArrayList<>(truth);
        java.util.Collections.reverse(truthTopDown);
        chart.addSeries("count", predicted, truthTopDown, cells);
        chart.setXAxisTitle("predicted");
        chart.setYAxisTitle("true");
        return png(BitmapEncoder.getBufferedImage(chart));
    }

    /** Accuracy against confidence per bin; the diagonal is perfect calibration. */
    public static byte[] reliability(Calibration c) throws IOException {
        XYChart chart = new XYChartBuilder().width(560).height(480).title(String.format("Reliability (ECE %.4f)", c.ece()))
                .xAxisTitle("confidence").yAxisTitle("accuracy").build();
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
        List<Double> x = new ArrayList<>(), y = new ArrayList<>();
        for (int b = 0; b < c.counts().length; b++) {
            if (c.counts()[b] == 0) continue;
            x.add(c.confidence()[b]);
            y.add(c.accuracy()[b]);
        }
        if (x.isEmpty()) {
            x.add(0.0);
            y.add(0.0);
        }
        XYSeries perfect = chart.addSeries("perfectly calibrated", List.of(0.0, 1.0), List.of(0.0, 1.0));
        perfect.setMarker(SeriesMarkers.NONE);
        perfect.setLineColor(Color.GRAY);
        chart.addSeries("model", x, y).setMarker(SeriesMarkers.CIRCLE);
        return png(BitmapEncoder.getBufferedImage(chart));
    }

    /** A grid of images with a caption under each, e.g. the most confidently wrong predictions. */
    public static byte[] imageGrid(LabeledImages images, int[] indices, List<String> captions, int columns) throws IOException {
        int scale = 3, cellW = images.cols() * scale + 16, cellH = images.rows() * scale + 34;
        int n = Math.max(1, indices.length), rows = (n + columns - 1) / columns;
        BufferedImage img = new BufferedImage(columns * cellW, rows * cellH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int k = 0; k < indices.length; k++) {
            int x0 = (k % columns) * cellW + 8, y0 = (k / columns) * cellH + 6;
            int base = indices[k] * images.pixelsPerImage();
            for (int y = 0; y < images.rows(); y++) {
                for (int x = 0; x < images.cols(); x++) {
                    int v = 255 - (images.grey()[base + y * images.cols() + x] & 0xff);   // ink dark on white
                    g.setColor(new Color(v, v, v));
                    g.fillRect(x0 + x * scale, y0 + y * scale, scale, scale);
                }
            }
            g.setColor(Color.BLACK);
            g.drawString(captions.get(k), x0, y0 + images.rows() * scale + 14);
        }
        g.dispose();
        return png(img);
    }

    private static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
