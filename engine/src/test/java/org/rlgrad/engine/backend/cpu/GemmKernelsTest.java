package org.rlgrad.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The blocked GEMMs ({@link FloatGemm}, {@link DoubleGemm}, reached through {@link Gemm}) against
 * their plain-loop twin {@link PlainGemm}, on the raw arrays: sizes on both sides of every tile
 * and block edge (MR, the 4-row tail, NR, KC, MC), operands contiguous, transposed, strided and
 * flipped, one and several threads. The blocked paths keep the twin's summation order, so they
 * must agree bit for bit; the dot-product path (very narrow products) within rounding.
 *
 * <p>The sizes derive from the tile constants, so they follow the vector width. To run the
 * kernels at a narrower width (other NR, other tails) and on three threads, run
 * {@code JAVA_TOOL_OPTIONS="-Drlgrad.vectorBits=128 -Drlgrad.threads=3" mvn -pl engine test
 * -Dtest='Gemm*Test'} (the pom sets surefire's argLine, so {@code -DargLine} would not reach the
 * test JVM).
 */
class GemmKernelsTest {
    private static final int MR = Gemm.MR, TAIL = FloatGemm.TAIL_ROWS;
    /** Layouts of an operand: how a logical [rows x cols] matrix sits in its array. */
    private static final String[] LAYOUTS = {"contiguous", "transposed", "strided", "flipped"};

    private final Random random = new Random(42);
    private final int initialThreads = CpuThreads.threads();

    @AfterEach
    void restoreThreads() {
        CpuThreads.setThreads(initialThreads);
    }

    @Test
    void blockedProductsMatchThePlainLoopBitForBitAcrossTileEdges() {
        int[] rows = {5, MR - 1, MR, MR + 1, MR + TAIL, 2 * MR + TAIL + 1, Gemm.MC - 1, Gemm.MC + MR + 3};
        int[] inner = {1, 7, Gemm.KC - 1, Gemm.KC, Gemm.KC + 1, 2 * Gemm.KC + 5};
        int checked = 0, pair = 0, shapes = 0;
        boolean[] seen = new boolean[8];
        for (boolean dbl : new boolean[] {false, true}) {
            int nr = dbl ? DoubleGemm.NR : FloatGemm.NR;
            int[] cols = {5, nr - 1, nr, nr + 1, 2 * nr, 4 * nr + 1, 5 * nr};
            for (int m : rows) {
                for (int k : inner) {
                    for (int n : cols) {
                        int la = pair % LAYOUTS.length, lb = (pair / LAYOUTS.length) % LAYOUTS.length;
                        pair++;
                        shapes++;
                        Operand a = operand(m, k, la), b = operand(k, n, lb);
                        if (Gemm.usesDotProducts(m, n, b.rs)) continue;
                        seen[0] |= Gemm.readsAInPlace(a.cs, n, nr);
                        seen[1] |= !Gemm.readsAInPlace(a.cs, n, nr);
                        seen[2] |= Gemm.readsBInPlace(m, Math.min(k, Gemm.KC), n, b.rs, b.cs);
                        seen[3] |= !Gemm.readsBInPlace(m, Math.min(k, Gemm.KC), n, b.rs, b.cs);
                        seen[4] |= m % MR != 0;
                        seen[5] |= n % nr != 0;
                        seen[6] |= k > Gemm.KC;
                        seen[7] |= m > Gemm.MC;
                        assertSameAsPlain(a, b, m, k, n, dbl, 0);
                        checked++;
                    }
                }
            }
        }
        // Some narrow shapes take the dot-product path instead (more of them at narrow vector widths).
        assertTrue(2 * checked >= shapes, "checked " + checked + " of " + shapes);
        for (int i = 0; i < seen.length; i++) assertTrue(seen[i], "case " + i + " never ran");
    }

    @Test
    void everyLayoutPairMatchesThePlainLoop() {
        int checked = 0;
        for (boolean dbl : new boolean[] {false, true}) {
            for (int la = 0; la < LAYOUTS.length; la++) {
                for (int lb = 0; lb < LAYOUTS.length; lb++) {
                    assertSameAsPlain(operand(2 * MR + 3, 40, la), operand(40, 70, lb), 2 * MR + 3, 40, 70, dbl, 0);
                    assertSameAsPlain(operand(7, Gemm.KC + 3, la), operand(Gemm.KC + 3, 9, lb), 7, Gemm.KC + 3, 9, dbl, 0);
                    checked += 2;
                }
            }
        }
        assertEquals(2 * 2 * LAYOUTS.length * LAYOUTS.length, checked);
    }

