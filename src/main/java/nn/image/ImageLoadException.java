package nn.image;

import java.io.IOException;
import java.nio.file.Path;

/** A file that cannot be read as a digit picture: missing, not an image, too large, or blank. */
public class ImageLoadException extends IOException {
    public ImageLoadException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
