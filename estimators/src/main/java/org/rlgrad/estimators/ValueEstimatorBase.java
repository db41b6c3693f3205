package org.rlgrad.estimators;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.SkipExisting;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.nn.Module;
import org.rlgrad.engine.nn.ParameterHold;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.KeywordDispatch;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.vmap.RandomModules;
import org.rlgrad.engine.vmap.Randomness;

/**
 * An estimator module (spec estimators.md §6; TorchRL's {@code ValueEstimatorBase}): it reads a
 * TensorDict of batch {@code [*B, T]} whose transitions live under {@code "next"}, evaluates its
 * value network on the current and next states (or reads the values already there), runs its
 * functional estimator along the time axis and writes {@code advantage} and {@code value_target}
 * into the same dict.
 *
 * <p>The forward pipeline (§6.5): check the dict has a batch dim; resolve γ (raised to the
 * power {@code steps_to_next_obs} when that entry is present); obtain {@code V} and {@code V'}
 * (§6.6; {@code V'} is detached whenever the network computed it); read reward, done and
 * terminated (terminated falls back to done); estimate; write.
 *
 * <p>Gradients (§6.7): with {@code differentiable} false the forward records nothing, so every
 * output is a leaf; with it true the outputs are differentiable in the rewards and in network
 * inputs that require grad, while the network's parameters stay out of the graph (held out, or
 * detached when {@code params} are passed).
 *
 * <p>Constructor options go through each class's builder; the options common to every estimator
 * are on {@link Builder}.
 */
public abstract class ValueEstimatorBase {
    static final Key NEXT = Key.of("next");
    /** Where the {@code shifted} mode writes which transitions it kept (spec §6.3, §6.9). */
    public static final Key SHIFTED_VALID = Key.of("shifted_valid");
    private static final System.Logger LOG = System.getLogger(ValueEstimatorBase.class.getName());

    private final TensorDictModuleBase valueNetwork;
    private final Coefficient gamma;
    private final boolean differentiable;
    private final Boolean skipExisting;
    private final boolean deactivateVmap;
    private final ValueChunks chunks;
    private final Integer timeDim;
    private final boolean shifted;
    private final int shiftedBudget;
    private final EstimatorKeys keys;
    private Randomness randomness;
    private boolean warnedUnnamedTime;

    protected ValueEstimatorBase(Builder<?> b, EstimatorKeys keys) {
        String name = getClass().getSimpleName();
        if (b.gamma == null) throw new IllegalArgumentException(name + ": gamma is required (the discount γ), got none");
        if (b.numChunks != null && b.numChunk != null && !b.numChunks.equals(b.numChunk)) {
            throw new IllegalArgumentException("num_chunks and num_chunk cannot both be set to different values. Got num_chunks=" + b.numChunks
                    + ", num_chunk=" + b.numChunk + ".");
        }
        this.valueNetwork = b.valueNetwork;
        this.gamma = b.gamma;
        this.differentiable = b.differentiable;
        this.skipExisting = b.skipExisting;
        this.deactivateVmap = b.deactivateVmap;
        this.chunks = new ValueChunks(b.valueChunkSize, b.numChunks != null ? b.numChunks : b.numChunk, b.valueChunkDim);
        this.timeDim = b.timeDim;
        this.shifted = b.shifted;
        this.shiftedBudget = b.shiftedBudget;
        this.keys = keys;
    }

    // ------------------------------------------------------------------ options

    /** The value network, or null when the values are read from the dict. */
    public TensorDictModuleBase valueNetwork() { return valueNetwork; }

    /** The discount γ as given (a number or a tensor). */
    public Coefficient gamma() { return gamma; }

    public boolean differentiable() { return differentiable; }

    /** The skip-existing flag the forward sets, or null when it leaves the global one alone. */
    public Boolean skipExisting() { return skipExisting; }

    public boolean deactivateVmap() { return deactivateVmap; }

    public ValueChunks valueChunks() { return chunks; }

    /** The constructor's time dim, or null (then the dim named {@code "time"}, else the last batch dim). */
    public Integer timeDim() { return timeDim; }

    /** Whether V and V' come from one fused network call (spec §6.9). */
    public boolean shifted() { return shifted; }