    @Test
    void narrowProductsTakeDotProductsWithinRounding() {
        int checked = 0;
        for (boolean dbl : new boolean[] {false, true}) {
            for (int lb = 0; lb < LAYOUTS.length; lb++) {
                for (int[] s : new int[][] {{1, 1, 1}, {3, 70, 1}, {100, 33, 4}, {MR + 1, 200, 2}}) {
                    Operand a = operand(s[0], s[1], (lb + 1) % LAYOUTS.length), b = operand(s[1], s[2], lb);
                    assertTrue(Gemm.usesDotProducts(s[0], s[2], b.rs));
                    assertSameAsPlain(a, b, s[0], s[1], s[2], dbl, 4);
                    checked++;
                }
                // Few rows and B's columns contiguous (x W^T for a single observation).
                Operand a = operand(2, 90, lb), b = operand(90, 50, 1);
                assertTrue(Gemm.usesDotProducts(2, 50, b.rs));
                assertSameAsPlain(a, b, 2, 90, 50, dbl, 4);
                checked++;
            }
        }
        assertEquals(2 * LAYOUTS.length * 5, checked);
    }

    @Test
    void anEmptyInnerDimensionWritesZeros() {
        for (boolean dbl : new boolean[] {false, true}) {
            Operand a = operand(MR + 2, 0, 0), b = operand(0, 40, 0);
            double[] got = product(a, b, MR + 2, 0, 40, dbl, true);
            for (double v : got) assertEquals(0.0, v);
        }
    }

    @Test
    void threadsSplitTheWorkWithoutChangingOneBit() {
        int[][] shapes = {{300, 200, 70}, {70, 130, 300}, {64, 64, 64}, {257, Gemm.KC + 9, 3}, {3, 100, 500}, {MR * 3, 20, 1000}};
        int checked = 0;
        for (boolean dbl : new boolean[] {false, true}) {
            for (int[] s : shapes) {
                Operand a = operand(s[0], s[1], checked % 2), b = operand(s[1], s[2], (checked / 2) % 2);
                CpuThreads.setThreads(1);
                double[] one = product(a, b, s[0], s[1], s[2], dbl, true);
                for (int threads : new int[] {2, 3, 5}) {
                    CpuThreads.setThreads(threads);
                    double[] many = product(a, b, s[0], s[1], s[2], dbl, true);
                    for (int i = 0; i < one.length; i++) {
                        if (Double.doubleToRawLongBits(one[i]) != Double.doubleToRawLongBits(many[i])) {
                            fail(Arrays.toString(s) + " on " + threads + " threads: element " + i + " = " + many[i] + ", one thread gave " + one[i]);
                        }
                    }
                }
                checked++;
            }
        }
        assertEquals(2 * shapes.length, checked);
    }

    @Test
    void packingBuffersAreReusedSoASteadyProductAllocatesNothing() {
        // C2 compiles vectors of 128 bits and more to SIMD registers; narrower ones stay boxed objects.
        assumeTrue(VectorKernels.F.vectorBitSize() >= 128 && VectorKernels.D.vectorBitSize() >= 128,
                "vectors of " + VectorKernels.F.vectorBitSize() + " bits are not compiled to SIMD registers");
        CpuThreads.setThreads(1);
        float[] a = new float[200 * 300], b = new float[300 * 150], c = new float[200 * 150];
        Arrays.fill(a, 0.5f);
        Arrays.fill(b, 0.25f);
        // The JIT needs a while before the vectors in the kernels stop being boxed objects; a
        // product that allocates nothing must come within the budget, and then stay so.
        long allocated = -1;
        for (int round = 0; round < 400 && allocated != 0; round++) {
            long before = ThreadMeters.allocatedBytes();
            for (int i = 0; i < 5; i++) Gemm.multiply(a, 0, 300, 1, b, 0, 150, 1, c, 0, 150, 200, 300, 150);
            allocated = ThreadMeters.allocatedBytes() - before;
        }
        assertEquals(0, allocated, "bytes allocated by 5 products of [200 x 300] x [300 x 150] once warm");
    }

