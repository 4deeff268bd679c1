package nn.cli;

import java.io.IOException;
import java.nio.file.Path;

import nn.checkpoint.Checkpoint;
import nn.checkpoint.RunDirectory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code --checkpoint}: the trained model a command reads (eval, predict, show, explain, prune), and {@code --engine} to run it on. */
final class CheckpointOption {
    @Mixin EngineOption engine;

    @Option(names = "--checkpoint", paramLabel = "FILE|RUN_DIR", defaultValue = "runs/latest",
            description = "The model: a checkpoint file or a run folder (its best.ckpt). Default: ${DEFAULT-VALUE}.")
    Path checkpoint;

    /** The checkpoint it names, loaded and verified; {@link Checkpoint.Loaded#file()} is the file it came from. */
    Checkpoint.Loaded load() throws IOException {
        return Checkpoint.load(RunDirectory.resolveCheckpoint(checkpoint, RunDirectory.BEST));
    }
}
