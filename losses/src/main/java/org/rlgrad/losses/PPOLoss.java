package org.rlgrad.losses;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.ProbabilisticTensorDictSequential;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.estimators.ValueEstimatorBase;
import org.rlgrad.estimators.ValueEstimators;

/**
 * Proximal policy optimisation without clipping or penalty (spec losses.md §2.17; Schulman et al.
 * 2017, the plain importance-weighted surrogate), the base of {@link ClipPPOLoss} and
 * {@link KLPENPPOLoss}.
 *
 * <p>With the stored action {@code a}, the behaviour policy's stored log-probability
 * {@code ℓ_old}, the actor's {@code ℓ_new = log π_θ(a | s)} and the advantage {@code A}
 * ({@code [*B, 1]}):
 * <ul>
 *   <li>{@code lw = ℓ_new − ℓ_old} {@code [*B, 1]} (multi-head: summed over heads and their
 *       elements, see below); {@code loss_objective = red(−exp(lw)·A)} (the subclasses change this
 *       term); {@code kl_approx = mean(sg(ℓ_old − ℓ_new))};</li>
 *   <li>entropy bonus: {@code H} the closed-form entropy (Monte Carlo over
 *       {@code samplesMcEntropy} draws where there is none or it is not finite),
 *       {@code loss_entropy = red(−c_H·H)}, {@code entropy = mean(sg(H))}; with a per-head
 *       coefficient map {@code loss_entropy = red(Σ_heads −c_head·H_head)};</li>
 *   <li>critic: {@code v = V_θV(s)}, {@code L_v = d(value_target, v)}; with {@code clipValue = ε_v}
 *       and the stored value {@code v_old}: {@code L_v = max(L_v, d(value_target, v_old +
 *       clamp(v − v_old, −ε_v, ε_v)))} and {@code value_clip_fraction}; {@code loss_critic =
 *       red(c_V·L_v)}; {@code explained_variance = 1 − Var₀(tgt − v)/(Var₀(tgt) + ε)} (population
 *       variances over axis 0 only, {@code ε} the dtype's machine epsilon, detached).</li>
 * </ul>
 * Every {@code loss_*} is reduced ({@link #reduce}, masks included) and loses a trailing singleton
 * dim, so {@code reduction = none} gives {@code [*B]}. Metrics are detached and not reduced.
 * Gradient: {@code loss_objective}, {@code loss_entropy} reach the actor only, {@code loss_critic}
 * the critic only (a shared trunk gets both unless {@link Builder#separateLosses}, which detaches
 * the actor's parameters inside the critic and the data of the critic loss). The caller's dict is
 * not changed: the loss works on a shallow copy.
 *
 * <p><b>Advantage.</b> Read at {@code advantage}; when absent the value estimator (default GAE;
 * TD0, TD1, TDLambda, GAE, MAGAE and VTrace accepted, VTrace also given the actor) runs on the
 * copy with the critic's parameters detached and writes {@code advantage} and
 * {@code value_target}. With {@code normalizeAdvantage} (and more than one element) it is
 * standardised over every dim but {@code normalizeAdvantageExcludeDims}; TorchRL's two variants
 * are kept (DECISIONS rule 1, spec §4 item 13): without a mask {@code (A − mean)/max(std, 1e−6)}
 * with the <em>unbiased</em> std, with a {@code "shifted_valid"} mask in the data the masked mean
 * and <em>population</em> std floored at {@code 1e−4} (see {@link AdvantageNormalisation}). An
 * advantage {@code [*B, 1]} is broadcast over extra middle dims of {@code lw}; an advantage missing
 * its trailing dim ({@code [B]} against {@code [B, 1]}) is an error.
 *
 * <p><b>Multi-head actions.</b> With a composite actor (a {@link ProbabilisticTensorDictSequential}
 * ending in a composite {@code ProbabilisticTensorDictModule}) and aggregation off (the default),
 * the loss reads one action and one stored log-probability per head, at the actor's sample keys and
 * {@code <leaf>_log_prob} keys ({@link #setActionKeys}, {@link #setSampleLogProbKeys} change them),
 * each of the head's own shape; {@code lw = Σ_heads Σ_elements beyond *B (ℓ_new − ℓ_old)}
 * {@code [*B, 1]}, and likewise {@code kl_approx}. The per-head entropies are reported, detached,
 * in the sub-dict {@code composite_entropy} at {@code <leaf>_entropy}, each {@code [*B, 1, ...]};
 * {@code H} is their sum over heads and elements. When a head has neither a closed-form entropy nor
 * a reparameterised draw the Monte-Carlo fallback of the whole policy is taken and its entries are
 * named by the log-prob keys (TorchRL's naming; a coefficient map must use those names then). A
 * coefficient map sums each head over its elements before adding heads, so heads of different
 * shapes work (TorchRL fails there). An actor built under
 * {@code CompositeDistribution.aggregateProbabilities(true)} stores one summed log-probability at
 * {@code sample_log_prob}, and its entropy is one summed tensor (no {@code composite_entropy}).
 * A single tensor where per-head log-probabilities are expected, a missing head or a wrong shape
 * is an error naming the expected keys and shapes.
 *
 * <p><b>Options</b> (builder): {@code entropyBonus} (true), {@code samplesMcEntropy} (1),
 * {@code entropyCoeff} (0.01, a number or a map from per-head entropy key to number),
 * {@code logExplainedVariance} (true), {@code criticCoeff} (null: 1.0 with a critic; 0 counts as
 * no critic loss; nonzero without a critic is an error; the critic loss runs only when it is
 * {@code > 0}), {@code lossCriticType} (smooth_l1), {@code normalizeAdvantage} (false),
 * {@code normalizeAdvantageExcludeDims} (none), {@code separateLosses} (false), {@code reduction}
 * (mean), {@code clipValue} (none). {@code entropyCoeff}, {@code criticCoeff} and
 * {@code clipValue} are schedulable ({@link #setEntropyCoeff}, ...). TorchRL's
 * {@code functional=false} is not offered: the functional form already trains the modules' own
 * tensors. Randomness: only the Monte-Carlo entropy (and whatever the estimator does).
 */
