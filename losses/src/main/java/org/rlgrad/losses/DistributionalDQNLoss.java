package org.rlgrad.losses;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.ActionSpace;
import org.rlgrad.engine.modules.DistributionalQValueActor;
import org.rlgrad.engine.modules.DistributionalQValueModule;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.estimators.ValueEstimators;

/**
 * The distributional (C51) DQN loss (spec losses.md §2.2; Bellemare, Dabney and Munos 2017, with
 * the double-Q action choice of Rainbow, Hessel et al. 2018).
 *
 * <p>The network is a distributional Q actor
 * ({@link org.rlgrad.engine.modules.DistributionalQValueActor}): {@code action_value} holds
 * {@code log p(s, ·, ·)} {@code [B, atoms, nA]}, a log-softmax over the atoms of the fixed, evenly
 * spaced support {@code z} (a buffer of the network, read from the parameter tree), and the
 * greedy action maximises the expected value {@code Σ_z p·z}. With {@code Vmin = min z},
 * {@code Vmax = max z}, {@code Δz = (Vmax − Vmin)/(atoms − 1)} and {@code disc = γⁿ}
 * ({@code n = steps_to_next_obs}, default 1):
 * <ol>
 *   <li>{@code log p_a = log p_θ(s)[b, :, a_b]} {@code [B, atoms]} for the stored action;</li>
 *   <li>without gradient: {@code a* = } the online network's greedy action at {@code s'} (read
 *       where its Q-value module writes it; one-hot: the first 1),
 *       {@code p'_a = exp(log p_θ̄(s'))[b, :, a*_b]} from the target network;</li>
 *   <li>{@code Tz = clamp(r + (1 − term)·disc·z, Vmin, Vmax)} {@code [B, atoms]};</li>
 *   <li>projection onto the support: {@code b = (Tz − Vmin)/Δz}, {@code l = ⌊b⌋},
 *       {@code u = ⌈b⌉}; where {@code b} is an integer ({@code l == u}) first {@code l ← l − 1}
 *       if {@code u > 0}, then, with that {@code l}, {@code u ← u + 1} if {@code l < atoms − 1},
 *       so the mass never vanishes; {@code m[l] += p'_a·(u − b)}, {@code m[u] += p'_a·(b − l)};</li>
 *   <li>{@code ℓ_b = −Σ_atoms m·log p_a}, {@code loss = red(ℓ)} (bare {@code loss} entry; masks
 *       and priority weights apply).</li>
 * </ol>
 * The priority {@code sg(ℓ)} {@code [B, 1]} is written into the caller's dict. Gradient reaches
 * only θ, through {@code log p_a}; {@code m} is a constant. No randomness.
 *
 * <p>Options: {@code gamma} (required, finite and non-negative; a schedulable scalar, {@link #setGamma}),
 * {@code delayValue} (default true; without it θ̄ = sg(θ)), {@code reduction},
 * {@code prioritizedWeights}, and the action space (one-hot or categorical; taken from the
 * network's Q-value module by default).
 *
 * <p>Kept from the reference: the input must have exactly one batch dimension; the target is
 * computed inline, so only TD0 is accepted by {@link #makeValueEstimator(Object)} and no estimator
 * object is built ({@link #valueEstimator()} is an error); {@code done} is not used, only {@code terminated} (falling back
 * to {@code done} when absent). rlgrad computes the target in the data's dtype and on the data's
 * device (the reference moves it to the CPU), and rejects a one-hot action that is not exactly one
 * hot (the reference fails with a shape error).
 */
public final class DistributionalDQNLoss extends LossModule {
    private static final System.Logger LOG = System.getLogger(DistributionalDQNLoss.class.getName());

    /** The name of the distributional Q network's parameter tree. */
    public static final String VALUE_NETWORK = "value";

    private final TensorDictModuleBase valueNetwork;
    private final boolean delayValue;
    private final ActionSpace actionSpace;
    private final Key supportKey;
    private double gamma;

