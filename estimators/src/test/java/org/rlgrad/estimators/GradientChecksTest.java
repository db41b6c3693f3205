package org.rlgrad.estimators;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.GradientCheck;
import org.rlgrad.engine.testing.Property;

/**
 * Float64 finite-difference checks of every estimator's gradients: values, rewards,
 * log-probabilities, and γ, λ and thresholds given as tensors (one-element tensors on the
 * geometric-filter path, per-step tensors on the coefficient-table path).
 */
class GradientChecksTest {
    static final int TRIES = 8;

    private static Trajectories batch(org.rlgrad.engine.testing.Gen gen) {
        int[] shape = {gen.chooseInt(1, 2), gen.chooseInt(2, 3, 6), 1}; // T >= 2: a one-element per-step tensor is a single value
        return Trajectories.draw(gen, shape);
    }

    @Test
    void tdLambdaBothPaths() {
        Property.forAll("grad TD(lambda)", TRIES, gen -> {
            Trajectories b = batch(gen);
            int[] shape = b.reward().shape();
            Tensor gammaOne = Tensor.full(new int[] {1}, 0.9, org.rlgrad.engine.tensor.DType.FLOAT64);
            Tensor lambdaPerStep = gen.uniform(shape, 0.2, 0.9), gammaPerStep = gen.uniform(shape, 0.5, 1);
            for (boolean vec : new boolean[] {false, true}) {
                GradientCheck.of((vec ? "vec " : "") + "TD(lambda), single", xs -> vec
                        ? Estimates.vecTdLambdaReturn(Coefficient.of(xs.get(0)), Coefficient.of(xs.get(1)), xs.get(2), xs.get(3), b.done(), b.options())
                        : Estimates.tdLambdaReturn(Coefficient.of(xs.get(0)), Coefficient.of(xs.get(1)), xs.get(2), xs.get(3), b.done(), b.options()))
                        .at(gammaOne, Tensor.scalar(0.7, org.rlgrad.engine.tensor.DType.FLOAT64), b.nextValue(), b.reward()).check();
                GradientCheck.of((vec ? "vec " : "") + "TD(lambda), per step", xs -> vec
                        ? Estimates.vecTdLambdaReturn(Coefficient.of(xs.get(0)), Coefficient.of(xs.get(1)), xs.get(2), xs.get(3), b.done(), b.options())
                        : Estimates.tdLambdaReturn(Coefficient.of(xs.get(0)), Coefficient.of(xs.get(1)), xs.get(2), xs.get(3), b.done(), b.options()))
                        .at(gammaPerStep, lambdaPerStep, b.nextValue(), b.reward()).check();
            }
            GradientCheck.of("TD(lambda), non-rolling", xs -> Estimates.tdLambdaReturn(Coefficient.of(xs.get(0)), Coefficient.of(0.8),
                    xs.get(1), xs.get(2), b.done(), b.options().withRollingGamma(false)))
                    .at(gammaPerStep, b.nextValue(), b.reward()).check();
        });
    }

    @Test
    void td1AndTd0() {
        Property.forAll("grad TD(1), TD(0)", TRIES, gen -> {
            Trajectories b = batch(gen);
            Tensor gammaPerStep = gen.uniform(b.reward().shape(), 0.5, 1);
            GradientCheck.of("TD(1)", xs -> Estimates.td1Advantage(Coefficient.of(xs.get(0)), xs.get(1), xs.get(2), xs.get(3), b.done(), b.options()))
                    .at(gammaPerStep, b.value(), b.nextValue(), b.reward()).check();
            GradientCheck.of("TD(1), non-rolling", xs -> Estimates.td1Return(Coefficient.of(xs.get(0)), xs.get(1), xs.get(2), b.done(),
                    b.options().withRollingGamma(false))).at(gammaPerStep, b.nextValue(), b.reward()).allowZeroGradient().check();
            GradientCheck.of("vec TD(1)", xs -> Estimates.vecTd1Advantage(Coefficient.of(xs.get(0)), xs.get(1), xs.get(2), xs.get(3), b.done(), b.options()))
                    .at(gammaPerStep, b.value(), b.nextValue(), b.reward()).check();
            GradientCheck.of("TD(0)", xs -> Estimates.td0Advantage(Coefficient.of(xs.get(0)), xs.get(1), xs.get(2), xs.get(3), b.done(), b.terminated()))
                    .at(gammaPerStep, b.value(), b.nextValue(), b.reward()).check();
        });
    }

    @Test
    void gaeBothPathsBothOutputs() {
        Property.forAll("grad GAE", TRIES, gen -> {
            Trajectories b = batch(gen);
            Tensor g = Tensor.scalar(0.95, org.rlgrad.engine.tensor.DType.FLOAT64);
            Tensor lPerStep = gen.uniform(b.reward().shape(), 0.2, 1);
            for (boolean vec : new boolean[] {false, true}) {
                for (Tensor lambda : new Tensor[] {Tensor.scalar(0.8, org.rlgrad.engine.tensor.DType.FLOAT64), lPerStep}) {
                    GradientCheck.ofMany((vec ? "vec " : "") + "GAE", xs -> {
                        AdvantageAndTarget out = vec
                                ? Estimates.vecGeneralizedAdvantageEstimate(Coefficient.of(xs.get(0)), Coefficient.of(xs.get(1)), xs.get(2), xs.get(3), xs.get(4), b.done(), b.options())
                                : Estimates.generalizedAdvantageEstimate(Coefficient.of(xs.get(0)), Coefficient.of(xs.get(1)), xs.get(2), xs.get(3), xs.get(4), b.done(), b.options());
                        return List.of(out.advantage(), out.valueTarget());
                    }).at(g, lambda, b.value(), b.nextValue(), b.reward()).check();
                }
            }
        });
    }

    @Test
    void vtraceAndReward2go() {
        Property.forAll("grad V-trace, reward2go", TRIES, gen -> {
            Trajectories b = batch(gen);
            int[] shape = b.reward().shape();
            // log-ratios away from the clip thresholds (kinks of min(ρ, ρ̄)): |log ρ| ≥ 0.1
            Tensor logMu = gen.uniform(shape, -2, -0.5);
            Tensor logPi = logMu.add(gen.signed(shape, 0.1, 0.6));
            GradientCheck.ofMany("V-trace", xs -> {
                VTraceResult out = Estimates.vtraceAdvantage(Coefficient.of(xs.get(0)), xs.get(1), xs.get(2), xs.get(3), xs.get(4), xs.get(5),
                        b.done(), b.options().withRhoThresh(Coefficient.of(1.0)).withCThresh(Coefficient.of(xs.get(6))));
                return List.of(out.advantage(), out.vs());
            }).at(Tensor.scalar(0.9, org.rlgrad.engine.tensor.DType.FLOAT64), logPi, logMu, b.value(), b.nextValue(), b.reward(),
                    Tensor.full(shape, 1.0, org.rlgrad.engine.tensor.DType.FLOAT64)).check();
            GradientCheck.of("reward2go", xs -> Estimates.reward2go(xs.get(0), b.done(), 0.9)).at(b.reward()).check();
        });
    }
}
