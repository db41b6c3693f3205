package org.rlgrad.losses;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * The TD3+BC loss (spec losses.md §2.16; Fujimoto and Gu 2021, "A minimalist approach to offline
 * reinforcement learning"): {@link TD3Loss} (the shared part: {@link TD3LossBase}) with the same constructor options, keys, Q loss and
 * target noise, and a behaviour-cloning actor loss.
 *
 * <p>Actor: {@code ã = μ_θμ(s)}; {@code q₀ = Q_0,sg(s, ã)} (the first critic, its parameters
 * detached) {@code [*B]}; {@code bc = mean over every element of (ã − a_data)²}, a scalar;
 * {@code λ = α / sg(mean_b |q₀|)}; per sample {@code L_b = −λ q₀_b + bc};
 * {@code loss_actor = red(L)}. The scalar {@code bc} is added to every element before the
 * reduction (TorchRL's arithmetic, kept: with {@code sum} it is counted once per sample, and
 * masks do not remove it from the batch mean it was computed over).
 *
 * <p>Outputs: {@code loss_actor}, {@code loss_qvalue}; detached metrics
 * {@code state_action_value_actor} = {@code sg(q₀)} {@code [*B]} (first critic only),
 * {@code bc_loss}, {@code lmbd} (scalars), and TD3's {@code next_state_value}, {@code pred_value}
 * {@code [N, *B]}, {@code target_value}; the priority {@code max_i (Q_i − y)²} is written into the
 * caller's dict. Forward order: actor loss, then Q loss (which draws the noise). Option
 * {@code alpha} (2.5) besides TD3's.
 */
public final class TD3BCLoss extends TD3LossBase {
    private final double alpha;

    private TD3BCLoss(Builder b) {
        super("TD3BCLoss", b);
        this.alpha = b.alpha;
    }

    /** Grows {@code numQvalueNets} critics (default 2) from {@code qvalue}, each parameter re-drawn (spec §1.3). */
    public static Builder builder(TensorDictModuleBase actor, TensorDictModuleBase qvalue) {
        return new Builder(actor, qvalue, null);
    }

    /** An ensemble of the given critics, stacked as they are. */
    public static Builder builder(TensorDictModuleBase actor, List<? extends TensorDictModuleBase> qvalues) {
        return new Builder(actor, null, qvalues);
    }

    /** α, the weight of the Q term relative to behaviour cloning. */
    public double alpha() { return alpha; }

    @Override
    protected LossTerm actorTerm(TensorDict td) {
        ActorValues v = actorValues(td);
        Tensor q0 = v.values().select(0, 0);
        Tensor dataAction = require(td, key("action"));
        Tensor bc = v.action().sub(dataAction.to(v.action().dtype())).square().mean();
        Tensor lmbd;
        try (GradMode.Scope g = GradMode.noGrad()) {
            lmbd = q0.detach().abs().mean().rdiv(alpha);
        }
        Tensor perSample = lmbd.mul(q0).neg().add(bc);
        Map<String, Tensor> metadata = new LinkedHashMap<>();
        metadata.put("state_action_value_actor", q0.detach());
        metadata.put("bc_loss", bc.detach());
        metadata.put("lmbd", lmbd);
        return new LossTerm(reduce(perSample, td), metadata);
    }

    public static final class Builder extends Options<Builder> {
        private double alpha = 2.5;

        private Builder(TensorDictModuleBase actor, TensorDictModuleBase qvalue, List<? extends TensorDictModuleBase> qvalues) {
            super("TD3BCLoss", actor, qvalue, qvalues);
        }

        @Override
        Builder self() { return this; }

        /** α (default 2.5): {@code λ = α / mean|Q_0|}. */
        public Builder alpha(double alpha) { this.alpha = alpha; return this; }

        public TD3BCLoss build() { return new TD3BCLoss(this); }
    }

    @Override
    public String toString() {
        return super.toString().replaceFirst("\\(", "(alpha=" + alpha + ", ");
    }
}
