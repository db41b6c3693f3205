package org.rlgrad.losses;

import java.util.List;
import java.util.Objects;

import org.rlgrad.engine.distributions.Distribution;
import org.rlgrad.engine.modules.ActionSpace;
import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Implicit Q-learning for discrete actions (spec losses.md §2.9): {@link IQLLoss}'s three losses
 * with a categorical actor and critics that value every action at once.
 *
 * <p>Each critic writes per-action values {@code Q_i(s, ·)} {@code [*B, nA]} at
 * {@code state_action_value} (a {@link org.rlgrad.engine.modules.QValueActor} does; the loss reads
 * only that entry, on a copy of the critics' inputs, so the greedy {@code action} such an actor
 * writes never replaces the stored one). The value of the stored action {@code a} is
 * {@code Q_i(s, ·)[a]} (categorical: an index, a trailing axis appended when the action lacks it)
 * or {@code Σ_j Q_i(s, j)·a_j} (one-hot). Then, as in {@link IQLLoss}:
 * <ol>
 *   <li>actor: {@code ℓ = log π(a|s)}, {@code m = min_i Q̄_i(s, a)} (target critics),
 *       {@code w = min(exp(β(m − V(s))), 100)}, {@code loss_actor = red(−w·ℓ)};</li>
 *   <li>critics: {@code y = value_estimate(td, sg(θ_V))} without gradient,
 *       {@code loss_qvalue = red(Σ_i d(Q_i(s, a), y))};</li>
 *   <li>value: {@code m} without gradient, {@code u = m − V(s)},
 *       {@code loss_value = red(|τ − 1(u < 0)|·u²)}.</li>
 * </ol>
 * Metric {@code entropy = −mean(ℓ)} (the data's negative log-likelihood, spec §4 item 9); written
 * into the caller's dict: {@code sg(ℓ)} at {@code log_prob} and {@code max_i (Q_i − y)²} at
 * {@code priority}, both {@code [*B]}. No randomness. Estimators: TD0 (default), TD1, TDLambda, V.
 *
 * <p>Options: those of {@link IQLLoss} except {@code deactivateVmap} (the reference's discrete loss
 * has none), plus {@code actionSpace}: null warns and takes one-hot; one-hot and categorical are
 * computed; any other space is accepted at construction, as in the reference, and is an error when
 * the loss first needs a chosen value. {@code expectile ≥ 1} is an error.
 *
 * <p>Where the reference crashes on valid input (DECISIONS rule 2), with categorical actions:
 * its gather gets an index without the critics' ensemble axis (rlgrad broadcasts the index over
 * it), and an index stored as {@code [*B, 1]} is broadcast by the actor's log-probability to
 * {@code [*B, *B]} (rlgrad scores it without the trailing axis).
 */
public final class DiscreteIQLLoss extends ImplicitQLearning {
    private static final System.Logger LOG = System.getLogger(DiscreteIQLLoss.class.getName());

    private final ActionSpace actionSpace;

    private DiscreteIQLLoss(Builder b) {
        super("DiscreteIQLLoss", checked(b));
        if (b.actionSpace == null) {
            LOG.log(System.Logger.Level.WARNING, "DiscreteIQLLoss: action_space was not given; using one_hot");
            this.actionSpace = ActionSpace.ONE_HOT;
        } else {
            this.actionSpace = b.actionSpace;
        }
    }

    private static Builder checked(Builder b) {
        if (b.expectileSetting() >= 1.0) throw new IllegalArgumentException("DiscreteIQLLoss: expectile must be lower than 1.0, got " + b.expectileSetting());
        return b;
    }

    /** A loss whose N critics are grown from {@code critic} (each re-drawn, spec §1.3). */
    public static Builder builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase critic, TensorDictModuleBase value) {
        return new Builder(actor, Objects.requireNonNull(critic, "DiscreteIQLLoss: the critic is null"), null, value);
    }

    /** A loss over the given critics, stacked as they are (member k = {@code critics.get(k)}). */
    public static Builder builder(ProbabilisticTensorDictSequential actor, List<? extends TensorDictModuleBase> critics, TensorDictModuleBase value) {
        return new Builder(actor, null, Objects.requireNonNull(critics, "DiscreteIQLLoss: the critics are null"), value);
    }

    public ActionSpace actionSpace() { return actionSpace; }

    @Override
    protected Tensor chosen(Tensor values, Tensor action) {
        return switch (actionSpace) {
            case ONE_HOT -> {
                checkTrailing(values, action, action.dim() + 1);
                yield values.mul(action.to(values.dtype())).sum(-1, false);
            }
            case CATEGORICAL -> {
                Tensor idx = action.dtype() == DType.INT64 ? action : action.toLong();
                if (idx.dim() == values.dim() - 2) idx = idx.unsqueeze(-1);
                checkTrailing(values, idx, idx.dim() + 1);
                if (idx.size(-1) != 1) {
                    throw new IllegalArgumentException("DiscreteIQLLoss: a categorical action must be an index of shape [*B] or [*B, 1], got "
                            + Shape.format(action.shapeRef()));
                }
                int[] shape = values.shape();
                shape[shape.length - 1] = 1;
                yield values.gather(-1, idx.unsqueeze(0).expand(shape).contiguous()).squeeze(-1);
            }
            default -> throw new UnsupportedOperationException("DiscreteIQLLoss: action space " + actionSpace
                    + " is not supported; expected ONE_HOT or CATEGORICAL");
        };
    }

    /**
     * A categorical index stored with a trailing axis ({@code [*B, 1]}) loses it before a
     * distribution over indices scores it: the reference would broadcast it against the batch
     * ({@code [*B, *B]}) and then stop on the shape mismatch.
     */
    @Override
    protected Tensor scoredAction(Distribution dist, Tensor action) {
        boolean indexWithTrailingAxis = actionSpace == ActionSpace.CATEGORICAL && dist.eventShape().length == 0
                && action.dim() == dist.batchShape().length + 1 && action.size(-1) == 1;
        return indexWithTrailingAxis ? action.squeeze(-1) : action;
    }

    private static void checkTrailing(Tensor values, Tensor action, int expectedValuesDim) {
        if (values.dim() != expectedValuesDim) {
            throw new IllegalArgumentException("DiscreteIQLLoss: the stored action of shape " + Shape.format(action.shapeRef())
                    + " does not match the critics' per-action values of shape [N, *B, nA] = " + Shape.format(values.shapeRef()));
        }
    }

    public static final class Builder extends ImplicitQLearning.Builder<Builder> {
        private ActionSpace actionSpace;

        private Builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase critic, List<? extends TensorDictModuleBase> critics,
                        TensorDictModuleBase value) {
            super(actor, critic, critics, value);
        }

        @Override
        Builder self() { return this; }

        /** How the stored action is encoded (null: one-hot, with a warning). */
        public Builder actionSpace(ActionSpace space) { this.actionSpace = space; return this; }

        public Builder actionSpace(String name) { return actionSpace(name == null ? null : ActionSpace.parse(name)); }

        public DiscreteIQLLoss build() { return new DiscreteIQLLoss(this); }
    }

    /** The key names, in order. */
    public static List<String> keyNames() {
        return ImplicitQLearning.keyNames();
    }

    @Override
    public String toString() {
        return super.toString().replace("DiscreteIQLLoss(", "DiscreteIQLLoss(action_space=" + actionSpace + ", ");
    }
}
