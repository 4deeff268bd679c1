package nn.cli;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import com.google.gson.Gson;
import nn.checkpoint.Checkpoint;
import nn.eval.DigitAnswer;
import nn.eval.Predictor;
import nn.image.Box;
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
        description = {"Say which digit, or which number, is in your own pictures (PNG, JPEG, BMP, GIF; any size): "
                + "scans, drawings, photos of paper.",
                "Each picture is prepared the way MNIST was made: transparency composited, dark-on-light inverted, the light "
                        + "evened out, paper, ruled lines, the sheet's edge and specks cleaned away; each digit cropped, scaled to "
                        + "20 px and centred by mass in 28x28. Digits side by side are read as a number, left to right."},
        footer = {"", "Output: one line per image,  PATH  DIGIT  CONFIDENCE  and the top-K probabilities;",
                "for a number,  PATH  NUMBER  CONFIDENCE  (the product of the digits' confidences) and each digit:confidence.",
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

    @Option(names = "--json", description = {"One JSON object per image: {\"file\",\"prediction\",\"confidence\",\"top\":[{\"class\",\"probability\"}]} "
            + "(classes as numbers; a data set with names adds \"label\");",
            "for a number: {\"file\",\"number\",\"confidence\",\"digits\":[{\"prediction\",\"confidence\",\"top\",\"box\":[x,y,w,h]}]}."})
    boolean json;

    @Option(names = "--single", description = "Read each picture as one digit, even if it holds several pieces side by side.")
    boolean single;

    @Option(names = "--save-input", paramLabel = "DIR", description = "Write the 28x28 image the network saw, per input (per digit of a number), as PNG.")
    Path saveInput;

    @Option(names = "--invert", paramLabel = "auto|yes|no", defaultValue = "auto",
            description = "Dark ink on light paper is inverted to MNIST's white on black; auto decides from the picture (default).")
    String invert;

    @Option(names = "--uncertainty", paramLabel = "N",
            description = {"Monte-Carlo dropout: N forward passes with dropout on (models with dropout only); prints the mean "
                    + "probabilities and the spread of the top one, and marks UNSURE when the spread is over "
                    + DigitAnswer.MAX_STD + " or the mean confidence under " + DigitAnswer.MIN_CONFIDENCE + "."})
    Integer uncertainty;

    private final Gson gson = new Gson();

    /** A picture prepared for the network: one 28x28 input per digit, left to right, and where each digit is (null when read as one). */
    private record Reading(Path file, List<float[]> inputs, List<Box> boxes) {}

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
        if (uncertainty != null && (uncertainty < 2 || !model.network().hasDropout())) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), uncertainty < 2 ? "--uncertainty needs at least 2 passes"
                    : "--uncertainty needs a model with dropout; " + model.network().spec().text() + " has none (train with --dropout)");
        }
        boolean numbers = !single && DigitAnswer.digitClasses(names);

        List<Reading> readings = new ArrayList<>();
        int failures = 0;
        for (Path file : expand(inputs)) {
            try {
                Reading r = read(file, mode, numbers);
                readings.add(r);
                if (saveInput != null) saveInputs(r);
            } catch (ImageLoadException e) {
                err.println("nn predict: error: " + e.getMessage());
                failures++;
            }
        }
        List<float[]> all = readings.stream().flatMap(r -> r.inputs().stream()).toList();
        int size = DigitPreprocessor.SIZE * DigitPreprocessor.SIZE;
        float[] pixels = new float[all.size() * size];
        for (int i = 0; i < all.size(); i++) System.arraycopy(all.get(i), 0, pixels, i * size, size);
        Predictor.Spread spread = uncertainty == null ? null
                : Predictor.monteCarlo(model.network(), pixels, all.size(), uncertainty, model.state().config.seed());
        float[] probs = spread != null ? spread.mean() : Predictor.probabilities(model.network(), pixels, all.size());
        int classes = model.network().classes();
        int row = 0;
        for (Reading r : readings) {
            List<DigitAnswer> answers = new ArrayList<>();
            for (int d = 0; d < r.inputs().size(); d++, row++) {
                answers.add(DigitAnswer.of(java.util.Arrays.copyOfRange(probs, row * classes, (row + 1) * classes),
                        spread == null ? null : java.util.Arrays.copyOfRange(spread.std(), row * classes, (row + 1) * classes)));
            }
            if (r.boxes() == null || r.boxes().size() == 1) {
                out.println(json ? gson.toJson(digitJson(answers.get(0), names, r.file())) : digitLine(r.file(), answers.get(0), names));
            } else {
                out.println(json ? gson.toJson(numberJson(r, answers, names)) : numberLine(r.file(), answers));
            }
        }
        out.flush();
        err.flush();
        return failures == 0 ? 0 : 1;
    }

    private static Reading read(Path file, DigitPreprocessor.Invert mode, boolean numbers) throws IOException {
        BufferedImage image = ImageReading.read(file);
        if (!numbers) {
            DigitPreprocessor.Result r = DigitPreprocessor.prepare(image, mode);
            if (r == null) throw blank(file);
            return new Reading(file, List.of(r.pixels()), null);
        }
        List<DigitPreprocessor.Digit> digits = DigitPreprocessor.prepareDigits(image, mode);
        if (digits == null) throw blank(file);
        return new Reading(file, digits.stream().map(DigitPreprocessor.Digit::pixels).toList(),
                digits.stream().map(DigitPreprocessor.Digit::box).toList());
    }

    private static ImageLoadException blank(Path file) {
        return new ImageLoadException(file, "no digit found (the picture is blank)");
    }

    /** PATH  DIGIT  CONFIDENCE  k:p ... (and the Monte-Carlo spread). */
    private String digitLine(Path file, DigitAnswer a, List<String> names) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s  %s  %.3f ", file, names.get(a.best()), a.confidence()));
        for (int k = 0; k < Math.min(top, a.order().length); k++) {
            line.append(String.format(Locale.ROOT, " %s:%.3f", names.get(a.order()[k]), a.probabilities()[a.order()[k]]));
        }
        if (a.std() != null) {
            line.append(String.format(Locale.ROOT, "  ±%.3f over %d passes%s", a.std(), uncertainty, a.unsure() ? "  UNSURE" : ""));
        }
        return line.toString();
    }

    /** PATH  NUMBER  CONFIDENCE  digits d:p ... (and the largest Monte-Carlo spread). */
    private String numberLine(Path file, List<DigitAnswer> answers) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s  %s  %.3f  digits", file, DigitAnswer.number(answers), DigitAnswer.confidence(answers)));
        for (DigitAnswer a : answers) line.append(String.format(Locale.ROOT, " %d:%.3f", a.best(), a.confidence()));
        if (uncertainty != null) {
            float std = answers.stream().map(DigitAnswer::std).max(Float::compare).orElseThrow();
            line.append(String.format(Locale.ROOT, "  ±%.3f (largest) over %d passes%s", std, uncertainty,
                    answers.stream().anyMatch(DigitAnswer::unsure) ? "  UNSURE" : ""));
        }
        return line.toString();
    }

    /** {"file", then DigitAnswer's fields}; no "file" for a digit of a number. */
    private Map<String, Object> digitJson(DigitAnswer a, List<String> names, Path file) {
        Map<String, Object> o = new LinkedHashMap<>();
        if (file != null) o.put("file", file.toString());
        o.putAll(a.json(names, top, uncertainty == null ? 0 : uncertainty));
        return o;
    }

    /** {"file", "number", "confidence", "digits": [{"prediction", "confidence", "top", "box": [x, y, w, h]}]}. */
    private Map<String, Object> numberJson(Reading r, List<DigitAnswer> answers, List<String> names) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("file", r.file().toString());
        o.putAll(DigitAnswer.numberJson(answers, r.boxes(), names, top, uncertainty == null ? 0 : uncertainty));
        return o;
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

    /** name-28x28.png, or for a number name-1-28x28.png, name-2-28x28.png, ... left to right. */
    private void saveInputs(Reading r) throws IOException {
        String name = r.file().getFileName().toString().replaceAll("\\.[^.]*$", "");
        for (int d = 0; d < r.inputs().size(); d++) {
            String suffix = r.inputs().size() == 1 ? "" : "-" + (d + 1);
            savePicture(r.inputs().get(d), saveInput.resolve(name + suffix + "-28x28.png"));
        }
    }

    private static void savePicture(float[] pixels, Path file) throws IOException {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) img.getRaster().setSample(x, y, 0, Math.round(255 * pixels[y * 28 + x]));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bytes);
        AtomicFile.write(file, bytes.toByteArray());
    }
}
