package nn.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint file that cannot be used: truncated, corrupted, not a checkpoint, or too new. */
public class CheckpointException extends IOException {
    public CheckpointException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
