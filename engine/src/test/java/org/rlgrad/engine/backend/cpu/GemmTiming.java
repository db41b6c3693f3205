package org.rlgrad.engine.backend.cpu;

import java.util.Locale;
import java.util.Random;

/**
 * A quick timing loop for iterating on {@link Gemm} (not a test, not a benchmark of record: the
 * JMH benchmarks in {@code bench} are). Prints GFLOP/s of {@code C = A B} for square float32
 * products with a fresh C per call, the way {@code matmul_nN} in the PyTorch baseline measures.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp engine/target/classes:engine/target/test-classes \
 *     org.rlgrad.engine.backend.cpu.GemmTiming [threads] [sizes...]
 * </pre>
 */
public final class GemmTiming {
    private static final boolean REUSE = Boolean.getBoolean("reuse");
    private static float[] reusedC = new float[0];

    private static float[] reused(int n) {
        if (reusedC.length != n * n) reusedC = new float[n * n];
        return reusedC;
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int[] sizes = {64, 256, 512, 1024};
        if (args.length > 1) {
            sizes = new int[args.length - 1];
            for (int i = 1; i < args.length; i++) sizes[i - 1] = Integer.parseInt(args[i]);
        }
        CpuThreads.setThreads(threads);
        Random random = new Random(1);
        for (int n : sizes) {
            float[] a = new float[n * n], b = new float[n * n];
            for (int i = 0; i < n * n; i++) {
                a[i] = (float) random.nextGaussian();
                b[i] = (float) random.nextGaussian();
            }
            long flops = 2L * n * n * n;
            int calls = (int) Math.max(3, 4e8 / flops);
            double best = 0, sum = 0;
            int samples = 25;
            double[] rates = new double[samples], cpuRates = new double[samples];
            for (int s = 0; s < samples + 5; s++) {
                long t = System.nanoTime(), cpu = ThreadMeters.cpuNanos();
                for (int i = 0; i < calls; i++) {
                    float[] c = REUSE ? reused(n) : new float[n * n];
                    Gemm.multiply(a, 0, n, 1, b, 0, n, 1, c, 0, n, n, n, n);
                }
                double rate = (double) calls * flops / (System.nanoTime() - t);
                double cpuRate = (double) calls * flops / (ThreadMeters.cpuNanos() - cpu);
                if (s >= 5) {
                    rates[s - 5] = rate;
                    cpuRates[s - 5] = cpuRate;
                }
            }
            java.util.Arrays.sort(rates);
            java.util.Arrays.sort(cpuRates);
            // On a shared machine wall time includes other processes' slices; the calling thread's
            // CPU time does not (it is only meaningful with one thread).
            System.out.printf(Locale.ROOT, "n=%d threads=%d median %.1f GFLOP/s (%.4f ms), best %.1f; per caller CPU time: median %.1f, best %.1f%n",
                    n, threads, rates[samples / 2], flops / rates[samples / 2] / 1e6, rates[samples - 1], cpuRates[samples / 2], cpuRates[samples - 1]);
        }
    }
}