    /** The extra time slots of the fused sequence in the {@code shifted} mode (default 1). */
    public int shiftedBudget() { return shiftedBudget; }

    /** The configured keys (read-only here; change them with {@link #setKeys}). */
    public EstimatorKeys tensorKeys() { return keys; }

    // ------------------------------------------------------------------ keys

    /**
     * Sets keys by name (spec §6.3): {@code setKeys(Map.of("value", "v", "reward", Key.of("agents", "reward")))}.
     * Unknown names, null keys and (for {@code value}) keys the value network does not write are
     * errors; nothing is changed then. Names not given keep their keys.
     */
    public ValueEstimatorBase setKeys(Map<String, ?> updates) {
        LinkedHashMap<String, Key> parsed = keys.parse(updates);
        Key value = parsed.get(EstimatorKeys.VALUE);
        if (value != null && valueNetwork != null && !valueNetwork.outKeys().isEmpty() && !valueNetwork.outKeys().contains(value)) {
            throw new IllegalArgumentException("value key '" + value + "' not found in value network out_keys " + valueNetwork.outKeys());
        }
        keys.putAll(parsed);
        return this;
    }

    /** One key: {@code setKeys("value", "v")}. */
    public ValueEstimatorBase setKeys(String name, Object key) {
        LinkedHashMap<String, Object> one = new LinkedHashMap<>();
        one.put(name, key);
        return setKeys(one);
    }

    /**
     * The keys the keyword form reads (spec §6.3): the network's in-keys, then
     * {@code ("next", reward)}, {@code ("next", done)}, {@code ("next", terminated)}, then
     * {@code ("next", k)} for every network in-key; empty without a network or in-keys.
     */
    public List<Key> inKeys() {
        if (valueNetwork == null || valueNetwork.inKeys().isEmpty()) return List.of();
        List<Key> out = new ArrayList<>(valueNetwork.inKeys());
        out.add(keys.reward().prepend("next"));
        out.add(keys.done().prepend("next"));
        out.add(keys.terminated().prepend("next"));
        for (Key k : valueNetwork.inKeys()) out.add(k.prepend("next"));
        out.addAll(extraInKeys());
        return List.copyOf(out);
    }

    /** Keys a subclass reads beyond the standard ones (V-trace: the behaviour log-probability). */
    protected List<Key> extraInKeys() {
        return List.of();
    }

    /** {@code [advantage, value_target]}. */
    public List<Key> outKeys() {
        return List.of(keys.advantage(), keys.valueTarget());
    }

    // ------------------------------------------------------------------ randomness

    /**
     * The vmap randomness of the value-network call (spec §6.7): the one set, else DIFFERENT when
     * a network the estimator holds contains a registered random module (dropout), else ERROR.
     */
    public Randomness vmapRandomness() {
        if (randomness == null) randomness = RandomModules.defaultRandomness(heldModules());
        return randomness;
    }

    public ValueEstimatorBase setVmapRandomness(Randomness mode) {
        this.randomness = Objects.requireNonNull(mode, "setVmapRandomness: expected a Randomness, got null");
        return this;
    }

    /** Every module of the networks this estimator runs. */
    protected List<Module> heldModules() {
        return valueNetwork == null ? List.of() : valueNetwork.modules();
    }

    // ------------------------------------------------------------------ calling

    public final TensorDict forward(TensorDict td) {
        return forward(td, null, null, null);
    }

    public final TensorDict forward(TensorDict td, TensorDict params, TensorDict targetParams) {
        return forward(td, params, targetParams, null);
    }