    private DistributionalDQNLoss(Builder b) {
        super("DistributionalDQNLoss", keyDefaults());
        this.gamma = checkedGamma(b.gamma);
        this.delayValue = b.delayValue;
        this.valueNetwork = b.network;
        this.actionSpace = QActorActionSpace.resolve(b.actionSpace, b.network, "DistributionalDQNLoss", LOG);
        if (actionSpace != ActionSpace.ONE_HOT && actionSpace != ActionSpace.CATEGORICAL) {
            throw new IllegalArgumentException("DistributionalDQNLoss: expected a one_hot or categorical action space, got " + actionSpace);
        }
        setReduction(b.reduction);
        setPrioritizedWeights(b.prioritizedWeights);
        TensorDict params = registerNetwork(VALUE_NETWORK, valueNetwork, delayValue);
        this.supportKey = supportKey(params);
    }

    private static Map<String, Object> keyDefaults() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("action_value", "action_value");
        k.put("action", "action");
        k.put("priority", "td_error");
        k.put("reward", "reward");
        k.put("done", "done");
        k.put("terminated", "terminated");
        k.put("steps_to_next_obs", "steps_to_next_obs");
        k.put("priority_weight", "priority_weight");
        return k;
    }

    /** The one leaf of the parameter tree named {@code support} (the atoms' values, a buffer of the network). */
    private static Key supportKey(TensorDict params) {
        List<Key> found = new ArrayList<>();
        for (Key k : params.leaves().keySet()) if (k.last().equals("support")) found.add(k);
        if (found.size() != 1) {
            throw new IllegalArgumentException("DistributionalDQNLoss: expected the value network to hold one 'support' buffer (a DistributionalQValueModule), "
                    + "found " + found + " among " + params.leaves().keySet());
        }
        return found.get(0);
    }

    private static double checkedGamma(double gamma) {
        if (!Double.isFinite(gamma) || gamma < 0) throw new IllegalArgumentException("DistributionalDQNLoss: gamma must be a finite non-negative number, got " + gamma);
        return gamma;
    }

    /** A loss over a distributional Q actor; {@code gamma} is required (spec §2.2). */
    public static Builder builder(TensorDictModuleBase valueNetwork, double gamma) {
        return new Builder(Objects.requireNonNull(valueNetwork, "DistributionalDQNLoss: the value network is null"), gamma);
    }

    /** The discount γ (the loss's own; the inline target uses it). */
    @Override
    public Double gamma() { return gamma; }

    /** Sets γ for the next calls (a schedulable scalar, spec §1.7). */
    public DistributionalDQNLoss setGamma(double gamma) {
        this.gamma = checkedGamma(gamma);
        return this;
    }

    public boolean delayValue() { return delayValue; }

    public ActionSpace actionSpace() { return actionSpace; }

    /** The distributional Q network the loss evaluates. */
    public TensorDictModuleBase valueNetwork() { return valueNetwork; }

    /** The support {@code z} the loss uses: the {@code support} buffer of the live parameter tree. */
    public Tensor support() { return params(VALUE_NETWORK).get(supportKey); }

    @Override
    protected ValueEstimators defaultValueEstimator() { return ValueEstimators.TD0; }

    /** Only TD0: the target is the categorical projection computed inline. */
    @Override
    protected Set<ValueEstimators> supportedValueEstimators() { return EnumSet.of(ValueEstimators.TD0); }

    /** No estimator object: {@code makeValueEstimator} only checks the type (spec §2.2). */
    @Override
    protected boolean buildsValueEstimator() { return false; }

    @Override
    protected boolean supportsPrioritizedWeights() { return true; }

    @Override
    protected TensorDict computeLosses(TensorDict td) {
        if (td.batchDims() != 1) {
            throw new IllegalArgumentException("DistributionalDQNLoss: expected an input with exactly one batch dimension, got batch size "
                    + Shape.format(td.batchSize()));
        }
        int batch = td.batchSize()[0];
        Tensor action = require(td, key("action"));
        require(td, key("reward").prepend("next"));
        if (!td.contains(key("terminated").prepend("next"))) require(td, key("done").prepend("next"));
        TensorDict work = td.copy();
        Tensor logp = valueNetwork.forwardWith(params(VALUE_NETWORK), work).get(key("action_value"));
        Tensor support = support();
        int atoms = support.size(0);
        if (logp.dim() != 3 || logp.size(0) != batch || logp.size(1) != atoms) {
            throw new IllegalArgumentException("DistributionalDQNLoss: expected action values of shape [" + batch + ", " + atoms + ", n_actions] (log-probabilities "
                    + "over the atoms), got " + Shape.format(logp.shapeRef()));
        }
        Tensor logpA = atAction(logp, storedActionIndex(action, batch, logp.size(2)));

        Tensor m;
        try (GradMode.Scope g = GradMode.noGrad()) {
            m = projectedTarget(work, support.to(logp.device()).to(logp.dtype()), batch);
        }
        // Cross-entropy of the projected target against the online distribution: minimises KL(m || p_θ(s, a)).
        Tensor perSample = m.mul(logpA).sum(1).neg();
        try (GradMode.Scope g = GradMode.noGrad()) {
            td.set(key("priority"), perSample.detach().unsqueeze(1));
        }
        TensorDict out = new TensorDict();
        out.set("loss", reduce(perSample, td));
        return out;
    }

    /** {@code logp[b, :, idx_b]}: {@code [B, atoms]}. */
    private static Tensor atAction(Tensor logp, Tensor idx) {
        int batch = logp.size(0), atoms = logp.size(1);
        return logp.gather(-1, idx.reshape(batch, 1, 1).expand(batch, atoms, 1).contiguous()).squeeze(-1);
    }

    /** The stored action as indices {@code [B]}: categorical as is, one-hot by the position of its single 1. */
    private Tensor storedActionIndex(Tensor action, int batch, int nActions) {
        Tensor idx;
        if (actionSpace == ActionSpace.CATEGORICAL) {
            idx = action.dtype() == DType.INT64 ? action : action.toLong();
            if (idx.dim() == 2 && idx.size(1) == 1) idx = idx.squeeze(-1);
            if (idx.dim() != 1 || idx.size(0) != batch) {
                throw new IllegalArgumentException("DistributionalDQNLoss: expected categorical actions of shape [" + batch + "] or [" + batch + ", 1], got "
                        + Shape.format(action.shapeRef()));
            }
            return idx;
        }
        if (action.dim() != 2 || action.size(0) != batch || action.size(1) != nActions) {
            throw new IllegalArgumentException("DistributionalDQNLoss: expected one-hot actions of shape [" + batch + ", " + nActions + "], got "
                    + Shape.format(action.shapeRef()));
        }
        Tensor hot = action.ne(0.0);
        if (hot.toLong().sum(-1).eq(1.0).all().item() == 0) {
            throw new IllegalArgumentException("DistributionalDQNLoss: every one-hot action must have exactly one non-zero entry");
        }
        return hot.toLong().argmax(-1, false);
    }

    /** The projected target distribution {@code m} {@code [B, atoms]} (steps 2 to 4 of the class comment). */
    private Tensor projectedTarget(TensorDict work, Tensor z, int batch) {
        int atoms = z.size(0);
        if (atoms < 2) throw new IllegalArgumentException("DistributionalDQNLoss: the support needs at least 2 atoms, got " + atoms);
        double vmin = z.min().item(), vmax = z.max().item();
        double dz = (vmax - vmin) / (atoms - 1);
        DType dtype = z.dtype();

        TensorDict nextOnline = valueNetwork.forwardWith(params(VALUE_NETWORK).detach(), work.nextView().copy());
        Tensor greedy = greedyIndex(nextOnline.get(greedyActionKey()), batch);
        Tensor pNext = valueNetwork.forwardWith(targetParams(VALUE_NETWORK), work.nextView().copy()).get(key("action_value")).exp();
        Tensor pA = atAction(pNext, greedy);

        Tensor reward = require(work, key("reward").prepend("next"));
        Tensor terminated = work.get(key("terminated").prepend("next"), null);
        if (terminated == null) terminated = require(work, key("done").prepend("next"));
        if (!isColumn(reward, batch) || !isColumn(terminated, batch)) {
            throw new IllegalArgumentException("DistributionalDQNLoss: Tz = r + (1 - terminated) * gamma^n * support must have shape [" + batch + ", " + atoms
                    + "], so reward and terminated must be [" + batch + ", 1]; got reward " + Shape.format(reward.shapeRef()) + " and terminated "
                    + Shape.format(terminated.shapeRef()));
        }
        Tensor notTerminal = terminated.to(dtype).rsub(1);
        Tensor steps = work.get(key("steps_to_next_obs"), null);
        Tensor bootstrap;
        if (steps == null) {
            bootstrap = notTerminal.mul(gamma);
        } else {
            if (steps.numel() != batch) {
                throw new IllegalArgumentException("DistributionalDQNLoss: expected " + batch + " entries of " + key("steps_to_next_obs") + ", got shape "
                        + Shape.format(steps.shapeRef()));
            }
            bootstrap = notTerminal.mul(steps.to(dtype).reshape(notTerminal.shape()).rpow(gamma));
        }
        Tensor tz = reward.to(dtype).add(bootstrap.mul(z));
        tz = tz.clamp(vmin, vmax);
        if (tz.isFinite().all().item() == 0) throw new IllegalArgumentException("DistributionalDQNLoss: Tz has non-finite entries (check reward and gamma)");

        Tensor b = tz.sub(vmin).div(tz.newScalar(dz, dtype));
        Tensor lo = b.floor(), up = b.ceil();
        // An integer b gives l == u and would drop its mass (u − b = b − l = 0): move l down, or u up at the bottom atom.
        lo = Tensor.where(up.gt(0.0).logicalAnd(lo.eq(up)), lo.sub(1), lo);
        up = Tensor.where(lo.lt(atoms - 1.0).logicalAnd(lo.eq(up)), up.add(1), up);
        Tensor m = tz.newZeros(dtype, batch, atoms);
        m = m.scatterAdd(1, lo.toLong(), pA.mul(up.sub(b)));
        return m.scatterAdd(1, up.toLong(), pA.mul(b.sub(lo)));
    }

    private static boolean isColumn(Tensor t, int batch) {
        return t.dim() == 2 && t.size(0) == batch && t.size(1) == 1;
    }

    /** Where the network writes its greedy action: its Q-value module's first out-key, else the loss's action key. */
    private Key greedyActionKey() {
        if (valueNetwork instanceof DistributionalQValueActor actor) return actor.qValueModule().outKeys().get(0);
        if (valueNetwork instanceof DistributionalQValueModule module) return module.outKeys().get(0);
        return key("action");
    }

    /** The greedy next action as indices {@code [B]}: categorical as is, one-hot by its first 1. */
    private Tensor greedyIndex(Tensor greedy, int batch) {
        Tensor idx;
        if (actionSpace == ActionSpace.CATEGORICAL) {
            idx = greedy.dtype() == DType.INT64 ? greedy : greedy.toLong();
            if (idx.dim() == 2 && idx.size(1) == 1) idx = idx.squeeze(-1);
        } else {
            idx = greedy.argmax(-1, false);
        }
        if (idx.dim() != 1 || idx.size(0) != batch) {
            throw new IllegalArgumentException("DistributionalDQNLoss: the network's greedy action has shape " + Shape.format(greedy.shapeRef())
                    + ", expected one action per sample (" + batch + ")");
        }
        return idx;
    }

    public static final class Builder {
        private final TensorDictModuleBase network;
        private final double gamma;
        private boolean delayValue = true;
        private ActionSpace actionSpace;
        private Reduction reduction = Reduction.MEAN;
        private PrioritizedWeights prioritizedWeights = PrioritizedWeights.AUTO;

        private Builder(TensorDictModuleBase network, double gamma) {
            this.network = network;
            this.gamma = gamma;
        }

        /** Whether the target is a delayed copy of the network (default true). */
        public Builder delayValue(boolean delay) { this.delayValue = delay; return this; }

        /** one_hot or categorical; null: the network's, else one_hot with a warning. */
        public Builder actionSpace(ActionSpace space) { this.actionSpace = space; return this; }

        public Builder actionSpace(String name) { return actionSpace(name == null ? null : ActionSpace.parse(name)); }

        public Builder reduction(Reduction r) { this.reduction = r == null ? Reduction.MEAN : r; return this; }

        public Builder reduction(String r) { return reduction(r == null ? null : Reduction.parse(r)); }

        public Builder prioritizedWeights(PrioritizedWeights mode) { this.prioritizedWeights = Objects.requireNonNull(mode, "prioritizedWeights"); return this; }

        public DistributionalDQNLoss build() { return new DistributionalDQNLoss(this); }
    }

    @Override
    public String toString() {
        return "DistributionalDQNLoss(gamma=" + gamma + ", delay_value=" + delayValue + ", action_space=" + actionSpace + ", keys=" + tensorKeys() + ")";
    }

    /** The key names, in order (for documentation and tests). */
    public static List<String> keyNames() {
        return List.copyOf(keyDefaults().keySet());
    }
}
