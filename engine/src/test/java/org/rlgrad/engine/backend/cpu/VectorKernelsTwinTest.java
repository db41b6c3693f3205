package org.rlgrad.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.backend.BinaryOp;
import org.rlgrad.engine.backend.ReduceOp;
import org.rlgrad.engine.backend.UnaryOp;

/**
 * Every SIMD kernel in {@link VectorKernels} against its plain-loop twin in {@link PlainKernels},
 * for float and double, every length from 0 up to past four full vectors (so the four-accumulator
 * body, the single-vector loop and the scalar tail all run), at several offsets into the arrays.
 *
 * <p>Elementwise kernels must agree bit for bit (including NaN, infinities and signed zeros);
 * sums may differ in rounding because the SIMD order of addition differs. Each test counts the
 * (kernel, dtype, length) combinations it checked and asserts the number, so it cannot pass by
 * checking nothing.
 *
 * <p>The lengths are chosen from the preferred vector width, so tails are covered whatever it
 * is. To also run the kernels at a narrower width (more iterations of the vector loop per row,
 * different tail lengths), run {@code mvn -pl engine test -Dtest=VectorKernelsTwinTest
 * -DargLine="--add-modules=jdk.incubator.vector -Drlgrad.vectorBits=128"}.
 */
class VectorKernelsTwinTest {
    /** One past four full vectors of the narrowest lane type, plus a few tail lengths. */
    private static final int MAX_LENGTH = Math.max(67, 5 * VectorKernels.F.length() + 3);
    private static final int LENGTHS = MAX_LENGTH + 1;
    /** Offsets into x, y and out: aligned, misaligned, and a different offset per operand. */
    private static final int[][] OFFSETS = {{0, 0, 0}, {1, 3, 2}, {5, 0, 7}, {3, 3, 3}};
    private static final int PAD = 8;

    private static final BinaryOp[] BINARY = {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.MAXIMUM, BinaryOp.MINIMUM};
    private static final UnaryOp[] UNARY = {
        UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SQUARE, UnaryOp.ONE_MINUS_SQUARE, UnaryOp.SQRT, UnaryOp.AFFINE, UnaryOp.RELU,
        UnaryOp.RECIPROCAL};
    /** Transcendental kernels: the vector math library, a few ulps from the scalar definition. */
    private static final UnaryOp[] APPROXIMATE = {
        UnaryOp.EXP, UnaryOp.EXPM1, UnaryOp.LOG, UnaryOp.LOG1P, UnaryOp.TANH, UnaryOp.SIN, UnaryOp.COS, UnaryOp.SIGMOID};
    private static final ReduceOp[] REDUCE = {ReduceOp.SUM, ReduceOp.MAX, ReduceOp.MIN};

    private final Random random = new Random(20240611L);

    @Test
    void lengthsCoverTheUnrolledBodyAndTailsAtThePreferredWidth() {
        // reduce(SUM) has a body of 4 vectors, then single vectors, then scalars: all must run.
        assertTrue(MAX_LENGTH >= 4 * VectorKernels.F.length() + VectorKernels.F.length() + 1,
                "float lanes " + VectorKernels.F.length() + ", max length " + MAX_LENGTH);
        assertTrue(MAX_LENGTH >= 4 * VectorKernels.D.length() + VectorKernels.D.length() + 1,
                "double lanes " + VectorKernels.D.length() + ", max length " + MAX_LENGTH);
    }