    /**
     * Writes {@code advantage} and {@code value_target} into {@code td} and returns it (spec
     * §6.4, §6.5). {@code params} (with {@code targetParams}, which defaults to a shallow copy of
     * it) replace the value network's parameters, slot by slot, for the current and the next
     * states; {@code timeDim}, when not null, overrides the constructor's.
     */
    public final TensorDict forward(TensorDict td, TensorDict params, TensorDict targetParams, Integer timeDim) {
        Objects.requireNonNull(td, () -> getClass().getSimpleName() + ".forward: expected a TensorDict, got null");
        if (td.batchDims() < 1) {
            throw new IllegalArgumentException("Expected input tensordict to have at least one dimension(s), got tensordict.batch_size = "
                    + Shape.format(td.batchSize()));
        }
        try (GradMode.Scope grad = GradMode.setEnabled(differentiable);
             GradMode.Scope skip = skipExisting == null ? null : SkipExisting.set(skipExisting)) {
            int t = resolveTimeDim(td, timeDim);
            if (shifted) return forwardShifted(td, params, targetParams, t);
            Tensor[] values = values(td, params, targetParams);
            AdvantageAndTarget out = estimate(td, values[0], values[1], t);
            td.set(keys.advantage(), out.advantage());
            td.set(keys.valueTarget(), out.valueTarget());
            return td;
        }
    }

    /**
     * The keyword-argument form (spec §6.4): tensors named by their keys' joined form
     * ({@code observation}, {@code next_reward}, {@code next_done}, ...) are assembled into a dict
     * whose batch size is the longest shape every tensor begins with; returns the two outputs.
     */
    public final AdvantageAndTarget call(Map<String, Tensor> keywords) {
        TensorDict td = KeywordDispatch.build(getClass().getSimpleName(), inKeys(), List.of(), keywords, KeywordDispatch.BatchRule.COMMON_LEADING);
        forward(td);
        return new AdvantageAndTarget(td.get(keys.advantage()), td.get(keys.valueTarget()));
    }

    /** The value target only (spec §6.4, §6.10), from the next values alone. */
    public final Tensor valueEstimate(TensorDict td) {
        return valueEstimate(td, null, null, null);
    }

    /**
     * The value target only. {@code nextValue}, when given, is used as {@code V'}; otherwise the
     * network runs on the next view of {@code td} with {@code targetParams} bound (or with its
     * parameters held out), or without a network {@code ("next", value)} is read.
     */
    public abstract Tensor valueEstimate(TensorDict td, TensorDict targetParams, Tensor nextValue, Integer timeDim);

    /** The class's estimate from {@code V} and {@code V'} (already detached where the network computed it). */
    protected abstract AdvantageAndTarget estimate(TensorDict td, Tensor value, Tensor nextValue, int timeDim);

    /**
     * The estimate of the {@code shifted} mode, where only the transitions {@code valid} marks (a
     * boolean of the dict's batch size) are kept; the invalid ones are zeroed afterwards. Only
     * statistics over the outputs need the mask (GAE's {@code average_gae}); by default it is
     * {@link #estimate(TensorDict, Tensor, Tensor, int)}.
     */
    protected AdvantageAndTarget estimate(TensorDict td, Tensor value, Tensor nextValue, int timeDim, Tensor valid) {
        return estimate(td, value, nextValue, timeDim);
    }

