package org.rlgrad.losses;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * TorchRL's {@code next_state_value} (spec losses.md §1.12), computed without gradient, a
 * {@code [*B]} tensor: {@code r} when every {@code done} is true or γ = 0, else
 * {@code r + γⁿ (1 − done) v'} with {@code v'} given or the operator's {@code nextValKey} output on
 * the next view, and {@code n} from a root {@code steps_to_next_obs} (default 1). It reads
 * {@code done}, not {@code terminated}, and its keys are fixed.
 */
public final class NextStateValue {
    private NextStateValue() {}

    public static Tensor of(TensorDict td, TensorDictModuleBase operator, Key nextValKey, double gamma, Tensor predNextVal) {
        try (GradMode.Scope g = GradMode.noGrad()) {
            Tensor r = td.get(Key.of("next", "reward")).squeeze(-1);
            Tensor done = td.get(Key.of("next", "done")).squeeze(-1);
            if (done.all().item() != 0 || gamma == 0.0) return r;
            Tensor v = predNextVal;
            if (v == null) {
                if (operator == null) throw new IllegalArgumentException("next_state_value: expected an operator or pred_next_val, got neither");
                v = operator.forward(td.nextView().copy()).get(nextValKey);
            }
            v = v.squeeze(-1);
            Tensor steps = td.get(Key.of("steps_to_next_obs"), null);
            Tensor discount = steps == null ? r.newFull(r.shape(), gamma, r.dtype()) : steps.to(r.dtype()).reshape(r.shape()).rpow(gamma);
            Tensor notDone = done.logicalNot().to(r.dtype());
            return r.add(discount.mul(notDone).mul(v.to(r.dtype())));
        }
    }

    /** With {@code nextValKey = "state_action_value"}, γ = 0.99 and no precomputed value. */
    public static Tensor of(TensorDict td, TensorDictModuleBase operator) {
        return of(td, operator, Key.of("state_action_value"), 0.99, null);
    }
}