    @Test
    void binaryKernelsMatchTheirTwinsExactly() {
        int checked = 0;
        for (BinaryOp op : BINARY) {
            for (boolean yScalar : new boolean[] {false, true}) {
                for (int n = 0; n <= MAX_LENGTH; n++) {
                    for (int[] off : OFFSETS) {
                        float[] xf = floats(n + PAD), yf = floats(n + PAD);
                        double[] xd = doubles(n + PAD), yd = doubles(n + PAD);
                        float[] fastF = sentinelFloats(n + PAD), plainF = sentinelFloats(n + PAD);
                        double[] fastD = sentinelDoubles(n + PAD), plainD = sentinelDoubles(n + PAD);
                        assertTrue(VectorKernels.binary(op, xf, off[0], yf, off[1], yScalar, fastF, off[2], n));
                        assertTrue(PlainKernels.binary(op, xf, off[0], yf, off[1], yScalar, plainF, off[2], n));
                        assertTrue(VectorKernels.binary(op, xd, off[0], yd, off[1], yScalar, fastD, off[2], n));
                        assertTrue(PlainKernels.binary(op, xd, off[0], yd, off[1], yScalar, plainD, off[2], n));
                        String what = op + (yScalar ? " (scalar y)" : "") + " n=" + n + " offsets=" + Arrays.toString(off);
                        assertSameBits(plainF, fastF, "float " + what);
                        assertSameBits(plainD, fastD, "double " + what);
                    }
                    checked += 2; // float and double
                }
            }
        }
        assertEquals(BINARY.length * 2 * 2 * LENGTHS, checked);
    }

    /** Comparisons with NaN and signed zeros among the inputs (and ties: y reuses some of x's values). */
    @Test
    void comparisonsMatchTheirTwinsExactly() {
        int checked = 0;
        for (BinaryOp op : new BinaryOp[] {BinaryOp.LT, BinaryOp.LE, BinaryOp.GT, BinaryOp.GE, BinaryOp.EQ, BinaryOp.NE}) {
            for (boolean yScalar : new boolean[] {false, true}) {
                for (int n = 0; n <= MAX_LENGTH; n++) {
                    for (int[] off : OFFSETS) {
                        float[] xf = floats(n + PAD), yf = floats(n + PAD);
                        double[] xd = doubles(n + PAD), yd = doubles(n + PAD);
                        for (int i = 0; i < n + PAD; i += 3) {
                            yf[i] = xf[(i + 1) % (n + PAD)];
                            yd[i] = xd[(i + 1) % (n + PAD)];
                        }
                        boolean[] fastF = new boolean[n + PAD], plainF = new boolean[n + PAD], fastD = new boolean[n + PAD], plainD = new boolean[n + PAD];
                        assertTrue(VectorKernels.compare(op, xf, off[0], yf, off[1], yScalar, fastF, off[2], n));
                        assertTrue(PlainKernels.compare(op, xf, off[0], yf, off[1], yScalar, plainF, off[2], n));
                        assertTrue(VectorKernels.compare(op, xd, off[0], yd, off[1], yScalar, fastD, off[2], n));
                        assertTrue(PlainKernels.compare(op, xd, off[0], yd, off[1], yScalar, plainD, off[2], n));
                        String what = op + (yScalar ? " (scalar y)" : "") + " n=" + n + " offsets=" + Arrays.toString(off);
                        assertArrayEquals(plainF, fastF, "float " + what);
                        assertArrayEquals(plainD, fastD, "double " + what);
                    }
                    checked += 2;
                }
            }
        }
        assertEquals(6 * 2 * 2 * LENGTHS, checked);
        assertFalse(VectorKernels.compare(BinaryOp.ADD, new float[1], 0, new float[1], 0, false, new boolean[1], 0, 1));
    }

