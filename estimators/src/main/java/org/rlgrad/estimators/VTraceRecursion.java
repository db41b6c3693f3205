package org.rlgrad.estimators;

import java.util.List;
import org.rlgrad.engine.ops.Scans;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * V-trace, IMPALA's off-policy value target (Espeholt et al. 2018, eq. 1, and its recursive form
 * in Remark 1), spec estimators.md §3.11.
 *
 * <p>{@code ρ_t = exp(log π_t − log μ_t)} with π the target (learned) policy and μ the behaviour
 * policy; {@code ρ̂ = min(ρ, ρ̄)}, {@code ĉ = min(ρ, c̄)};
 * {@code δ_t = ρ̂_t (r_t + γ nτ_t V'_t − V_t)}; {@code u_t = δ_t + γ nd_t ĉ_t u_{t+1}},
 * {@code u_T = 0}; {@code vs = V + u}. The advantage is
 * {@code ρ̂_t (r_t + γ nτ_t vs⁺_t − V_t)} with {@code vs⁺_t = vs_{t+1}} and
 * {@code vs⁺_{T−1} = V'_{T−1}}, and, at a step that ends its trajectory, {@code vs⁺_t = V'_t}:
 * the published algorithm bootstraps a truncated trajectory from its own next state
 * (DECISIONS.md rule 3). The reference reads {@code vs⁺} from the next row position even across a
 * truncation, i.e. from the next trajectory (spec §8 item 6); {@code referenceCompat} reproduces
 * that, and the conformance runner turns it on for the reference's vectors.
 */
final class VTraceRecursion {
    private VTraceRecursion() {}

    static VTraceResult estimate(String fn, Coefficient gamma, Tensor logPi, Tensor logMu, Tensor stateValue, Tensor nextStateValue,
            Tensor reward, Tensor done, EstimatorOptions options) {
        DType dtype = Operands.requireFloating(fn, "next_state_value", nextStateValue, "state_value", stateValue, "reward", reward,
                "log_pi", logPi, "log_mu", logMu);
        Operands.requireBool(fn, "done", done);
        Operands.rejectOption(fn, "rollingGamma", options.rollingGamma());
        Tensor terminated = options.terminated() == null ? done : Operands.requireBool(fn, "terminated", options.terminated());
        // The reference checks these four only; log-probabilities and terminated must broadcast.
        Operands.requireSameShape(fn, "next_state_value", nextStateValue, "state_value", stateValue, "reward", reward, "done", done);
        TimeAxis axis = TimeAxis.of(fn, options.timeDimOrDefault(), reward);
        Tensor g = Operands.coefficient(fn, "gamma", gamma, reward, axis);
        Coefficient rhoBar = options.rhoThresh() == null ? Coefficient.of(1.0) : options.rhoThresh();
        Coefficient cBar = options.cThresh() == null ? Coefficient.of(1.0) : options.cThresh();
        Tensor rhoMax = Operands.coefficient(fn, "rho_thresh", rhoBar, reward, axis);
        Tensor cMax = Operands.coefficient(fn, "c_thresh", cBar, reward, axis);
        Tensor v = axis.canonical(stateValue), vNext = axis.canonical(nextStateValue), r = axis.canonical(reward);
        Tensor notTerm = Operands.not(Operands.broadcastOperand(fn, "terminated", terminated, reward, axis), dtype);
        Tensor notDone = Operands.not(axis.canonical(done), dtype);
        Tensor logRatio = Operands.broadcastOperand(fn, "log_pi", logPi, reward, axis)
                .sub(Operands.broadcastOperand(fn, "log_mu", logMu, reward, axis));
        // exp may overflow to +Inf for a large log-ratio; the clip then gives ρ̄ (spec §5).
        Tensor rho = logRatio.exp();
        Tensor rhoHat = rho.minimum(rhoMax.expand(rho.shapeRef()));
        Tensor cHat = rho.minimum(cMax.expand(rho.shapeRef()));
        Tensor discount = g.mul(notTerm);
        Tensor delta = rhoHat.mul(r.add(discount.mul(vNext)).sub(v));
        Tensor trace = g.mul(notDone).mul(cHat);
        int steps = r.size(-2);
        Tensor vs = v.add(Scans.linearRecurrence(delta, trace, -2, true)); // u_t = δ_t + γ nd_t ĉ_t u_{t+1}
        Tensor vsNext = steps == 1 ? vNext
                : Tensor.cat(List.of(vs.narrow(-2, 1, steps - 1), vNext.narrow(-2, steps - 1, 1)), -2);
        boolean compat = options.referenceCompat() != null && options.referenceCompat();
        if (!compat) vsNext = Tensor.where(axis.canonical(done), vNext, vsNext);
        Tensor advantage = rhoHat.mul(r.add(discount.mul(vsNext)).sub(v));
        return new VTraceResult(axis.restore(advantage), axis.restore(vs));
    }
}
