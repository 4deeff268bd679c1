package nn.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes a file so that readers only ever see the old content or the complete new content:
 * the bytes go to a temporary file beside the target, are forced to disk, and the temporary
 * file is renamed over the target. A crash at any moment leaves the previous file intact, and
 * the temporary file, named after the writing process, for {@link #removeLeftovers} to delete.
 */
public final class AtomicFile {
    /** What writes the content; it must not close the stream. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFile() {}

    public static void write(Path target, Content content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, temporaryPrefix(target), ".tmp");
        try {
            readableByAll(tmp);
            try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE);
                 OutputStream out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 16)) {
                content.writeTo(out);
                out.flush();
                channel.force(true);
            }
            moveIntoPlace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    public static void writeString(Path target, String text) throws IOException {
        write(target, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** {@code .<target>.<pid of the writer>.<random>.tmp} */
    private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.(\\d{1,18})\\.\\d+\\.tmp");

    /**
     * The start of a temporary name for {@code target}, {@code .<target>.<pid>.}: whoever makes a
     * temporary file or link under it (followed by digits and {@code .tmp}) leaves nothing that
     * {@link #removeLeftovers} will not clear once this process is gone.
     */
    public static String temporaryPrefix(Path target) {
        return "." + target.getFileName() + "." + ProcessHandle.current().pid() + ".";
    }

    /**
     * Deletes the temporary files in the folder whose writers no longer run (killed mid-write), as
     * far as the folder allows: this is housekeeping, so a file that cannot be deleted stays.
     */
    public static void removeLeftovers(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Matcher m = TEMPORARY.matcher(file.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) deleteIfPossible(file);
            }
        }
    }

    private static void deleteIfPossible(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a read-only folder keeps its leftovers; nothing is written there either
        }
    }

    /** Temporary files start private (0600); the finished file should be as readable as any other (0644). */
    private static void readableByAll(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    /** Renames a finished temporary file over the target, atomically where the file system can. */
    public static void moveIntoPlace(Path finished, Path target) throws IOException {
        try {
            Files.move(finished, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(finished, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
