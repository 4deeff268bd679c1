package nn.image;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import nn.checkpoint.Checkpoint;
import nn.data.LabeledImages;
import nn.data.RealData;
import nn.eval.Predictor;
import nn.random.Rng;
import org.junit.jupiter.api.Test;

/**
 * Measures how far touching digits can be split: pairs of slice digits written closer and closer
 * (gaps of 0 to -15% of the height), read with the shipped cnn model. A pair whose ink makes one
 * piece is split only when it is wider than {@link DigitFinder#WIDE} times its height; a narrower
 * touching pair is read as one digit (docs/pictures.md gives the numbers this prints).
 */
class TouchingDigitsTest {
    static final int PAIRS = 200;

    @Test
    void touchingPairsWiderThanTheRowIsTallAreSplit() throws IOException {
        LabeledImages digits = RealData.test();
        Checkpoint.Loaded model = Checkpoint.load(Path.of("data/models/cnn.ckpt"));
        double[] gaps = {-0.15, -0.1, -0.05, 0};
        int[] count = new int[3], right = new int[3];   // touching and wide, touching and narrow, apart
        Rng rng = new Rng(5);
        for (int i = 0; i < PAIRS; i++) {
            NumberPictures.Style style = new NumberPictures.Style(gaps[i % 4], gaps[i % 4], false, false);
            NumberPictures.Number pair = NumberPictures.render(digits, new int[] {2 * i, 2 * i + 1}, style, rng);
            int kind = kind(pair);
            count[kind]++;
            if (read(model, pair).equals(pair.text())) right[kind]++;
        }
        System.out.printf("touching pairs wider than %.1fx their height: %d/%d read right; touching, narrower: %d/%d; apart: %d/%d%n",
                DigitFinder.WIDE, right[0], count[0], right[1], count[1], right[2], count[2]);
        assertTrue(right[0] >= 0.5 * count[0], "wide touching pairs are split and read");
        assertTrue(right[2] >= 0.95 * count[2], "pairs apart are read");
    }

    /** 0: the ink is one piece wider than WIDE times its height; 1: one narrower piece; 2: apart. */
    private static int kind(NumberPictures.Number pair) {
        GreyImage g = DigitPreprocessor.toGrey(pair.image());
        for (int k = 0; k < g.pixels().length; k++) g.pixels()[k] = 1 - g.pixels()[k];
        GreyImage ink = DigitPreprocessor.clean(DigitPreprocessor.evenOutLight(g));
        List<DigitFinder.Glyph> glyphs = DigitFinder.groupByColumns(DigitFinder.withoutSpecks(new InkComponents(ink).components));
        if (glyphs.size() > 1) return 2;
        Box b = glyphs.get(0).box();
        return b.w() > DigitFinder.WIDE * b.h() ? 0 : 1;
    }

    private static String read(Checkpoint.Loaded model, NumberPictures.Number pair) {
        List<DigitPreprocessor.Digit> found = DigitPreprocessor.prepareDigits(pair.image(), DigitPreprocessor.Invert.AUTO);
        float[] pixels = new float[found.size() * 784];
        for (int k = 0; k < found.size(); k++) System.arraycopy(found.get(k).pixels(), 0, pixels, k * 784, 784);
        float[] p = Predictor.probabilities(model.network(), pixels, found.size());
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < found.size(); k++) {
            int best = 0;
            for (int c = 1; c < 10; c++) if (p[k * 10 + c] > p[k * 10 + best]) best = c;
            s.append(best);
        }
        return s.toString();
    }
}
