package org.rlgrad.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The scalar forms of the unary ops, where their formula needs care. */
class ScalarMathTest {
    /**
     * atanh near ±1: against {@code 0.5 (ln(1 + |x|) - ln(1 - |x|))}, which is accurate there
     * because {@code 1 - |x|} is exact in floating point. The formula without |x| lost the
     * answer near -1 (atanh(-(1 - 1e-15)) came out -17.56 instead of -17.62).
     */
    @Test
    void atanhIsAccurateNearBothEndsAndOdd() {
        for (double a : new double[] {1 - 1e-15, 1 - 1e-12, 1 - 1e-7, 0.999, 0.5, 1e-9}) {
            // Near 0 the logarithms cancel; there the series a + a^3/3 + a^5/5 is the reference.
            double expected = a < 1e-3 ? a + a * a * a / 3 + Math.pow(a, 5) / 5 : 0.5 * (Math.log(1 + a) - Math.log(1 - a));
            assertEquals(expected, ScalarMath.atanh(a), 1e-14 * Math.abs(expected), "atanh(" + a + ")");
            assertEquals(-ScalarMath.atanh(a), ScalarMath.atanh(-a), 0.0, "atanh is odd at " + a);
        }
        assertEquals(Double.POSITIVE_INFINITY, ScalarMath.atanh(1));
        assertEquals(Double.NEGATIVE_INFINITY, ScalarMath.atanh(-1));
        assertEquals(true, Double.isNaN(ScalarMath.atanh(1.5)));
        assertEquals(-0.0, ScalarMath.atanh(-0.0), 0.0);
    }
}
