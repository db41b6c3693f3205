package org.rlgrad.losses;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.ActionSpace;
import org.rlgrad.engine.modules.QValueActor;
import org.rlgrad.engine.modules.QValueModule;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.nn.UnaryModule;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.estimators.ValueEstimators;

/**
 * Discrete conservative Q-learning (spec losses.md §2.11; Kumar, Zhou, Tucker and Levine 2020,
 * the CQL(H) objective for discrete actions).
 *
 * <p>With {@code Q_θ(s, ·)} {@code [B, nA]} from the online Q-value actor, {@code q = Q_θ(s, a)}
 * (a gather for categorical actions, {@code Σ Q·a} otherwise) and the target
 * {@code y = value_estimate(td)}, with TD(0) {@code y = r + γⁿ (1 − term) max_a' Q_θ̄(s', a')}:
 * <ul>
 *   <li>{@code loss_qvalue = red(½·d(q, sg(y)))} (the ½ is kept from the reference);</li>
 *   <li>{@code loss_cql = red(logsumexp_a Q_θ(s, a) − q)} (no weight, no temperature).</li>
 * </ul>
 * Metrics: {@code td_error} {@code [1]} = the batch mean of {@code (q − y)²}, {@code pred_value} =
 * the mean of every entry of {@code Q_θ(s, ·)}, {@code target_value} = the mean of {@code y}. The
 * caller's dict receives the priority {@code sg((q − y)²)} {@code [B, 1]} and
 * {@code pred_val = Q_θ(s, ·)} {@code [B, nA]}, with its history (the conservative term reads it
 * back, as the reference's {@code cql_loss} does). Both losses send gradient to θ only. No
 * randomness. Estimators: TD0 (default), TD1, TDLambda over the Q actor, value key
 * {@code chosen_action_value}.
 *
 * <p>The bootstrap network (DECISIONS.md rule 3): by default {@code y} is computed with the
 * target parameters θ̄ (the delayed copy when {@code delayValue}, else sg(θ)), as the published
 * algorithm does. {@link Builder#referenceCompat(boolean) referenceCompat(true)} reproduces
 * TorchRL's numbers, including its known deviation: the greedy value of the ONLINE network,
 * sg(θ), so the delayed copy is created and moved by updaters but never read.
 *
 * <p>Options: {@code lossFunction} (l2), {@code delayValue} (true), {@code actionSpace} (the
 * network's, else one-hot with a warning), {@code reduction} (mean; masks apply, priority weights
 * do not), {@code referenceCompat} (false).
 */
public final class DiscreteCQLLoss extends LossModule {
    private static final System.Logger LOG = System.getLogger(DiscreteCQLLoss.class.getName());

    /** The name of the Q network's parameter tree. */
    public static final String VALUE_NETWORK = "value";

    private final TensorDictModuleBase valueNetwork;
    private final Distance lossFunction;
    private final boolean delayValue;
    private final ActionSpace actionSpace;
    private final boolean referenceCompat;

    private DiscreteCQLLoss(Builder b) {
        super("DiscreteCQLLoss", keyDefaults());
        this.lossFunction = b.lossFunction;
        this.delayValue = b.delayValue;
        this.referenceCompat = b.referenceCompat;
        this.actionSpace = QActorActionSpace.resolve(b.actionSpace, b.network, "DiscreteCQLLoss", LOG);
        this.valueNetwork = b.network != null ? b.network : new QValueActor(b.rawNetwork, QValueModule.builder(actionSpace).build());
        setReduction(b.reduction);
        registerNetwork(VALUE_NETWORK, valueNetwork, delayValue);
    }

