package org.rlgrad.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Whether memory stays flat over many {@code mlp_step} calls: the heap in use after a full
 * collection, sampled at evenly spaced checkpoints. A step that kept anything alive (a graph, a
 * gradient, optimiser state that grows) would show as a rise proportional to the step count.
 * The first checkpoint is taken after a tenth of the steps, so that one-time state (Adam's
 * moments, JIT and class data) is already there.
 */
final class MemoryCheck {
    /** Heap after GC at each checkpoint, in bytes; their spread (max - min); the verdict. */
    record Result(long steps, long[] heapAfterGc, long spread, boolean flat) {}

    /** Spread allowed between the checkpoints: the noise of a collected heap. */
    static final long TOLERANCE_BYTES = 2L << 20;

    private MemoryCheck() {}

    static Result run(long steps, int checkpoints) {
        MlpStepBench bench = new MlpStepBench();
        bench.setup();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long[] heap = new long[checkpoints];
        long every = Math.max(1, steps / checkpoints);
        long done = 0;
        double sink = 0;
        for (int c = 0; c < checkpoints; c++) {
            for (long i = 0; i < every; i++, done++) sink += bench.step().item();
            System.gc();
            System.gc();
            heap[c] = memory.getHeapMemoryUsage().getUsed();
        }
        if (Double.isNaN(sink)) throw new AssertionError("mlp_step diverged");
        long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
        for (long h : heap) {
            min = Math.min(min, h);
            max = Math.max(max, h);
        }
        return new Result(done, heap, max - min, max - min <= TOLERANCE_BYTES);
    }
}
