package org.rlgrad.estimators;

import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * TD(0): the one-step bootstrapped return {@code G_t = r_t + γ · nτ_t · V'_t} (Sutton and Barto,
 * eq. 6.2), and its advantage {@code G_t − V_t} (spec estimators.md §3.1, §3.2). No time axis:
 * any shape. γ may be a number or any tensor broadcastable to the data (per-step γ^{n_t} for
 * n-step returns).
 */
final class TdZero {
    private TdZero() {}

    static Tensor returns(String fn, Coefficient gamma, Tensor nextStateValue, Tensor reward, Tensor terminated) {
        DType dtype = Operands.requireFloating(fn, "next_state_value", nextStateValue, "reward", reward);
        Operands.requireBool(fn, "terminated", terminated);
        Operands.requireSameShape(fn, "next_state_value", nextStateValue, "reward", reward, "terminated", terminated);
        Tensor g = gammaOf(fn, gamma, nextStateValue);
        return reward.add(g.mul(Operands.not(terminated, dtype)).mul(nextStateValue));
    }

    static Tensor advantage(String fn, Coefficient gamma, Tensor stateValue, Tensor nextStateValue, Tensor reward, Tensor done, Tensor terminated) {
        Operands.requireFloating(fn, "state_value", stateValue, "next_state_value", nextStateValue, "reward", reward);
        Operands.requireBool(fn, "done", done);
        Tensor term = terminated == null ? done : Operands.requireBool(fn, "terminated", terminated);
        Operands.requireSameShape(fn, "state_value", stateValue, "next_state_value", nextStateValue, "reward", reward, "done", done, "terminated", term);
        return returns(fn, gamma, nextStateValue, reward, term).sub(stateValue);
    }

    /** γ as a number, a one-element tensor, or a tensor broadcast against the data (no time axis to move). */
    private static Tensor gammaOf(String fn, Coefficient gamma, Tensor data) {
        Tensor single = Operands.single(fn, "gamma", gamma, data);
        if (single != null) return single;
        Tensor t = ((Coefficient.OfTensor) gamma).tensor();
        if (!t.dtype().isFloating()) throw new IllegalArgumentException(fn + ": gamma must be a number or a floating-point tensor, got " + t.dtype());
        Tensor moved = t.device().equals(data.device()) ? t : t.to(data.device());
        return moved.dtype() == data.dtype() ? moved : moved.to(data.dtype());
    }
}
