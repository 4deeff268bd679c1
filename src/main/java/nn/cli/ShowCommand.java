package nn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import nn.checkpoint.Checkpoint;
import nn.inspect.Inspection;
import nn.inspect.InspectionPictures;
import nn.io.AtomicFile;
import nn.model.Conv2D;
import nn.model.Flatten;
import nn.model.Layer;
import nn.model.Network;
import nn.model.Shape;
import nn.model.WeightedLayer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Pictures of what a trained network has learned.",
        subcommands = {ShowCommand.Weights.class, ShowCommand.Activations.class})
final class ShowCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "choose what to show: weights or activations");
    }

    @Command(name = "weights", mixinStandardHelpOptions = true,
            description = {"A layer's weights as a grid of tiles, one per hidden unit or filter (red positive, blue negative).",
                    "For the first layer each tile is a 28x28 picture of what that unit looks for."})
    static final class Weights implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin InspectOptions options;

        @Option(names = "--layer", paramLabel = "N", defaultValue = "1", description = "Which weight layer, counting from 1 (default: ${DEFAULT-VALUE}).")
        int layer;

        @Override
        public Integer call() throws IOException {
            Checkpoint.Loaded model = options.load();
            Network net = model.network();
            List<Integer> weighted = new ArrayList<>();
            for (int i = 0; i < net.layers().size(); i++) if (net.layers().get(i) instanceof WeightedLayer) weighted.add(i);
            if (layer < 1 || layer > weighted.size()) {
                throw new ParameterException(spec.commandLine(), "--layer must be between 1 and " + weighted.size());
            }
            int index = weighted.get(layer - 1);
            Layer l = net.layers().get(index);
            float[] w = l.params().get(0).value().toFloatArray();
            long[] shape = l.params().get(0).value().shape();
            int rows = (int) shape[0], columns = (int) shape[1];
            Shape tile = tileShape(net, index, l, rows);
            Path file = options.outDir(model).resolve("weights-layer" + layer + ".png");
            AtomicFile.write(file, InspectionPictures.weightGrid(w, rows, columns, tile.height(), tile.width(), tile.channels(),
                    String.format("Layer %d, %s: %d tiles of %dx%d%s", layer, l.spec(), columns, tile.height(), tile.width(),
                            tile.channels() > 1 ? " (mean of " + tile.channels() + " channels)" : "")));
            spec.commandLine().getOut().println("wrote " + file);
            return 0;
        }

        /** What one column of W looks like: a kernel, an image-shaped input, or a near-square block. */
        private static Shape tileShape(Network net, int index, Layer l, int rows) {
            if (l instanceof Conv2D c) return new Shape(c.kernel(), c.kernel(), rows / (c.kernel() * c.kernel()));
            int before = index - 1;
            while (before >= 0 && net.layers().get(before) instanceof Flatten) before--;
            Shape in = before < 0 ? net.inputShape() : net.outputShape(before);
            if (!in.isFlat()) return in;
            int side = (int) Math.ceil(Math.sqrt(rows));
            return new Shape((rows + side - 1) / side, side, 1);
        }
    }

    @Command(name = "activations", mixinStandardHelpOptions = true,
            description = "For one picture: each layer's activations (feature maps, or a strip of units) and the output probabilities.")
    static final class Activations implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin InspectOptions options;

        @Parameters(paramLabel = "IMAGE", description = "A picture of a digit (prepared as nn predict does).")
        Path image;

        @Override
        public Integer call() throws IOException {
            Checkpoint.Loaded model = options.load();
            float[] x = InspectOptions.digit(image);
            List<Inspection.LayerOutput> layers = Inspection.activations(model.network(), x);
            float[] probs = Inspection.probabilities(model.network(), x);
            String name = image.getFileName().toString().replaceAll("\\.[^.]*$", "");
            Path file = options.outDir(model).resolve("activations-" + name + ".png");
            AtomicFile.write(file, InspectionPictures.activations(x, layers, probs, model.origin().classNames()));
            PrintWriter out = spec.commandLine().getOut();
            int best = nn.eval.Predictions.argmax(probs, 0, probs.length);
            out.printf("%s: %s (%.3f)%nwrote %s%n", image, model.origin().classNames().get(best), probs[best], file);
            return 0;
        }
    }
}