public class PPOLoss extends LossModule {
    private static final System.Logger LOG = System.getLogger(PPOLoss.class.getName());

    /** The name of the actor's parameter tree ({@code actor_network_params} in TorchRL). */
    public static final String ACTOR = "actor";
    /** The name of the critic's parameter tree ({@code critic_network_params} in TorchRL). */
    public static final String CRITIC = "critic";

    private final ProbabilisticTensorDictSequential actor;
    private final TensorDictModuleBase critic;
    private final PPOPolicy policy;
    private final boolean entropyBonus;
    private final int samplesMcEntropy;
    private final boolean logExplainedVariance;
    private final Distance lossCriticType;
    private final boolean normalizeAdvantage;
    private final int[] normalizeAdvantageExcludeDims;
    private double entropyCoeff;
    private LinkedHashMap<Key, Double> entropyCoeffMap;
    private Double criticCoeff;
    private Double clipValue;
    private List<Key> headActionKeys;
    private List<Key> headLogProbKeys;
    private boolean warnedAdvantageShape;

    /** A loss over {@code o}'s actor and critic; subclasses pass their name. */
    protected PPOLoss(String lossName, Builder<?> o) {
        super(lossName, keyDefaults());
        this.actor = o.actor;
        this.critic = o.critic;
        this.policy = new PPOPolicy(lossName, actor);
        this.entropyBonus = o.entropyBonus;
        this.samplesMcEntropy = o.samplesMcEntropy;
        this.logExplainedVariance = o.logExplainedVariance;
        this.lossCriticType = o.lossCriticType;
        this.normalizeAdvantage = o.normalizeAdvantage;
        this.normalizeAdvantageExcludeDims = o.excludeDims.clone();
        this.entropyCoeff = o.entropyCoeff;
        this.entropyCoeffMap = o.entropyCoeffMap == null ? null : new LinkedHashMap<>(o.entropyCoeffMap);
        if (o.criticCoeff != null && o.criticCoeff != 0 && critic == null) {
            throw new IllegalArgumentException(lossName + ": critic_coeff is " + o.criticCoeff + " but no critic was given; give a critic or leave critic_coeff unset");
        }
        this.criticCoeff = critic == null || (o.criticCoeff != null && o.criticCoeff == 0) ? null : o.criticCoeff == null ? 1.0 : o.criticCoeff;
        this.clipValue = o.clipValue == null ? null : ClippedValueLoss.checkClipValue(o.clipValue);
        setReduction(o.reduction);
        recordSeparateLosses(o.separateLosses);
        registerNetwork(ACTOR, actor, false);
        if (critic != null) registerNetwork(CRITIC, critic, false, o.separateLosses ? trainableTensors(ACTOR) : List.of());
        adoptActorKeys();
    }

