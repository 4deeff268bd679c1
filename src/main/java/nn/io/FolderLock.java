package nn.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * An exclusive lock on a folder, held through a lock file in it, that other processes and other
 * threads of this one both respect: whoever comes second waits until the first closes it.
 */
public final class FolderLock implements AutoCloseable {
    public static final String FILE_NAME = ".lock";
    private static final Duration POLL = Duration.ofMillis(50);

    private final FileChannel channel;
    private final FileLock lock;
    private final boolean waited;

    private FolderLock(FileChannel channel, FileLock lock, boolean waited) {
        this.channel = channel;
        this.lock = lock;
        this.waited = waited;
    }

    /** Waits for the folder's lock and takes it; {@code whileWaiting} runs once if someone else holds it. */
    public static FolderLock acquire(Path dir, Runnable whileWaiting) throws IOException {
        FileChannel channel = FileChannel.open(dir.resolve(FILE_NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            boolean waited = false;
            for (FileLock lock; ; waited = true) {
                if ((lock = tryLock(channel)) != null) return new FolderLock(channel, lock, waited);
                if (!waited) whileWaiting.run();
                Thread.sleep(POLL.toMillis());
            }
        } catch (InterruptedException e) {
            channel.close();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the lock on " + dir);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The lock, or null while another process or another thread of this one holds it. */
    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    /** Whether someone else held the lock first: what they made may already be there. */
    public boolean waited() {
        return waited;
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
