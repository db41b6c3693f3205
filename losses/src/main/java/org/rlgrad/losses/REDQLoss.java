package org.rlgrad.losses;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.distributions.Distribution;
import org.rlgrad.engine.distributions.SampleAndLogProb;
import org.rlgrad.engine.modules.InteractionType;
import org.rlgrad.engine.modules.Parameters;
import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.tensordict.TensorDictVmap;
import org.rlgrad.estimators.ValueEstimators;

/**
 * The REDQ loss (spec losses.md §2.6; Chen et al. 2021, "Randomized Ensembled Double Q-Learning:
 * Learning Fast Without a Model"), as TorchRL's {@code REDQLoss}: a stochastic actor π and an
 * ensemble of {@code N} critics {@code Q_i}, of which a random subset of {@code M} gives the target.
 *
 * <p>With {@code α = exp(clamp(log_alpha, ln min_alpha, ln max_alpha))} (a clamped copy: the stored
 * {@code log_alpha} is not changed) and {@code H̄} the target entropy:
 * <ol>
 *   <li>{@code idx} = the first {@code M = clamp(sub_sample_len, 1, N − 1)} entries of a random
 *       permutation of {@code 0..N−1}, sorted;</li>
 *   <li>the distribution parameters of π for the rows {@code [s, s']} with the parameters
 *       {@code [θπ, sg(θπ)]}, in one vmap over the pair; ONE reparameterised draw of batch
 *       {@code [2, *B]}: {@code (ã₀, ℓ₀)} at {@code s}, {@code (ã₁, ℓ₁)} at {@code s'};</li>
 *   <li>one critic evaluation (vmap over {@code 2N + M} members, each with its own data) of the
 *       parameters {@code [sg(θQ) (N), θ̄Q[idx] (M), θQ (N)]} on
 *       {@code [(s, ã₀) ×N, (s', ã₁) ×M, (s, a) ×N]}, split into {@code Qact}, {@code Qnext},
 *       {@code Qpred};</li>
 *   <li>{@code loss_actor = red(−(Qact − α ℓ₀))} over {@code [N, *B]};</li>
 *   <li>{@code v' = min_idx(Qnext − α ℓ₁)}, {@code y = value_estimate(td with ("next", value) = v')};</li>
 *   <li>{@code loss_qvalue = red(d(Qpred, y))} over {@code [N, *B]};</li>
 *   <li>{@code loss_alpha = red(−exp(ste(log_alpha)) (sg(ℓ) + H̄))} over both rows {@code [2, *B]},
 *       with {@code ste(x) = x − sg(x) + sg(clamp(x))} (the clamped value, the identity's gradient).</li>
 * </ol>
 * Metrics (detached): {@code alpha}, {@code entropy = −mean(sg ℓ)} over {@code [2, *B]},
 * {@code state_action_value_actor = Qact} {@code [N, *B]}, {@code action_log_prob_actor = ℓ₀},
 * {@code "next.state_value" = v'} (one flat key holding a dot, {@link #NEXT_STATE_VALUE}) and
 * {@code target_value = y}. The priority {@code max_i (Qpred_i − y)²} {@code [*B]} is written,
 * detached, into the caller's dict. Masks reach the reductions with a leading axis, so they
 * broadcast over the ensemble (or the {@code [s, s']} pair). Gradient: {@code loss_actor → θπ}
 * (through {@code ã₀} and {@code ℓ₀}), {@code loss_qvalue → θQ}, {@code loss_alpha → log_alpha};
 * never a target copy. Draws, in order: {@code randperm} of {@code N}, then one
 * {@code Normal.rsample} of shape {@code [2, *B, *A]}.
 *
 * <p>The critic call: the ensemble's functional template is mapped over {@code 2N + M} parameter
 * slices and data slices together (pattern 00 over the concatenations), in one vmap, or in a loop
 * with {@link #setDeactivateVmap}; it is one call, as in the reference, rather than three calls of
 * the {@code N}-member ensemble (a subset of {@code M} members is not an {@code N}-member ensemble).
 *
 * <p>Quirks kept (spec §4.4, DECISIONS rule 1): the actor loss is averaged over all critics (no
 * min); the alpha loss covers the next-state samples too and multiplies by α through the
 * straight-through clamp instead of by {@code log_alpha}; {@code min_alpha = 0.1},
 * {@code max_alpha = 10} by default; the metric {@code "next.state_value"} is one flat key. There
 * is never a delayed actor: the next-state row uses the detached online actor.
 *
 * <p>Options (builder): {@code numQvalueNets} (10), {@code subSampleLen} (2), {@code lossFunction}
 * (smooth_l1), {@code alphaInit} (1), {@code minAlpha} (0.1), {@code maxAlpha} (10),
 * {@code actionShape} (the action spec's shape, for {@code target_entropy = "auto"}),
 * {@code fixedAlpha} (false), {@code targetEntropy} ("auto": minus the number of action components,
 * read off the spec or, lazily, off the data), {@code delayQvalue} (true), {@code gSDE} (false:
 * when true a zero {@code "_eps_gSDE"} entry of batch {@code [2, *B]} joins the actor's input),
 * {@code separateLosses} (false), {@code reduction} (mean), {@code deactivateVmap} (false),
 * {@code scalarOutputMode} (null). Estimators: TD0 (default), TD1, TDLambda, without a value
 * network (they read {@code ("next", value)}).
 */