    @Test
    void whereMatchesItsTwinExactly() {
        int checked = 0;
        for (int scalars = 0; scalars < 4; scalars++) {
            boolean xScalar = (scalars & 1) != 0, yScalar = (scalars & 2) != 0;
            for (int n = 0; n <= MAX_LENGTH; n++) {
                for (int[] off : OFFSETS) {
                    boolean[] c = new boolean[n + PAD];
                    for (int i = 0; i < c.length; i++) c[i] = random.nextBoolean();
                    float[] xf = floats(n + PAD), yf = floats(n + PAD), fastF = sentinelFloats(n + PAD), plainF = sentinelFloats(n + PAD);
                    double[] xd = doubles(n + PAD), yd = doubles(n + PAD), fastD = sentinelDoubles(n + PAD), plainD = sentinelDoubles(n + PAD);
                    VectorKernels.where(c, off[2], xf, off[0], xScalar, yf, off[1], yScalar, fastF, off[2], n);
                    PlainKernels.where(c, off[2], xf, off[0], xScalar, yf, off[1], yScalar, plainF, off[2], n);
                    VectorKernels.where(c, off[2], xd, off[0], xScalar, yd, off[1], yScalar, fastD, off[2], n);
                    PlainKernels.where(c, off[2], xd, off[0], xScalar, yd, off[1], yScalar, plainD, off[2], n);
                    String what = "where, scalars " + scalars + " n=" + n + " offsets=" + Arrays.toString(off);
                    assertSameBits(plainF, fastF, "float " + what);
                    assertSameBits(plainD, fastD, "double " + what);
                }
                checked += 2;
            }
        }
        assertEquals(4 * 2 * LENGTHS, checked);
    }

    @Test
    void unaryKernelsMatchTheirTwinsExactly() {
        int checked = 0;
        double p = 0.3, q = -1.7; // AFFINE: p x + q
        for (UnaryOp op : UNARY) {
            for (int n = 0; n <= MAX_LENGTH; n++) {
                for (int[] off : OFFSETS) {
                    float[] xf = floats(n + PAD);
                    double[] xd = doubles(n + PAD);
                    float[] fastF = sentinelFloats(n + PAD), plainF = sentinelFloats(n + PAD);
                    double[] fastD = sentinelDoubles(n + PAD), plainD = sentinelDoubles(n + PAD);
                    assertTrue(VectorKernels.unary(op, p, q, xf, off[0], fastF, off[2], n));
                    assertTrue(PlainKernels.unary(op, p, q, xf, off[0], plainF, off[2], n));
                    assertTrue(VectorKernels.unary(op, p, q, xd, off[0], fastD, off[2], n));
                    assertTrue(PlainKernels.unary(op, p, q, xd, off[0], plainD, off[2], n));
                    String what = op + " n=" + n + " offsets=" + Arrays.toString(off);
                    assertSameBits(plainF, fastF, "float " + what);
                    assertSameBits(plainD, fastD, "double " + what);
                }
                checked += 2;
            }
        }
        assertEquals(UNARY.length * 2 * LENGTHS, checked);
    }

    @Test
    void reductionsMatchTheirTwins() {
        int checked = 0;
        for (ReduceOp op : REDUCE) {
            for (int n = 0; n <= MAX_LENGTH; n++) {
                for (int[] off : OFFSETS) {
                    float[] xf = floats(n + PAD);
                    double[] xd = doubles(n + PAD);
                    String what = op + " n=" + n + " offset=" + off[0];
                    double fastF = VectorKernels.reduce(op, xf, off[0], n), plainF = PlainKernels.reduce(op, xf, off[0], n);
                    double fastD = VectorKernels.reduce(op, xd, off[0], n), plainD = PlainKernels.reduce(op, xd, off[0], n);
                    if (op == ReduceOp.SUM) {
                        // The SIMD sum adds in another order (and in float lanes for float32):
                        // allow the rounding of n additions relative to the sum of magnitudes.
                        double scaleF = 0, scaleD = 0;
                        for (int i = 0; i < n; i++) {
                            scaleF += Math.abs(xf[off[0] + i]);
                            scaleD += Math.abs(xd[off[0] + i]);
                        }
                        assertSumClose(plainF, fastF, n * 0x1p-23 * scaleF, "float " + what);
                        assertSumClose(plainD, fastD, n * 0x1p-52 * scaleD, "double " + what);
                        if (n == 0) {
                            assertEquals(0.0, fastF, 0, what);
                            assertEquals(0.0, fastD, 0, what);
                        }
                    } else {
                        assertEquals(Double.doubleToLongBits(plainF), Double.doubleToLongBits(fastF), "float " + what);
                        assertEquals(Double.doubleToLongBits(plainD), Double.doubleToLongBits(fastD), "double " + what);
                    }
                }
                checked += 2;
            }
        }
        assertEquals(REDUCE.length * 2 * LENGTHS, checked);
    }