    private static Map<String, Object> keyDefaults() {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("advantage", "advantage");
        k.put("value_target", "value_target");
        k.put("value", "state_value");
        k.put("sample_log_prob", "action_log_prob");
        k.put("action", "action");
        k.put("reward", "reward");
        k.put("done", "done");
        k.put("terminated", "terminated");
        return k;
    }

    /** The actor's declared sample and log-prob keys become the loss's (spec §1.2): per head for a composite actor. */
    private void adoptActorKeys() {
        Map<String, Object> k = new LinkedHashMap<>();
        if (policy.composite()) {
            this.headActionKeys = policy.headSampleKeys();
            if (policy.aggregated()) k.put("sample_log_prob", actor.logProbKeys().get(0));
            else this.headLogProbKeys = List.copyOf(actor.logProbKeys());
        } else {
            k.put("action", actor.distSampleKeys().get(0));
            k.put("sample_log_prob", actor.logProbKeys().get(0));
        }
        if (!k.isEmpty()) setKeys(k);
    }

    /**
     * A plain PPO loss over a stochastic actor and a state-value critic (null: no critic loss; a
     * missing advantage is then estimated from the values stored in the data).
     */
    public static Builder<?> builder(ProbabilisticTensorDictSequential actor, TensorDictModuleBase critic) {
        return new Builder<>("PPOLoss", actor, critic);
    }

    // ------------------------------------------------------------------ accessors

    /** The stochastic actor. */
    public final ProbabilisticTensorDictSequential actor() { return actor; }

    /** The critic (null if none). */
    public final TensorDictModuleBase critic() { return critic; }

    public final boolean entropyBonus() { return entropyBonus; }

    public final int samplesMcEntropy() { return samplesMcEntropy; }

    /** The scalar entropy coefficient (unused while a per-head map is set). */
    public final double entropyCoeff() { return entropyCoeff; }

    /** The per-head entropy coefficients (entropy key → coefficient), or null for the scalar one. */
    public final Map<Key, Double> entropyCoeffMap() { return entropyCoeffMap == null ? null : Collections.unmodifiableMap(entropyCoeffMap); }

    /** The critic coefficient; null: no critic loss. */
    public final Double criticCoeff() { return criticCoeff; }

    public final Distance lossCriticType() { return lossCriticType; }

    public final boolean normalizeAdvantage() { return normalizeAdvantage; }

    public final int[] normalizeAdvantageExcludeDims() { return normalizeAdvantageExcludeDims.clone(); }

    public final boolean logExplainedVariance() { return logExplainedVariance; }

    /** ε_v of value clipping; null: none. */
    public final Double clipValue() { return clipValue; }

    /** Whether the actor is composite (several heads). */
    public final boolean compositePolicy() { return policy.composite(); }

    /** Schedulable (spec §1.7): the scalar entropy coefficient, replacing a per-head map. */
    public final PPOLoss setEntropyCoeff(double coeff) {
        this.entropyCoeff = coeff;
        this.entropyCoeffMap = null;
        return this;
    }

    /** Schedulable: the critic coefficient; null or 0 turn the critic loss off, nonzero needs a critic. */
    public final PPOLoss setCriticCoeff(Double coeff) {
        if (coeff != null && coeff != 0 && critic == null) throw new IllegalArgumentException(lossName() + ": critic_coeff " + coeff + " needs a critic");
        this.criticCoeff = coeff == null || coeff == 0 ? null : coeff;
        return this;
    }

    /** Schedulable: ε_v of value clipping, a finite positive number (null: none). */
    public PPOLoss setClipValue(Double clipValue) {
        this.clipValue = clipValue == null ? null : ClippedValueLoss.checkClipValue(clipValue);
        return this;
    }

    /** The action keys: one per head for a composite actor, else the {@code action} key. */
    public final List<Key> actionKeys() {
        return policy.composite() ? headActionKeys : List.of(key("action"));
    }

    /** The stored log-prob keys: one per head for a composite actor without aggregation, else the {@code sample_log_prob} key. */
    public final List<Key> sampleLogProbKeys() {
        return headLogProbKeys != null ? headLogProbKeys : List.of(key("sample_log_prob"));
    }

