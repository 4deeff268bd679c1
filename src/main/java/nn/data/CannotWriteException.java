package nn.data;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * A file in the data folder cannot be written (permissions, a full disk, something in the way):
 * the user's to fix, not a mirror's, so it is never retried. The message names the path.
 */
public class CannotWriteException extends IOException {
    public CannotWriteException(Path file, IOException cause) {
        super("cannot write " + file + ": " + reason(cause), cause);
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof DirectoryNotEmptyException) return "a folder that is not empty is in the way";
        if (e instanceof FileAlreadyExistsException) return "a file is in the way";
        if (e instanceof FileSystemException f) return f.getReason() != null ? f.getReason() : e.getClass().getSimpleName();
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