public final class REDQLoss extends LossModule {
    /** The actor's parameter tree ({@code actor_network_params} in TorchRL). */
    public static final String ACTOR_NETWORK = "actor";
    /** The critics' stacked parameter tree ({@code qvalue_network_params}). */
    public static final String QVALUE_NETWORK = "qvalue";
    /** The metric holding {@code v'}: one flat key whose name contains a dot, as in the reference. */
    public static final Key NEXT_STATE_VALUE = Key.of("next.state_value");
    /** The actor input entry added with gSDE. */
    public static final Key EPS_GSDE = Key.of("_eps_gSDE");

    private static final List<String> SCALAR_METRICS = List.of("alpha", "entropy");

    private final ProbabilisticTensorDictSequential actor;
    private final int numQvalueNets;
    private final int subSampleLen;
    private final Distance lossFunction;
    private final EntropyTemperature temperature;
    private final TargetEntropy targetEntropy;
    private final boolean delayQvalue;
    private final boolean gSDE;
    private final ScalarOutputMode scalarOutputMode;
    private boolean warnedScalarOutput;

    private REDQLoss(Builder b) {
        super("REDQLoss", keyDefaults());
        this.actor = b.actor;
        this.lossFunction = b.lossFunction;
        this.delayQvalue = b.delayQvalue;
        this.gSDE = b.gSDE;
        this.scalarOutputMode = b.scalarOutputMode;
        this.targetEntropy = new TargetEntropy(b.targetEntropy, b.actionShape);
        recordSeparateLosses(b.separateLosses);
        setReduction(b.reduction);
        setDeactivateVmap(b.deactivateVmap);
        registerNetwork(ACTOR_NETWORK, actor, false);
        registerEnsemble(QVALUE_NETWORK, b.critic, b.critics, b.numQvalueNets, 10, delayQvalue, b.separateLosses ? trainableTensors(ACTOR_NETWORK) : List.of(),
                b.generator);
        this.numQvalueNets = ensemble(QVALUE_NETWORK).size();
        if (numQvalueNets < 2) {
            throw new IllegalArgumentException("REDQLoss: expected at least 2 critics (the target uses a strict subset of them), got " + numQvalueNets);
        }
        if (b.subSampleLen < 1) throw new IllegalArgumentException("REDQLoss: sub_sample_len must be positive, got " + b.subSampleLen);
        this.subSampleLen = Math.max(1, Math.min(b.subSampleLen, numQvalueNets - 1));
        List<Tensor> actorParams = actor.parameters();
        DType dtype = actorParams.isEmpty() ? DType.FLOAT32 : actorParams.get(0).dtype();
        this.temperature = new EntropyTemperature(b.alphaInit, b.minAlpha, b.maxAlpha, b.fixedAlpha, dtype);
    }

