package nn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import nn.checkpoint.Checkpoint;
import nn.inspect.Inspection;
import nn.inspect.InspectionPictures;
import nn.io.AtomicFile;
import nn.model.Network;
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
            int count = InspectionPictures.weightLayers(net).size();
            if (layer < 1 || layer > count) throw new ParameterException(spec.commandLine(), "--layer must be between 1 and " + count);
            Path file = options.outDir(model).resolve("weights-layer" + layer + ".png");
            AtomicFile.write(file, InspectionPictures.weights(net, layer));
            spec.commandLine().getOut().println("wrote " + file);
            return 0;
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
