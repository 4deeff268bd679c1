package nn.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.nd4j.linalg.api.buffer.DataType;

import nn.compute.Engine;
import nn.compute.Engines;
import nn.compute.Nonlinearity;

/**
 * A network written as text: layers separated by commas, e.g.
 * <pre>
 *   conv(20,5),relu,pool(2),conv(50,5),relu,pool(2),dense(500),relu
 * </pre>
 * Layers: {@code dense(UNITS)}, {@code conv(FILTERS,KERNEL[,stride=S][,pad=P])},
 * {@code pool(SIZE[,stride=S])}, {@code relu}, {@code sigmoid}, {@code tanh}, {@code gelu},
 * {@code dropout(P)}, {@code batchnorm} (or {@code bn}), {@code flatten}, {@code lstm(UNITS[,seq])}
 * (the image's rows as time steps; the last hidden state, or with {@code seq} every step's),
 * {@code patches(P,DIM)} (P x P patches projected to DIM, plus a position embedding),
 * {@code attention(HEADS)} (a pre-norm transformer block over the positions), {@code layernorm}
 * and {@code pool} without a size (the mean over all positions).
 * The output layer {@code dense(CLASSES)} and the softmax are added by nn; a flatten is put in
 * front of the first dense layer after a convolution. Weights are initialised He for ReLU and
 * GELU, Glorot for the others.
 *
 * <p>The spec is what a checkpoint stores, so it is also how a saved model is rebuilt.
 */
public record ModelSpec(String text, Shape input, int classes) {
    private static final Pattern LAYER = Pattern.compile("([a-z]+)(?:\\((.*)\\))?");

    public ModelSpec {
        text = normalise(text);
        parseLayers(text, input, classes); // validates: a bad spec fails here with a clear message
    }

    /** The MNIST input: 28x28 pixels, one channel. */
    public static final Shape MNIST_INPUT = new Shape(28, 28, 1);

    public static ModelSpec of(String text) {
        return new ModelSpec(text, MNIST_INPUT, 10);
    }

    /** The network on the process's engine ({@link Engines#current()}). */
    public Network build(DataType type) {
        return build(type, Engines.current());
    }

    public Network build(DataType type, Engine engine) {
        return new Network(this, parseLayers(text, input, classes), engine, type);
    }

    /** Sizes that decide how much memory a network of this spec needs, counted without building it. */
    public record Footprint(long parameters, long activationsPerExample, long largestArray) {}

    public Footprint footprint() {
        long parameters = 0, activations = 0, largest = 0;
        Shape shape = input;
        for (Layer layer : parseLayers(text, input, classes)) {
            long count = layer.parameterCount(shape);
            parameters += count;
            largest = Math.max(largest, count);
            shape = layer.outputShape(shape);
            activations += shape.size();
        }
        return new Footprint(parameters, activations, largest);
    }

    private static String normalise(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("empty model spec");
        return text.replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
    }

