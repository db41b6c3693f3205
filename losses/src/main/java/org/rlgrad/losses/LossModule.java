package org.rlgrad.losses;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.EnsembleModule;
import org.rlgrad.engine.modules.InteractionType;
import org.rlgrad.engine.modules.Parameters;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.nn.Module;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.vmap.RandomModules;
import org.rlgrad.engine.vmap.Randomness;
import org.rlgrad.estimators.EstimatorHyperparameters;
import org.rlgrad.estimators.ValueEstimatorBase;
import org.rlgrad.estimators.ValueEstimators;

/**
 * The base of every loss (spec losses.md §1; TorchRL's {@code LossModule}).
 *
 * <p>What a subclass does: declare its key names and defaults ({@link #LossModule(String, Map)}),
 * register its networks ({@link #registerNetwork}), say which value estimators it supports and
 * which network the estimator evaluates, and implement {@link #computeLosses}. Everything else is
 * here:
 * <ul>
 *   <li>{@link #forward}: runs {@link #computeLosses} with the global interaction type set to
 *       {@link #deterministicSamplingMode()} (spec §1.1); components called alone use
 *       {@link #inSamplingMode};</li>
 *   <li>keys: {@link #setKeys}, forwarded to the estimator by {@link #estimatorKeyNames};</li>
 *   <li>target trees: delayed copies or detached aliases, collected by {@link TargetNetUpdater};</li>
 *   <li>reduction with masks and priority weights: {@link #reduce} (spec §1.8);</li>
 *   <li>value estimators: {@link #makeValueEstimator} and the lazily built default (spec §1.9);</li>
 *   <li>vmap randomness of the loss's networks (spec §1.6).</li>
 * </ul>
 */
public abstract class LossModule {
    private static final System.Logger LOG = System.getLogger(LossModule.class.getName());

    /** The value of {@link #setLossMaskKey} that looks for {@code ("collector", "mask")} and {@code "shifted_valid"}. */
    public static final String AUTO = "auto";
    /** The masks {@code "auto"} looks for, in order (every one present is ANDed). */
    public static final List<Key> AUTO_MASK_KEYS = List.of(Key.of("collector", "mask"), Key.of("shifted_valid"));

    /** Whether a root {@code priority_weight} entry weighs the reductions (spec §1.8). */
    public enum PrioritizedWeights { AUTO, ON, OFF }

    private final String lossName;
    private final LossKeys keys;
    private final LinkedHashMap<String, NetworkSlot> networks = new LinkedHashMap<>();
    private Reduction reduction = Reduction.MEAN;
    private Object lossMaskKey = AUTO;
    private PrioritizedWeights prioritizedWeights = PrioritizedWeights.AUTO;
    private InteractionType deterministicSamplingMode = InteractionType.DETERMINISTIC;
    private boolean separateLosses;
    private boolean deactivateVmap;
    private RandomSource randomSource;
    private Randomness vmapRandomness;
    private ValueEstimatorBase valueEstimator;
    private ValueEstimators valueEstimatorType;
    private boolean hasUpdater;
    private boolean warnedNoUpdater;
    private boolean targetsSetByCaller;

    /** {@code keyDefaults}: every key name of the loss and its default key, in order (spec §1.2). */
    protected LossModule(String lossName, Map<String, ?> keyDefaults) {
        this.lossName = Objects.requireNonNull(lossName, "lossName");
        this.keys = new LossKeys(lossName, keyDefaults);
    }

    /** The class's name in messages ({@code DQNLoss}). */
    public final String lossName() { return lossName; }

    // ------------------------------------------------------------------ calling

    /**
     * The losses and metrics of {@code td} (spec §1.1): a new dict of {@code loss*} entries (reduced)
     * and detached metrics. Runs with the interaction type set to the deterministic sampling mode.
     */
    public final TensorDict forward(TensorDict td) {
        Objects.requireNonNull(td, () -> lossName + ".forward: expected a TensorDict, got null");
        warnIfNoUpdater();
        return inSamplingMode(() -> computeLosses(td));
    }

    /** The work of {@link #forward}. */
    protected abstract TensorDict computeLosses(TensorDict td);

    /** Runs {@code body} (a public {@code *Loss} component) with the interaction type set to the deterministic sampling mode. */
    protected final <T> T inSamplingMode(Supplier<T> body) {
        try (GradMode.Scope scope = InteractionType.set(deterministicSamplingMode)) {
            return body.get();
        }
    }

