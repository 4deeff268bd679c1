package nn.io;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class FolderLockTest {
    @TempDir Path dir;

    @Test
    @Timeout(10)
    void theSecondHolderWaitsUntilTheFirstLetsGo() throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Boolean> second;
        try (FolderLock first = FolderLock.acquire(dir, () -> {})) {
            assertFalse(first.waited());
            second = CompletableFuture.supplyAsync(() -> {
                try (FolderLock lock = FolderLock.acquire(dir, waiting::countDown)) {
                    return lock.waited();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertTrue(waiting.await(5, TimeUnit.SECONDS), "the second one is told it waits");
            assertFalse(second.isDone(), "and does not get the lock while the first holds it");
        }
        assertTrue(second.get(5, TimeUnit.SECONDS), "it gets the lock once the first lets go, and knows it waited");
    }
}
