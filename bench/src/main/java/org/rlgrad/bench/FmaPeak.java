package org.rlgrad.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The measured single-core float32 FMA peak: what one core sustains on independent fused
 * multiply-adds at the JVM's preferred vector width, with nothing to load or store. It is the
 * ceiling a matrix product can approach, so matmul figures are reported as a fraction of it.
 *
 * <p>Twelve independent accumulator chains cover the FMA latency (4 cycles) times the number of
 * FMA ports (2 on this machine's cores); each chain is {@code a = a * x + y} with
 * {@code x = 1 - 2^-20}, which converges to a finite value, so no infinities or subnormals slow
 * it down. The best of several short runs after a warm-up is the peak.
 */
final class FmaPeak {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int CHAINS = 12;

    private FmaPeak() {}

    /** GFLOP/s (2 flops per lane per FMA), best of {@code runs} runs of about {@code runMillis} each. */
    static double measure(int runs, long runMillis) {
        long iterations = 1 << 16;
        // Warm up (JIT) and calibrate the iteration count to about runMillis.
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < 300_000_000L) chains(iterations);
        long elapsed;
        do {
            long s = System.nanoTime();
            chains(iterations);
            elapsed = System.nanoTime() - s;
            if (elapsed < runMillis * 1_000_000L / 2) iterations *= 2;
        } while (elapsed < runMillis * 1_000_000L / 2);
        double best = 0;
        for (int r = 0; r < runs; r++) {
            long s = System.nanoTime();
            float sink = chains(iterations);
            long ns = System.nanoTime() - s;
            if (Float.isNaN(sink)) throw new AssertionError("FMA chains diverged");
            best = Math.max(best, 2.0 * S.length() * CHAINS * iterations / ns);
        }
        return best;
    }

    /** Lanes per vector at the preferred width (16 floats for 512-bit vectors). */
    static int lanes() {
        return S.length();
    }

    private static float chains(long iterations) {
        FloatVector x = FloatVector.broadcast(S, 1f - 0x1p-20f);
        FloatVector y = FloatVector.broadcast(S, 0x1p-10f);
        FloatVector a0 = FloatVector.broadcast(S, 1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        FloatVector a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(x, y);
            a1 = a1.fma(x, y);
            a2 = a2.fma(x, y);
            a3 = a3.fma(x, y);
            a4 = a4.fma(x, y);
            a5 = a5.fma(x, y);
            a6 = a6.fma(x, y);
            a7 = a7.fma(x, y);
            a8 = a8.fma(x, y);
            a9 = a9.fma(x, y);
            a10 = a10.fma(x, y);
            a11 = a11.fma(x, y);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