    @Test
    void doubleGemmIsGeneratedFromFloatGemm() throws IOException {
        String expected = GemmSources.doubleGemmFrom(Files.readString(GemmSources.source("FloatGemm")));
        String actual = Files.readString(GemmSources.source("DoubleGemm"));
        assertEquals(expected, actual, "DoubleGemm.java is stale: regenerate it with GemmSources (see its comment)");
    }

    // ------------------------------------------------------------------ helpers

    /** A logical [rows x cols] matrix laid out in {@code values} at an offset with strides. */
    private record Operand(double[] values, int off, int rs, int cs, int rows, int cols) {
        double get(int i, int j) {
            return values[off + i * rs + j * cs];
        }
    }

    /**
     * A random matrix in the given layout, with NaN in every array slot outside the view so that
     * a read outside it poisons the result.
     */
    private Operand operand(int rows, int cols, int layout) {
        int size = rows * cols;
        double[] v = new double[2 * size + 7];
        Arrays.fill(v, Double.NaN);
        Operand o = switch (layout) {
            case 0 -> new Operand(v, 3, cols, 1, rows, cols);
            case 1 -> new Operand(v, 3, 1, rows, rows, cols);
            case 2 -> new Operand(v, 5, 2 * cols, 1, rows, cols); // every other row of a wider matrix
            case 3 -> new Operand(v, 1 + Math.max(0, (rows - 1) * cols), -cols, 1, rows, cols); // rows in reverse
            default -> throw new IllegalArgumentException("layout " + layout);
        };
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) v[o.off + i * o.rs + j * o.cs] = (float) random.nextGaussian();
        }
        return o;
    }

    /**
     * C = A B through {@link Gemm} (or the plain twin), in float32 or float64, widened to double.
     * C starts as NaN: every element must be written.
     */
    private static double[] product(Operand a, Operand b, int m, int k, int n, boolean dbl, boolean blocked) {
        if (dbl) {
            double[] c = new double[m * n];
            Arrays.fill(c, Double.NaN);
            if (blocked) Gemm.multiply(a.values, a.off, a.rs, a.cs, b.values, b.off, b.rs, b.cs, c, 0, n, m, k, n);
            else PlainGemm.multiply(a.values, a.off, a.rs, a.cs, b.values, b.off, b.rs, b.cs, c, 0, n, m, k, n);
            return c;
        }
        float[] af = toFloat(a.values), bf = toFloat(b.values), c = new float[m * n];
        Arrays.fill(c, Float.NaN);
        if (blocked) Gemm.multiply(af, a.off, a.rs, a.cs, bf, b.off, b.rs, b.cs, c, 0, n, m, k, n);
        else PlainGemm.multiply(af, a.off, a.rs, a.cs, bf, b.off, b.rs, b.cs, c, 0, n, m, k, n);
        double[] out = new double[c.length];
        for (int i = 0; i < c.length; i++) out[i] = c[i];
        return out;
    }

    /**
     * Compares {@link Gemm} with {@link PlainGemm}: bit for bit when {@code ulps} is 0, else within
     * {@code ulps * (k + 1)} roundings of {@code sum_p |a_ip b_pj|}.
     */
    private static void assertSameAsPlain(Operand a, Operand b, int m, int k, int n, boolean dbl, int ulps) {
        double[] got = product(a, b, m, k, n, dbl, true), want = product(a, b, m, k, n, dbl, false);
        String what = (dbl ? "float64" : "float32") + " [" + m + " x " + k + "] x [" + k + " x " + n + "]";
        double eps = dbl ? 0x1p-52 : 0x1p-23;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double g = got[i * n + j], w = want[i * n + j];
                boolean ok;
                if (ulps == 0) {
                    ok = Double.doubleToRawLongBits(g) == Double.doubleToRawLongBits(w);
                } else {
                    double scale = 0;
                    for (int p = 0; p < k; p++) scale += Math.abs(a.get(i, p) * b.get(p, j));
                    ok = Math.abs(g - w) <= ulps * (k + 1) * eps * scale;
                }
                if (!ok) fail(what + ": C[" + i + "][" + j + "] = " + g + ", the plain loop gives " + w);
            }
        }
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }
}
