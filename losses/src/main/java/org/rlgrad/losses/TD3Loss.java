package org.rlgrad.losses;

import java.util.List;
import java.util.Map;

import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * The TD3 loss (spec losses.md §2.15; Fujimoto et al. 2018, "Addressing function approximation
 * error in actor-critic methods").
 *
 * <p>A deterministic actor {@code μ} and an ensemble of {@code N} critics {@code Q_i} (default 2).
 * Forward computes the actor loss, then the Q loss:
 * <ul>
 *   <li>actor: {@code ã = μ_θμ(s)}; every critic, with its parameters detached, on {@code (s, ã)}
 *       gives {@code [N, *B]}; {@code loss_actor = red(−Q_0(s, ã))}: <b>only the first critic</b>
 *       enters the loss, as in TorchRL and the paper's Q_θ1 (kept: DECISIONS.md rule 1);
 *       metric {@code state_action_value_actor} {@code [N, *B]};</li>
 *   <li>Q (target policy smoothing and clipped double Q): {@code z ~ N(0, 1)} of the stored
 *       action's shape, drawn first; {@code ε = clip(σ z, −c, c)};
 *       {@code a' = clip(μ_θ̄μ(s') + ε, low, high)}; {@code v' = min_i Q_θ̄i(s', a')};
 *       {@code y = r + γⁿ (1 − term) v'} (TD(0)); {@code loss_qvalue = red(Σ_i d(Q_i(s, a), y))};
 *       metrics {@code next_state_value}, {@code pred_value} {@code [N, *B]},
 *       {@code target_value}; priority {@code max_i (Q_i − y)²} written into the caller's dict.</li>
 * </ul>
 * Gradients: the actor from {@code loss_actor} only, the critics from {@code loss_qvalue} only;
 * the target trees never. One Gaussian draw per call. Estimators: TD0 (default), TD1, TDLambda,
 * with no value network (value key {@code state_action_value}). Bounds, critics and the shared
 * mechanics: {@link TD3LossBase}.
 *
 * <p>Options: bounds or action spec (exactly one), {@code numQvalueNets} (2), {@code policyNoise}
 * σ (0.2), {@code noiseClip} c (0.5), {@code lossFunction} (smooth_l1), {@code delayActor} (true),
 * {@code delayQvalue} (true), {@code separateLosses} (false), {@code reduction} (mean),
 * {@code deactivateVmap} (false), prioritized weights (auto), {@code generator}. TD3 is not among
 * the losses where rlgrad departs from TorchRL (DECISIONS.md rule 3), so there is no
 * {@code referenceCompat} option.
 */
public final class TD3Loss extends TD3LossBase {
    private TD3Loss(Builder b) {
        super("TD3Loss", b);
    }

    /** Grows {@code numQvalueNets} critics (default 2) from {@code qvalue}, each parameter re-drawn (spec §1.3). */
    public static Builder builder(TensorDictModuleBase actor, TensorDictModuleBase qvalue) {
        return new Builder(actor, qvalue, null);
    }

    /** An ensemble of the given critics, stacked as they are (member {@code k} is {@code qvalues.get(k)}). */
    public static Builder builder(TensorDictModuleBase actor, List<? extends TensorDictModuleBase> qvalues) {
        return new Builder(actor, null, qvalues);
    }

    /** {@code loss_actor = red(−Q_0)} with the metric {@code state_action_value_actor} {@code [N, *B]}. */
    @Override
    protected LossTerm actorTerm(TensorDict td) {
        ActorValues v = actorValues(td);
        Tensor loss = reduce(v.values().select(0, 0).neg(), td);
        return new LossTerm(loss, Map.of("state_action_value_actor", v.values().detach()));
    }

    public static final class Builder extends Options<Builder> {
        private Builder(TensorDictModuleBase actor, TensorDictModuleBase qvalue, List<? extends TensorDictModuleBase> qvalues) {
            super("TD3Loss", actor, qvalue, qvalues);
        }

        @Override
        Builder self() { return this; }

        public TD3Loss build() { return new TD3Loss(this); }
    }
}
