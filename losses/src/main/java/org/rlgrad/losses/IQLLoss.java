package org.rlgrad.losses;

import java.util.List;
import java.util.Objects;

import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Implicit Q-learning for continuous actions (spec losses.md §2.8; Kostrikov, Nair and Levine,
 * "Offline Reinforcement Learning with Implicit Q-Learning", 2021).
 *
 * <p>Networks: a stochastic actor π (only its distribution is used, nothing is sampled), an
 * ensemble of N critics {@code Q_i(s, a)} writing {@code state_action_value} {@code [*B, 1]}, and
 * a state-value network {@code V(s)} writing {@code state_value}. The critics always have a delayed
 * target copy {@code Q̄_i} (there is no flag; attach a {@link SoftUpdate} or {@link HardUpdate});
 * the actor's and V's target trees are detached aliases of their live parameters. With {@code a}
 * the stored (dataset) action, in this order:
 * <ol>
 *   <li>actor: {@code ℓ = log π(a|s)} (for a TanhNormal, the log-density at
 *       {@code atanh(clamp(a, −1+ε, 1−ε))}), {@code m = min_i Q̄_i(s, a)},
 *       {@code w = min(exp(β(m − V(s))), 100)} (no gradient),
 *       {@code loss_actor = red(−w·ℓ)}: advantage-weighted regression onto the data;</li>
 *   <li>critics: {@code y = value_estimate(td, sg(θ_V))}, with TD(0)
 *       {@code y = r + γⁿ(1 − term)·V(s')}, no gradient;
 *       {@code loss_qvalue = red(Σ_i d(Q_i(s, a), y))} (summed over the critics, then reduced);</li>
 *   <li>value: {@code u = m − V(s)} with the same target minimum,
 *       {@code loss_value = red(|τ − 1(u < 0)|·u²)} (expectile regression).</li>
 * </ol>
 * Gradients: {@code loss_actor → θ_π}, {@code loss_qvalue → θ_Q}, {@code loss_value → θ_V}; never a
 * target tensor. Metric {@code entropy = −mean(ℓ)}. Written into the caller's dict (detached):
 * {@code sg(ℓ)} {@code [*B]} at the {@code log_prob} key (default {@code "_log_prob"}) and the
 * priority {@code max_i (Q_i(s, a) − y)²} {@code [*B]} at {@code priority} (default
 * {@code "td_error"}); nothing else of it is touched (the actor's {@code loc}/{@code scale} stay in
 * a copy). No randomness. Estimators: TD0 (default), TD1, TDLambda, with V as value network.
 *
 * <p>Kept from the reference (spec §4 item 9): {@code entropy} is the negative log-likelihood of the
 * dataset actions, not a policy entropy; the actor and value losses read the target critics.
 *
 * <p>Options (builder): {@code numQvalueNets} (2; a list of critics gives its own size),
 * {@code lossFunction} (smooth_l1), {@code temperature} β (1), {@code expectile} τ (0.5),
 * {@code separateLosses} (false: with true the actor's tensors are detached inside V and the
 * critics, and V's inside the critics, so a shared trunk is trained by its own network's loss
 * only; critics given as a list are stacked as given), {@code reduction} (mean),
 * {@code deactivateVmap} (false: the critics run in one vmap; true: a loop with the same numbers),
 * {@code scalarOutputMode} (null), {@code generator} (re-draws critics grown from one module).
 * Keys: {@link #keyNames()}.
 */
public final class IQLLoss extends ImplicitQLearning {
    private IQLLoss(Builder b) {
        super("IQLLoss", b);
        setDeactivateVmap(b.deactivateVmap);
    }

    /** A loss whose N critics are grown from {@code critic} (each re-drawn, spec §1.3). */
    public static Builder builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase critic, TensorDictModuleBase value) {
        return new Builder(actor, Objects.requireNonNull(critic, "IQLLoss: the critic is null"), null, value);
    }

    /** A loss over the given critics, stacked as they are (member k = {@code critics.get(k)}). */
    public static Builder builder(ProbabilisticTensorDictSequential actor, List<? extends TensorDictModuleBase> critics, TensorDictModuleBase value) {
        return new Builder(actor, null, Objects.requireNonNull(critics, "IQLLoss: the critics are null"), value);
    }

    /** Each critic's {@code [N, *B, 1]} output, less its trailing axis. */
    @Override
    protected Tensor chosen(Tensor values, Tensor action) {
        if (values.dim() < 2 || values.size(-1) != 1) {
            throw new IllegalArgumentException("IQLLoss: expected the critics to write a value of shape [*B, 1] at " + key("state_action_value")
                    + ", got [N, *B, ...] = " + Shape.format(values.shapeRef()));
        }
        return values.squeeze(-1);
    }

    public static final class Builder extends ImplicitQLearning.Builder<Builder> {
        private boolean deactivateVmap;

        private Builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase critic, List<? extends TensorDictModuleBase> critics,
                        TensorDictModuleBase value) {
            super(actor, critic, critics, value);
        }

        @Override
        Builder self() { return this; }

        /** Evaluate the critics member by member instead of in one vmap (default false). */
        public Builder deactivateVmap(boolean deactivate) { this.deactivateVmap = deactivate; return this; }

        public IQLLoss build() { return new IQLLoss(this); }
    }

    /** The key names, in order. */
    public static List<String> keyNames() {
        return ImplicitQLearning.keyNames();
    }
}
