package nn.compute.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads that share the work of one kernel (a matrix product, an activation, an optimiser
 * update): the range [0, n) is cut into one contiguous part per thread, the caller runs the
 * first part itself and waits for the others.
 *
 * <p>Why our own threads rather than ND4J's OpenMP ones: on this 2-core machine the native
 * thread pools spin or sleep between calls in ways that made 2 threads slower than 1 (the
 * OpenBLAS workers burned a core in sched_yield while Java loops ran, and those loops ran 3.5x
 * slower). Here the natives run single-threaded and the split is ours: a worker spins for a
 * millisecond after each part (a training step hands it ~20 parts, so it rarely sleeps mid-step),
 * then parks, so an idle tool costs no CPU.
 *
 * <p>Parts are fixed by the thread count, so the same count gives bit-identical results.
 */
public final class Team {
    /** Work on one contiguous part [from, to) of a range; {@code part} numbers the parts from 0. */
    @FunctionalInterface
    public interface Part {
        void run(int part, int from, int to);
    }

    private static final long SPIN_NANOS = 1_000_000;
    /** Spins (tens of µs) before the caller takes over a part nobody started, and before it yields. */
    private static final int TAKE_OVER_SPINS = 1_000, YIELD_SPINS = 10_000;
    private static Worker[] workers = new Worker[0];
    /** Held by the thread whose kernel the workers are running; a nested or concurrent call runs alone. */
    private static final AtomicBoolean busy = new AtomicBoolean();

    private Team() {}

    /** Sets the number of threads (the caller plus n − 1 workers); 1 runs everything on the caller. */
    public static synchronized void setSize(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        if (threads == size()) return;
        while (!busy.compareAndSet(false, true)) Thread.onSpinWait();
        try {
            for (Worker w : workers) w.retire();
            Worker[] next = new Worker[threads - 1];
            for (int i = 0; i < next.length; i++) next[i] = new Worker(i + 1);
            workers = next;
        } finally {
            busy.set(false);
        }
    }

    public static int size() {
        return workers.length + 1;
    }

    /**
     * Runs {@code body} over [0, n), split into at most {@link #size()} parts of at least
     * {@code grain} items each (below that, handing work over costs more than it saves).
     */
    public static void split(int n, int grain, Part body) {
        int parts = Math.min(size(), Math.max(1, n / Math.max(1, grain)));
        if (parts == 1 || !busy.compareAndSet(false, true)) {
            body.run(0, 0, n);
            return;
        }
        try {
            Worker[] team = workers;
            for (int p = 1; p < parts; p++) team[p - 1].assign(body, p, bound(n, parts, p), bound(n, parts, p + 1));
            Throwable failure = null;
            try {
                body.run(0, 0, bound(n, parts, 1));
            } catch (Throwable t) {
                failure = t;
            }
            // Every part ends before the team is free again (see await for parts taken over).
            for (int p = 1; p < parts; p++) {
                Throwable t = team[p - 1].await();
                if (failure == null) failure = t;
            }
            if (failure instanceof RuntimeException e) throw e;
            if (failure instanceof Error e) throw e;
        } finally {
            busy.set(false);
        }
    }

    /** Where part p of n items cut into `parts` starts. */
    private static int bound(int n, int parts, int p) {
        return (int) ((long) n * p / parts);
    }

    private static final class Worker extends Thread {
        private volatile Part body;          // non-null while a part is pending or running
        private volatile boolean parked, retired;
        /** Set by whichever thread runs the pending part: the worker, or the caller taking it over. */
        private final AtomicBoolean claimed = new AtomicBoolean(true);
        private int part, from, to;
        private Throwable failure;

        Worker(int index) {
            super("nn-team-" + index);
            setDaemon(true);
            start();
        }

        void assign(Part work, int part, int from, int to) {
            this.part = part;
            this.from = from;
            this.to = to;
            this.failure = null;
            body = work;                     // the volatile writes publish the fields above
            claimed.set(false);              // after body: whoever claims the part finds it
            if (parked) LockSupport.unpark(this);
        }

        /** Runs the pending part on the calling thread, unless the worker has claimed it. */
        void runHereIfNotStarted() {
            if (claimed.compareAndSet(false, true)) runPart();
        }

        /** Runs the claimed part; only the thread that claimed it calls this. */
        private void runPart() {
            try {
                body.run(part, from, to);
            } catch (Throwable t) {
                failure = t;
            }
            body = null;
        }

        /**
         * Waits for the part. A worker that has not even started it after a short spin is not on a
         * core (another process has it): the caller takes the part over rather than wait for the
         * scheduler, and yields while a started part finishes. Parts are the same whoever runs
         * them, so results stay bit-identical.
         */
        Throwable await() {
            for (int spins = 0; body != null; spins++) {
                if (spins == TAKE_OVER_SPINS) runHereIfNotStarted();
                else if (spins < YIELD_SPINS) Thread.onSpinWait();
                else Thread.yield();
            }
            return failure;
        }

        void retire() {
            retired = true;
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            long idleSince = System.nanoTime();
            while (!retired) {
                if (body != null) {
                    if (claimed.compareAndSet(false, true)) runPart();
                    else Thread.onSpinWait();   // the caller took the part over and clears body when done
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    // Either assign() sees parked and unparks, or we see its body before parking.
                    parked = true;
                    if (body == null && !retired) LockSupport.park(this);
                    parked = false;
                    idleSince = System.nanoTime();
                }
            }
        }
    }
}