    public final InteractionType deterministicSamplingMode() { return deterministicSamplingMode; }

    /** The exploration type in force while the loss runs (default DETERMINISTIC; MODE or MEAN may be chosen). */
    public final LossModule setDeterministicSamplingMode(InteractionType mode) {
        this.deterministicSamplingMode = Objects.requireNonNull(mode, "setDeterministicSamplingMode: expected an InteractionType, got null");
        return this;
    }

    /** The input tensor at {@code key}; a missing entry is an error naming the key, the loss and the keys present. */
    protected final Tensor require(TensorDict td, Key key) {
        Tensor t = td.get(key, null);
        if (t == null) {
            throw new IllegalArgumentException(lossName + ": the input has no entry " + key + "; it holds " + td.keys(true, true));
        }
        return t;
    }

    // ------------------------------------------------------------------ randomness

    /**
     * Where the loss's own draws come from (action samples, target-policy noise, critic subsets):
     * the source set with {@link #setRandomSource}, else the global generator. Replaying recorded
     * draws ({@link org.rlgrad.engine.random.ReplayedDraws}) makes a sampling loss exact.
     */
    public final RandomSource randomSource() {
        return randomSource != null ? randomSource : Generator.global();
    }

    /** Sets the source of the loss's draws (null: the global generator). */
    public final LossModule setRandomSource(RandomSource source) {
        this.randomSource = source;
        return this;
    }

    // ------------------------------------------------------------------ keys

    /** The current key of the name {@code name} (spec §1.2). */
    public final Key key(String name) { return keys.get(name); }

    /** Every key name and its current key. */
    public final Map<String, Key> tensorKeys() { return keys.asMap(); }

    /**
     * Changes keys by name (spec §1.2): an unknown name is an error naming it and the known names;
     * null restores the default. The names the estimator shares are forwarded to it.
     */
    public final LossModule setKeys(Map<String, ?> updates) {
        keys.set(updates);
        if (valueEstimator != null) forwardKeysTo(valueEstimator);
        return this;
    }

    /** One key: {@code setKeys("action", "my_action")}. */
    public final LossModule setKeys(String name, Object key) {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put(name, key);
        return setKeys(one);
    }

