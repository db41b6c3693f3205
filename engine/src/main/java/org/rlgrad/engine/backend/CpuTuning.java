package org.rlgrad.engine.backend;

import org.rlgrad.engine.backend.cpu.CpuThreads;
import org.rlgrad.engine.backend.cpu.PeakFlops;

/**
 * The CPU backend's thread setting and the hardware figure its speed is judged by, for
 * benchmarks and applications (the backend's own package is not exported).
 *
 * <ul>
 *   <li>{@link #setThreads(int)}: how many threads large kernels (matrix products above a
 *       work threshold) use, the caller included; also {@code -Drlgrad.threads=N}, by default the
 *       number of available processors. Small kernels always run on the calling thread.
 *   <li>{@link #measureFmaPeakGflops()}: the single-core fused multiply-add peak in float32,
 *       measured, to report a kernel's GFLOP/s as a fraction of it.
 * </ul>
 */
public final class CpuTuning {
    private CpuTuning() {}

    /** The number of threads that large CPU kernels use, the caller included. */
    public static int threads() {
        return CpuThreads.threads();
    }

    /** Sets the number of threads that large CPU kernels use, the caller included (at least 1). */
    public static void setThreads(int n) {
        CpuThreads.setThreads(n);
    }

    /**
     * Measures the single-core float32 FMA peak in GFLOP/s on the calling thread: the best of
     * several runs of many independent fused multiply-add chains on vectors of the CPU backend's
     * species (about half a second). Run it on a quiet machine; other load only lowers it.
     */
    public static double measureFmaPeakGflops() {
        return PeakFlops.measureSingleCoreGflops();
    }
}
