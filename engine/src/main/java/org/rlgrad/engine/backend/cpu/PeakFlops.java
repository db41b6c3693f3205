package org.rlgrad.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures the single-core fused multiply-add peak that the GEMM's efficiency is quoted against:
 * a loop of {@link #CHAINS} independent FMA chains on float vectors of the species the kernels use,
 * so that neither latency (4 cycles) nor loads limit it, only the FMA units.
 *
 * <p>On the development machine (Xeon, AVX-512, two 512-bit FMA units) it measured about 245
 * GFLOP/s float32: 2 units x 16 lanes x 2 flops x about 3.8 GHz.
 */
public final class PeakFlops {
    /** Independent accumulators: at least FMA units x latency (2 x 4 here), with room to spare. */
    static final int CHAINS = 16;
    private static final VectorSpecies<Float> S = VectorKernels.F;

    private PeakFlops() {}

    /**
     * The best of several timed runs of the FMA loop on the calling thread, in GFLOP/s (an FMA
     * counts as two), after a warm-up that lets C2 compile it. Takes about half a second.
     */
    public static double measureSingleCoreGflops() {
        return measureSingleCoreGflops(20_000_000L, 10);
    }

    /** As {@link #measureSingleCoreGflops()}, with the loop's steps per run and the number of runs. */
    static double measureSingleCoreGflops(long steps, int runs) {
        float sink = 0;
        for (int i = 0; i < 3; i++) sink += fmaChains(steps / 10);
        double best = 0;
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            sink += fmaChains(steps);
            long elapsed = Math.max(1, System.nanoTime() - start);
            best = Math.max(best, (double) steps * CHAINS * S.length() * 2 / elapsed);
        }
        // The sum depends on every chain; using it keeps the loop from being removed.
        if (Float.isNaN(sink)) throw new IllegalStateException("FMA chains overflowed");
        return best;
    }

    /** {@code steps} rounds of {@link #CHAINS} independent {@code c = a * b + c}; returns a sum of the chains. */
    static float fmaChains(long steps) {
        FloatVector a = FloatVector.broadcast(S, 0.999999f), b = FloatVector.broadcast(S, 1e-7f);
        FloatVector c0 = FloatVector.broadcast(S, 1), c1 = c0.add(1), c2 = c0.add(2), c3 = c0.add(3);
        FloatVector c4 = c0.add(4), c5 = c0.add(5), c6 = c0.add(6), c7 = c0.add(7);
        FloatVector c8 = c0.add(8), c9 = c0.add(9), c10 = c0.add(10), c11 = c0.add(11);
        FloatVector c12 = c0.add(12), c13 = c0.add(13), c14 = c0.add(14), c15 = c0.add(15);
        for (long i = 0; i < steps; i++) {
            // c * a + b stays bounded (it converges to b / (1 - a)), so the chains never overflow.
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b);
            c4 = c4.fma(a, b); c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b);
            c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
            c12 = c12.fma(a, b); c13 = c13.fma(a, b); c14 = c14.fma(a, b); c15 = c15.fma(a, b);
        }
        return c0.add(c1).add(c2.add(c3)).add(c4.add(c5).add(c6.add(c7)))
                .add(c8.add(c9).add(c10.add(c11)).add(c12.add(c13).add(c14.add(c15))))
                .reduceLanes(VectorOperators.ADD);
    }
}
