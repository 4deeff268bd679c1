package nn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import nn.checkpoint.Checkpoint;
import nn.image.DigitPreprocessor;
import nn.image.ImageLoadException;
import nn.image.ImageReading;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The model and output folder of the commands that look inside a network. */
final class InspectOptions {
    @Mixin CheckpointOption checkpoint;

    @Option(names = "--out", paramLabel = "DIR", description = "Where to write the pictures (default: the checkpoint's folder).")
    Path out;

    Checkpoint.Loaded load() throws IOException {
        return checkpoint.load();
    }

    Path outDir(Checkpoint.Loaded model) throws IOException {
        Path dir = out != null ? out : model.file().toAbsolutePath().getParent();
        Files.createDirectories(dir);
        return dir;
    }

    /** A picture prepared the way nn predict prepares it. */
    static float[] digit(Path image) throws IOException {
        DigitPreprocessor.Result r = DigitPreprocessor.prepare(ImageReading.read(image), DigitPreprocessor.Invert.AUTO);
        if (r == null) throw new ImageLoadException(image, "no digit found (the picture is blank)");
        return r.pixels();
    }
}
