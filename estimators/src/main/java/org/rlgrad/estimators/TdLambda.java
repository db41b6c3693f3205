package org.rlgrad.estimators;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * TD(λ): the λ-return, a geometric mixture of n-step returns (Sutton and Barto, §12.1, eq. 12.3),
 * in its recursive form (eq. 12.18 without eligibility traces), spec estimators.md §3.6 to §3.8.
 *
 * <p>With {@code Ṽ_t = nτ_t V'_t} (an absorbing next state is worth nothing):
 * {@code B_t = d_t Ṽ_t + (1 − d_t) G_{t+1}} and
 * {@code G_t = r_t + γ_t ((1 − λ_t) Ṽ_t + λ_t B_t)}, {@code G_T = Ṽ_{T−1}}. At λ = 0 this is
 * TD(0), at λ = 1 it is TD(1).
 *
 * <p>Vectorised, the same recursion is {@code G_t = x_t + a_t G_{t+1}} with
 * {@code a_t = γ_t λ_t (1 − d'_t)} and {@code x_t = r_t + γ_t Ṽ_t (1 − λ_t (1 − d'_t))}, where
 * {@code d'} is done with the last step forced, solved by {@link DiscountedSums}.
 */
final class TdLambda {
    private TdLambda() {}

    /** The arguments after checks, in the canonical layout. */
    private record Prepared(TimeAxis axis, DType dtype, Tensor gamma, Tensor lambda, Tensor nextValue, Tensor reward,
            Tensor done, Tensor terminated, boolean perStep) {}

    private static Prepared prepare(String fn, Coefficient gamma, Coefficient lambda, Tensor nextStateValue, Tensor reward,
            Tensor done, EstimatorOptions options) {
        DType dtype = Operands.requireFloating(fn, "next_state_value", nextStateValue, "reward", reward);
        Operands.requireBool(fn, "done", done);
        Operands.rejectOption(fn, "rhoThresh", options.rhoThresh());
        Operands.rejectOption(fn, "cThresh", options.cThresh());
        Operands.rejectOption(fn, "referenceCompat", options.referenceCompat());
        Tensor terminated = options.terminated() == null ? done : Operands.requireBool(fn, "terminated", options.terminated());
        Operands.requireSameShape(fn, "next_state_value", nextStateValue, "reward", reward, "done", done, "terminated", terminated);
        TimeAxis axis = TimeAxis.of(fn, options.timeDimOrDefault(), reward);
        Tensor g = Operands.coefficient(fn, "gamma", gamma, reward, axis);
        Tensor l = lambda == null ? null : Operands.coefficient(fn, "lmbda", lambda, reward, axis);
        boolean perStep = !gamma.isSingle() || (lambda != null && !lambda.isSingle());
        return new Prepared(axis, dtype, g, l, axis.canonical(nextStateValue), axis.canonical(reward), axis.canonical(done),
                axis.canonical(terminated), perStep);
    }

    static Tensor returns(String fn, Coefficient gamma, Coefficient lambda, Tensor nextStateValue, Tensor reward, Tensor done,
            EstimatorOptions options) {
        Prepared p = prepare(fn, gamma, Operands.requiredCoefficient(fn, "lmbda", lambda), nextStateValue, reward, done, options);
        if (!options.rollingGammaOrDefault() && !p.perStep()) {
            throw new IllegalArgumentException(fn + ": rolling_gamma=False is expected only with time-sensitive gamma or lambda values "
                    + "(a tensor of the data's shape); got a single gamma and a single lambda. Leave rollingGamma unset or pass per-step values.");
        }
        Tensor vTilde = Operands.not(p.terminated(), p.dtype()).mul(p.nextValue());
        Tensor out = options.rollingGammaOrDefault()
                ? rolling(p.gamma(), p.lambda(), vTilde, p.reward(), p.done(), p.dtype())
                : nonRolling(p.gamma(), p.lambda(), vTilde, p.reward(), p.done(), p.dtype());
        return p.axis().restore(out);
    }

    private static Tensor rolling(Tensor g, Tensor l, Tensor vTilde, Tensor r, Tensor done, DType dtype) {
        int steps = r.size(-2);
        Tensor d = Operands.asNumbers(done, dtype);
        List<Tensor> out = new ArrayList<>(steps);
        Tensor next = vTilde.select(-2, steps - 1);
        for (int t = steps - 1; t >= 0; t--) {
            Tensor dt = d.select(-2, t), vt = vTilde.select(-2, t), lt = Steps.at(l, t);
            Tensor bootstrap = dt.mul(vt).add(dt.rsub(1).mul(next));
            next = r.select(-2, t).add(Steps.at(g, t).mul(lt.rsub(1).mul(vt).add(lt.mul(bootstrap))));
            out.add(next);
        }
        Collections.reverse(out);
        return Tensor.stack(out, -2);
    }

    /**
     * rolling_gamma = false: output k runs the recursion from T−1 down to k with the constants
     * (γ_k, λ_k) at every step and G_T = Ṽ_{T−1}. The state holds one entry per start k.
     */
    private static Tensor nonRolling(Tensor g, Tensor l, Tensor vTilde, Tensor r, Tensor done, DType dtype) {
        int steps = r.size(-2);
        Tensor d = Operands.asNumbers(done, dtype);
        Tensor gk = g.dim() == 0 ? g.expand(r.shapeRef()) : g, lk = l.dim() == 0 ? l.expand(r.shapeRef()) : l;
        List<Tensor> out = new ArrayList<>(steps);
        Tensor state = vTilde.narrow(-2, steps - 1, 1).expand(r.shapeRef());
        for (int i = steps - 1; i >= 0; i--) {
            Tensor di = d.narrow(-2, i, 1), vi = vTilde.narrow(-2, i, 1);
            Tensor bootstrap = di.mul(vi).add(di.rsub(1).mul(state));
            state = r.narrow(-2, i, 1).add(gk.mul(lk.rsub(1).mul(vi).add(lk.mul(bootstrap))));
            out.add(state.select(-2, i));
        }
        Collections.reverse(out);
        return Tensor.stack(out, -2);
    }

    /**
     * The vectorised λ-return (§3.8): one discounted-sum scan with decay γλ inside trajectories
     * (per step or single). Unlike the reference, a per-step
     * λ is accepted (DECISIONS.md rule 4). {@code rollingGamma=false} is ignored on the single-value
     * path, as in the reference (a documented quirk, spec §8 item 3), and rejected on the per-step
     * path, where it is not implemented.
     */
    static Tensor vecReturns(String fn, Coefficient gamma, Coefficient lambda, Tensor nextStateValue, Tensor reward, Tensor done,
            EstimatorOptions options) {
        Prepared p = prepare(fn, gamma, Operands.requiredCoefficient(fn, "lmbda", lambda), nextStateValue, reward, done, options);
        if (p.perStep() && !options.rollingGammaOrDefault()) {
            throw new UnsupportedOperationException(fn + ": " + nonRollingMessage(p.terminated()));
        }
        DType dtype = p.dtype();
        Tensor vTilde = Operands.not(p.terminated(), dtype).mul(p.nextValue());
        Tensor cut = DiscountedSums.forceLastStep(p.done()); // d'
        Tensor continues = Operands.not(cut, dtype);
        Tensor g = p.gamma(), l = p.lambda();
        // x_t = r_t + γ_t Ṽ_t (1 − λ_t (1 − d'_t)): the (1 − λ) share of the bootstrap inside a
        // trajectory, all of it at its last step.
        Tensor drive = p.reward().add(g.mul(vTilde).mul(l.mul(continues).rsub(1)));
        Tensor out = p.perStep()
                ? DiscountedSums.withDecays(drive, g.mul(l).mul(continues).expand(drive.shapeRef()))
                : DiscountedSums.geometric(fn, drive, continues, g.mul(l));
        return p.axis().restore(out);
    }

    /** The reference's two "not implemented" messages (§3.8), chosen by the same test. */
    private static String nonRollingMessage(Tensor terminated) {
        int steps = terminated.size(-2);
        boolean termThenContinues = steps > 1 && terminated.narrow(-2, 0, steps - 1)
                .logicalAnd(terminated.narrow(-2, 1, steps - 1).logicalNot()).any().item() != 0;
        if (termThenContinues) {
            return "When using rolling_gamma=False and vectorized TD(lambda) with time-dependent gamma, make sure that consecutive "
                    + "trajectories are separated as different batch items: a terminated step is followed by a non-terminated one "
                    + "in the same series. The vectorised per-step-gamma path implements rolling_gamma=True only; use the sequential "
                    + "function for rolling_gamma=False.";
        }
        return "The vectorized version of TD(lambda) with rolling_gamma=False is currently not available with time-dependent gamma. "
                + "Use rolling_gamma=True (the default) or the sequential function.";
    }
}
