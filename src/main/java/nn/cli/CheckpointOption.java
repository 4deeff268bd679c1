package nn.cli;

import java.io.IOException;
import java.nio.file.Path;

import nn.checkpoint.Checkpoint;
import nn.checkpoint.RunDirectory;
import nn.export.OnnxImport;
import nn.checkpoint.SlimModel;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --checkpoint}: the trained model a command reads (eval, predict, show, explain, prune), and {@code --engine} to run it on. */
final class CheckpointOption {
    @Spec(Spec.Target.MIXEE) CommandSpec mixee;
    @Mixin EngineOption engine;

    @Option(names = "--checkpoint", paramLabel = "FILE|RUN_DIR", defaultValue = "runs/latest",
            description = "The model: a checkpoint file, a run folder (its best.ckpt), a slim model (nn export --slim) "
                    + "or an ONNX model (.onnx). Default: ${DEFAULT-VALUE}.")
    Path checkpoint;

    @Option(names = "--normalize", paramLabel = "MEAN,STD",
            description = "For an .onnx model without nn's metadata: it expects (pixel/255 - MEAN) / STD "
                    + "(PyTorch's MNIST example: 0.1307,0.3081). Default: pixel/255.")
    String normalize;

    /** The model it names, loaded and verified; {@link Checkpoint.Loaded#file()} is the file it came from. */
    Checkpoint.Loaded load() throws IOException {
        if (OnnxImport.isOnnx(checkpoint)) return OnnxImport.load(checkpoint, scaling());
        if (normalize != null) throw new ParameterException(mixee.commandLine(), "--normalize applies to .onnx models only");
        Path file = RunDirectory.resolveCheckpoint(checkpoint, RunDirectory.BEST);
        return SlimModel.isSlim(file) ? SlimModel.load(file) : Checkpoint.load(file);
    }

    private OnnxImport.Scaling scaling() {
        if (normalize == null) return null;
        try {
            return OnnxImport.Scaling.parse(normalize);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(mixee.commandLine(), "--normalize: " + e.getMessage());
        }
    }
}