    /**
     * The action key of each head (composite actor: one per head; the heads' own sample keys in any
     * order are matched by name, other keys are taken in head order, see {@link #compositeHeads()}).
     * Otherwise one key, as {@code setKeys("action", k)}.
     */
    public final PPOLoss setActionKeys(List<?> keys) {
        List<Key> ks = keyList("setActionKeys", keys, policy.composite() ? policy.headNames().size() : 1);
        if (policy.composite()) headActionKeys = byHead(ks, policy.headSampleKeys());
        else setKeys("action", ks.get(0));
        return this;
    }

    /**
     * The stored log-probability key of each head (composite actor without aggregation: one per
     * head; the current keys in any order are matched by name, other keys are taken in head
     * order). Otherwise one key, as {@code setKeys("sample_log_prob", k)}.
     */
    public final PPOLoss setSampleLogProbKeys(List<?> keys) {
        List<Key> ks = keyList("setSampleLogProbKeys", keys, headLogProbKeys != null ? headLogProbKeys.size() : 1);
        if (headLogProbKeys != null) headLogProbKeys = byHead(ks, headLogProbKeys);
        else setKeys("sample_log_prob", ks.get(0));
        return this;
    }

    /** The heads of a composite actor, in the order the per-head key lists follow (empty for a single distribution). */
    public final List<String> compositeHeads() {
        return policy.composite() ? policy.headNames() : List.of();
    }

    /** {@code given} in head order: the keys of {@code current} in another order are put back in head order; other keys are positional. */
    private static List<Key> byHead(List<Key> given, List<Key> current) {
        return new java.util.HashSet<>(given).equals(new java.util.HashSet<>(current)) ? current : given;
    }

    private List<Key> keyList(String who, List<?> keys, int expected) {
        Objects.requireNonNull(keys, () -> lossName() + "." + who + ": expected a list of keys, got null");
        if (keys.size() != expected) {
            throw new IllegalArgumentException(lossName() + "." + who + ": expected " + expected + " key(s)"
                    + (policy.composite() ? " (one per head of " + policy.headNames() + ")" : "") + ", got " + keys);
        }
        return keys.stream().map(LossKeys::toKey).toList();
    }

    // ------------------------------------------------------------------ value estimators

    @Override
    protected ValueEstimators defaultValueEstimator() { return ValueEstimators.GAE; }

    @Override
    protected Set<ValueEstimators> supportedValueEstimators() { return ON_POLICY_ESTIMATORS; }

    @Override
    protected TensorDictModuleBase valueEstimatorNetwork(ValueEstimators type) { return critic; }

    @Override
    protected TensorDictModuleBase valueEstimatorActor(ValueEstimators type) { return type == ValueEstimators.VTrace ? actor : null; }

    // ------------------------------------------------------------------ forward

    @Override
    protected final TensorDict computeLosses(TensorDict td) {
        TensorDict work = td.copy();
        Tensor advantage = advantage(work);
        int[] batch = Arrays.copyOf(advantage.shapeRef(), advantage.dim() - 1);
        PPOPolicy.Dist dist = policy.on(params(ACTOR), work);
        Tensor lw = policy.logWeight(dist, work, actionKeys(), sampleLogProbKeys(), key("sample_log_prob"), batch);
        Tensor a = alignAdvantage(advantage, lw);

        TensorDict out = new TensorDict();
        objective(td, work, new LogWeight(lw, dist, batch), a, out);
        if (entropyBonus) entropy(dist, batch, out);
        if (hasCriticLoss()) critic(work, out);
        for (Key k : out.keys()) {
            if (!LossOutputs.isLossName(k.first())) continue;
            out.set(k, reduceDroppingTrailingAxis(out.get(k), work));
        }
        return out;
    }

    /** The log-weight {@code lw} {@code [*B, 1]}, the actor's distribution it came from and the batch {@code *B}. */
    record LogWeight(Tensor lw, PPOPolicy.Dist dist, int[] batch) {
        /** {@code kl_approx = mean(sg(ℓ_old − ℓ_new))}. */
        Tensor klApprox() {
            return lw.detach().neg().mean();
        }
    }

