package nn.cli;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import com.google.gson.Gson;
import nn.checkpoint.Checkpoint;
import nn.eval.Predictor;
import nn.image.DigitPreprocessor;
import nn.image.ImageLoadException;
import nn.image.ImageReading;
import nn.io.AtomicFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Say which digit is in your own pictures (PNG, JPEG, BMP, GIF; any size).",
                "Each picture is prepared the way MNIST was made: transparency composited, dark-on-light inverted, "
                        + "paper and ruled lines cleaned away, cropped, scaled to 20 px and centred by mass in 28x28."},
        footer = {"", "Output: one line per image,  PATH  DIGIT  CONFIDENCE  and the top-K probabilities.",
                "", "Examples:",
                "  nn predict data/samples/*.png",
                "  nn predict --top 3 --save-input seen/ my-digits/",
                "  nn predict --json photo.jpg"})
final class PredictCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "IMAGE|DIR", arity = "1..*", description = "Pictures, or folders of pictures.")
    List<Path> inputs;

    @Mixin CheckpointOption checkpoint;

    @Option(names = "--top", paramLabel = "K", defaultValue = "3", description = "How many of the likeliest classes to list (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--json", description = "One JSON object per image: {\"file\",\"prediction\",\"confidence\",\"top\":[...]}.")
    boolean json;

    @Option(names = "--save-input", paramLabel = "DIR", description = "Write the 28x28 image the network saw, per input, as PNG.")
    Path saveInput;

    @Option(names = "--invert", paramLabel = "auto|yes|no", defaultValue = "auto",
            description = "Dark ink on light paper is inverted to MNIST's white on black; auto decides from the border (default).")
    String invert;

    @Option(names = "--uncertainty", paramLabel = "N",
            description = {"Monte-Carlo dropout: N forward passes with dropout on (models with dropout only); prints the mean "
                    + "probabilities and the spread of the top one, and marks UNSURE when the spread is over "
                    + Uncertain.MAX_STD + " or the mean confidence under " + Uncertain.MIN_CONFIDENCE + "."})
    Integer uncertainty;

    /** When a Monte-Carlo prediction counts as unsure. */
    static final class Uncertain {
        static final double MAX_STD = 0.1, MIN_CONFIDENCE = 0.7;

        static boolean is(float mean, float std) {
            return std > MAX_STD || mean < MIN_CONFIDENCE;
        }
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        DigitPreprocessor.Invert mode;
        try {
            mode = DigitPreprocessor.Invert.valueOf(invert.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--invert must be auto, yes or no");
        }
        if (top < 1) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--top must be at least 1");
        Checkpoint.Loaded model = checkpoint.load();
        List<String> names = model.origin().classNames();

        List<Path> files = expand(inputs);
        List<Path> ok = new ArrayList<>();
        List<float[]> prepared = new ArrayList<>();
        int failures = 0;
        for (Path file : files) {
            try {
                BufferedImage image = ImageReading.read(file);
                DigitPreprocessor.Result r = DigitPreprocessor.prepare(image, mode);
                if (r == null) throw new ImageLoadException(file, "no digit found (the picture is blank)");
                ok.add(file);
                prepared.add(r.pixels());
                if (saveInput != null) saveInput(file, r.pixels());
            } catch (ImageLoadException e) {
                err.println("nn predict: error: " + e.getMessage());
                failures++;
            }
        }
        float[] pixels = new float[prepared.size() * DigitPreprocessor.SIZE * DigitPreprocessor.SIZE];
        for (int i = 0; i < prepared.size(); i++) System.arraycopy(prepared.get(i), 0, pixels, i * 784, 784);
        if (uncertainty != null && (uncertainty < 2 || !model.network().hasDropout())) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), uncertainty < 2 ? "--uncertainty needs at least 2 passes"
                    : "--uncertainty needs a model with dropout; " + model.network().spec().text() + " has none (train with --dropout)");
        }
        Predictor.Spread spread = uncertainty == null ? null
                : Predictor.monteCarlo(model.network(), pixels, prepared.size(), uncertainty, model.state().config.seed());
        float[] probs = spread != null ? spread.mean() : Predictor.probabilities(model.network(), pixels, prepared.size());
        int classes = model.network().classes();
        Gson gson = new Gson();
        for (int i = 0; i < ok.size(); i++) {
            Integer[] order = new Integer[classes];
            for (int k = 0; k < classes; k++) order[k] = k;
            final int row = i;
            java.util.Arrays.sort(order, (a, b) -> Float.compare(probs[row * classes + b], probs[row * classes + a]));
            int best = order[0];
            if (json) {
                List<java.util.Map<String, Object>> topList = new ArrayList<>();
                for (int k = 0; k < Math.min(top, classes); k++) {
                    topList.add(java.util.Map.of("class", names.get(order[k]), "probability", probs[i * classes + order[k]]));
                }
                java.util.Map<String, Object> o = new java.util.LinkedHashMap<>();
                o.put("file", ok.get(i).toString());
                o.put("prediction", names.get(best));
                o.put("confidence", probs[i * classes + best]);
                o.put("top", topList);
                if (spread != null) {
                    float std = spread.std()[i * classes + best];
                    o.put("uncertainty", java.util.Map.of("passes", uncertainty, "std", std, "unsure", Uncertain.is(probs[i * classes + best], std)));
                }
                out.println(gson.toJson(o));
            } else {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s  %s  %.3f ", ok.get(i), names.get(best), probs[i * classes + best]));
                for (int k = 0; k < Math.min(top, classes); k++) {
                    line.append(String.format(Locale.ROOT, " %s:%.3f", names.get(order[k]), probs[i * classes + order[k]]));
                }
                if (spread != null) {
                    float std = spread.std()[i * classes + best];
                    line.append(String.format(Locale.ROOT, "  ±%.3f over %d passes%s", std, uncertainty,
                            Uncertain.is(probs[i * classes + best], std) ? "  UNSURE" : ""));
                }
                out.println(line);
            }
        }
        out.flush();
        err.flush();
        return failures == 0 ? 0 : 1;
    }

    /** Files as given; folders contribute their files (sorted, not recursive). */
    private static List<Path> expand(List<Path> inputs) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(Files::isRegularFile).sorted().forEach(files::add);
                }
            } else {
                files.add(p);
            }
        }
        return files;
    }

    private void saveInput(Path file, float[] pixels) throws IOException {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int v = Math.round(255 * pixels[y * 28 + x]);
                img.getRaster().setSample(x, y, 0, v);
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bytes);
        String name = file.getFileName().toString().replaceAll("\\.[^.]*$", "") + "-28x28.png";
        AtomicFile.write(saveInput.resolve(name), bytes.toByteArray());
    }
}
