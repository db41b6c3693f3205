package org.rlgrad.estimators;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * TD(1): the discounted return inside each trajectory, bootstrapped only where the trajectory is
 * cut (a truncation, or the end of the window) (spec estimators.md §3.3 to §3.5).
 *
 * <p>Sequential form, with {@code g_t = γ_t nτ_t} and {@code c_t = d_t ∧ ¬τ_t} (truncation):
 * {@code G_t = r_t + g_t ((1 − c_t) G_{t+1} + c_t V'_t)}, {@code G_T = V'_{T−1}}.
 * The vectorised form is TD(λ) at λ = 1 (§3.5).
 */
final class TdOne {
    private TdOne() {}

    static Tensor returns(String fn, Coefficient gamma, Tensor nextStateValue, Tensor reward, Tensor done, EstimatorOptions options) {
        DType dtype = Operands.requireFloating(fn, "next_state_value", nextStateValue, "reward", reward);
        Operands.requireBool(fn, "done", done);
        Operands.rejectOption(fn, "rhoThresh", options.rhoThresh());
        Operands.rejectOption(fn, "cThresh", options.cThresh());
        Operands.rejectOption(fn, "referenceCompat", options.referenceCompat());
        Tensor terminated = options.terminated() == null ? done : Operands.requireBool(fn, "terminated", options.terminated());
        Operands.requireSameShape(fn, "next_state_value", nextStateValue, "reward", reward, "done", done, "terminated", terminated);
        TimeAxis axis = TimeAxis.of(fn, options.timeDimOrDefault(), reward);
        boolean perStep = gamma instanceof Coefficient.OfTensor t && java.util.Arrays.equals(t.tensor().shapeRef(), done.shapeRef()) && t.tensor().numel() > 1;
        if (!options.rollingGammaOrDefault() && !perStep) {
            throw new IllegalArgumentException(fn + ": rolling_gamma=False is expected only with time-sensitive gamma values "
                    + "(a tensor of the data's shape); got a single gamma. Leave rollingGamma unset or pass a per-step gamma.");
        }
        Tensor g = Operands.coefficient(fn, "gamma", gamma, reward, axis);
        Tensor v = axis.canonical(nextStateValue), r = axis.canonical(reward);
        Tensor d = axis.canonical(done), term = axis.canonical(terminated);
        Tensor out = options.rollingGammaOrDefault()
                ? rolling(g, v, r, d, term, dtype)
                : nonRolling(g, v, r, d, term, dtype);
        return axis.restore(out);
    }

    static Tensor advantage(String fn, Coefficient gamma, Tensor stateValue, Tensor nextStateValue, Tensor reward, Tensor done, EstimatorOptions options) {
        Operands.requireFloating(fn, "state_value", stateValue, "next_state_value", nextStateValue, "reward", reward);
        Operands.requireSameShape(fn, "state_value", stateValue, "next_state_value", nextStateValue, "reward", reward, "done", done,
                "terminated", options.terminated());
        return returns(fn, gamma, nextStateValue, reward, done, options).sub(stateValue);
    }

    private static Tensor rolling(Tensor g, Tensor v, Tensor r, Tensor d, Tensor term, DType dtype) {
        int steps = r.size(-2);
        Tensor discount = g.mul(Operands.not(term, dtype)); // g_t = γ_t nτ_t
        Tensor truncated = d.logicalAnd(term.logicalNot()).to(dtype); // c_t
        List<Tensor> out = new ArrayList<>(steps);
        Tensor next = v.select(-2, steps - 1);
        for (int t = steps - 1; t >= 0; t--) {
            Tensor c = truncated.select(-2, t);
            Tensor bootstrap = c.rsub(1).mul(next).add(c.mul(v.select(-2, t)));
            next = r.select(-2, t).add(Steps.at(discount, t).mul(bootstrap));
            out.add(next);
        }
        Collections.reverse(out);
        return Tensor.stack(out, -2);
    }

    /**
     * rolling_gamma = false: from each start k, the same recursion run from T−1 down to k with
     * γ_k at every step and G_T = 0 (the reference's initial value: the last step is bootstrapped
     * only if it is a truncation, spec §8 item 4). All starts run at once: the state holds one
     * entry per start k.
     */
    private static Tensor nonRolling(Tensor g, Tensor v, Tensor r, Tensor d, Tensor term, DType dtype) {
        int steps = r.size(-2);
        Tensor notTerm = Operands.not(term, dtype);
        Tensor truncated = d.logicalAnd(term.logicalNot()).to(dtype);
        List<Tensor> out = new ArrayList<>(steps);
        Tensor state = Tensor.zerosLike(r); // G^{(k)}_{i+1} for every start k
        for (int i = steps - 1; i >= 0; i--) {
            Tensor c = truncated.narrow(-2, i, 1);
            Tensor bootstrap = c.rsub(1).mul(state).add(c.mul(v.narrow(-2, i, 1)));
            state = r.narrow(-2, i, 1).add(g.mul(notTerm.narrow(-2, i, 1)).mul(bootstrap));
            out.add(state.select(-2, i));
        }
        Collections.reverse(out);
        return Tensor.stack(out, -2);
    }
}
