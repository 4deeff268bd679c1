package nn.image;

/**
 * Area-averaging resampling: each target pixel is the mean of the source area it covers,
 * partial pixels weighted by how much of them it covers. Shrinking a 300 px digit to 20 px this
 * way anti-aliases like MNIST's own preparation; nearest-neighbour would alias thin strokes away.
 */
final class Resample {
    private Resample() {}

    /** The w x h window at (x0, y0) of src, resampled to tw x th. */
    static GreyImage area(GreyImage src, int x0, int y0, int w, int h, int tw, int th) {
        float[] horizontal = new float[tw * h];
        for (int y = 0; y < h; y++) {
            for (int tx = 0; tx < tw; tx++) horizontal[y * tw + tx] = average(src, x0, y0 + y, w, tw, tx, true);
        }
        GreyImage mid = new GreyImage(tw, h, horizontal);
        float[] out = new float[tw * th];
        for (int x = 0; x < tw; x++) {
            for (int ty = 0; ty < th; ty++) out[ty * tw + x] = average(mid, x, 0, h, th, ty, false);
        }
        return new GreyImage(tw, th, out);
    }

    /** Mean over [t·n/tn, (t+1)·n/tn) along one axis of a line starting at (x, y). */
    private static float average(GreyImage g, int x, int y, int n, int tn, int t, boolean alongX) {
        double from = (double) t * n / tn, to = (double) (t + 1) * n / tn;
        double sum = 0;
        for (int i = (int) Math.floor(from); i < Math.ceil(to) && i < n; i++) {
            double cover = Math.min(to, i + 1) - Math.max(from, i);
            sum += cover * (alongX ? g.get(x + i, y) : g.get(x, y + i));
        }
        return (float) (sum / (to - from));
    }
}
