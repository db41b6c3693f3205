package org.rlgrad.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * {@link SpecialFunctions} against values known independently of it: closed forms (Gamma at
 * half-integers, digamma and trigamma at rational points), tables (Abramowitz and Stegun), and
 * identities the implementation does not use (recurrences crossing the algorithm's branch
 * points, derivatives by central differences, erf's inverse).
 */
class SpecialFunctionsTest {
    /** Euler-Mascheroni constant. */
    private static final double EULER_GAMMA = 0.57721566490153286061;
    /** Catalan's constant. */
    private static final double CATALAN = 0.91596559417721901505;
    private static final double LN2 = Math.log(2);
    private static final double SQRT_PI = Math.sqrt(Math.PI);

    private final Random random = new Random(42);

    // ------------------------------------------------------------------ erf

    @Test
    void erfMatchesTabulatedValues() {
        // Abramowitz and Stegun, table 7.1 (to 16 digits); erf(-x) = -erf(x).
        double[][] table = {
            {0.5, 0.5204998778130465},
            {1.0, 0.8427007929497149},
            {2.0, 0.9953222650189527},
            {2.5, 0.9995930479825550},
            {3.0, 0.9999779095030014},
            {4.0, 0.9999999845827421},
        };
        for (double[] row : table) {
            assertClose(row[1], SpecialFunctions.erf(row[0]), 1e-15, "erf(" + row[0] + ")");
            assertClose(-row[1], SpecialFunctions.erf(-row[0]), 1e-15, "erf(" + -row[0] + ")");
        }
        assertEquals(0.0, SpecialFunctions.erf(0.0), 0);
        assertEquals(1.0, SpecialFunctions.erf(7.0), 0);
        assertEquals(-1.0, SpecialFunctions.erf(Double.NEGATIVE_INFINITY), 0);
        assertTrue(Double.isNaN(SpecialFunctions.erf(Double.NaN)));
    }

    @Test
    void erfOfSmallArgumentsFollowsItsTaylorSeries() {
        // erf(x) = 2/sqrt(pi) (x - x^3/3 + ...): relative accuracy must hold where erf is tiny.
        for (double x : new double[] {1e-300, 1e-20, 1e-8}) {
            double expected = 2 / SQRT_PI * (x - x * x * x / 3);
            assertClose(expected, SpecialFunctions.erf(x), 1e-15, "erf(" + x + ")");
        }
    }

    @Test
    void erfDerivativeIsTheGaussianAcrossTheWholeRange() {
        // d/dx erf = 2/sqrt(pi) exp(-x^2); a central difference checks that the series branch,
        // the continued-fraction branch (|x| > 2.5) and the join between them are the same function.
        double h = 1e-5;
        int checked = 0;
        for (double x = -5.5; x <= 5.5; x += 0.0625) {
            double numeric = (SpecialFunctions.erf(x + h) - SpecialFunctions.erf(x - h)) / (2 * h);
            double exact = 2 / SQRT_PI * Math.exp(-x * x);
            assertEquals(exact, numeric, 1e-9, "erf'(" + x + ")");
            checked++;
        }
        assertEquals(177, checked);
        // The two branches meet at 2.5 to within their accuracy (about 1e-15).
        assertEquals(SpecialFunctions.erf(Math.nextDown(2.5)), SpecialFunctions.erf(Math.nextUp(2.5)), 1e-15);
    }

    // ------------------------------------------------------------------ erfinv

    @Test
    void erfinvMatchesKnownValues() {
        // erfinv is ill-conditioned as y nears 1 (an ulp of y moves it by ulp / erf'(x)), so the
        // tolerance is relative to that, not to the machine epsilon.
        assertClose(0.47693627620446987, SpecialFunctions.erfinv(0.5), 1e-15, "erfinv(0.5)");
        assertClose(1.1630871536766742, SpecialFunctions.erfinv(0.9), 1e-14, "erfinv(0.9)");
        assertClose(1.8213863677184495, SpecialFunctions.erfinv(0.99), 1e-14, "erfinv(0.99)");
        assertClose(-0.27246271472675435, SpecialFunctions.erfinv(-0.3), 1e-15, "erfinv(-0.3)");
        // erfinv(y) = sqrt(pi)/2 (y + pi y^3 / 12 + ...)
        for (double y : new double[] {1e-300, 1e-10}) assertClose(SQRT_PI / 2 * y, SpecialFunctions.erfinv(y), 1e-15, "erfinv(" + y + ")");
        assertEquals(0.0, SpecialFunctions.erfinv(0.0), 0);
        assertEquals(Double.POSITIVE_INFINITY, SpecialFunctions.erfinv(1.0), 0);
        assertEquals(Double.NEGATIVE_INFINITY, SpecialFunctions.erfinv(-1.0), 0);
        assertTrue(Double.isNaN(SpecialFunctions.erfinv(1.5)));
        assertTrue(Double.isNaN(SpecialFunctions.erfinv(-1.0000001)));
        assertTrue(Double.isNaN(SpecialFunctions.erfinv(Double.NaN)));
    }

    @Test
    void erfOfErfinvIsTheIdentityOnTheOpenInterval() {
        int checked = 0;
        for (int i = -999; i <= 999; i++) {
            double y = i / 1000.0;
            assertEquals(y, SpecialFunctions.erf(SpecialFunctions.erfinv(y)), 1e-14, "erf(erfinv(" + y + "))");
            checked++;
        }
        // Near +-1 erfinv grows like sqrt(-ln(1 - y)) and erf is flat: the hard end of the range.
        double[] nearOne = {1 - 1e-6, 1 - 1e-9, 1 - 1e-12, 1 - 1e-15, Math.nextDown(1.0)};
        for (double y : nearOne) {
            for (double s : new double[] {y, -y}) {
                double x = SpecialFunctions.erfinv(s);
                assertTrue(Double.isFinite(x), "erfinv(" + s + ") = " + x);
                assertEquals(s, SpecialFunctions.erf(x), 1e-14, "erf(erfinv(" + s + "))");
                checked++;
            }
        }
        for (int i = 0; i < 1000; i++) {
            double y = 2 * random.nextDouble() - 1;
            assertEquals(y, SpecialFunctions.erf(SpecialFunctions.erfinv(y)), 1e-14, "erf(erfinv(" + y + "))");
            checked++;
        }
        assertEquals(1999 + 2 * nearOne.length + 1000, checked);
    }

    @Test
    void erfinvOfErfIsTheIdentityWhereErfIsNotFlat() {
        for (double x = -2; x <= 2; x += 1.0 / 64) {
            // erf'(x) >= 0.02 here, so rounding erf(x) to a double moves erfinv by at most ~1e-14.
            assertEquals(x, SpecialFunctions.erfinv(SpecialFunctions.erf(x)), 2e-14, "erfinv(erf(" + x + "))");
        }
    }

    // ------------------------------------------------------------------ lgamma

    @Test
    void lgammaMatchesClosedForms() {
        assertEquals(0.0, SpecialFunctions.lgamma(1), 0);
        assertEquals(0.0, SpecialFunctions.lgamma(2), 0);
        assertNear(Math.log(SQRT_PI), SpecialFunctions.lgamma(0.5), 1e-15, "lgamma(1/2) = ln sqrt(pi)");
        assertNear(Math.log(SQRT_PI / 2), SpecialFunctions.lgamma(1.5), 1e-14, "lgamma(3/2) = ln(sqrt(pi)/2)");
        assertNear(LN2, SpecialFunctions.lgamma(3), 1e-15, "lgamma(3) = ln 2");
        assertNear(Math.log(362880), SpecialFunctions.lgamma(10), 1e-15, "lgamma(10) = ln 9!");
        // Negative non-integers, from Gamma(x) = Gamma(x + 1) / x: |Gamma(-1/2)| = 2 sqrt(pi), ...
        assertNear(Math.log(2 * SQRT_PI), SpecialFunctions.lgamma(-0.5), 1e-14, "lgamma(-1/2)");
        assertNear(Math.log(4 * SQRT_PI / 3), SpecialFunctions.lgamma(-1.5), 1e-14, "lgamma(-3/2)");
        assertNear(Math.log(8 * SQRT_PI / 15), SpecialFunctions.lgamma(-2.5), 1e-14, "lgamma(-5/2)");
        // Near 0, Gamma(x) = 1/x - gamma + O(x).
        assertNear(-Math.log(1e-8) - EULER_GAMMA * 1e-8, SpecialFunctions.lgamma(1e-8), 1e-15, "lgamma(1e-8)");
    }

    @Test
    void lgammaAtIntegersAndHalfIntegersMatchesFactorials() {
        double logFactorial = 0; // ln (n-1)!
        double logHalf = Math.log(SQRT_PI); // ln Gamma(n + 1/2) = ln sqrt(pi) + sum_{k<=n} ln(k - 1/2)
        for (int n = 1; n <= 170; n++) {
            assertNear(logFactorial, SpecialFunctions.lgamma(n), 1e-14, "lgamma(" + n + ")");
            logFactorial += Math.log(n);
            logHalf += Math.log(n - 0.5);
            assertNear(logHalf, SpecialFunctions.lgamma(n + 0.5), 1e-14, "lgamma(" + n + ".5)");
        }
    }

    @Test
    void lgammaSatisfiesTheRecurrence() {
        // ln|Gamma(x + 1)| = ln|Gamma(x)| + ln|x|, also across the reflection branch at x < 1/2.
        for (int i = 0; i < 2000; i++) {
            double x = random.nextDouble() * 60 - 20;
            if (Math.abs(x - Math.rint(x)) < 1e-3) continue; // keep away from the poles
            double lhs = SpecialFunctions.lgamma(x + 1);
            double rhs = SpecialFunctions.lgamma(x) + Math.log(Math.abs(x));
            assertEquals(rhs, lhs, 1e-13 * Math.max(1, Math.abs(lhs)), "recurrence at x = " + x);
        }
    }

    @Test
    void lgammaHasPolesAtNonPositiveIntegers() {
        for (double x : new double[] {0, -1, -2, -10, Double.POSITIVE_INFINITY}) {
            assertEquals(Double.POSITIVE_INFINITY, SpecialFunctions.lgamma(x), 0, "lgamma(" + x + ")");
        }
        assertTrue(Double.isNaN(SpecialFunctions.lgamma(Double.NaN)));
    }

    // ------------------------------------------------------------------ digamma

    @Test
    void digammaMatchesClosedForms() {
        assertNear(-EULER_GAMMA, SpecialFunctions.digamma(1), 1e-15, "digamma(1) = -gamma");
        assertNear(-EULER_GAMMA - 2 * LN2, SpecialFunctions.digamma(0.5), 1e-15, "digamma(1/2) = -gamma - 2 ln 2");
        assertNear(-EULER_GAMMA - Math.PI / 2 - 3 * LN2, SpecialFunctions.digamma(0.25), 1e-15, "digamma(1/4)");
        // digamma(-1/2) = digamma(1/2) + 2, from the recurrence at x = -1/2.
        assertNear(2 - EULER_GAMMA - 2 * LN2, SpecialFunctions.digamma(-0.5), 1e-14, "digamma(-1/2)");
        double harmonic = 0; // digamma(n) = -gamma + H_{n-1}
        for (int n = 1; n <= 100; n++) {
            assertNear(-EULER_GAMMA + harmonic, SpecialFunctions.digamma(n), 1e-15, "digamma(" + n + ")");
            harmonic += 1.0 / n;
        }
    }

    @Test
    void digammaSatisfiesTheRecurrence() {
        for (int i = 0; i < 2000; i++) {
            double x = random.nextDouble() * 60 - 20;
            if (Math.abs(x - Math.rint(x)) < 1e-3) continue;
            double lhs = SpecialFunctions.digamma(x + 1), rhs = SpecialFunctions.digamma(x) + 1 / x;
            assertEquals(rhs, lhs, 1e-13 * Math.max(1, Math.abs(1 / x)), "recurrence at x = " + x);
        }
    }

    @Test
    void digammaIsTheDerivativeOfLgamma() {
        double h = 1e-5;
        for (double x = -4.75; x < 30; x += 0.5) {
            double numeric = (SpecialFunctions.lgamma(x + h) - SpecialFunctions.lgamma(x - h)) / (2 * h);
            assertEquals(numeric, SpecialFunctions.digamma(x), 1e-7 * Math.max(1, Math.abs(numeric)), "digamma(" + x + ")");
        }
    }

    @Test
    void reflectionStaysAccurateFarFromZero() {
        // psi(x) = psi(1 - x) - pi cot(pi x), and cot(pi x) = cot(pi/4) = 1 at x = -999999.75:
        // pi * x must not be formed directly, or its rounding (~1e-10 here) reaches the result.
        double x = -999999.75;
        assertClose(SpecialFunctions.digamma(1 - x) - Math.PI, SpecialFunctions.digamma(x), 1e-14, "digamma(" + x + ")");
        // psi'(x) = -psi'(1 - x) + pi^2 / sin^2(pi x), and sin^2(pi x) = 1/2 there.
        double pi2 = Math.PI * Math.PI;
        assertClose(2 * pi2 - SpecialFunctions.trigamma(1 - x), SpecialFunctions.trigamma(x), 1e-14, "trigamma(" + x + ")");
    }

    // ------------------------------------------------------------------ trigamma

    /**
     * trigamma follows PyTorch's algorithm (see its Javadoc), whose error is the first omitted
     * asymptotic term 1/(30 y^9) at y = x + 6 (or 1 - x + 6 below 1/2): about 1e-9 relative at
     * worst. The tests hold it to that bound, and to PyTorch's own values worked by its formula.
     */
    private static final double TRIGAMMA_REL = 2e-9;

    @Test
    void trigammaIsPyTorchsAlgorithm() {
        // calc_trigamma(1), step by step: 1 + 1/4 + 1/9 + 1/16 + 1/25 + 1/36, then the series at 7.
        double y = 7, ixx = 1 / (y * y);
        double torchAtOne = 1 + 0.25 + 1.0 / 9 + 1.0 / 16 + 1.0 / 25 + 1.0 / 36
                + (1 + 1 / (2 * y) + ixx * (1.0 / 6 - ixx * (1.0 / 30 - ixx * (1.0 / 42)))) / y;
        assertEquals(torchAtOne, SpecialFunctions.trigamma(1), 2 * Math.ulp(torchAtOne));
        // The first omitted term is the error: pi^2/6 - torch(1) is about B_8 / 7^9 = -1/(30 * 7^9).
        assertEquals(-1 / (30 * Math.pow(7, 9)), Math.PI * Math.PI / 6 - torchAtOne, 0.1 / (30 * Math.pow(7, 9)));
    }

    @Test
    void trigammaMatchesClosedForms() {
        double pi2 = Math.PI * Math.PI;
        assertClose(pi2 / 6, SpecialFunctions.trigamma(1), TRIGAMMA_REL, "trigamma(1) = pi^2 / 6");
        assertClose(pi2 / 2, SpecialFunctions.trigamma(0.5), TRIGAMMA_REL, "trigamma(1/2) = pi^2 / 2");
        assertClose(pi2 + 8 * CATALAN, SpecialFunctions.trigamma(0.25), TRIGAMMA_REL, "trigamma(1/4) = pi^2 + 8 G");
        assertClose(pi2 / 2 + 4, SpecialFunctions.trigamma(-0.5), TRIGAMMA_REL, "trigamma(-1/2) = trigamma(1/2) + 4");
        double partial = 0; // trigamma(n) = pi^2/6 - sum_{k<n} 1/k^2
        for (int n = 1; n <= 100; n++) {
            double expected = pi2 / 6 - partial;
            assertClose(expected, SpecialFunctions.trigamma(n), TRIGAMMA_REL, "trigamma(" + n + ")");
            partial += 1.0 / ((double) n * n);
        }
    }

    @Test
    void trigammaSatisfiesTheRecurrence() {
        for (int i = 0; i < 2000; i++) {
            double x = random.nextDouble() * 60 - 20;
            if (Math.abs(x - Math.rint(x)) < 1e-3) continue;
            double lhs = SpecialFunctions.trigamma(x + 1), rhs = SpecialFunctions.trigamma(x) - 1 / (x * x);
            assertEquals(rhs, lhs, TRIGAMMA_REL * Math.max(1, Math.abs(SpecialFunctions.trigamma(x))), "recurrence at x = " + x);
        }
    }

    @Test
    void trigammaIsTheDerivativeOfDigamma() {
        double h = 1e-5;
        for (double x = -4.75; x < 30; x += 0.5) {
            double numeric = (SpecialFunctions.digamma(x + h) - SpecialFunctions.digamma(x - h)) / (2 * h);
            assertEquals(numeric, SpecialFunctions.trigamma(x), 1e-6 * Math.max(1, Math.abs(numeric)), "trigamma(" + x + ")");
        }
    }

    @Test
    void tensorOpsUseTheseFunctions() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {0.5, 1, 10}, 3);
        assertEquals(Math.log(SQRT_PI), x.lgamma().toDoubleArray()[0], 1e-15);
        assertEquals(-EULER_GAMMA, x.digamma().toDoubleArray()[1], 1e-15);
        assertEquals(0.5204998778130465, x.erf().toDoubleArray()[0], 2e-16);
        assertEquals(0.5, x.erf().erfinv().toDoubleArray()[0], 1e-15);
    }

    /** Relative accuracy: |actual - expected| <= rel |expected| (plus a few ulps). */
    private static void assertClose(double expected, double actual, double rel, String what) {
        assertEquals(expected, actual, rel * Math.abs(expected) + 4 * Math.ulp(expected), what);
    }

    /**
     * Relative accuracy for large values, absolute near 0: for functions with zeros (lgamma at 1
     * and 2, digamma at 1.46...) the rounding of the terms that cancel there sets the error.
     */
    private static void assertNear(double expected, double actual, double tol, String what) {
        assertEquals(expected, actual, tol * Math.max(1, Math.abs(expected)), what);
    }
}