    /**
     * Writes the per-element {@code loss_objective} (reduced afterwards) and the objective's
     * metrics into {@code out}. PPO: {@code −exp(lw)·A} and {@code kl_approx}. {@code input} is the
     * caller's dict, {@code work} the loss's copy (with the advantage).
     */
    void objective(TensorDict input, TensorDict work, LogWeight lw, Tensor advantage, TensorDict out) {
        out.set("loss_objective", lw.lw().exp().mul(advantage).neg());
        out.set("kl_approx", lw.klApprox());
    }

    /** Whether a missing advantage without a critic is an error before the estimator is asked (ClipPPO: yes). */
    boolean criticRequiredForAdvantage() { return false; }

    /** The policy as the subclasses evaluate it. */
    final PPOPolicy policy() { return policy; }

    private boolean hasCriticLoss() {
        return critic != null && criticCoeff != null && criticCoeff > 0;
    }

    // ------------------------------------------------------------------ advantage

    private Tensor advantage(TensorDict work) {
        Tensor a = work.get(key("advantage"), null);
        if (a == null) {
            if (critic == null && criticRequiredForAdvantage()) {
                throw new IllegalArgumentException(lossName() + ": the input has no advantage " + key("advantage")
                        + " and there is no critic to compute it with; give a critic or store the advantage");
            }
            ValueEstimatorBase estimator = valueEstimator();
            if (critic == null) estimator.forward(work);
            else estimator.forward(work, params(CRITIC).detach(), targetParams(CRITIC));
            a = require(work, key("advantage"));
        }
        return normalised(a, work);
    }

    /** The advantage standardised as {@code normalizeAdvantage} asks (spec §2.17 step 2), or as it is. */
    private Tensor normalised(Tensor a, TensorDict work) {
        if (a.dim() == 0) throw new IllegalArgumentException(lossName() + ": the advantage is a scalar; expected shape [*B, 1]");
        if (!normalizeAdvantage || a.numel() <= 1) return a;
        if (a.numel() > Shape.numel(work.batchSize()) && normalizeAdvantageExcludeDims.length == 0 && !warnedAdvantageShape) {
            warnedAdvantageShape = true;
            LOG.log(System.Logger.Level.WARNING, () -> lossName() + ": advantage normalisation was requested and the advantage " + Shape.format(a.shapeRef())
                    + " has more elements than the batch " + Shape.format(work.batchSize()) + "; the statistics run over every dim (pass "
                    + "normalizeAdvantageExcludeDims to keep some dims independent)");
        }
        int[] dims = AdvantageNormalisation.includedDims(lossName(), a.dim(), normalizeAdvantageExcludeDims);
        if (dims.length == 0) {
            LOG.log(System.Logger.Level.WARNING, () -> lossName() + ": normalize_advantage_exclude_dims excludes every dim of the advantage "
                    + Shape.format(a.shapeRef()) + "; it is left unnormalised");
            return a;
        }
        Tensor valid = work.get(ValueEstimatorBase.SHIFTED_VALID, null);
        return valid == null ? AdvantageNormalisation.unmasked(a, dims) : AdvantageNormalisation.masked(lossName(), a, valid, dims);
    }

    /**
     * The advantage against {@code lw} (spec §2.17 step 4): equal shapes pass; {@code [*B, 1]}
     * against {@code [*B, *tok, 1]} is broadcast over the middle dims; a broadcast that would make
     * more elements than either operand (an advantage {@code [B]} against {@code [B, 1]}) is an error.
     */
    private Tensor alignAdvantage(Tensor a, Tensor lw) {
        int[] as = a.shapeRef(), ls = lw.shapeRef();
        if (Arrays.equals(as, ls)) return a;
        if (as.length < ls.length && as[as.length - 1] == 1 && ls[ls.length - 1] == 1
                && Arrays.equals(Arrays.copyOf(ls, as.length - 1), Arrays.copyOf(as, as.length - 1))) {
            Tensor out = a;
            while (out.dim() < lw.dim()) out = out.unsqueeze(out.dim() - 1);
            return out.expand(lw.shape());
        }
        int[] b;
        try {
            b = Shape.broadcast(lossName(), as, ls);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(lossName() + ": the advantage has shape " + Shape.format(as) + ", which does not broadcast against the log-weight "
                    + Shape.format(ls) + "; expected [*B, 1]", e);
        }
        if (Shape.numel(b) > Math.max(a.numel(), lw.numel())) {
            throw new IllegalArgumentException(lossName() + ": the advantage has shape " + Shape.format(as) + " and the log-weight " + Shape.format(ls)
                    + ": broadcasting them would give " + Shape.format(b) + "; the advantage is probably missing its trailing dim (expected [*B, 1])");
        }
        return a;
    }