    /**
     * The estimator's key names this loss sets from its own: estimator name -> loss name (e.g.
     * {@code value -> value}). By default every estimator name that is also a loss key name.
     */
    protected Map<String, String> estimatorKeyNames() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String n : List.of("advantage", "value_target", "value", "reward", "done", "terminated", "steps_to_next_obs", "sample_log_prob")) {
            if (keys.names().contains(n)) out.put(n, n);
        }
        return out;
    }

    /** Sets the estimator's keys from the loss's; names the estimator does not take (V-trace's {@code sample_log_prob} for GAE) are skipped. */
    private void forwardKeysTo(ValueEstimatorBase estimator) {
        Map<String, Object> updates = new LinkedHashMap<>();
        List<String> accepted = estimator.tensorKeys().names();
        for (Map.Entry<String, String> e : estimatorKeyNames().entrySet()) {
            if (accepted.contains(e.getKey())) updates.put(e.getKey(), keys.get(e.getValue()));
        }
        if (!updates.isEmpty()) estimator.setKeys(updates);
    }

    // ------------------------------------------------------------------ networks

    /**
     * Takes {@code network} into functional form under {@code name} (spec §1.3, §1.4): its
     * parameter tree is the module's own tensors, except those in {@code compareAgainst} (compared
     * by identity), which become detached aliases. The target tree is a detached clone when
     * {@code delayed}, else a detached alias. Returns the parameter tree.
     */
    protected final TensorDict registerNetwork(String name, TensorDictModuleBase network, boolean delayed, Collection<Tensor> compareAgainst) {
        Objects.requireNonNull(network, () -> lossName + ": the network '" + name + "' is null");
        if (networks.containsKey(name)) throw new IllegalStateException(lossName + ": a network named '" + name + "' is already registered");
        Set<Tensor> shared = Collections.newSetFromMap(new IdentityHashMap<>());
        if (compareAgainst != null) shared.addAll(compareAgainst);
        TensorDict params = Parameters.fromModule(network).apply(t -> shared.contains(t) ? t.detach() : t);
        TensorDict target = delayed ? params.apply(t -> t.detach().clone()) : params.apply(Tensor::detach);
        networks.put(name, new NetworkSlot(name, network, params, target, delayed));
        vmapRandomnessChanged();
        return params;
    }

    /** {@link #registerNetwork(String, TensorDictModuleBase, boolean, Collection)} sharing nothing. */
    protected final TensorDict registerNetwork(String name, TensorDictModuleBase network, boolean delayed) {
        return registerNetwork(name, network, delayed, List.of());
    }

    /**
     * An ensemble of {@code n} critics grown from one module (spec §1.3, {@code expand_dim = n}):
     * every parameter re-drawn {@code n} times uniformly in its own {@code [min, max]} from
     * {@code generator} (this consumes draws at construction), buffers copied; parameters that are
     * the very tensors in {@code compareAgainst} become a detached expansion. The parameter tree
     * has batch {@code [n]}. Evaluate it with {@link #callEnsemble}.
     */
    protected final TensorDict registerEnsemble(String name, TensorDictModuleBase member, int n, boolean delayed, Collection<Tensor> compareAgainst,
                                                Generator generator) {
        Objects.requireNonNull(member, () -> lossName + ": the network '" + name + "' is null");
        if (n <= 0) throw new IllegalArgumentException(lossName + ": the number of '" + name + "' networks must be positive, got " + n);
        EnsembleModule ensemble = EnsembleModule.expand(member, n, Objects.requireNonNull(generator, "generator"),
                compareAgainst == null ? List.of() : new ArrayList<>(compareAgainst), vmapRandomness());
        return registerStacked(name, ensemble, delayed);
    }

    /** An ensemble of the given modules (spec §1.3): their current parameters stacked, member {@code k} = {@code members.get(k)}. */
    protected final TensorDict registerEnsemble(String name, List<? extends TensorDictModuleBase> members, boolean delayed) {
        Objects.requireNonNull(members, () -> lossName + ": the '" + name + "' networks are null");
        if (members.isEmpty()) throw new IllegalArgumentException(lossName + ": expected at least one '" + name + "' network, got none");
        return registerStacked(name, EnsembleModule.fromModules(members, vmapRandomness()), delayed);
    }

    /**
     * The ensemble a builder describes (spec §1.3): {@code members} stacked as given when not null
     * (then {@code number}, if set, must equal their count), else {@code member} grown into
     * {@code number} (null: {@code defaultNumber}) re-drawn copies from {@code generator} (null: the
     * global generator), with {@code compareAgainst} as in
     * {@link #registerEnsemble(String, TensorDictModuleBase, int, boolean, Collection, Generator)}.
     */
    protected final TensorDict registerEnsemble(String name, TensorDictModuleBase member, List<? extends TensorDictModuleBase> members, Integer number,
                                                int defaultNumber, boolean delayed, Collection<Tensor> compareAgainst, Generator generator) {
        if (members != null) {
            if (number != null && number != members.size()) {
                throw new IllegalArgumentException(lossName + ": num_" + name + "_nets = " + number + " but " + members.size() + " '" + name
                        + "' networks were given");
            }
            return registerEnsemble(name, members, delayed);
        }
        return registerEnsemble(name, member, number != null ? number : defaultNumber, delayed, compareAgainst, generator != null ? generator : Generator.global());
    }

    private TensorDict registerStacked(String name, EnsembleModule ensemble, boolean delayed) {
        if (networks.containsKey(name)) throw new IllegalStateException(lossName + ": a network named '" + name + "' is already registered");
        TensorDict params = ensemble.params();
        TensorDict target = delayed ? params.apply(t -> t.detach().clone()) : params.apply(Tensor::detach);
        networks.put(name, new NetworkSlot(name, ensemble, params, target, delayed));
        vmapRandomnessChanged();
        return params;
    }

    /** The ensemble registered as {@code name} (an error if {@code name} is a single network). */
    public final EnsembleModule ensemble(String name) {
        if (slot(name).module() instanceof EnsembleModule e) return e;
        throw new IllegalArgumentException(lossName + ": the network '" + name + "' is not an ensemble");
    }

    /**
     * The members of ensemble {@code name} on {@code td} with the stacked parameters {@code params}
     * (its live tree, its target tree, or a detached copy), in one vmap (spec §1.6) or, with
     * {@link #deactivateVmap()}, in a loop over members; either way the loss's vmap randomness
     * applies. {@link EnsembleModule.Layout#SHARED} gives batch {@code [N, *B]} (pattern N0);
     * {@link EnsembleModule.Layout#STACKED} maps a leading {@code N} axis of {@code td} (pattern 00).
     */
    protected final TensorDict callEnsemble(String name, TensorDict params, TensorDict td, EnsembleModule.Layout layout) {
        EnsembleModule e = ensemble(name);
        e.randomness(vmapRandomness());
        return e.forwardWith(params, td, layout, deactivateVmap);
    }

    /** Whether ensembles are evaluated by a loop over members instead of vmap (spec §1.6, {@code deactivate_vmap}). */
    public final boolean deactivateVmap() { return deactivateVmap; }

    /**
     * Sets {@code deactivate_vmap}: the loop accepts only DIFFERENT and ERROR randomness (SAME is an
     * error when an ensemble is called) and gives vmap's numbers when nothing random runs.
     */
    public LossModule setDeactivateVmap(boolean deactivate) {
        this.deactivateVmap = deactivate;
        return this;
    }

    private NetworkSlot slot(String name) {
        NetworkSlot s = networks.get(name);
        if (s == null) throw new IllegalArgumentException(lossName + ": no network named '" + name + "'; the loss holds " + networks.keySet());
        return s;
    }

    /** The names of the networks, in registration order. */
    public final List<String> networkNames() { return List.copyOf(networks.keySet()); }

    /** The module registered as {@code name}. */
    public final TensorDictModuleBase network(String name) { return slot(name).module(); }

    /** {@code <name>_params}: the live parameter tree. */
    public final TensorDict params(String name) { return slot(name).params(); }

    /** {@code target_<name>_params} (spec §1.4): a delayed copy or a detached alias; warns once if delayed and no updater is attached. */
    public final TensorDict targetParams(String name) {
        NetworkSlot s = slot(name);
        if (s.delayed()) warnIfNoUpdater();
        return s.targetParams();
    }

    /** Whether {@code name} owns a delayed target copy. */
    public final boolean hasDelayedTarget(String name) { return slot(name).delayed(); }

    /**
     * The loss's trainable parameters: every live, trainable tensor of its parameter trees, once
     * each, never target tensors; then {@link #ownParameters()} ({@code log_alpha} where trainable).
     */
    public final List<Tensor> parameters() {
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Tensor> out = new ArrayList<>();
        for (NetworkSlot s : networks.values()) {
            for (Tensor t : s.params().leaves().values()) if (t.requiresGrad() && seen.add(t)) out.add(t);
        }
        out.addAll(ownParameters());
        return out;
    }

    /** Trainable tensors the loss itself owns, not a network ({@code log_alpha}, {@code log_alpha_prime}); none by default. */
    protected List<Tensor> ownParameters() {
        return List.of();
    }

    /** {@link #parameters()} of one network, by dotted name. */
    public final Map<String, Tensor> namedParameters(String name) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : Parameters.toMap(slot(name).params()).entrySet()) if (e.getValue().requiresGrad()) out.put(e.getKey(), e.getValue());
        return out;
    }

    /** Every (source, target) entry of every target tree, for the updaters (spec §1.4). */
    final List<TargetPair> targetPairs() {
        List<TargetPair> out = new ArrayList<>();
        for (NetworkSlot s : networks.values()) {
            for (Map.Entry<Key, Tensor> e : s.params().leaves().entrySet()) {
                out.add(new TargetPair(s.name(), e.getKey(), e.getValue(), s.targetParams().get(e.getKey())));
            }
        }
        return out;
    }

    final void attachUpdater() { hasUpdater = true; }

    /**
     * Copies {@code values} (keys as in {@code <name>_params}) in place into the delayed target
     * tree of {@code name}, e.g. from a checkpoint. The caller then manages the targets, so the
     * missing-updater warning is not emitted. Missing or extra keys are an error naming them.
     */
    public final LossModule loadTargetParams(String name, TensorDict values) {
        NetworkSlot s = slot(name);
        if (!s.delayed()) throw new IllegalArgumentException(lossName + ".loadTargetParams: '" + name + "' has no delayed target copy (its target is an alias of the live parameters)");
        Map<String, Tensor> target = Parameters.toMap(s.targetParams()), given = Parameters.toMap(values);
        checkSameKeys(name, target.keySet(), given.keySet());
        try (GradMode.Scope g = GradMode.noGrad()) {
            for (Map.Entry<String, Tensor> e : target.entrySet()) e.getValue().copy_(given.get(e.getKey()).detach());
        }
        targetsSetByCaller = true;
        return this;
    }

    /** Whether a {@link TargetNetUpdater} was built on this loss. */
    public final boolean hasUpdater() { return hasUpdater; }

    private void warnIfNoUpdater() {
        if (hasUpdater || targetsSetByCaller || warnedNoUpdater) return;
        for (NetworkSlot s : networks.values()) {
            if (s.delayed()) {
                warnedNoUpdater = true;
                LOG.log(System.Logger.Level.WARNING, () -> lossName + " owns delayed target networks but no target updater (SoftUpdate or HardUpdate) "
                        + "was attached; the targets will never move");
                return;
            }
        }
    }

    // ------------------------------------------------------------------ stateful views (spec §1.5)

    /** The loss's own module for {@code name}, its parameters bound (they are the loss's), so in-place edits change the loss ({@code copy=false}). */
    public final TensorDictModuleBase getStatefulNet(String name) {
        return slot(name).module();
    }

    /**
     * A stand-alone copy ({@code copy=true}): {@code blank} (a module of the same structure, e.g.
     * a fresh instance built by the caller) receives copies of the current parameter and buffer
     * values, so editing it does not touch the loss. A module cannot deep-copy itself in rlgrad,
     * so the caller supplies the structure.
     */
    public final <M extends Module> M getStatefulNet(String name, M blank) {
        Map<String, Tensor> values = Parameters.toMap(slot(name).params());
        Map<String, Tensor> own = new LinkedHashMap<>(blank.namedParameters());
        own.putAll(blank.namedBuffers());
        checkSameKeys(name, values.keySet(), own.keySet());
        try (GradMode.Scope g = GradMode.noGrad()) {
            for (Map.Entry<String, Tensor> e : values.entrySet()) own.get(e.getKey()).copy_(e.getValue().detach());
        }
        return blank;
    }

    /** Copies {@code net}'s parameter and buffer values, in place, into {@code <name>_params}; the key sets must be equal. */
    public final LossModule fromStatefulNet(String name, Module net) {
        Map<String, Tensor> mine = Parameters.toMap(slot(name).params());
        Map<String, Tensor> theirs = new LinkedHashMap<>(net.namedParameters());
        theirs.putAll(net.namedBuffers());
        checkSameKeys(name, mine.keySet(), theirs.keySet());
        try (GradMode.Scope g = GradMode.noGrad()) {
            for (Map.Entry<String, Tensor> e : mine.entrySet()) e.getValue().copy_(theirs.get(e.getKey()).detach());
        }
        return this;
    }

    private void checkSameKeys(String name, Set<String> loss, Set<String> net) {
        if (loss.equals(net)) return;
        TreeSet<String> missingInNet = new TreeSet<>(loss), missingInLoss = new TreeSet<>(net);
        missingInNet.removeAll(net);
        missingInLoss.removeAll(loss);
        throw new IllegalArgumentException(lossName + ": the keys of '" + name + "' differ: missing in the module " + missingInNet
                + ", missing in the loss's parameters " + missingInLoss);
    }

    // ------------------------------------------------------------------ vmap randomness (spec §1.6)

    /** The mode set, else DIFFERENT when a network holds a registered random module (dropout), else ERROR. */
    public final Randomness vmapRandomness() {
        if (vmapRandomness != null) return vmapRandomness;
        List<Object> modules = new ArrayList<>();
        for (NetworkSlot s : networks.values()) modules.addAll(s.module().modules());
        return RandomModules.defaultRandomness(modules);
    }

    /** Sets the vmap randomness of the loss's networks and of its estimator. */
    public final LossModule setVmapRandomness(Randomness mode) {
        this.vmapRandomness = Objects.requireNonNull(mode, () -> lossName + ".setVmapRandomness: expected one of ERROR, SAME, DIFFERENT, got null");
        vmapRandomnessChanged();
        return this;
    }

    /** {@link #setVmapRandomness(Randomness)} by name ({@code "different"}); anything else is an error. */
    public final LossModule setVmapRandomness(String mode) {
        for (Randomness r : Randomness.values()) if (r.name().equalsIgnoreCase(String.valueOf(mode))) return setVmapRandomness(r);
        throw new IllegalArgumentException(lossName + ".setVmapRandomness: expected one of error, same, different, got " + mode);
    }

    /** Called when the randomness may have changed; a loss with cached vmapped callers rebuilds them here. */
    protected void vmapRandomnessChanged() {
        if (valueEstimator != null && vmapRandomness != null) valueEstimator.setVmapRandomness(vmapRandomness);
    }

    // ------------------------------------------------------------------ value estimators (spec §1.9)

    /** The estimators every bootstrapping off-policy loss accepts (spec §2: TD0, TD1, TDLambda). */
    protected static final Set<ValueEstimators> TD_ESTIMATORS = Collections.unmodifiableSet(EnumSet.of(ValueEstimators.TD0, ValueEstimators.TD1,
            ValueEstimators.TDLambda));

    /** The estimators the on-policy losses accept (spec §2.17, §2.20, §2.21: PPO, A2C, REINFORCE). */
    protected static final Set<ValueEstimators> ON_POLICY_ESTIMATORS = Collections.unmodifiableSet(EnumSet.of(ValueEstimators.TD0, ValueEstimators.TD1,
            ValueEstimators.TDLambda, ValueEstimators.GAE, ValueEstimators.MAGAE, ValueEstimators.VTrace));

    /** The type built when the user never chose one; null (the default) for a loss that uses no value estimator. */
    protected ValueEstimators defaultValueEstimator() {
        return null;
    }

    /**
     * The types {@link #makeValueEstimator(Object, Map)} accepts by enum or alias; empty (the
     * default) for a loss that uses no value estimator, which then says so when one is asked for.
     */
    protected Set<ValueEstimators> supportedValueEstimators() {
        return Set.of();
    }

    /** The network the estimator evaluates (null: it reads values from the dict). */
    protected TensorDictModuleBase valueEstimatorNetwork(ValueEstimators type) {
        return null;
    }

    /**
     * The actor V-trace scores the stored actions with (spec §2.17: the loss's actor, bound to its
     * current parameters); null by default, which V-trace rejects.
     */
    protected TensorDictModuleBase valueEstimatorActor(ValueEstimators type) {
        return null;
    }

    /** The loss's own discount when it has one (distributional DQN); merged over the estimator defaults. */
    protected Double gamma() {
        return null;
    }

    /**
     * Whether {@link #makeValueEstimator(Object, Map)} builds an estimator object (default: whenever
     * the loss supports some estimator).
     * A loss that computes its target inline returns false (distributional DQN, spec §2.2): the
     * type is then only checked against {@link #supportedValueEstimators()} and recorded, an
     * estimator instance is refused, and {@link #valueEstimator()} is an error.
     */
    protected boolean buildsValueEstimator() {
        return !supportedValueEstimators().isEmpty();
    }

    /** The estimator, built with the default type on first use; an error for a loss that {@link #buildsValueEstimator() builds none}. */
    public final ValueEstimatorBase valueEstimator() {
        if (supportedValueEstimators().isEmpty()) throw new UnsupportedOperationException(lossName + " uses no value estimator");
        if (!buildsValueEstimator()) {
            throw new UnsupportedOperationException(lossName + " computes its target inline and builds no value estimator object (accepted types: "
                    + supportedValueEstimators() + ")");
        }
        if (valueEstimator == null) makeValueEstimator(null, Map.of());
        return valueEstimator;
    }

    /** The type of the estimator (null when the user passed an instance). */
    public final ValueEstimators valueEstimatorType() {
        if (!buildsValueEstimator()) return valueEstimatorType != null ? valueEstimatorType : defaultValueEstimator();
        valueEstimator();
        return valueEstimatorType;
    }

    /** {@link #makeValueEstimator(Object, Map)} with no hyper-parameters. */
    public final LossModule makeValueEstimator(Object valueType) {
        return makeValueEstimator(valueType, Map.of());
    }

    /**
     * Sets the estimator (spec §1.9). {@code valueType}: null (the default type), an estimator
     * instance (used as is), an estimator class (TD0Estimator.class ...; built with defaults ⊕
     * {@code hp}), or a {@link ValueEstimators} member or alias, which must be supported; then
     * {@code hp = defaults(type) ⊕ {gamma: the loss's gamma} ⊕ hp}, later wins. Hyper-parameter
     * names: {@code gamma}, {@code lmbda} (or {@code lambda}), {@code differentiable}.
     */
    public final LossModule makeValueEstimator(Object valueType, Map<String, ?> hp) {
        Objects.requireNonNull(hp, "hp");
        if (supportedValueEstimators().isEmpty()) throw new UnsupportedOperationException(lossName + " uses no value estimator");
        ValueEstimatorBase built;
        ValueEstimators type;
        if (valueType instanceof ValueEstimatorBase instance) {
            if (!buildsValueEstimator()) {
                throw new UnsupportedOperationException(lossName + " computes its target inline and takes no estimator instance; supported types: "
                        + supportedValueEstimators());
            }
            built = instance;
            type = null;
        } else if (valueType instanceof Class<?> cls) {
            type = typeOfClass(cls);
            if (!buildsValueEstimator()) return recordInlineEstimator(type, hp);
            built = type.create(hyperparameters(type, hp), valueEstimatorNetwork(type), valueEstimatorActor(type));
        } else {
            type = valueType == null ? defaultValueEstimator() : ValueEstimators.of(valueType);
            if (!supportedValueEstimators().contains(type)) {
                throw new UnsupportedOperationException(lossName + ": value estimator " + type + " is not implemented for this loss; supported: "
                        + supportedValueEstimators());
            }
            if (!buildsValueEstimator()) return recordInlineEstimator(type, hp);
            built = type.create(hyperparameters(type, hp), valueEstimatorNetwork(type), valueEstimatorActor(type));
        }
        forwardKeysTo(built);
        if (vmapRandomness != null) built.setVmapRandomness(vmapRandomness);
        this.valueEstimator = built;
        this.valueEstimatorType = type;
        return this;
    }

    /** {@link #makeValueEstimator(Object, Map)} of a loss that builds no estimator: the type checked and recorded, the hyper-parameters checked. */
    private LossModule recordInlineEstimator(ValueEstimators type, Map<String, ?> hp) {
        if (!supportedValueEstimators().contains(type)) {
            throw new UnsupportedOperationException(lossName + ": value estimator " + type + " is not implemented for this loss; supported: "
                    + supportedValueEstimators());
        }
        hyperparameters(type, hp);
        this.valueEstimator = null;
        this.valueEstimatorType = type;
        return this;
    }

    private EstimatorHyperparameters hyperparameters(ValueEstimators type, Map<String, ?> hp) {
        EstimatorHyperparameters h = ValueEstimators.defaultValueKwargs(type);
        if (gamma() != null) h = h.withGamma(gamma());
        for (Map.Entry<String, ?> e : hp.entrySet()) {
            Object v = e.getValue();
            h = switch (e.getKey()) {
                case "gamma" -> h.withGamma(number(e.getKey(), v));
                case "lmbda", "lambda" -> h.withLambda(number(e.getKey(), v));
                case "differentiable" -> {
                    if (!(v instanceof Boolean b)) throw new IllegalArgumentException(lossName + ".makeValueEstimator: differentiable must be a boolean, got " + v);
                    yield h.withDifferentiable(b);
                }
                default -> throw new IllegalArgumentException(lossName + ".makeValueEstimator: unknown hyper-parameter '" + e.getKey()
                        + "'; expected gamma, lmbda, differentiable");
            };
        }
        return h;
    }

    private double number(String name, Object v) {
        if (v instanceof Number n) return n.doubleValue();
        throw new IllegalArgumentException(lossName + ".makeValueEstimator: " + name + " must be a number, got " + v);
    }

    private static ValueEstimators typeOfClass(Class<?> cls) {
        return switch (cls.getSimpleName()) {
            case "TD0Estimator" -> ValueEstimators.TD0;
            case "TD1Estimator" -> ValueEstimators.TD1;
            case "TDLambdaEstimator" -> ValueEstimators.TDLambda;
            case "GAE" -> ValueEstimators.GAE;
            case "MultiAgentGAE" -> ValueEstimators.MAGAE;
            case "VTrace" -> ValueEstimators.VTrace;
            default -> throw new IllegalArgumentException("makeValueEstimator: expected an estimator class (TD0Estimator, TD1Estimator, TDLambdaEstimator, GAE, "
                    + "MultiAgentGAE, VTrace), got " + cls.getName());
        };
    }

    // ------------------------------------------------------------------ reduction (spec §1.8)

    public final Reduction reduction() { return reduction; }

    /** {@code mean} (default; null means mean), {@code sum} or {@code none}. */
    public final LossModule setReduction(Reduction reduction) {
        this.reduction = reduction == null ? Reduction.MEAN : reduction;
        return this;
    }

    /** {@link #AUTO}, a {@link Key}, or null (no masking). */
    public final Object lossMaskKey() { return lossMaskKey; }

    /**
     * {@code "auto"} (the string), a {@link Key} or another string (a one-element path; use
     * {@code Key.of("auto")} for an entry literally named auto), a list of strings (a path), or
     * null (no masking). Anything else is an error and the previous value is kept.
     */
    public final LossModule setLossMaskKey(Object key) {
        Object parsed = switch (key) {
            case null -> null;
            case String s when s.equals(AUTO) -> AUTO;
            case String s when !s.isEmpty() -> Key.of(s);
            case Key k -> k;
            case List<?> parts when !parts.isEmpty() && parts.stream().allMatch(p -> p instanceof String) -> Key.of(parts.toArray());
            default -> throw new IllegalArgumentException(lossName + ".setLossMaskKey: expected \"auto\", a key (a non-empty string, a Key or a list of "
                    + "strings) or null, got " + key);
        };
        this.lossMaskKey = parsed;
        return this;
    }

    public final PrioritizedWeights prioritizedWeights() { return prioritizedWeights; }

    /** Whether a root priority-weight entry is used (only for losses that {@link #supportsPrioritizedWeights()}). */
    public final LossModule setPrioritizedWeights(PrioritizedWeights mode) {
        this.prioritizedWeights = Objects.requireNonNull(mode, "setPrioritizedWeights: expected AUTO, ON or OFF, got null");
        return this;
    }

    /** DQN, distributional DQN, DDPG, SAC, discrete SAC, TD3, TD3+BC: true. The key name {@code priority_weight} must exist then. */
    protected boolean supportsPrioritizedWeights() {
        return false;
    }

    /** The validity mask of {@code td} per {@link #lossMaskKey()}, or null (spec §1.8). */
    protected final Tensor lossMask(TensorDict td) {
        if (lossMaskKey == null) return null;
        if (lossMaskKey instanceof Key k) return td.get(k, null);
        Tensor mask = null;
        for (Key k : AUTO_MASK_KEYS) {
            Tensor m = td.get(k, null);
            if (m == null) continue;
            Tensor b = m.dtype() == org.rlgrad.engine.tensor.DType.BOOL ? m : m.ne(0.0);
            mask = mask == null ? b : mask.logicalAnd(b);
        }
        return mask;
    }

    /** The priority weights of {@code td}, or null. */
    protected final Tensor priorityWeights(TensorDict td) {
        if (!supportsPrioritizedWeights() || prioritizedWeights == PrioritizedWeights.OFF) return null;
        return td.get(keys.get("priority_weight"), null);
    }

    /** Reduces a per-element loss with the loss's reduction, the input's mask and priority weights. */
    protected final Tensor reduce(Tensor loss, TensorDict td) {
        return MaskedReduction.reduce(loss, reduction, lossMask(td), priorityWeights(td));
    }

    /**
     * {@link #reduce}, then a trailing singleton axis removed, as the on-policy losses report their
     * {@code loss_*} entries (spec §1.8, last item): {@code none} on {@code [*B, 1]} gives {@code [*B]}.
     */
    protected final Tensor reduceDroppingTrailingAxis(Tensor loss, TensorDict td) {
        Tensor reduced = reduce(loss, td);
        return reduced.dim() > 0 && reduced.size(-1) == 1 ? reduced.squeeze(-1) : reduced;
    }

    // ------------------------------------------------------------------ separate losses (spec §1.11)

    public final boolean separateLosses() { return separateLosses; }

    /**
     * Sets {@code separate_losses}; a loss reads it at construction, when it registers its critic
     * with {@code compareAgainst} = the actor's parameters, so it is a constructor-time setting
     * that subclasses take as an argument and record here.
     */
    protected final void recordSeparateLosses(boolean separate) {
        this.separateLosses = separate;
    }

    /** The trainable tensors of {@code name} (identity set), for another network's {@code compareAgainst}. */
    protected final List<Tensor> trainableTensors(String name) {
        return new ArrayList<>(new LinkedHashSet<>(namedParameters(name).values()));
    }

    /** No-op except for losses with state to restore (KL-penalty PPO's β). */
    public void reset() {}

    @Override
    public String toString() {
        return lossName + "(networks=" + networks.keySet() + ", reduction=" + reduction.name().toLowerCase(java.util.Locale.ROOT) + ", keys=" + keys + ")";
    }
}