    /**
     * The {@code shifted} forward (spec §6.9): V and V' from one network call on the fused
     * sequence; the estimate on a view of {@code td} whose last valid step of each series is a
     * truncation ({@code done = 1}, {@code terminated = 0}), so that it bootstraps from its own next
     * state; {@code advantage} and {@code value_target} zero at the dropped transitions; the kept
     * ones marked in {@code "shifted_valid"}.
     *
     * <p>Without a value network the values are read from the dict, nothing is fused and so
     * nothing is dropped: every transition is valid and the outputs are those of the plain mode.
     */
    private TensorDict forwardShifted(TensorDict td, TensorDict params, TensorDict targetParams, int estimateTimeDim) {
        if (valueNetwork == null) {
            Tensor[] values = values(td, params, targetParams);
            AdvantageAndTarget out = estimate(td, values[0], values[1], estimateTimeDim);
            td.set(keys.advantage(), out.advantage());
            td.set(keys.valueTarget(), out.valueTarget());
            td.set(SHIFTED_VALID, td.get(keys.reward().prepend("next")).newFull(td.batchSize(), 1, DType.BOOL));
            return td;
        }
        // The reference fills a missing targetParams with a clone of params and then rejects any distinct pair, so that
        // every call with params fails there (spec §8 item 9). rlgrad rejects only what one call cannot do: params AND
        // a distinct targetParams, both passed by the caller; params alone (or the same dict twice) run the fused call with them.
        if (params == null && targetParams != null) throw new IllegalArgumentException("params and next_params must be either both provided or not.");
        if (params != null && targetParams != null && targetParams != params) {
            throw new IllegalArgumentException("the value at t and t+1 cannot be retrieved in a single call when both params and next params are passed. "
                    + "Got params and a distinct targetParams with shifted=true; pass params alone, or use shifted=false");
        }
        Tensor done = done(td), terminated = terminatedOrDone(td);
        ShiftedSlots slots = ShiftedSlots.of(td.batchSize(), shiftedTimeDim(td), shiftedBudget, done, terminated);
        TensorDict p = params == null ? null : params.detach();
        Tensor[] v = p == null || alwaysHoldOut() ? heldOut(() -> networkCall().fused(td, slots, p)) : networkCall().fused(td, slots, p);
        td.set(keys.value(), v[0]);
        td.set(keys.value().prepend("next"), v[1]);

        TensorDict seen = td.copy();
        Tensor last = slots.lastValid();
        seen.set(keys.done().prepend("next"), done.logicalOr(ShiftedSlots.aligned(last, done)).to(done.dtype()));
        seen.set(keys.terminated().prepend("next"), terminated.logicalAnd(ShiftedSlots.aligned(last, terminated).logicalNot()).to(terminated.dtype()));
        Key rewardKey = keys.reward().prepend("next");
        Tensor rewardBefore = seen.get(rewardKey);
        AdvantageAndTarget out = estimate(seen, v[0], v[1].detach(), estimateTimeDim, slots.valid());
        // average_rewards writes the standardised rewards back; they belong in the caller's dict.
        if (seen.get(rewardKey) != rewardBefore) td.set(rewardKey, seen.get(rewardKey));

        Tensor valid = slots.valid();
        td.set(keys.advantage(), Tensor.where(ShiftedSlots.aligned(valid, out.advantage()), out.advantage(), 0.0));
        td.set(keys.valueTarget(), Tensor.where(ShiftedSlots.aligned(valid, out.valueTarget()), out.valueTarget(), 0.0));
        td.set(SHIFTED_VALID, valid);
        return td;
    }

    /**
     * The time axis of the fused call (spec §6.9): the batch dim named {@code "time"}, else the
     * last one; the constructor's {@code time_dim} is not consulted, as in the reference.
     */
    private int shiftedTimeDim(TensorDict td) {
        int named = td.dimNamed(TensorDict.TIME);
        if (named >= 0) return named;
        if (!warnedUnnamedTime) {
            warnedUnnamedTime = true;
            LOG.log(System.Logger.Level.WARNING, () -> getClass().getSimpleName() + " (shifted=true): no batch dim of " + Shape.format(td.batchSize())
                    + " is named \"time\"; the last one is taken as the time axis of the fused value-network call");
        }
        return td.batchDims() - 1;
    }

    // ------------------------------------------------------------------ pieces for the subclasses