    @Test
    void sumsOfExactlyRepresentableValuesAreExact() {
        // Small integers add exactly in any order, so here the SIMD sum must equal the loop exactly.
        int checked = 0;
        for (int n = 0; n <= MAX_LENGTH; n++) {
            float[] xf = new float[n + 1];
            double[] xd = new double[n + 1];
            for (int i = 0; i < n; i++) {
                xf[i + 1] = random.nextInt(201) - 100;
                xd[i + 1] = xf[i + 1];
            }
            assertEquals(PlainKernels.reduce(ReduceOp.SUM, xf, 1, n), VectorKernels.reduce(ReduceOp.SUM, xf, 1, n), 0, "float n=" + n);
            assertEquals(PlainKernels.reduce(ReduceOp.SUM, xd, 1, n), VectorKernels.reduce(ReduceOp.SUM, xd, 1, n), 0, "double n=" + n);
            checked += 2;
        }
        assertEquals(2 * LENGTHS, checked);
    }

    @Test
    void reductionsPropagateNaN() {
        int checked = 0;
        for (ReduceOp op : REDUCE) {
            for (int n = 1; n <= MAX_LENGTH; n++) {
                int at = random.nextInt(n);
                float[] xf = floats(n);
                double[] xd = doubles(n);
                xf[at] = Float.NaN;
                xd[at] = Double.NaN;
                assertTrue(Double.isNaN(VectorKernels.reduce(op, xf, 0, n)), op + " float n=" + n);
                assertTrue(Double.isNaN(VectorKernels.reduce(op, xd, 0, n)), op + " double n=" + n);
                checked += 2;
            }
        }
        assertEquals(REDUCE.length * 2 * MAX_LENGTH, checked);
    }

    @Test
    void axpyMatchesItsTwinExactly() {
        // Both sides use a fused multiply-add per element, so they round identically.
        int checked = 0;
        for (int n = 0; n <= MAX_LENGTH; n++) {
            for (int[] off : OFFSETS) {
                float s = (float) random.nextGaussian();
                float[] bf = floats(n + PAD), cf = floats(n + PAD);
                float[] fastF = cf.clone(), plainF = cf.clone();
                VectorKernels.axpy(s, bf, off[0], fastF, off[2], n);
                PlainKernels.axpy(s, bf, off[0], plainF, off[2], n);
                double[] bd = doubles(n + PAD), cd = doubles(n + PAD);
                double[] fastD = cd.clone(), plainD = cd.clone();
                VectorKernels.axpy(s, bd, off[0], fastD, off[2], n);
                PlainKernels.axpy(s, bd, off[0], plainD, off[2], n);
                String what = "axpy n=" + n + " offsets=" + Arrays.toString(off);
                assertSameBits(plainF, fastF, "float " + what);
                assertSameBits(plainD, fastD, "double " + what);
            }
            checked += 2;
        }
        assertEquals(2 * LENGTHS, checked);
    }

