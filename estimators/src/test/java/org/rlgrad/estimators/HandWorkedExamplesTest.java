package org.rlgrad.estimators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Small trajectories worked by hand (the arithmetic is in each comment), so that the estimators
 * are checked against numbers that do not come from any implementation.
 */
class HandWorkedExamplesTest {
    private static final double TOL = 1e-12;

    private static Tensor col(double... v) {
        return Tensor.of(DType.FLOAT64, v, v.length, 1);
    }

    private static Tensor flags(boolean... v) {
        return Tensor.of(v, v.length, 1);
    }

    @Test
    void reward2goMatchesTheSpecExample() {
        // One row of ten ones, done at 3 and 7, time along the last axis, γ = 0.99 (spec §3.12):
        // segments of 4, 4, 2 give 1 + .99 + .99² + .99³ = 3.940399, ... .
        double[] ones = new double[10];
        java.util.Arrays.fill(ones, 1);
        boolean[] done = new boolean[10];
        done[3] = true;
        done[7] = true;
        Tensor r = Tensor.of(DType.FLOAT64, ones, 1, 10);
        Tensor out = Estimates.reward2go(r, Tensor.of(done, 1, 10), Coefficient.of(0.99), -1);
        assertArrayEquals(new double[] {3.940399, 2.9701, 1.99, 1, 3.940399, 2.9701, 1.99, 1, 1.99, 1}, out.toDoubleArray(), TOL);
    }

    @Test
    void tdLambdaOnThreeSteps() {
        // r = [1, 2, 3], V' = [10, 20, 30], no done, γ = 0.5, λ = 0.5.
        // G_2 = 3 + 0.5·30 = 18; G_1 = 2 + 0.5·(0.5·20 + 0.5·18) = 11.5; G_0 = 1 + 0.5·(0.5·10 + 0.5·11.5) = 6.375.
        Tensor r = col(1, 2, 3), v = col(10, 20, 30);
        Tensor d = flags(false, false, false);
        double[] expected = {6.375, 11.5, 18};
        assertArrayEquals(expected, Estimates.tdLambdaReturn(0.5, 0.5, v, r, d).toDoubleArray(), TOL);
        assertArrayEquals(expected, Estimates.vecTdLambdaReturn(0.5, 0.5, v, r, d).toDoubleArray(), TOL);
    }

    @Test
    void gaeWithATruncationAndATermination() {
        // r = [1, 1, 1, 1], V = [0, 1, 2, 3], V' = [1, 2, 3, 4]; step 1 truncated, step 3 terminated; γ = 1, λ = 0.5.
        // δ = r + γ nτ V' − V = [2, 2, 2, 1 − 3 = −2]
        // A_3 = −2; A_2 = 2 + 0.5·(−2) = 1; A_1 = 2 (done: cut); A_0 = 2 + 0.5·2 = 3.
        Tensor r = col(1, 1, 1, 1), v = col(0, 1, 2, 3), vn = col(1, 2, 3, 4);
        Tensor done = flags(false, true, false, true), term = flags(false, false, false, true);
        EstimatorOptions o = EstimatorOptions.defaults().withTerminated(term);
        double[] expected = {3, 2, 1, -2};
        AdvantageAndTarget seq = Estimates.generalizedAdvantageEstimate(Coefficient.of(1), Coefficient.of(0.5), v, vn, r, done, o);
        AdvantageAndTarget vec = Estimates.vecGeneralizedAdvantageEstimate(Coefficient.of(1), Coefficient.of(0.5), v, vn, r, done, o);
        assertArrayEquals(expected, seq.advantage().toDoubleArray(), TOL);
        assertArrayEquals(expected, vec.advantage().toDoubleArray(), TOL);
        assertArrayEquals(new double[] {3, 3, 3, 1}, seq.valueTarget().toDoubleArray(), TOL);
    }

    @Test
    void td1BootstrapsOnlyAtCuts() {
        // r = [1, 1, 1], V' = [5, 7, 9]; step 0 truncated; γ = 0.5; last step not done.
        // G_2 = 1 + 0.5·9 = 5.5; G_1 = 1 + 0.5·5.5 = 3.75; G_0 = 1 + 0.5·5 = 3.5 (truncation: bootstrap V'_0).
        Tensor r = col(1, 1, 1), vn = col(5, 7, 9);
        Tensor done = flags(true, false, false), term = flags(false, false, false);
        EstimatorOptions o = EstimatorOptions.defaults().withTerminated(term);
        double[] expected = {3.5, 3.75, 5.5};
        assertArrayEquals(expected, Estimates.td1Return(Coefficient.of(0.5), vn, r, done, o).toDoubleArray(), TOL);
        assertArrayEquals(expected, Estimates.vecTd1Return(Coefficient.of(0.5), vn, r, done, o).toDoubleArray(), TOL);
    }

    @Test
    void td0() {
        // G = r + γ nτ V' = [1 + 0.9·2, 1 + 0]
        Tensor out = Estimates.td0Return(0.9, col(2, 2), col(1, 1), flags(false, true));
        assertArrayEquals(new double[] {2.8, 1}, out.toDoubleArray(), TOL);
    }

    @Test
    void vtraceOnPolicyIsTheTd1LikeReturn() {
        // On policy (log π = log μ) with ρ̄ = c̄ = 1, ρ = c = 1: vs_t = V_t + Σ γ^{k−t} δ_k.
        // r = [1, 1], V = [0, 0], V' = [0, 2], γ = 0.5: δ = [1, 2], vs = [1 + 0.5·2, 2] = [2, 2];
        // advantage = [1 + 0.5·vs_1 − 0, 1 + 0.5·V'_1 − 0] = [2, 2].
        Tensor zero = col(0, 0);
        VTraceResult out = Estimates.vtraceAdvantage(0.5, zero, zero, zero, col(0, 2), col(1, 1), flags(false, false));
        assertArrayEquals(new double[] {2, 2}, out.vs().toDoubleArray(), TOL);
        assertArrayEquals(new double[] {2, 2}, out.advantage().toDoubleArray(), TOL);
    }
}
