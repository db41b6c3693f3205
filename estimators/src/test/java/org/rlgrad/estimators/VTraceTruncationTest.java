package org.rlgrad.estimators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * V-trace at a truncation (DECISIONS.md rule 3): by default the advantage of a truncated step
 * bootstraps from its own next state, as the published algorithm does; with referenceCompat it
 * reads the next row's vs, as TorchRL does (from the next trajectory).
 */
class VTraceTruncationTest {
    private static Tensor col(double... v) {
        return Tensor.of(DType.FLOAT64, v, v.length, 1);
    }

    @Test
    void aTruncatedStepBootstrapsFromItsOwnNextStateUnlessReferenceCompat() {
        double g = 0.9;
        double v0 = 0.5, v1 = -0.25, nv0 = 2.0, nv1 = 0.75, r0 = 1.0, r1 = -0.5;
        Tensor logp = col(-0.3, -1.2); // on-policy: rho = c = 1
        Tensor done = Tensor.of(new boolean[] {true, false}, 2, 1);
        Tensor terminated = Tensor.of(new boolean[] {false, false}, 2, 1);
        EstimatorOptions options = EstimatorOptions.defaults().withTerminated(terminated);
        // Step 1 ends the window: u_1 = delta_1, vs_1 = V_1 + delta_1. Step 0 is cut: u_0 = delta_0.
        double delta1 = r1 + g * nv1 - v1, vs1 = v1 + delta1;
        double delta0 = r0 + g * nv0 - v0, vs0 = v0 + delta0;

        VTraceResult published = Estimates.vtraceAdvantage(Coefficient.of(g), logp, logp, col(v0, v1), col(nv0, nv1), col(r0, r1), done, options);
        assertArrayEquals(new double[] {vs0, vs1}, published.vs().toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {r0 + g * nv0 - v0, r1 + g * nv1 - v1}, published.advantage().toDoubleArray(), 1e-15);

        VTraceResult reference = Estimates.vtraceAdvantage(Coefficient.of(g), logp, logp, col(v0, v1), col(nv0, nv1), col(r0, r1), done,
                options.withReferenceCompat(true));
        assertArrayEquals(new double[] {vs0, vs1}, reference.vs().toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {r0 + g * vs1 - v0, r1 + g * nv1 - v1}, reference.advantage().toDoubleArray(), 1e-15);
    }
}