    /** The layer tokens: commas inside parentheses do not split. */
    static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : ',';
            if (c == '(') depth++;
            if (c == ')') depth--;
            if (depth < 0) throw new IllegalArgumentException("unbalanced ')' in model spec '" + text + "'");
            if (c == ',' && depth == 0) {
                String token = text.substring(Math.min(start, text.length()), i);
                if (token.isEmpty()) throw new IllegalArgumentException("empty layer in model spec '" + text + "' (two commas in a row?)");
                out.add(token);
                start = i + 1;
            }
        }
        if (depth != 0) throw new IllegalArgumentException("unbalanced '(' in model spec '" + text + "'");
        return out;
    }

    private static List<Layer> parseLayers(String text, Shape input, int classes) {
        List<Layer> layers = new ArrayList<>();
        Shape shape = input;
        for (String token : tokens(text)) {
            Layer layer = parseLayer(token);
            if (layer instanceof Dense && !shape.isFlat()) {
                layers.add(new Flatten());
                shape = Shape.features(shape.size());
            }
            shape = layer.outputShape(shape);   // checks that it fits, allocating nothing
            layers.add(layer);
        }
        if (!shape.isFlat()) layers.add(new Flatten());
        layers.add(new Dense(classes, Init.XAVIER));
        chooseInits(layers);
        return layers;
    }

    /** Each weight layer is initialised for the activation that follows it (before the next weight layer). */
    private static void chooseInits(List<Layer> layers) {
        for (int i = 0; i < layers.size(); i++) {
            Nonlinearity next = null;
            for (int j = i + 1; j < layers.size() && next == null; j++) {
                if (layers.get(j) instanceof WeightedLayer) break;
                if (layers.get(j) instanceof Activation a) next = a.fn();
            }
            if (layers.get(i) instanceof WeightedLayer weighted) weighted.setInit(Init.forActivation(next));
        }
    }

    static Layer parseLayer(String token) {
        Matcher m = LAYER.matcher(token);
        if (!m.matches()) throw new IllegalArgumentException("cannot read layer '" + token + "': expected NAME or NAME(ARGS)");
        String name = m.group(1);
        Args args = new Args(token, m.group(2));
        Layer layer = switch (name) {
            case "dense" -> new Dense(args.positiveInt(0, "units"), Init.HE);
            case "conv" -> new Conv2D(args.positiveInt(0, "filters"), args.positiveInt(1, "kernel size"),
                    args.named("stride", 1), args.named("pad", 0), Init.HE);
            case "pool", "maxpool" -> {
                if (name.equals("pool") && args.isEmpty()) yield new GlobalAveragePool();
                int size = args.positiveInt(0, "pool size");
                yield new MaxPool2D(size, args.named("stride", size));
            }
            case "relu" -> new Activation(Nonlinearity.RELU);
            case "sigmoid" -> new Activation(Nonlinearity.SIGMOID);
            case "tanh" -> new Activation(Nonlinearity.TANH);
            case "gelu" -> new Activation(Nonlinearity.GELU);
            case "dropout" -> new Dropout(args.rate(0));
            case "batchnorm", "bn" -> new BatchNorm();
            case "flatten" -> new Flatten();
            case "lstm" -> new Lstm(args.positiveInt(0, "units"), args.word(1, "seq"));
            case "patches" -> new Patches(args.positiveInt(0, "patch size"), args.positiveInt(1, "token width"));
            case "attention" -> new Attention(args.positiveInt(0, "number of heads"));
            case "layernorm", "ln" -> new LayerNorm();
            default -> throw new IllegalArgumentException("unknown layer '" + name + "' in '" + token + "': expected dense, conv, pool, "
                    + "relu, sigmoid, tanh, gelu, dropout, batchnorm, layernorm, flatten, lstm, patches or attention");
        };
        args.checkAllUsed();
        return layer;
    }

    /** The arguments inside a layer's parentheses: positional first, then name=value. */
    private static final class Args {
        private final String token;
        private final List<String> positional = new ArrayList<>();
        private final List<String[]> named = new ArrayList<>();
        private int used;

        Args(String token, String inside) {
            this.token = token;
            if (inside == null || inside.isEmpty()) return;
            for (String part : inside.split(",")) {
                if (part.contains("=")) named.add(part.split("=", 2));
                else if (named.isEmpty()) positional.add(part);
                else throw new IllegalArgumentException("in '" + token + "': positional argument '" + part + "' after a named one");
            }
        }

        boolean isEmpty() {
            return positional.isEmpty() && named.isEmpty();
        }

        int positiveInt(int index, String what) {
            if (index >= positional.size()) throw new IllegalArgumentException("'" + token + "' is missing its " + what);
            used++;
            return parsePositive(positional.get(index), what);
        }

        /** Whether positional argument {@code index} is there; it may only be {@code word}. */
        boolean word(int index, String word) {
            if (index >= positional.size()) return false;
            if (!positional.get(index).equals(word)) {
                throw new IllegalArgumentException("in '" + token + "': expected '" + word + "', got '" + positional.get(index) + "'");
            }
            used++;
            return true;
        }

        double rate(int index) {
            if (index >= positional.size()) throw new IllegalArgumentException("'" + token + "' is missing its rate");
            used++;
            try {
                return Double.parseDouble(positional.get(index));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("in '" + token + "': rate '" + positional.get(index) + "' is not a number");
            }
        }

        int named(String name, int fallback) {
            for (String[] kv : named) {
                if (kv[0].equals(name)) {
                    used++;
                    int v = parseInt(kv[1], name);
                    if (v < 0) throw new IllegalArgumentException("in '" + token + "': " + name + " must not be negative");
                    return v;
                }
            }
            return fallback;
        }

        void checkAllUsed() {
            if (used < positional.size() + named.size()) {
                throw new IllegalArgumentException("'" + token + "' has arguments nn does not understand");
            }
        }

        private int parsePositive(String s, String what) {
            int v = parseInt(s, what);
            if (v < 1) throw new IllegalArgumentException("in '" + token + "': " + what + " must be at least 1, got " + v);
            return v;
        }

        private int parseInt(String s, String what) {
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("in '" + token + "': " + what + " '" + s + "' is not a whole number");
            }
        }
    }
}
