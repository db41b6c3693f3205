package org.rlgrad.estimators;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Generalized Advantage Estimation (Schulman et al. 2016, eq. 16): the exponentially weighted
 * sum of TD errors, spec estimators.md §3.9 and §3.10.
 *
 * <p>{@code δ_t = r_t + γ_t nτ_t V'_t − V_t}, {@code A_t = δ_t + γ_t λ_t nd_t A_{t+1}},
 * {@code A_T = 0}; the value target is {@code A_t + V_t}. γ and λ are numbers, one-element
 * tensors, per-step tensors or tensors broadcast against the data.
 */
final class GeneralizedAdvantageEstimate {
    private GeneralizedAdvantageEstimate() {}

    private record Prepared(TimeAxis axis, DType dtype, Tensor gamma, Tensor lambda, Tensor value, Tensor delta, Tensor done, Tensor notDone) {}

    private static Prepared prepare(String fn, Coefficient gamma, Coefficient lambda, Tensor stateValue, Tensor nextStateValue,
            Tensor reward, Tensor done, EstimatorOptions options) {
        DType dtype = Operands.requireFloating(fn, "next_state_value", nextStateValue, "state_value", stateValue, "reward", reward);
        Operands.requireBool(fn, "done", done);
        Operands.rejectOption(fn, "rollingGamma", options.rollingGamma());
        Operands.rejectOption(fn, "rhoThresh", options.rhoThresh());
        Operands.rejectOption(fn, "cThresh", options.cThresh());
        Operands.rejectOption(fn, "referenceCompat", options.referenceCompat());
        Tensor terminated = options.terminated() == null ? done : Operands.requireBool(fn, "terminated", options.terminated());
        Operands.requireSameShape(fn, "state_value", stateValue, "next_state_value", nextStateValue, "reward", reward, "done", done,
                "terminated", terminated);
        TimeAxis axis = TimeAxis.of(fn, options.timeDimOrDefault(), reward);
        Tensor g = Operands.coefficient(fn, "gamma", gamma, reward, axis);
        Tensor l = Operands.coefficient(fn, "lmbda", Operands.requiredCoefficient(fn, "lmbda", lambda), reward, axis);
        Tensor v = axis.canonical(stateValue);
        Tensor d = axis.canonical(done);
        Tensor notDone = Operands.not(d, dtype);
        // Terminated defaults to done: then its mask is the same numbers.
        Tensor notTerminated = terminated == done ? notDone : Operands.not(axis.canonical(terminated), dtype);
        Tensor delta = axis.canonical(reward).add(g.mul(notTerminated).mul(axis.canonical(nextStateValue))).sub(v);
        return new Prepared(axis, dtype, g, l, v, delta, d, notDone);
    }

    static AdvantageAndTarget sequential(String fn, Coefficient gamma, Coefficient lambda, Tensor stateValue, Tensor nextStateValue,
            Tensor reward, Tensor done, EstimatorOptions options) {
        Prepared p = prepare(fn, gamma, lambda, stateValue, nextStateValue, reward, done, options);
        int steps = p.delta().size(-2);
        Tensor decay = p.gamma().mul(p.lambda()).mul(p.notDone());
        List<Tensor> out = new ArrayList<>(steps);
        Tensor next = null;
        for (int t = steps - 1; t >= 0; t--) {
            Tensor dt = p.delta().select(-2, t);
            next = next == null ? dt : dt.add(decay.select(-2, t).mul(next));
            out.add(next);
        }
        Collections.reverse(out);
        return finish(p, Tensor.stack(out, -2));
    }

    /**
     * Vectorised: one discounted-sum scan of δ with decay γλ(1 − done) (exact, unlike the
     * reference's table whose columns below 1e−7 are dropped).
     * At γλ = 0 the result is δ exactly (the reference crashes there, DECISIONS.md rule 2).
     */
    static AdvantageAndTarget vectorised(String fn, Coefficient gamma, Coefficient lambda, Tensor stateValue, Tensor nextStateValue,
            Tensor reward, Tensor done, EstimatorOptions options) {
        Prepared p = prepare(fn, gamma, lambda, stateValue, nextStateValue, reward, done, options);
        Tensor ratio = p.gamma().mul(p.lambda());
        Tensor advantage = ratio.numel() == 1
                ? DiscountedSums.geometric(fn, p.delta(), p.notDone(), ratio.reshape())
                : DiscountedSums.withDecays(p.delta(), ratio.mul(p.notDone()).expand(p.delta().shapeRef()));
        return finish(p, advantage);
    }

    private static AdvantageAndTarget finish(Prepared p, Tensor advantage) {
        return new AdvantageAndTarget(p.axis().restore(advantage), p.axis().restore(advantage.add(p.value())));
    }
}
