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
 * The DQN loss (spec losses.md §2.1; Mnih et al. 2015, double DQN: van Hasselt et al. 2016).
 *
 * <p>With {@code q = Q_θ(s, a)} (the stored action's value: a gather for categorical actions,
 * {@code Σ Q·a} otherwise) and the target {@code y}:
 * <ul>
 *   <li>plain: {@code y = value_estimate(td, θ̄)}; with TD(0) {@code y = r + γⁿ (1 − term) max_a Q_θ̄(s', a)}
 *       (one-hot ties: the sum of the tied values, as the greedy one-hot marks every maximum);</li>
 *   <li>double DQN: {@code a* = argmax_a Q_sg(θ)(s', a)}, {@code y = r + γⁿ (1 − term) Q_θ̄(s', a*)}.</li>
 * </ul>
 * {@code loss = red(d(q, sg(y)))}, written as the bare {@code loss} entry; the priority
 * {@code sg((q − y)²)} {@code [*B, 1]} is written into the caller's dict. Gradient reaches only θ,
 * through {@code q}. No randomness. Estimators: TD0 (default), TD1, TDLambda; value key
 * {@code chosen_action_value}.
 */
public final class DQNLoss extends LossModule {
    private static final System.Logger LOG = System.getLogger(DQNLoss.class.getName());

    /** The name of the Q network's parameter tree ({@code value_network_params} in TorchRL). */
    public static final String VALUE_NETWORK = "value";

    private final TensorDictModuleBase valueNetwork;
    private final Distance lossFunction;
    private final boolean delayValue;
    private final boolean doubleDqn;
    private final ActionSpace actionSpace;

    private DQNLoss(Builder b) {
        super("DQNLoss", keyDefaults());
        this.lossFunction = b.lossFunction;
        this.delayValue = b.delayValue;
        this.doubleDqn = b.doubleDqn;
        if (doubleDqn && !delayValue) throw new IllegalArgumentException("DQNLoss: double_dqn=true requires delay_value=true (the target network picks no action)");
        this.actionSpace = QActorActionSpace.resolve(b.actionSpace, b.network, "DQNLoss", LOG);
        this.valueNetwork = b.network != null ? b.network : new QValueActor(b.rawNetwork, QValueModule.builder(actionSpace).build());
        setReduction(b.reduction);
        setPrioritizedWeights(b.prioritizedWeights);
        registerNetwork(VALUE_NETWORK, valueNetwork, delayValue);
    }

    private static Map<String, Object> keyDefaults() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("advantage", "advantage");
        k.put("value_target", "value_target");
        k.put("value", "chosen_action_value");
        k.put("action_value", "action_value");
        k.put("action", "action");
        k.put("priority", "td_error");
        k.put("reward", "reward");
        k.put("done", "done");
        k.put("terminated", "terminated");
        k.put("priority_weight", "priority_weight");
        return k;
    }

    /** A loss over a Q-value actor (or any TensorDict module writing the action values). */
    public static Builder builder(TensorDictModuleBase valueNetwork) {
        return new Builder(Objects.requireNonNull(valueNetwork, "DQNLoss: the value network is null"), null);
    }

    /** A loss over a raw network from {@code "observation"} to the action values, wrapped into a {@link QValueActor}. */
    public static Builder builder(UnaryModule network) {
        return new Builder(null, Objects.requireNonNull(network, "DQNLoss: the value network is null"));
    }

    public Distance lossFunction() { return lossFunction; }

    public boolean delayValue() { return delayValue; }

    public boolean doubleDqn() { return doubleDqn; }

    public ActionSpace actionSpace() { return actionSpace; }

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
    protected boolean supportsPrioritizedWeights() { return true; }

    @Override
    protected TensorDict computeLosses(TensorDict td) {
        require(td, key("action"));
        TensorDict work = td.copy();
        TensorDict params = params(VALUE_NETWORK);
        Tensor actionValues = valueNetwork.forwardWith(params, work).get(key("action_value"));
        Tensor action = require(td, key("action"));
        Tensor q = ChosenActionValue.of(actionSpace, actionValues, action, false);

        Tensor target = target(work, params).squeeze(-1);
        Tensor y = target.detach();
        Tensor priority;
        try (GradMode.Scope g = GradMode.noGrad()) {
            priority = q.detach().sub(y).square().unsqueeze(-1);
        }
        td.set(key("priority"), priority);

        Tensor perElement = lossFunction.apply(q, y);
        TensorDict out = new TensorDict();
        out.set("loss", reduce(perElement, td));
        return out;
    }

    private Tensor target(TensorDict work, TensorDict params) {
        if (!doubleDqn) return valueEstimator().valueEstimate(work, targetParams(VALUE_NETWORK), null, null);
        Tensor nextValue;
        try (GradMode.Scope g = GradMode.noGrad()) {
            TensorDict online = valueNetwork.forwardWith(params.detach(), work.nextView().copy());
            Tensor greedy = online.get(key("action"));
            TensorDict target = valueNetwork.forwardWith(targetParams(VALUE_NETWORK), work.nextView().copy());
            nextValue = ChosenActionValue.of(actionSpace, target.get(key("action_value")), greedy, true);
        }
        return valueEstimator().valueEstimate(work, null, nextValue, null);
    }

    public static final class Builder {
        private final TensorDictModuleBase network;
        private final UnaryModule rawNetwork;
        private Distance lossFunction = Distance.L2;
        private boolean delayValue = true;
        private boolean doubleDqn;
        private ActionSpace actionSpace;
        private Reduction reduction = Reduction.MEAN;
        private PrioritizedWeights prioritizedWeights = PrioritizedWeights.AUTO;

        private Builder(TensorDictModuleBase network, UnaryModule rawNetwork) {
            this.network = network;
            this.rawNetwork = rawNetwork;
        }

        /** The distance between q and its target (default l2). */
        public Builder lossFunction(Distance d) { this.lossFunction = Objects.requireNonNull(d, "lossFunction"); return this; }

        public Builder lossFunction(String name) { return lossFunction(Distance.parse(name)); }

        /** Whether the target is a delayed copy of the Q network (default true). */
        public Builder delayValue(boolean delay) { this.delayValue = delay; return this; }

        /** Double DQN: the online network picks the next action, the target network values it (default false; needs delayValue). */
        public Builder doubleDqn(boolean doubleDqn) { this.doubleDqn = doubleDqn; return this; }

        /** The action encoding; null: the network's, else one_hot with a warning. */
        public Builder actionSpace(ActionSpace space) { this.actionSpace = space; return this; }

        public Builder actionSpace(String name) { return actionSpace(name == null ? null : ActionSpace.parse(name)); }

        public Builder reduction(Reduction r) { this.reduction = r == null ? Reduction.MEAN : r; return this; }

        public Builder reduction(String r) { return reduction(r == null ? null : Reduction.parse(r)); }

        public Builder prioritizedWeights(PrioritizedWeights mode) { this.prioritizedWeights = Objects.requireNonNull(mode, "prioritizedWeights"); return this; }

        public DQNLoss build() { return new DQNLoss(this); }
    }

    @Override
    public String toString() {
        return "DQNLoss(loss_function=" + lossFunction.alias() + ", delay_value=" + delayValue + ", double_dqn=" + doubleDqn + ", action_space="
                + actionSpace + ", keys=" + tensorKeys() + ")";
    }

    /** The key names, in order (for documentation and tests). */
    public static List<String> keyNames() {
        return List.copyOf(keyDefaults().keySet());
    }
}
