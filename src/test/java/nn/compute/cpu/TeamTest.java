package nn.compute.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The thread team cuts a range into contiguous parts, runs each exactly once, and reports failures. */
class TeamTest {
    @AfterEach
    void oneThreadAgain() {
        Team.setSize(1);
    }

    @Test
    void everyIndexRunsExactlyOnceInContiguousParts() {
        Team.setSize(3);
        AtomicIntegerArray seen = new AtomicIntegerArray(1000);
        List<int[]> parts = Collections.synchronizedList(new ArrayList<>());
        Team.split(1000, 10, (part, from, to) -> {
            parts.add(new int[] {part, from, to});
            for (int i = from; i < to; i++) seen.incrementAndGet(i);
        });
        for (int i = 0; i < 1000; i++) assertEquals(1, seen.get(i), "index " + i);
        assertEquals(3, parts.size());
        parts.sort((a, b) -> Integer.compare(a[0], b[0]));
        assertEquals(0, parts.get(0)[1]);
        for (int p = 1; p < 3; p++) assertEquals(parts.get(p - 1)[2], parts.get(p)[1], "part " + p + " starts where the last ended");
        assertEquals(1000, parts.get(2)[2]);
    }

    @Test
    void smallRangesRunOnTheCallingThread() {
        Team.setSize(2);
        Thread caller = Thread.currentThread();
        List<Thread> ran = new ArrayList<>();
        Team.split(100, 64, (part, from, to) -> ran.add(Thread.currentThread()));   // 100 / 64 = 1 part
        assertEquals(List.of(caller), ran);
    }

    @Test
    void aFailureInAnotherThreadReachesTheCaller() {
        Team.setSize(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Team.split(100, 1, (part, from, to) -> {
            if (part == 1) throw new IllegalStateException("part 1 failed");
        }));
        assertEquals("part 1 failed", e.getMessage());
        // The team still works afterwards.
        AtomicIntegerArray seen = new AtomicIntegerArray(10);
        Team.split(10, 1, (part, from, to) -> {
            for (int i = from; i < to; i++) seen.incrementAndGet(i);
        });
        for (int i = 0; i < 10; i++) assertEquals(1, seen.get(i));
    }

    @Test
    void aSplitInsideAPartRunsWholeOnThatThread() {
        Team.setSize(2);
        AtomicIntegerArray inner = new AtomicIntegerArray(2);
        Team.split(2, 1, (part, from, to) -> {
            Thread me = Thread.currentThread();
            Team.split(50, 1, (p, f, t) -> {
                assertEquals(me, Thread.currentThread());
                assertEquals(0, f);
                assertEquals(50, t);
                inner.incrementAndGet(part);
            });
        });
        assertEquals(1, inner.get(0));
        assertEquals(1, inner.get(1));
    }

    @Test
    void sizeIsAtLeastOne() {
        assertThrows(IllegalArgumentException.class, () -> Team.setSize(0));
        Team.setSize(4);
        assertEquals(4, Team.size());
        assertTrue(Team.size() >= 1);
    }

    /** More threads than cores: workers are often not running when their part is handed out, and the caller takes it over. */
    @Test
    void everyIndexRunsExactlyOnceWhenTheCallerTakesOverParts() {
        Team.setSize(6);
        java.util.concurrent.atomic.AtomicIntegerArray counts = new java.util.concurrent.atomic.AtomicIntegerArray(600);
        java.util.Set<Thread> partZeroRunners = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Thread caller = Thread.currentThread();
        for (int round = 0; round < 3000; round++) {
            Team.split(600, 1, (part, from, to) -> {
                if (part == 0) partZeroRunners.add(Thread.currentThread());
                for (int i = from; i < to; i++) counts.incrementAndGet(i);
            });
        }
        for (int i = 0; i < 600; i++) assertEquals(3000, counts.get(i), "index " + i);
        assertEquals(java.util.Set.of(caller), partZeroRunners, "part 0 is always the caller's");
    }

    /** The caller's own part failing still waits for every other part, so none runs into the next split. */
    @Test
    void aFailureInTheCallersPartWaitsForTheOthers() {
        Team.setSize(3);
        AtomicIntegerArray done = new AtomicIntegerArray(3);
        assertThrows(IllegalStateException.class, () -> Team.split(300, 1, (part, from, to) -> {
            if (part == 0) throw new IllegalStateException("part 0 failed");
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            done.incrementAndGet(part);
        }));
        assertEquals(1, done.get(1), "part 1 finished before split returned");
        assertEquals(1, done.get(2), "part 2 finished before split returned");
    }
}
