package org.rlgrad.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.backend.CpuTuning;

/** The CPU backend's thread pool ({@link CpuThreads}) and the FMA peak measurement ({@link PeakFlops}). */
class CpuThreadsTest {
    private final int initialThreads = CpuThreads.threads();

    @AfterEach
    void restoreThreads() {
        CpuThreads.setThreads(initialThreads);
    }

    @Test
    void everyTaskRunsExactlyOnceWhateverTheThreadCount() {
        for (int threads : new int[] {1, 2, 3, 8}) {
            CpuThreads.setThreads(threads);
            assertEquals(threads, CpuTuning.threads());
            for (int tasks : new int[] {0, 1, 2, 5, 64}) {
                AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
                for (int round = 0; round < 20; round++) CpuThreads.run(tasks, runs::incrementAndGet);
                for (int t = 0; t < tasks; t++) assertEquals(20, runs.get(t), threads + " threads, task " + t + " of " + tasks);
            }
        }
    }

    @Test
    void tasksRunOnWorkersAsWellAsTheCaller() throws InterruptedException {
        CpuThreads.setThreads(2);
        // Each task waits until both have started, so the two must run at the same time, on two threads.
        Set<Thread> ran = ConcurrentHashMap.newKeySet();
        CountDownLatch bothStarted = new CountDownLatch(2);
        CpuThreads.run(2, t -> {
            ran.add(Thread.currentThread());
            bothStarted.countDown();
            try {
                assertTrue(bothStarted.await(10, TimeUnit.SECONDS), "the second task never started");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(2, ran.size());
        assertTrue(ran.contains(Thread.currentThread()), "the caller takes tasks too");
    }

    @Test
    void aFailingTaskIsRethrownAfterTheOthersFinish() {
        CpuThreads.setThreads(3);
        AtomicIntegerArray runs = new AtomicIntegerArray(6);
        IllegalArgumentException thrown = new IllegalArgumentException("task 4 failed");
        IllegalArgumentException caught = assertThrows(IllegalArgumentException.class, () -> CpuThreads.run(6, t -> {
            runs.incrementAndGet(t);
            if (t == 4) throw thrown;
        }));
        assertSame(thrown, caught);
        for (int t = 0; t < 6; t++) assertEquals(1, runs.get(t), "task " + t);
        // The pool still works afterwards.
        AtomicIntegerArray again = new AtomicIntegerArray(4);
        CpuThreads.run(4, again::incrementAndGet);
        for (int t = 0; t < 4; t++) assertEquals(1, again.get(t));
    }

    @Test
    void aTaskThatRunsTasksRunsThemItself() {
        CpuThreads.setThreads(2);
        AtomicIntegerArray inner = new AtomicIntegerArray(3 * 4);
        CpuThreads.run(3, outer -> CpuThreads.run(4, t -> inner.incrementAndGet(outer * 4 + t)));
        for (int i = 0; i < inner.length(); i++) assertEquals(1, inner.get(i), "inner task " + i);
    }

    @Test
    void threadCountsBelowOneAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuTuning.setThreads(0));
        assertEquals("threads must be at least 1, got 0", e.getMessage());
    }

    @Test
    void peakMeasurementCountsTwoFlopsPerLaneOfEachFma() {
        // A short run: the figure only has to be a plausible positive rate; its size is the
        // benchmark's business. A vector FMA per chain and step, at least one lane each.
        double gflops = PeakFlops.measureSingleCoreGflops(200_000, 2);
        assertTrue(gflops > 0.1 && gflops < 1e5, "measured " + gflops + " GFLOP/s");
        float sum = PeakFlops.fmaChains(1000);
        assertTrue(Float.isFinite(sum) && sum > 0, "chains stay bounded: " + sum);
    }
}
