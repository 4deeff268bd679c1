package nn.data;

import java.io.IOException;
import java.nio.file.Path;

/** An IDX file that is not what it claims to be; the message names the file and what was expected. */
public class IdxFormatException extends IOException {
    public IdxFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