    @Test
    void shiftedExponentialsMatchTheirTwinsToAFewUlps() {
        // The SIMD exp is the platform's vector math library, not Math.exp: a few ulps apart.
        int checked = 0;
        for (int n = 0; n <= MAX_LENGTH; n++) {
            for (int[] off : OFFSETS) {
                float[] xf = new float[n + PAD];
                double[] xd = new double[n + PAD];
                for (int i = 0; i < xf.length; i++) {
                    xd[i] = random.nextGaussian() * 10;
                    xf[i] = (float) xd[i];
                }
                double shift = random.nextGaussian();
                float[] fastF = sentinelFloats(n + PAD), plainF = sentinelFloats(n + PAD);
                double sumFastF = VectorKernels.expShifted(xf, off[0], shift, fastF, off[2], n);
                double sumPlainF = PlainKernels.expShifted(xf, off[0], shift, plainF, off[2], n);
                double[] fastD = sentinelDoubles(n + PAD), plainD = sentinelDoubles(n + PAD);
                double sumFastD = VectorKernels.expShifted(xd, off[0], shift, fastD, off[2], n);
                double sumPlainD = PlainKernels.expShifted(xd, off[0], shift, plainD, off[2], n);
                String what = "expShifted n=" + n + " offsets=" + Arrays.toString(off);
                for (int i = 0; i < n + PAD; i++) {
                    assertEquals(plainF[i], fastF[i], 4 * Math.ulp(plainF[i]), "float " + what + " at " + i);
                    assertEquals(plainD[i], fastD[i], 4 * Math.ulp(plainD[i]), "double " + what + " at " + i);
                }
                assertEquals(sumPlainF, sumFastF, 1e-5 * Math.abs(sumPlainF), "float sum " + what);
                assertEquals(sumPlainD, sumFastD, 1e-13 * Math.abs(sumPlainD), "double sum " + what);
            }
            checked += 2;
        }
        assertEquals(2 * LENGTHS, checked);
    }

    @Test
    void transcendentalKernelsAreWithinAFewUlpsOfTheScalarDefinition() {
        int checked = 0;
        for (UnaryOp op : APPROXIMATE) {
            for (int n = 0; n <= MAX_LENGTH; n++) {
                for (int[] off : OFFSETS) {
                    float[] xf = floats(n + PAD);
                    double[] xd = doubles(n + PAD);
                    float[] fastF = sentinelFloats(n + PAD), plainF = sentinelFloats(n + PAD);
                    double[] fastD = sentinelDoubles(n + PAD), plainD = sentinelDoubles(n + PAD);
                    assertTrue(VectorKernels.unary(op, 0, 0, xf, off[0], fastF, off[2], n));
                    assertTrue(PlainKernels.unary(op, 0, 0, xf, off[0], plainF, off[2], n));
                    assertTrue(VectorKernels.unary(op, 0, 0, xd, off[0], fastD, off[2], n));
                    assertTrue(PlainKernels.unary(op, 0, 0, xd, off[0], plainD, off[2], n));
                    String what = op + " n=" + n + " offsets=" + Arrays.toString(off);
                    for (int i = 0; i < n + PAD; i++) {
                        assertUlps(plainF[i], fastF[i], "float " + what + " at " + i);
                        assertUlps(plainD[i], fastD[i], "double " + what + " at " + i);
                    }
                }
                checked += 2;
            }
        }
        assertEquals(APPROXIMATE.length * 2 * LENGTHS, checked);
    }

    /** Equal non-finite values, or finite ones within 4 ulps (an absolute 1e-300 floor near 0). */
    private static void assertUlps(double expected, double actual, String what) {
        if (!Double.isFinite(expected) || !Double.isFinite(actual)) {
            assertEquals(expected, actual, what);
            return;
        }
        assertEquals(expected, actual, Math.max(4 * Math.ulp(expected), 1e-300), what);
    }

    private static void assertUlps(float expected, float actual, String what) {
        if (!Float.isFinite(expected) || !Float.isFinite(actual)) {
            assertEquals(expected, actual, what);
            return;
        }
        assertEquals(expected, actual, Math.max(4 * Math.ulp(expected), Float.MIN_NORMAL), what);
    }