    private static Map<String, Object> keyDefaults() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("value_target", "value_target");
        k.put("value", "chosen_action_value");
        k.put("action_value", "action_value");
        k.put("action", "action");
        k.put("priority", "td_error");
        k.put("reward", "reward");
        k.put("done", "done");
        k.put("terminated", "terminated");
        k.put("pred_val", "pred_val");
        return k;
    }

    /** A loss over a Q-value actor (or any TensorDict module writing the action values). */
    public static Builder builder(TensorDictModuleBase valueNetwork) {
        return new Builder(Objects.requireNonNull(valueNetwork, "DiscreteCQLLoss: the value network is null"), null);
    }

    /** A loss over a raw network from {@code "observation"} to the action values, wrapped into a {@link QValueActor}. */
    public static Builder builder(UnaryModule network) {
        return new Builder(null, Objects.requireNonNull(network, "DiscreteCQLLoss: the value network is null"));
    }

    public Distance lossFunction() { return lossFunction; }

    public boolean delayValue() { return delayValue; }

    public ActionSpace actionSpace() { return actionSpace; }

    /** Whether the target bootstraps from the online network, as TorchRL does (see the class comment). */
    public boolean referenceCompat() { return referenceCompat; }

    /** The Q network the loss evaluates. */
    public TensorDictModuleBase valueNetwork() { return valueNetwork; }

    @Override
    protected ValueEstimators defaultValueEstimator() { return ValueEstimators.TD0; }

    @Override
    protected Set<ValueEstimators> supportedValueEstimators() {
        return TD_ESTIMATORS;
    }

    @Override
    protected TensorDictModuleBase valueEstimatorNetwork(ValueEstimators type) { return valueNetwork; }

    @Override
    protected TensorDict computeLosses(TensorDict td) {
        LossTerm value = valueTerm(td);
        TensorDict out = new TensorDict();
        value.metadata().forEach(out::set);
        out.set("loss_qvalue", value.loss());
        out.set("loss_cql", conservativeTerm(td));
        return out;
    }

    /**
     * The TD component alone ({@code value_loss}): {@code loss_qvalue} and the metrics
     * {@code td_error}, {@code pred_value}, {@code target_value}; writes the priority and
     * {@code pred_val} into {@code td}.
     */
    public LossTerm valueLoss(TensorDict td) {
        Objects.requireNonNull(td, "DiscreteCQLLoss.valueLoss: expected a TensorDict, got null");
        return inSamplingMode(() -> valueTerm(td));
    }

    /** The conservative component alone ({@code cql_loss}), no metrics: reads {@code pred_val}, which {@link #valueLoss} writes. */
    public LossTerm cqlLoss(TensorDict td) {
        Objects.requireNonNull(td, "DiscreteCQLLoss.cqlLoss: expected a TensorDict, got null");
        return inSamplingMode(() -> new LossTerm(conservativeTerm(td), Map.of()));
    }

    private LossTerm valueTerm(TensorDict td) {
        Tensor action = require(td, key("action"));
        TensorDict work = td.copy();
        Tensor actionValues = valueNetwork.forwardWith(params(VALUE_NETWORK), work).get(key("action_value"));
        Tensor q = ChosenActionValue.of(actionSpace, actionValues, action, false);

        // The published algorithm bootstraps from the target network; TorchRL evaluates the live parameters.
        TensorDict bootstrap = referenceCompat ? params(VALUE_NETWORK).detach() : targetParams(VALUE_NETWORK);
        Tensor y = valueEstimator().valueEstimate(work, bootstrap, null, null).squeeze(-1).detach();
        Tensor priority;
        Map<String, Tensor> metadata = new LinkedHashMap<>();
        try (GradMode.Scope g = GradMode.noGrad()) {
            priority = q.detach().sub(y).square().unsqueeze(-1);
            metadata.put("td_error", priority.mean(0));
            metadata.put("pred_value", actionValues.detach().mean());
            metadata.put("target_value", y.mean());
        }
        td.set(key("priority"), priority);
        td.set(key("pred_val"), actionValues);

        return new LossTerm(reduce(lossFunction.apply(q, y).mul(0.5), td), metadata);
    }

    private Tensor conservativeTerm(TensorDict td) {
        Tensor qValues = td.get(key("pred_val"), null);
        if (qValues == null) {
            throw new IllegalArgumentException("DiscreteCQLLoss: the input has no entry " + key("pred_val") + " (the predicted Q-values, written by valueLoss; "
                    + "call valueLoss before cqlLoss); it holds " + td.keys(true, true));
        }
        Tensor action = require(td, key("action"));
        Tensor perSample = qValues.logsumexp(-1).sub(ChosenActionValue.of(actionSpace, qValues, action, false));
        return reduce(perSample, td);
    }

    public static final class Builder {
        private final TensorDictModuleBase network;
        private final UnaryModule rawNetwork;
        private Distance lossFunction = Distance.L2;
        private boolean delayValue = true;
        private ActionSpace actionSpace;
        private Reduction reduction = Reduction.MEAN;
        private boolean referenceCompat;

        private Builder(TensorDictModuleBase network, UnaryModule rawNetwork) {
            this.network = network;
            this.rawNetwork = rawNetwork;
        }

        /** The distance between q and its target (default l2); the TD loss is half of it. */
        public Builder lossFunction(Distance d) { this.lossFunction = Objects.requireNonNull(d, "lossFunction"); return this; }

        public Builder lossFunction(String name) { return lossFunction(Distance.parse(name)); }

        /** Whether the target is a delayed copy of the Q network (default true). */
        public Builder delayValue(boolean delay) { this.delayValue = delay; return this; }

        /** The action encoding; null: the network's, else one_hot with a warning. */
        public Builder actionSpace(ActionSpace space) { this.actionSpace = space; return this; }

        public Builder actionSpace(String name) { return actionSpace(name == null ? null : ActionSpace.parse(name)); }

        public Builder reduction(Reduction r) { this.reduction = r == null ? Reduction.MEAN : r; return this; }

        public Builder reduction(String r) { return reduction(r == null ? null : Reduction.parse(r)); }

        /**
         * Reproduces TorchRL's numbers, including its known deviation: the target bootstraps from
         * the online network (no gradient) instead of the target network (default false).
         */
        public Builder referenceCompat(boolean compat) { this.referenceCompat = compat; return this; }

        public DiscreteCQLLoss build() { return new DiscreteCQLLoss(this); }
    }

    @Override
    public String toString() {
        return "DiscreteCQLLoss(loss_function=" + lossFunction.alias() + ", delay_value=" + delayValue + ", action_space=" + actionSpace
                + ", reference_compat=" + referenceCompat + ", keys=" + tensorKeys() + ")";
    }

    /** The key names, in order (for documentation and tests). */
    public static List<String> keyNames() {
        return List.copyOf(keyDefaults().keySet());
    }
}
