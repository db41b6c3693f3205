package org.rlgrad.losses;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * The Dreamer value loss (spec losses.md §2.22; Hafner et al. 2020, eq. 8): regression of the
 * value model on the λ-returns of imagined trajectories.
 *
 * <p>On the imagined data {@code [B', H]} that {@link DreamerActorLoss} returns (latent states at
 * the root, {@code lambda_target} {@code [B', H, 1]} beside them):
 * {@code v_t = V(s_t)}, {@code e_t = d(v_t, sg(G_t))} with {@code d} the {@code valueLoss}
 * distance, and
 * <pre>  loss_value = mean_{B'} Σ_{t, last} w_t · e_t,   w_t = γ^t  (w_0 = 1; all 1 without discountLoss)</pre>
 * a scalar. The target {@code G} is whatever the actor loss wrote: by default the true TD(λ) return
 * along the horizon (DECISIONS.md rule 3), or the reference's one-step target when the actor loss
 * was built with {@link DreamerActorLoss.Builder#referenceCompat(boolean) referenceCompat(true)}.
 * This loss only reads it, so that the value model regresses on exactly the returns the actor
 * maximised.
 *
 * <p>Gradient reaches the value model only (the target is detached). The value model runs with its
 * own parameters on a shallow copy of the data (the loss is not functional, spec §2.22); the
 * {@link #setReduction reduction} and masks of §1.8 do not apply. Its own γ (default 0.99, spec
 * §1.9's exception) weighs the steps. No randomness, no value estimator. Keys: {@code value}
 * (default {@code state_value}) and {@code lambda_target} (rlgrad names the reference's fixed
 * entry so that it can be moved).
 */
public final class DreamerValueLoss extends LossModule {
    /** The name of the value model's parameter tree. */
    public static final String VALUE_MODEL = "value";

    private final TensorDictModuleBase valueModel;
    private final Distance valueLoss;
    private final boolean discountLoss;
    private final double gamma;

    private DreamerValueLoss(Builder b) {
        super("DreamerValueLoss", keyDefaults());
        this.valueModel = b.valueModel;
        this.valueLoss = b.valueLoss;
        this.discountLoss = b.discountLoss;
        this.gamma = b.gamma;
        registerNetwork(VALUE_MODEL, valueModel, false);
    }

    private static Map<String, Object> keyDefaults() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("value", "state_value");
        k.put("lambda_target", "lambda_target");
        return k;
    }

    /** A loss over {@code valueModel}, which writes the state value {@code [*B, 1]} from the latent state. */
    public static Builder builder(TensorDictModuleBase valueModel) {
        return new Builder(Objects.requireNonNull(valueModel, "DreamerValueLoss: the value model is null"));
    }

    public TensorDictModuleBase valueModel() { return valueModel; }

    public Distance valueLoss() { return valueLoss; }

    public boolean discountLoss() { return discountLoss; }

    /** The discount γ of the step weights (the loss's own, spec §1.9). */
    @Override
    public Double gamma() { return gamma; }

    @Override
    protected TensorDict computeLosses(TensorDict td) {
        return lossAndData(td).losses();
    }

    /** The loss and the data it was given (the reference's pair), in the loss's sampling mode. */
    public LossAndData forwardWithData(TensorDict td) {
        Objects.requireNonNull(td, "DreamerValueLoss.forwardWithData: expected a TensorDict, got null");
        return inSamplingMode(() -> lossAndData(td));
    }

    private LossAndData lossAndData(TensorDict td) {
        Tensor target = require(td, key("lambda_target")).detach();
        TensorDict work = td.copy();
        valueModel.forward(work);
        Tensor value = require(work, key("value"));
        Tensor error = valueLoss.apply(value, target);
        if (discountLoss) error = error.mul(ImaginationDiscount.weights(gamma, target));
        TensorDict out = new TensorDict();
        out.set("loss_value", error.sum(new int[] {-2, -1}, false).mean());
        return new LossAndData(out, td);
    }


    /** The key names, in order. */
    public static List<String> keyNames() {
        return List.copyOf(keyDefaults().keySet());
    }

    @Override
    public String toString() {
        return "DreamerValueLoss(value_loss=" + valueLoss.alias() + ", discount_loss=" + discountLoss + ", gamma=" + gamma + ", keys=" + tensorKeys() + ")";
    }

    public static final class Builder {
        private final TensorDictModuleBase valueModel;
        private Distance valueLoss = Distance.L2;
        private boolean discountLoss = true;
        private double gamma = 0.99;

        private Builder(TensorDictModuleBase valueModel) {
            this.valueModel = valueModel;
        }

        /** The distance between value and target (default l2; null means l2). */
        public Builder valueLoss(Distance d) { this.valueLoss = d == null ? Distance.L2 : d; return this; }

        public Builder valueLoss(String name) { return valueLoss(name == null ? null : Distance.parse(name)); }

        /** Weigh step t by γ^t (default true). */
        public Builder discountLoss(boolean discount) { this.discountLoss = discount; return this; }

        /** The discount γ of the step weights (default 0.99). */
        public Builder gamma(double gamma) { this.gamma = gamma; return this; }

        public DreamerValueLoss build() { return new DreamerValueLoss(this); }
    }
}