    @Test
    void opsWithoutAFastPathAreDeclinedByBothTwins() {
        float[] xf = floats(20), outF = new float[20];
        double[] xd = doubles(20), outD = new double[20];
        int declined = 0;
        for (BinaryOp op : BinaryOp.values()) {
            if (Arrays.asList(BINARY).contains(op)) continue;
            assertFalse(VectorKernels.binary(op, xf, 0, xf, 0, false, outF, 0, 20), op.toString());
            assertFalse(PlainKernels.binary(op, xf, 0, xf, 0, false, outF, 0, 20), op.toString());
            assertFalse(VectorKernels.binary(op, xd, 0, xd, 0, false, outD, 0, 20), op.toString());
            assertFalse(PlainKernels.binary(op, xd, 0, xd, 0, false, outD, 0, 20), op.toString());
            declined++;
        }
        for (UnaryOp op : UnaryOp.values()) {
            if (Arrays.asList(UNARY).contains(op) || Arrays.asList(APPROXIMATE).contains(op)) continue;
            assertFalse(VectorKernels.unary(op, 1, 0, xf, 0, outF, 0, 20), op.toString());
            assertFalse(PlainKernels.unary(op, 1, 0, xf, 0, outF, 0, 20), op.toString());
            assertFalse(VectorKernels.unary(op, 1, 0, xd, 0, outD, 0, 20), op.toString());
            assertFalse(PlainKernels.unary(op, 1, 0, xd, 0, outD, 0, 20), op.toString());
            declined++;
        }
        assertEquals(BinaryOp.values().length - BINARY.length + UnaryOp.values().length - UNARY.length - APPROXIMATE.length, declined);
        assertTrue(Arrays.equals(new float[20], outF) && Arrays.equals(new double[20], outD), "a declined kernel wrote output");
    }

    @Test
    void doubleKernelsAgreeWithTheScalarDefinition() {
        // ScalarMath is the definition every generic (strided) loop uses; in float64 the fast
        // paths must give the very same numbers, or results would depend on memory layout.
        int checked = 0;
        for (int n = 0; n <= MAX_LENGTH; n++) {
            double[] x = doubles(n), y = doubles(n), out = new double[n];
            for (BinaryOp op : BINARY) {
                VectorKernels.binary(op, x, 0, y, 0, false, out, 0, n);
                for (int i = 0; i < n; i++) {
                    assertEquals(ScalarMath.binary(op).applyAsDouble(x[i], y[i]), out[i], 0, op + " n=" + n + " i=" + i);
                }
                checked++;
            }
            for (UnaryOp op : UNARY) {
                VectorKernels.unary(op, 0.3, -1.7, x, 0, out, 0, n);
                for (int i = 0; i < n; i++) {
                    assertEquals(ScalarMath.unary(op, 0.3, -1.7).applyAsDouble(x[i]), out[i], 0, op + " n=" + n + " i=" + i);
                }
                checked++;
            }
        }
        assertEquals((BINARY.length + UNARY.length) * LENGTHS, checked);
    }

    // ------------------------------------------------------------------ data

    /** Gaussian values with a sprinkling of zeros, negative zeros, infinities and NaN. */
    private float[] floats(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) special(random.nextGaussian() * 4);
        return v;
    }

    private double[] doubles(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = special(random.nextGaussian() * 4);
        return v;
    }

    private double special(double v) {
        return switch (random.nextInt(40)) {
            case 0 -> 0.0;
            case 1 -> -0.0;
            case 2 -> Double.POSITIVE_INFINITY;
            case 3 -> Double.NaN;
            default -> v;
        };
    }

    /** Output arrays start filled with a marker, so a kernel that writes outside [o, o + n) is caught. */
    private static float[] sentinelFloats(int n) {
        float[] v = new float[n];
        Arrays.fill(v, 12345.0f);
        return v;
    }

    private static double[] sentinelDoubles(int n) {
        double[] v = new double[n];
        Arrays.fill(v, 12345.0);
        return v;
    }

    /** Within {@code tolerance}; a row holding NaN or an infinity must give exactly the same NaN or infinity. */
    private static void assertSumClose(double expected, double actual, double tolerance, String what) {
        if (!Double.isFinite(tolerance)) assertEquals(expected, actual, what);
        else assertEquals(expected, actual, tolerance, what);
    }

    private static void assertSameBits(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                throw new AssertionError(what + ": at " + i + " expected " + expected[i] + " but was " + actual[i]);
            }
        }
    }

    private static void assertSameBits(double[] expected, double[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToLongBits(expected[i]) != Double.doubleToLongBits(actual[i])) {
                throw new AssertionError(what + ": at " + i + " expected " + expected[i] + " but was " + actual[i]);
            }
        }
    }
}