    private static Map<String, Object> keyDefaults() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("action", "action");
        k.put("value", "state_value");
        k.put("sample_log_prob", "action_log_prob");
        k.put("priority", "td_error");
        k.put("state_action_value", "state_action_value");
        k.put("reward", "reward");
        k.put("done", "done");
        k.put("terminated", "terminated");
        return k;
    }

    /** A loss over {@code actor} and an ensemble grown from {@code critic} (each member re-drawn, spec §1.3). */
    public static Builder builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase critic) {
        return new Builder(actor, Objects.requireNonNull(critic, "REDQLoss: the critic is null"), null);
    }

    /** A loss over {@code actor} and the given critics, stacked as they are (member {@code k} = {@code critics.get(k)}). */
    public static Builder builder(ProbabilisticTensorDictSequential actor, List<? extends TensorDictModuleBase> critics) {
        Objects.requireNonNull(critics, "REDQLoss: the critics are null");
        return new Builder(actor, null, List.copyOf(critics));
    }

    public ProbabilisticTensorDictSequential actor() { return actor; }

    public int numQvalueNets() { return numQvalueNets; }

    /** The effective {@code M = clamp(sub_sample_len, 1, N − 1)}. */
    public int subSampleLen() { return subSampleLen; }

    public Distance lossFunction() { return lossFunction; }

    public boolean delayQvalue() { return delayQvalue; }

    /** The α machinery; REDQ reads α with {@link EntropyTemperature#clampedAlpha()}. */
    public EntropyTemperature temperature() { return temperature; }

    /** The stored {@code log_alpha} (trainable unless fixed). */
    public Tensor logAlpha() { return temperature.logAlpha(); }

    /** {@code α = exp(clamp(log_alpha))}, detached; {@code log_alpha} is left as it is. */
    public Tensor alpha() { return temperature.clampedAlpha(); }

    /** The target entropy, or null while "auto" waits for the first batch (no action spec given). */
    public Double targetEntropy() { return targetEntropy.value(); }

    /** {@code log_alpha}, unless the temperature is fixed. */
    @Override
    protected List<Tensor> ownParameters() { return temperature.trainableTensors(); }

    @Override
    protected ValueEstimators defaultValueEstimator() { return ValueEstimators.TD0; }

    @Override
    protected Set<ValueEstimators> supportedValueEstimators() {
        return TD_ESTIMATORS;
    }

    @Override
    protected TensorDict computeLosses(TensorDict td) {
        Tensor action = require(td, key("action"));
        double entropyTarget = targetEntropy.resolve(action, td.batchDims());
        int n = numQvalueNets, m = subSampleLen;
        int[] batch = td.batchSize();

        long[] subset = Arrays.copyOf(randomSource().randperm("randperm", n).toLongArray(), m);
        Arrays.sort(subset);

        // Both actor rows at once: [θπ, sg(θπ)] on [s, s'], then one [2, *B] draw.
        SampleAndLogProb drawn = sampleBothRows(td, batch);
        Tensor a0 = drawn.sample().select(0, 0), a1 = drawn.sample().select(0, 1);
        Tensor lp = drawn.logProb(), lp0 = lp.select(0, 0), lp1 = lp.select(0, 1);

        Tensor q = criticValues(td, batch, subset, a0, a1, action);
        Tensor qAct = q.narrow(0, 0, n), qNext = q.narrow(0, n, m), qPred = q.narrow(0, n + m, n);
        Tensor alpha = temperature.clampedAlpha();

        Tensor lossActor = qAct.sub(alpha.mul(lp0)).neg();

        Tensor nextValue;
        try (GradMode.Scope g = GradMode.noGrad()) {
            nextValue = qNext.detach().sub(alpha.mul(lp1.detach())).amin(0);
        }
        TensorDict work = td.copy();
        work.set(Key.of("next", key("value")), nextValue.unsqueeze(-1));
        Tensor y = valueEstimator().valueEstimate(work, null, null, null).squeeze(-1).detach();
        Tensor lossQ = lossFunction.apply(qPred, y.expand(qPred.shape()));
        Tensor priority;
        try (GradMode.Scope g = GradMode.noGrad()) {
            priority = qPred.detach().sub(y).square().amax(0);
        }
        td.set(key("priority"), priority);

        Tensor lossAlpha = alphaLoss(lp, entropyTarget);

        TensorDict out = new TensorDict();
        out.set("loss_actor", reduceStacked(lossActor, td));
        out.set("loss_qvalue", reduceStacked(lossQ, td));
        out.set("loss_alpha", reduceStacked(lossAlpha, td));
        out.set("alpha", alpha);
        out.set("entropy", lp.detach().mean().neg());
        out.set("state_action_value_actor", qAct.detach());
        out.set("action_log_prob_actor", lp0.detach());
        out.set(NEXT_STATE_VALUE, nextValue);
        out.set("target_value", y);
        warnedScalarOutput = ScalarOutputMode.apply(lossName(), scalarOutputMode, reduction(), out, SCALAR_METRICS, warnedScalarOutput);
        return out;
    }

    /** {@code (ã, ℓ)} of batch {@code [2, *B]}: row 0 the online actor at {@code s}, row 1 the detached actor at {@code s'}. */
    private SampleAndLogProb sampleBothRows(TensorDict td, int[] batch) {
        List<Key> inKeys = new ArrayList<>(actor.inKeys());
        if (gSDE) inKeys.remove(EPS_GSDE);
        TensorDict rows = TensorDict.stack(List.of(NetworkInputs.of(this, td, false, inKeys), NetworkInputs.of(this, td, true, inKeys)), 0);
        if (gSDE) {
            Tensor action = require(td, key("action"));
            rows.set(EPS_GSDE, action.newZeros(action.dtype(), leading(2, batch)));
        }
        TensorDict actorParams = TensorDict.stack(List.of(params(ACTOR_NETWORK), targetParams(ACTOR_NETWORK)), 0);
        try (GradMode.Scope s = InteractionType.set(InteractionType.RANDOM)) {
            TensorDict distParams = mapped(args -> List.of(actor.functionalCall(Parameters.toMap((TensorDict) args.get(0)),
                    () -> actor.distParams(((TensorDict) args.get(1)).copy()))), actorParams, rows);
            Distribution dist = actor.probabilisticModule().getDist(distParams);
            return dist.rsampleAndLogProb(randomSource());
        }
    }

    /** {@code [2N + M, *B]}: the critics {@code [sg(θQ), θ̄Q[idx], θQ]} on {@code [(s, ã₀), (s', ã₁), (s, a)]}, one member per data slice. */
    private Tensor criticValues(TensorDict td, int[] batch, long[] subset, Tensor a0, Tensor a1, Tensor action) {
        int n = numQvalueNets, m = subset.length;
        TensorDictModuleBase member = ensemble(QVALUE_NETWORK).member();
        List<Key> inKeys = member.inKeys();
        Key actionKey = key("action");
        TensorDict data = TensorDict.cat(List.of(
                NetworkInputs.of(this, td, false, inKeys, actionKey, a0).expand(leading(n, batch)),
                NetworkInputs.of(this, td, true, inKeys, actionKey, a1).expand(leading(m, batch)),
                NetworkInputs.of(this, td, false, inKeys, actionKey, action).expand(leading(n, batch))), 0);
        TensorDict live = params(QVALUE_NETWORK), target = targetParams(QVALUE_NETWORK);
        Tensor idx = Tensor.of(subset, m).to(live.leaves().values().iterator().next().device());
        TensorDict params = TensorDict.cat(List.of(live.detach(), target.indexSelect(0, idx), live), 0);
        TensorDict out = mapped(args -> List.of(member.forwardWith((TensorDict) args.get(0), ((TensorDict) args.get(1)).copy())), params, data);
        return out.get(key("state_action_value")).squeeze(-1);
    }

    /** {@code body} over the leading dim of both {@code params} and {@code data} (pattern 00): one vmap, or a loop with {@link #deactivateVmap()}. */
    private TensorDict mapped(Function<List<Object>, List<Object>> body, TensorDict params, TensorDict data) {
        List<Integer> in = List.of(0, 0), outDims = List.of(0);
        var call = deactivateVmap() ? TensorDictVmap.pseudoVmap(body, in, outDims, vmapRandomness()) : TensorDictVmap.vmap(body, in, outDims, vmapRandomness());
        return (TensorDict) call.apply(List.of(params, data)).get(0);
    }

    /** {@code −exp(ste(log_alpha)) (sg(ℓ) + H̄)}, {@code ste(x) = x − sg(x) + sg(clamp(x))}. */
    private Tensor alphaLoss(Tensor logProb, double entropyTarget) {
        if (GradMode.isEnabled() && !logProb.requiresGrad()) {
            throw new IllegalStateException("REDQLoss: expected the actor's log-probability to require grad for the alpha loss (is the actor frozen?)");
        }
        return temperature.straightThroughClampedLogAlpha().exp().neg().mul(logProb.detach().add(entropyTarget));
    }

    /** The reduction with the input's mask given a leading axis, so it broadcasts over the ensemble (spec §2.6 step 9). */
    private Tensor reduceStacked(Tensor loss, TensorDict td) {
        Tensor mask = lossMask(td);
        return MaskedReduction.reduce(loss, reduction(), mask == null ? null : mask.unsqueeze(0), null);
    }

    private static int[] leading(int n, int[] batch) {
        int[] shape = new int[batch.length + 1];
        shape[0] = n;
        System.arraycopy(batch, 0, shape, 1, batch.length);
        return shape;
    }

    public static final class Builder {
        private final ProbabilisticTensorDictSequential actor;
        private final TensorDictModuleBase critic;
        private final List<TensorDictModuleBase> critics;
        private Integer numQvalueNets;
        private int subSampleLen = 2;
        private Distance lossFunction = Distance.SMOOTH_L1;
        private double alphaInit = 1.0;
        private Double minAlpha = 0.1;
        private Double maxAlpha = 10.0;
        private int[] actionShape;
        private boolean fixedAlpha;
        private Double targetEntropy;
        private boolean delayQvalue = true;
        private boolean gSDE;
        private boolean separateLosses;
        private Reduction reduction = Reduction.MEAN;
        private boolean deactivateVmap;
        private ScalarOutputMode scalarOutputMode;
        private Generator generator;

        private Builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase critic, List<TensorDictModuleBase> critics) {
            this.actor = Objects.requireNonNull(actor, "REDQLoss: the actor is null");
            this.critic = critic;
            this.critics = critics;
        }

        /** The ensemble size N (default 10); with a list of critics it must equal the list's size. */
        public Builder numQvalueNets(int n) { this.numQvalueNets = n; return this; }

        /** The target subset size, clamped to {@code [1, N − 1]} (default 2). */
        public Builder subSampleLen(int m) { this.subSampleLen = m; return this; }

        public Builder lossFunction(Distance d) { this.lossFunction = Objects.requireNonNull(d, "lossFunction"); return this; }

        public Builder lossFunction(String name) { return lossFunction(Distance.parse(name)); }

        public Builder alphaInit(double alphaInit) { this.alphaInit = alphaInit; return this; }

        /** The lower bound of α (default 0.1; null or 0: none). */
        public Builder minAlpha(Double minAlpha) { this.minAlpha = minAlpha; return this; }

        /** The upper bound of α (default 10; null: none). */
        public Builder maxAlpha(Double maxAlpha) { this.maxAlpha = maxAlpha; return this; }

        /** The action spec's shape (without batch dims), for the automatic target entropy. */
        public Builder actionShape(int... shape) { this.actionShape = shape == null ? null : shape.clone(); return this; }

        /** α stays at alpha_init (default false). */
        public Builder fixedAlpha(boolean fixed) { this.fixedAlpha = fixed; return this; }

        /** An explicit target entropy (default: "auto"). */
        public Builder targetEntropy(double h) { this.targetEntropy = h; return this; }

        /** The automatic target entropy, minus the number of action components (the default). */
        public Builder targetEntropyAuto() { this.targetEntropy = null; return this; }

        /** Whether the target critics are a delayed copy (default true). */
        public Builder delayQvalue(boolean delay) { this.delayQvalue = delay; return this; }

        /** gSDE exploration: a zero {@code "_eps_gSDE"} entry joins the actor's input (default false). */
        public Builder gSDE(boolean gSDE) { this.gSDE = gSDE; return this; }

        /** Parameters shared with the actor are detached in the critics grown from one module (default false). */
        public Builder separateLosses(boolean separate) { this.separateLosses = separate; return this; }

        public Builder reduction(Reduction r) { this.reduction = r == null ? Reduction.MEAN : r; return this; }

        public Builder reduction(String r) { return reduction(r == null ? null : Reduction.parse(r)); }

        /** A loop over the members instead of vmap (default false). */
        public Builder deactivateVmap(boolean deactivate) { this.deactivateVmap = deactivate; return this; }

        /** What happens to the scalar metrics with reduction none: null (exclude, with a warning), "exclude", "non_tensor". */
        public Builder scalarOutputMode(String mode) { this.scalarOutputMode = ScalarOutputMode.parse(mode); return this; }

        /** Where the re-drawn critic copies come from (default: the global generator). */
        public Builder generator(Generator generator) { this.generator = generator; return this; }

        public REDQLoss build() { return new REDQLoss(this); }
    }

    @Override
    public String toString() {
        return "REDQLoss(num_qvalue_nets=" + numQvalueNets + ", sub_sample_len=" + subSampleLen + ", loss_function=" + lossFunction.alias()
                + ", delay_qvalue=" + delayQvalue + ", target_entropy=" + targetEntropy
                + ", reduction=" + reduction().name().toLowerCase(java.util.Locale.ROOT) + ", keys=" + tensorKeys() + ")";
    }

    /** The key names, in order (for documentation and tests). */
    public static List<String> keyNames() {
        return List.copyOf(keyDefaults().keySet());
    }
}