    // ------------------------------------------------------------------ entropy

    private void entropy(PPOPolicy.Dist dist, int[] batch, TensorDict out) {
        PPOPolicy.Entropy h = policy.entropy(dist, randomSource(), samplesMcEntropy, sampleLogProbKeys(), batch);
        if (h.perHead() != null) out.set("composite_entropy", h.perHead().detach());
        try (GradMode.Scope g = GradMode.noGrad()) {
            out.set("entropy", h.total().detach().mean());
        }
        out.set("loss_entropy", entropyLoss(h, batch));
    }

    /** {@code −c·H}, or {@code Σ_heads −c_head·H_head} with each head summed over its elements (an error naming a head the map misses). */
    private Tensor entropyLoss(PPOPolicy.Entropy h, int[] batch) {
        if (entropyCoeffMap == null) return h.total().mul(-entropyCoeff);
        if (h.perHead() == null) {
            throw new IllegalArgumentException(lossName() + ": a per-head entropy coefficient map " + entropyCoeffMap.keySet()
                    + " needs a composite actor without log-prob aggregation; this one reports a single entropy");
        }
        Tensor total = null;
        for (Map.Entry<Key, Tensor> e : h.perHead().leaves().entrySet()) {
            Double c = entropyCoeffMap.get(e.getKey());
            if (c == null) {
                throw new IllegalArgumentException(lossName() + ": the entropy coefficient map has no entry for the head entropy " + e.getKey()
                        + "; it holds " + entropyCoeffMap.keySet() + " and the heads' entropies are " + h.perHead().keys(true, true));
            }
            Tensor head = e.getValue();
            int keep = batch.length + 1;
            if (head.dim() > keep) {
                int[] dims = new int[head.dim() - keep];
                for (int i = 0; i < dims.length; i++) dims[i] = keep + i;
                head = head.sum(dims, false);
            }
            Tensor term = head.mul(-c);
            total = total == null ? term : total.add(term);
        }
        return total;
    }

    // ------------------------------------------------------------------ critic

    private void critic(TensorDict work, TensorDict out) {
        Tensor oldValue = clipValue == null ? null : ClippedValueLoss.storedValue(lossName(), work, key("value"), clipValue);
        Tensor target = require(work, key("value_target"));
        TensorDict input = separateLosses() ? work.detach() : work;
        Tensor v = critic.forwardWith(params(CRITIC), input).get(key("value"), null);
        if (v == null) throw new IllegalArgumentException(lossName() + ": the critic wrote no entry " + key("value") + "; set the value key to its output");
        ClippedValueLoss.Result criticLoss = ClippedValueLoss.of(lossCriticType, target, v,
                oldValue != null && separateLosses() ? oldValue.detach() : oldValue, clipValue);
        if (criticLoss.clipFraction() != null) out.set("value_clip_fraction", criticLoss.clipFraction());
        Tensor lossValue = criticLoss.loss();
        if (logExplainedVariance) {
            try (GradMode.Scope g = GradMode.noGrad()) {
                Tensor t = target.detach(), vd = v.detach();
                double eps = v.dtype() == DType.FLOAT64 ? Math.ulp(1.0) : Math.ulp(1.0f);
                Tensor resid = t.sub(vd).var(new int[] {0}, 0, false);
                Tensor total = t.var(new int[] {0}, 0, false);
                out.set("explained_variance", resid.div(total.add(eps)).rsub(1.0));
            }
        }
        out.set("loss_critic", lossValue.mul(criticCoeff));
    }

    // ------------------------------------------------------------------ options

    /**
     * The options of the PPO family ({@code B}: the concrete builder, so that every option returns
     * it); {@link ClipPPOLoss.Builder} and {@link KLPENPPOLoss.Builder} add theirs.
     */
    public static class Builder<B extends Builder<B>> {
        final ProbabilisticTensorDictSequential actor;
        final TensorDictModuleBase critic;
        boolean entropyBonus = true;
        int samplesMcEntropy = 1;
        double entropyCoeff = 0.01;
        Map<Key, Double> entropyCoeffMap;
        boolean logExplainedVariance = true;
        Double criticCoeff;
        Distance lossCriticType = Distance.SMOOTH_L1;
        boolean normalizeAdvantage;
        int[] excludeDims = new int[0];
        boolean separateLosses;
        Reduction reduction = Reduction.MEAN;
        Double clipValue;