    /**
     * The time axis (spec §6.8): the call's {@code timeDim}, else the constructor's, else the batch
     * dim named {@code "time"}, else the last batch dim, as a non-negative batch dim; a dict with
     * no batch dim gives −1, the last tensor axis (spec §8 item 12).
     */
    protected final int resolveTimeDim(TensorDict td, Integer callTimeDim) {
        int rank = td.batchDims();
        Integer d = callTimeDim != null ? callTimeDim : timeDim;
        if (d == null) {
            int named = td.dimNamed(TensorDict.TIME);
            return named >= 0 ? named : rank - 1;
        }
        if (rank == 0) return -1;
        if (d < -rank || d >= rank) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": time_dim=" + d + " is out of range for a tensordict of batch size "
                    + Shape.format(td.batchSize()) + " (expected " + (-rank) + " to " + (rank - 1) + ")");
        }
        return d < 0 ? d + rank : d;
    }

    /** {@code [V, V']}: from the network (both written into {@code td}, V' detached) or read from {@code td}. */
    protected Tensor[] values(TensorDict td, TensorDict params, TensorDict targetParams) {
        if (valueNetwork == null) {
            return new Tensor[] {requireValue(td, keys.value()), requireValue(td, keys.value().prepend("next"))};
        }
        if (params != null) {
            params = params.detach();
            if (targetParams == null) targetParams = params.copy();
        } else if (targetParams != null) {
            throw new IllegalArgumentException("params and next_params must be either both provided or not.");
        }
        TensorDict p = params, tp = targetParams;
        Tensor[] v = params == null || alwaysHoldOut() ? heldOut(() -> networkCall().currentAndNext(td, p, tp))
                : networkCall().currentAndNext(td, p, tp);
        td.set(keys.value(), v[0]);
        td.set(keys.value().prepend("next"), v[1]);
        return new Tensor[] {v[0], v[1].detach()};
    }

    /** V-trace holds its value network out even when parameters are passed. */
    protected boolean alwaysHoldOut() {
        return false;
    }

    /** {@code V'} for {@link #valueEstimate}: {@code nextValue} if given, else as described there. */
    protected final Tensor nextValue(TensorDict td, TensorDict targetParams, Tensor nextValue) {
        if (nextValue != null) return nextValue;
        if (valueNetwork == null) return requireValue(td, keys.value().prepend("next"));
        return targetParams == null ? heldOut(() -> networkCall().next(td, null)) : networkCall().next(td, targetParams);
    }

    /**
     * Runs {@code body} with the value network's parameters held out of the graph (spec §6.5
     * step 3): each op records which of its inputs required grad, so the parameters get no
     * gradient from this call even after their flags are restored.
     */
    private <T> T heldOut(Supplier<T> body) {
        try (ParameterHold hold = valueNetwork.holdOutParameters()) {
            return body.get();
        }
    }

    private ValueNetworkCall networkCall() {
        return new ValueNetworkCall(valueNetwork, keys.value(), deactivateVmap, vmapRandomness(), chunks);
    }

    private static Tensor requireValue(TensorDict td, Key key) {
        Tensor t = td.get(key, null);
        if (t == null) {
            throw new IllegalArgumentException("The tensor with key " + key + " is missing, and no value network was provided; the tensordict holds "
                    + td.keys(true, true));
        }
        return t;
    }

    /** {@code ("next", reward)}. */
    protected final Tensor reward(TensorDict td) {
        return td.get(keys.reward().prepend("next"));
    }

    /** {@code ("next", done)}. */
    protected final Tensor done(TensorDict td) {
        return td.get(keys.done().prepend("next"));
    }

    /** {@code ("next", terminated)}, else {@code ("next", done)} (every done terminal). */
    protected final Tensor terminatedOrDone(TensorDict td) {
        Tensor t = td.get(keys.terminated().prepend("next"), null);
        return t != null ? t : done(td);
    }

    /**
     * The rewards standardised over all elements, {@code (r − mean r) / max(std r, floor)}, also
     * written back to {@code ("next", reward)} (the {@code average_rewards} option).
     */
    protected final Tensor standardisedReward(TensorDict td, double floor) {
        Tensor r = Standardise.all(reward(td), floor);
        td.set(keys.reward().prepend("next"), r);
        return r;
    }

    /** {@code V} for {@link #valueEstimate} of GAE and V-trace: the network on the current state (parameters held out), else {@code value} read. */
    protected final Tensor currentValue(TensorDict td) {
        if (valueNetwork == null) return requireValue(td, keys.value());
        return heldOut(() -> networkCall().current(td));
    }

    /** {@code ("next", terminated)}, or {@code fallback} when absent. */
    protected final Tensor terminated(TensorDict td, Tensor fallback) {
        return td.get(keys.terminated().prepend("next"), fallback);
    }

    /**
     * γ for this dict (spec §6.5 step 2): a tensor γ moved to the reward's device; with
     * {@code steps_to_next_obs} at the root, {@code γ^n} per step, n reshaped to the reward's shape
     * (an n-step transition discounts its bootstrap by γ^n).
     */
    protected final Coefficient discount(TensorDict td, Tensor reward) {
        Coefficient g = onDeviceOf(gamma, reward);
        Tensor steps = td.get(keys.stepsToNextObs(), null);
        if (steps == null) return g;
        DType dtype = reward.dtype();
        Tensor n = steps.to(reward.device()).to(dtype).reshape(reward.shape());
        return Coefficient.of(switch (g) {
            case Coefficient.Number number -> n.rpow(number.value());
            case Coefficient.OfTensor t -> t.tensor().pow(n);
        });
    }

    /** A tensor coefficient moved to {@code like}'s device (numbers need no move). */
    protected static Coefficient onDeviceOf(Coefficient c, Tensor like) {
        if (c instanceof Coefficient.OfTensor t && !t.tensor().device().equals(like.device())) return Coefficient.of(t.tensor().to(like.device()));
        return c;
    }

    /** {@code γ · x}, γ a number or a tensor. */
    protected static Tensor times(Coefficient c, Tensor x) {
        return switch (c) {
            case Coefficient.Number n -> x.mul(n.value());
            case Coefficient.OfTensor t -> x.mul(t.tensor());
        };
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(value_network=" + (valueNetwork == null ? "None" : valueNetwork.getClass().getSimpleName()) + ", gamma="
                + gamma + ", differentiable=" + differentiable + ", keys=" + keys + ")";
    }

    // ------------------------------------------------------------------ builder

    /**
     * The options every estimator takes (spec §6.2), named as there. {@code B} is the concrete
     * builder, so that calls chain.
     */
    public abstract static class Builder<B extends Builder<B>> {
        TensorDictModuleBase valueNetwork;
        Coefficient gamma;
        boolean differentiable;
        Boolean skipExisting;
        boolean deactivateVmap;
        Integer valueChunkSize;
        Integer numChunks;
        Integer numChunk;
        int valueChunkDim;
        Integer timeDim;
        boolean shifted;
        int shiftedBudget = 1;

        protected Builder() {}

        protected abstract B self();

        /** The value network; null (the default) reads {@code value} and {@code ("next", value)} from the dict. */
        public B valueNetwork(TensorDictModuleBase network) { this.valueNetwork = network; return self(); }

        /** The discount γ (required). */
        public B gamma(double gamma) { this.gamma = Coefficient.of(gamma); return self(); }

        /** γ as a tensor (a one-element tensor behaves as the number and keeps its gradient). */
        public B gamma(Tensor gamma) { this.gamma = Coefficient.of(Objects.requireNonNull(gamma, "gamma")); return self(); }

        /** Whether the forward records gradients (default false). */
        public B differentiable(boolean differentiable) { this.differentiable = differentiable; return self(); }

        /** Sets the skip-existing flag to this value during the forward (default: leave it alone). */
        public B skipExisting(Boolean skipExisting) { this.skipExisting = skipExisting; return self(); }

        /** Run the value network through the loop form of vmap (default false). */
        public B deactivateVmap(boolean deactivateVmap) { this.deactivateVmap = deactivateVmap; return self(); }

        /** Split value-network calls into chunks of this size along {@link #valueChunkDim}. */
        public B valueChunkSize(Integer size) { this.valueChunkSize = size; return self(); }

        /** Split value-network calls into this many chunks along {@link #valueChunkDim}. */
        public B numChunks(Integer n) { this.numChunks = n; return self(); }

        /** The reference's alias of {@link #numChunks}; both given with different values is an error. */
        public B numChunk(Integer n) { this.numChunk = n; return self(); }

        /**
         * Evaluate V and V' with one value-network call over a sequence of {@code T + shiftedBudget}
         * states instead of two calls over T (default false; spec §6.9). It assumes the usual
         * rollout layout, {@code next_obs_t = obs_{t+1}} unless the trajectory ended at t, and is
         * not valid with multi-step (n-step) data. Each truncation inside the window takes one
         * extra slot; a series with more truncations than {@code shiftedBudget − 1} loses its last
         * transitions, which are marked false in {@code "shifted_valid"} and get zero outputs.
         */
        public B shifted(boolean shifted) { this.shifted = shifted; return self(); }

        /** The extra time slots of the {@code shifted} mode (default 1, at least 1). */
        public B shiftedBudget(int budget) {
            if (budget < 1) throw new IllegalArgumentException("shifted_budget must be an integer >= 1 (the extra time slots of shifted=true), got " + budget);
            this.shiftedBudget = budget;
            return self();
        }

        /** The batch dim the chunks split (default 0). */
        public B valueChunkDim(int dim) { this.valueChunkDim = dim; return self(); }
    }
}
