package nn.data;

import java.lang.management.ManagementFactory;

/** How many bytes of heap the calling thread has allocated: the difference of two readings is what ran between them. */
final class Allocation {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Allocation() {}

    static long bytesSoFar() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }
}