        Builder(String lossName, ProbabilisticTensorDictSequential actor, TensorDictModuleBase critic) {
            this.actor = Objects.requireNonNull(actor, () -> lossName + ": the actor is null");
            this.critic = critic;
        }

        @SuppressWarnings("unchecked")
        final B self() { return (B) this; }

        /** Whether the entropy bonus is added (default true). */
        public B entropyBonus(boolean on) { this.entropyBonus = on; return self(); }

        /** Draws of the Monte-Carlo entropy where there is no closed form (default 1). */
        public B samplesMcEntropy(int n) {
            if (n < 1) throw new IllegalArgumentException("samplesMcEntropy: expected at least 1, got " + n);
            this.samplesMcEntropy = n;
            return self();
        }

        /** The entropy coefficient (default 0.01). */
        public B entropyCoeff(double c) {
            this.entropyCoeff = c;
            this.entropyCoeffMap = null;
            return self();
        }

        /**
         * Per-head entropy coefficients: each head's entropy key ({@code ("agents", "action_entropy")}:
         * a String, a {@link Key} or a list of parts) → coefficient. Every head must have an entry.
         */
        public B entropyCoeff(Map<?, ? extends Number> perHead) {
            Objects.requireNonNull(perHead, "entropyCoeff: the map is null");
            if (perHead.isEmpty()) throw new IllegalArgumentException("entropyCoeff: expected at least one head's coefficient, got an empty map");
            Map<Key, Double> m = new LinkedHashMap<>();
            perHead.forEach((k, v) -> m.put(LossKeys.toKey(k), Objects.requireNonNull(v, "entropyCoeff: null coefficient for " + k).doubleValue()));
            this.entropyCoeffMap = m;
            return self();
        }

        /** Whether {@code explained_variance} is reported (default true). */
        public B logExplainedVariance(boolean on) { this.logExplainedVariance = on; return self(); }

        /** The critic coefficient (null: 1.0 with a critic; 0: no critic loss). */
        public B criticCoeff(Double c) { this.criticCoeff = c; return self(); }

        /** The critic's distance (default smooth_l1). */
        public B lossCriticType(Distance d) { this.lossCriticType = Objects.requireNonNull(d, "lossCriticType"); return self(); }

        public B lossCriticType(String name) { return lossCriticType(Distance.parse(name)); }

        /** Standardise the advantage (default false). */
        public B normalizeAdvantage(boolean on) { this.normalizeAdvantage = on; return self(); }

        /** Dims of the advantage kept independent by the standardisation (negative: from the end). */
        public B normalizeAdvantageExcludeDims(int... dims) { this.excludeDims = dims.clone(); return self(); }

        /** Detach the actor's parameters inside the critic and the critic loss's data (default false). */
        public B separateLosses(boolean on) { this.separateLosses = on; return self(); }

        public B reduction(Reduction r) { this.reduction = r == null ? Reduction.MEAN : r; return self(); }

        public B reduction(String r) { return reduction(r == null ? null : Reduction.parse(r)); }

        /** ε_v of value clipping (null: none). */
        public B clipValue(Double epsilon) { this.clipValue = epsilon; return self(); }

        public PPOLoss build() { return new PPOLoss("PPOLoss", this); }
    }


    @Override
    public String toString() {
        return lossName() + "(entropy_bonus=" + entropyBonus + ", entropy_coeff=" + (entropyCoeffMap != null ? entropyCoeffMap : entropyCoeff)
                + ", critic_coeff=" + criticCoeff + ", loss_critic_type=" + lossCriticType.alias() + ", normalize_advantage=" + normalizeAdvantage
                + ", clip_value=" + clipValue + ", separate_losses=" + separateLosses() + ", reduction=" + reduction().name().toLowerCase(java.util.Locale.ROOT)
                + extraRepr() + ", keys=" + tensorKeys() + (policy.composite() ? ", heads=" + policy.headNames() : "") + ")";
    }

    /** A subclass's options in {@link #toString()}, each starting with {@code ", "}. */
    protected String extraRepr() { return ""; }

    /** The key names, in order (for documentation and tests). */
    public static List<String> keyNames() {
        return List.copyOf(keyDefaults().keySet());
    }
}
