package org.rlgrad.estimators;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/** Bad input gives a clear error that names the function and the argument (spec estimators.md §2, §5). */
class ErrorCatalogueTest {
    private static final Tensor V = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3, 4, 5, 6}, 2, 3, 1);
    private static final Tensor DONE = Tensor.of(new boolean[] {false, false, true, false, true, false}, 2, 3, 1);

    private static void assertMessage(Class<? extends Throwable> type, Executable call, String... fragments) {
        Throwable e = assertThrows(type, call);
        for (String f : fragments) assertTrue(e.getMessage().contains(f), () -> "'" + e.getMessage() + "' lacks '" + f + "'");
    }

    @Test
    void mismatchedShapesUseTheReferenceTextAndListTheShapes() {
        Tensor shortReward = Tensor.zeros(DType.FLOAT64, 2, 2, 1);
        assertMessage(IllegalArgumentException.class, () -> Estimates.tdLambdaReturn(0.9, 0.9, V, shortReward, DONE),
                "All input tensors (value, reward and done states) must share a unique shape.", "reward [2, 2, 1]", "next_state_value [2, 3, 1]");
        assertMessage(IllegalArgumentException.class, () -> Estimates.td0Return(0.9, V, V, Tensor.of(new boolean[4], 4, 1, 1)),
                "must share a unique shape", "terminated [4, 1, 1]");
        assertMessage(IllegalArgumentException.class, () -> Estimates.generalizedAdvantageEstimate(0.9, 0.9, shortReward, V, V, DONE),
                "must share a unique shape", "state_value [2, 2, 1]");
        assertMessage(IllegalArgumentException.class, () -> Estimates.reward2go(V, Tensor.of(new boolean[3], 3), 0.9),
                "reward and done must share the same shape, got [2, 3, 1] and [3]");
    }

    @Test
    void flagsMustBeBoolAndValuesFloating() {
        assertMessage(IllegalArgumentException.class, () -> Estimates.vecGeneralizedAdvantageEstimate(0.9, 0.9, V, V, V, DONE.toDouble()),
                "vecGeneralizedAdvantageEstimate", "done must be a bool tensor, got float64");
        assertMessage(IllegalArgumentException.class, () -> Estimates.td1Return(Coefficient.of(0.9), V, V, DONE,
                EstimatorOptions.defaults().withTerminated(DONE.toLong())), "terminated must be a bool tensor, got int64");
        assertMessage(IllegalArgumentException.class, () -> Estimates.tdLambdaReturn(0.9, 0.9, V, V.toFloat(), DONE),
                "reward must have the dtype of next_state_value (float64), got float32");
        assertMessage(IllegalArgumentException.class, () -> Estimates.td0Return(0.9, V, V, null), "terminated is required");
    }

    @Test
    void aTimeDimOutOfRangeOrA1DSeriesWithTheDefaultIsRefused() {
        EstimatorOptions three = EstimatorOptions.defaults().withTimeDim(3);
        assertMessage(IllegalArgumentException.class, () -> Estimates.vecTdLambdaReturn(Coefficient.of(0.9), Coefficient.of(0.9), V, V, DONE, three),
                "The tensor shape and the time dimension are not compatible: got [2, 3, 1] and time_dim=3.");
        EstimatorOptions minusFour = EstimatorOptions.defaults().withTimeDim(-4);
        assertMessage(IllegalArgumentException.class, () -> Estimates.td1Return(Coefficient.of(0.9), V, V, DONE, minusFour), "time_dim=-4");
        Tensor flat = V.reshape(-1);
        Tensor flatDone = DONE.reshape(-1);
        for (int dim : new int[] {-2, -3}) {
            assertMessage(IllegalArgumentException.class, () -> Estimates.tdLambdaReturn(Coefficient.of(0.9), Coefficient.of(0.9), flat, flat,
                    flatDone, EstimatorOptions.defaults().withTimeDim(dim)), "got [6] and time_dim=" + dim, "1-D series needs time_dim=-1");
        }
    }

    @Test
    void rollingGammaFalseNeedsPerStepValuesAndIsNotImplementedOnTheVectorisedTablePath() {
        EstimatorOptions nonRolling = EstimatorOptions.defaults().withRollingGamma(false);
        assertMessage(IllegalArgumentException.class, () -> Estimates.td1Return(Coefficient.of(0.9), V, V, DONE, nonRolling),
                "rolling_gamma=False is expected only with time-sensitive gamma values");
        assertMessage(IllegalArgumentException.class, () -> Estimates.tdLambdaReturn(Coefficient.of(0.9), Coefficient.of(0.5), V, V, DONE, nonRolling),
                "rolling_gamma=False is expected only with time-sensitive gamma or lambda values");
        Tensor perStep = Tensor.full(V.shape(), 0.9, DType.FLOAT64);
        // A terminated step followed by a non-terminated one in the same series (DONE: step 2 of row 0, step 1 of row 1)
        assertMessage(UnsupportedOperationException.class, () -> Estimates.vecTdLambdaReturn(Coefficient.of(perStep), Coefficient.of(0.5), V, V, DONE,
                nonRolling), "When using rolling_gamma=False and vectorized TD(lambda) with time-dependent gamma");
        Tensor noDone = Tensor.of(new boolean[6], 2, 3, 1);
        assertMessage(UnsupportedOperationException.class, () -> Estimates.vecTd1Return(Coefficient.of(perStep), V, V, noDone, nonRolling),
                "The vectorized version of TD(lambda) with rolling_gamma=False is currently not available");
    }

    @Test
    void coefficientsAndOptionsAreChecked() {
        Tensor badGamma = Tensor.full(new int[] {5}, 0.9, DType.FLOAT64);
        assertMessage(IllegalArgumentException.class, () -> Estimates.generalizedAdvantageEstimate(Coefficient.of(badGamma), Coefficient.of(0.9),
                V, V, V, DONE, EstimatorOptions.defaults()), "gamma must be a number, a one-element tensor or a tensor broadcastable", "got [5]");
        assertMessage(IllegalArgumentException.class, () -> Estimates.reward2go(V, DONE, Coefficient.of(Tensor.full(V.shape(), 0.9, DType.FLOAT64)), -2),
                "gamma must be a number or a one-element tensor");
        assertMessage(IllegalArgumentException.class, () -> Estimates.vecGeneralizedAdvantageEstimate(-0.9, 0.5, V, V, V, DONE),
                "ratio (gamma·lambda, or gamma) must be >= 0, got -0.45");
        assertMessage(IllegalArgumentException.class, () -> Estimates.generalizedAdvantageEstimate(Coefficient.of(0.9), Coefficient.of(0.9), V, V, V,
                DONE, EstimatorOptions.defaults().withRollingGamma(false)), "generalizedAdvantageEstimate takes no rollingGamma");
        assertMessage(IllegalArgumentException.class, () -> Estimates.tdLambdaReturn(Coefficient.of(0.9), Coefficient.of(0.9), V, V, DONE,
                EstimatorOptions.defaults().withRhoThresh(Coefficient.of(2))), "tdLambdaReturn takes no rhoThresh");
        assertMessage(IllegalArgumentException.class, () -> Estimates.tdLambdaReturn(Coefficient.of(0.9), null, V, V, DONE,
                EstimatorOptions.defaults()), "lmbda is required");
    }
}
