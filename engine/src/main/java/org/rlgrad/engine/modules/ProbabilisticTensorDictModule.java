package org.rlgrad.engine.modules;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.rlgrad.engine.distributions.CompositeDistribution;
import org.rlgrad.engine.distributions.Distribution;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * Builds a distribution from TensorDict entries and writes a value drawn from it (spec engine.md
 * 3.7; tensordict's {@code ProbabilisticTensorDictModule}). It has no parameters of its own.
 *
 * <p><b>Distribution arguments.</b> In-keys given as a list name their constructor argument by
 * their last element ({@code ("params", "loc")} feeds {@code loc}); an in-key map names them
 * explicitly. {@link DistributionFactory} checks the names. Fixed keyword arguments
 * ({@code low}, {@code high}) come from {@code distributionKwargs}. The default class is
 * {@link DistributionFactory#DELTA}.
 *
 * <p><b>Composite (multi-head) distributions.</b> With a distribution map (head name →
 * factory), the one in-key holds a nested dict with one sub-dict of constructor arguments per
 * head; each head's value is written at its entry of the name map (else at the head name), and
 * those keys are the default out-keys.
 *
 * <p><b>The value written</b> follows the interaction type: the scoped one if set, else
 * {@code defaultInteractionType} (DETERMINISTIC by default); see {@link InteractionSampling}.
 * With RANDOM and {@code numSamples}, draws get a leading dim of that size and the dict is
 * expanded to match (a new dict is returned).
 *
 * <p><b>Log-probabilities</b> ({@code returnLogProb}): with composite aggregation off (the
 * default, see {@link CompositeDistribution#aggregateProbabilities}) each sample key {@code k}
 * gets its log-probability at {@code "<k>_log_prob"} (suffix on the last element); with it on,
 * one sum at {@code "sample_log_prob"}. {@code logProbKey} overrides the key with aggregation on
 * or one sample key; {@code logProbKeys} overrides the per-key names with aggregation off; other
 * combinations are errors. The aggregation setting at construction and at each call must agree
 * (the keys depend on it), else an error.
 *
 * <p><b>Randomness.</b> Draws come from {@code randomSource} (the global generator when none is
 * set), so that a test can replay recorded draws.
 */
public class ProbabilisticTensorDictModule extends TensorDictModuleBase {
    public static final Key AGGREGATED_LOG_PROB_KEY = Key.of("sample_log_prob");
    public static final int DEFAULT_N_EMPIRICAL_ESTIMATE = 1000;

    private final LinkedHashMap<String, Key> argumentKeys;
    private final List<Key> inKeys;
    private final List<Key> sampleKeys;
    private final DistributionFactory factory;
    private final Map<String, Object> kwargs;
    /** Composite: head → factory, head → sample key, head → fixed keywords; null otherwise. */
    private final LinkedHashMap<String, DistributionFactory> distributionMap;
    private final LinkedHashMap<String, Key> headKeys;
    private final Map<String, Map<String, Object>> headKwargs;
    private final InteractionType defaultInteractionType;
    private final boolean returnLogProb;
    private final Key logProbKey;
    private final List<Key> logProbKeysGiven;
    private final boolean aggregateAtConstruction;
    private final Integer numSamples;
    private final int nEmpiricalEstimate;
    private RandomSource randomSource;

    protected ProbabilisticTensorDictModule(Builder b) {
        String who = getClass().getSimpleName();
        if (b.inKeys != null && b.inKeyMap != null) throw new IllegalArgumentException(who + ": give the in-keys as a list or as a map, not both");
        if (b.inKeys == null && b.inKeyMap == null) throw new IllegalArgumentException(who + ": expected in_keys (the distribution's arguments), got none");
        this.argumentKeys = new LinkedHashMap<>();
        if (b.inKeyMap != null) argumentKeys.putAll(b.inKeyMap);
        else for (Key k : b.inKeys) {
            if (argumentKeys.put(k.last(), k) != null) {
                throw new IllegalArgumentException(who + ": two in-keys name the argument \"" + k.last() + "\" (" + b.inKeys + "); use an in-key map");
            }
        }
        this.inKeys = List.copyOf(argumentKeys.values());
        this.factory = b.factory;
        this.kwargs = Map.copyOf(b.kwargs);
        if (b.distributionMap != null) {
            if (b.distributionMap.isEmpty()) throw new IllegalArgumentException(who + ": a composite distribution needs a non-empty distribution map");
            if (inKeys.size() != 1) {
                throw new IllegalArgumentException(who + ": a composite distribution reads one in-key holding a dict of per-head parameters, got " + inKeys);
            }
            this.distributionMap = new LinkedHashMap<>(b.distributionMap);
            this.headKeys = new LinkedHashMap<>();
            for (String head : distributionMap.keySet()) headKeys.put(head, b.nameMap.getOrDefault(head, Key.of(head)));
            for (String head : b.nameMap.keySet()) {
                if (!distributionMap.containsKey(head)) {
                    throw new IllegalArgumentException(who + ": the name map names head \"" + head + "\", which is not in the distribution map " + distributionMap.keySet());
                }
            }
            this.headKwargs = Map.copyOf(b.headKwargs);
        } else {
            if (!b.nameMap.isEmpty()) throw new IllegalArgumentException(who + ": a name map was given without a distribution map; a composite needs both");
            this.distributionMap = null;
            this.headKeys = null;
            this.headKwargs = Map.of();
        }
        if (b.outKeys != null) this.sampleKeys = b.outKeys;
        else if (distributionMap != null) this.sampleKeys = List.copyOf(headKeys.values());
        else this.sampleKeys = b.defaultOutKeys;
        if (distributionMap == null && sampleKeys.size() != 1) {
            throw new IllegalArgumentException(who + ": a single distribution writes one sample, so expected one out_key, got " + sampleKeys);
        }
        if (distributionMap != null && !sampleKeys.equals(List.copyOf(headKeys.values()))) {
            throw new IllegalArgumentException(who + ": the out_keys " + sampleKeys + " of a composite must be its heads' sample keys " + headKeys.values()
                    + " (set them with the name map)");
        }
        this.defaultInteractionType = b.defaultInteractionType;
        this.returnLogProb = b.returnLogProb;
        this.numSamples = b.numSamples;
        this.nEmpiricalEstimate = b.nEmpiricalEstimate;
        this.randomSource = b.randomSource;
        this.aggregateAtConstruction = CompositeDistribution.isAggregatingProbabilities();
        if (b.logProbKey != null && b.logProbKeys != null) {
            throw new IllegalArgumentException(who + ": give logProbKey (aggregation on, or one sample key) or logProbKeys (aggregation off), not both");
        }
        if (b.logProbKeys != null && aggregateAtConstruction) {
            throw new IllegalArgumentException(who + ": logProbKeys " + b.logProbKeys + " name per-key log-probabilities, but composite log-prob aggregation "
                    + "is on (one summed entry); give logProbKey instead, or build the module with aggregation off");
        }
        if (b.logProbKey != null && !aggregateAtConstruction && sampleKeys.size() > 1) {
            throw new IllegalArgumentException(who + ": logProbKey " + b.logProbKey + " names one log-probability, but aggregation is off and there are "
                    + sampleKeys.size() + " sample keys " + sampleKeys + "; give logProbKeys (one per sample key) or turn aggregation on");
        }
        if (b.logProbKeys != null && b.logProbKeys.size() != sampleKeys.size()) {
            throw new IllegalArgumentException(who + ": expected one log-prob key per sample key " + sampleKeys + ", got logProbKeys " + b.logProbKeys);
        }
        this.logProbKey = b.logProbKey;
        this.logProbKeysGiven = b.logProbKeys;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static class Builder {
        private List<Key> inKeys;
        private LinkedHashMap<String, Key> inKeyMap;
        private List<Key> outKeys;
        private List<Key> defaultOutKeys = List.of(Keys.DISCARD);
        private DistributionFactory factory = DistributionFactory.DELTA;
        private Map<String, Object> kwargs = Map.of();
        private LinkedHashMap<String, DistributionFactory> distributionMap;
        private LinkedHashMap<String, Key> nameMap = new LinkedHashMap<>();
        private Map<String, Map<String, Object>> headKwargs = Map.of();
        private InteractionType defaultInteractionType = InteractionType.DETERMINISTIC;
        private boolean returnLogProb;
        private Key logProbKey;
        private List<Key> logProbKeys;
        private Integer numSamples;
        private int nEmpiricalEstimate = DEFAULT_N_EMPIRICAL_ESTIMATE;
        private RandomSource randomSource;

        protected Builder() {}

        /** The distribution's arguments; each key's last element names its argument. */
        public Builder inKeys(Object... keys) { this.inKeys = Keys.list(keys); return this; }

        public Builder inKeys(List<?> keys) { this.inKeys = Keys.list(keys); return this; }

        /** The distribution's arguments by name: {@code {"loc": ("params", "mu")}}. */
        public Builder inKeyMap(Map<String, ?> byArgument) { this.inKeyMap = Keys.map(byArgument); return this; }

        /** Where the sample goes (default {@code "_"}, discarded, for the bare module; a composite's come from its name map). */
        public Builder outKeys(Object... keys) { this.outKeys = Keys.list(keys); return this; }

        public Builder outKeys(List<?> keys) { this.outKeys = Keys.list(keys); return this; }

        Builder defaultOutKeys(List<Key> keys) { this.defaultOutKeys = keys; return this; }

        public Builder distribution(DistributionFactory factory) { this.factory = Objects.requireNonNull(factory); return this; }

        /** Fixed keyword arguments of the distribution ({@code {"low": -1.0, "high": 1.0}}). */
        public Builder distributionKwargs(Map<String, ?> kwargs) { this.kwargs = Map.copyOf(kwargs); return this; }

        /**
         * A composite distribution: head name → factory (order kept), and head name → the key its
         * value is written at (heads not named there use their own name).
         */
        public Builder composite(Map<String, DistributionFactory> distributionMap, Map<String, ?> nameMap) {
            this.distributionMap = new LinkedHashMap<>(distributionMap);
            this.nameMap = new LinkedHashMap<>();
            if (nameMap != null) nameMap.forEach((h, k) -> this.nameMap.put(h, Key.of(k)));
            return this;
        }

        /** Fixed keyword arguments per composite head. */
        public Builder compositeKwargs(Map<String, Map<String, Object>> perHead) { this.headKwargs = Map.copyOf(perHead); return this; }

        public Builder defaultInteractionType(InteractionType type) { this.defaultInteractionType = Objects.requireNonNull(type); return this; }

        public Builder returnLogProb(boolean returnLogProb) { this.returnLogProb = returnLogProb; return this; }

        public Builder logProbKey(Object key) { this.logProbKey = Key.of(key); return this; }

        public Builder logProbKeys(Object... keys) { this.logProbKeys = Keys.list(keys); return this; }

        /** RANDOM draws of this many samples (a leading dim); null for one draw without the extra dim. */
        public Builder numSamples(Integer numSamples) {
            if (numSamples != null && numSamples < 1) throw new IllegalArgumentException("numSamples: expected a positive count or null, got " + numSamples);
            this.numSamples = numSamples;
            return this;
        }

        /** How many draws estimate a MEAN the distribution has no closed form for (default 1000). */
        public Builder nEmpiricalEstimate(int n) { this.nEmpiricalEstimate = n; return this; }

        public Builder randomSource(RandomSource source) { this.randomSource = source; return this; }

        public ProbabilisticTensorDictModule build() { return new ProbabilisticTensorDictModule(this); }

        boolean isComposite() { return distributionMap != null; }

        boolean hasOutKeys() { return outKeys != null; }
    }

    // ------------------------------------------------------------------ keys and settings

    @Override
    public List<Key> inKeys() { return inKeys; }

    /** The sample keys, then the log-prob keys when {@code returnLogProb}. */
    @Override
    public List<Key> outKeys() {
        if (!returnLogProb) return sampleKeys;
        List<Key> out = new ArrayList<>(sampleKeys);
        out.addAll(logProbKeys());
        return Collections.unmodifiableList(out);
    }

    /** Where the samples are written (TorchRL's {@code dist_sample_keys}). */
    public List<Key> sampleKeys() { return sampleKeys; }

    /** Argument name → in-key (TorchRL's {@code dist_params_keys}, with their names). */
    public Map<String, Key> argumentKeys() { return Collections.unmodifiableMap(argumentKeys); }

    /** Where log-probabilities go under the construction-time aggregation setting (see the class comment). */
    public List<Key> logProbKeys() {
        if (aggregateAtConstruction) return List.of(logProbKey != null ? logProbKey : AGGREGATED_LOG_PROB_KEY);
        if (logProbKeysGiven != null) return logProbKeysGiven;
        if (logProbKey != null) return List.of(logProbKey);
        List<Key> out = new ArrayList<>();
        for (Key k : sampleKeys) out.add(k.withLastSuffix("_log_prob"));
        return List.copyOf(out);
    }

    /** The first log-prob key. */
    public Key logProbKey() { return logProbKeys().get(0); }

    public boolean returnLogProb() { return returnLogProb; }

    /**
     * Whether composite log-probabilities are aggregated into one summed entry: the
     * {@link CompositeDistribution#aggregateProbabilities} setting at construction, which decides
     * {@link #logProbKeys()} and what every call must run under.
     */
    public boolean aggregatesLogProbabilities() { return aggregateAtConstruction; }

    /**
     * Composite only: head name → the key its sample is written at (its name-map entry, else the
     * head name), in head order. A TensorDict reader of a composite draw or log-probability goes
     * from head to entry with it ({@code "<sample key>_log_prob"}, {@code "<sample key>_entropy"}).
     */
    public Map<String, Key> headSampleKeys() {
        if (distributionMap == null) {
            throw new IllegalStateException(getClass().getSimpleName() + ": this module's distribution is not composite, so it has no heads; its sample key is "
                    + sampleKeys);
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(headKeys));
    }

    public InteractionType defaultInteractionType() { return defaultInteractionType; }

    public boolean isComposite() { return distributionMap != null; }

    public Integer numSamples() { return numSamples; }

    /** Draw from {@code source} from now on (null: the global generator at each call). */
    public ProbabilisticTensorDictModule randomSource(RandomSource source) {
        this.randomSource = source;
        return this;
    }

    public RandomSource randomSource() {
        return randomSource != null ? randomSource : Generator.global();
    }

    // ------------------------------------------------------------------ distributions

    /** The distribution of {@code td}'s in-key values plus the fixed keywords; a composite module fails here (use {@link #getCompositeDist}). */
    public Distribution getDist(TensorDict td) {
        if (distributionMap != null) {
            throw new IllegalStateException(getClass().getSimpleName() + ": this module's distribution is composite (heads " + distributionMap.keySet()
                    + "); use getCompositeDist");
        }
        LinkedHashMap<String, Tensor> args = new LinkedHashMap<>();
        for (Map.Entry<String, Key> e : argumentKeys.entrySet()) args.put(e.getKey(), td.get(e.getValue()));
        return factory.create(args, kwargs);
    }

    /** The composite distribution of the per-head parameter dicts under the one in-key. */
    public CompositeDistribution getCompositeDist(TensorDict td) {
        if (distributionMap == null) throw new IllegalStateException(getClass().getSimpleName() + ": this module's distribution is not composite; use getDist");
        TensorDict params = td.getTensorDict(inKeys.get(0));
        LinkedHashMap<String, Distribution> heads = new LinkedHashMap<>();
        for (Map.Entry<String, DistributionFactory> e : distributionMap.entrySet()) {
            Key headKey = Key.of(e.getKey());
            if (!(params.find(headKey) instanceof TensorDict headParams)) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": no parameters for head \"" + e.getKey() + "\" under " + inKeys.get(0)
                        + "; it holds " + params.keys(true, false));
            }
            LinkedHashMap<String, Tensor> args = new LinkedHashMap<>();
            for (Map.Entry<Key, Tensor> p : headParams.leaves().entrySet()) args.put(p.getKey().last(), p.getValue());
            heads.put(e.getKey(), e.getValue().create(args, headKwargs.getOrDefault(e.getKey(), Map.of())));
        }
        return new CompositeDistribution(heads, params.batchSize());
    }

    /** The log-probability of the sample stored at the sample key (composite: the sum over heads, each summed beyond the batch dims). */
    public Tensor logProb(TensorDict td) {
        if (distributionMap == null) return getDist(td).logProb(td.get(sampleKeys.get(0)));
        CompositeDistribution c = getCompositeDist(td);
        return c.logProbSum(storedSamples(td));
    }

    /** Composite only: each head's log-probability of its stored sample, at {@code "<sample key>_log_prob"}, in a dict of {@code td}'s batch size. */
    public TensorDict logProbPerHead(TensorDict td) {
        CompositeDistribution c = getCompositeDist(td);
        TensorDict out = td.empty(false);
        for (Map.Entry<String, Key> e : headKeys.entrySet()) {
            out.set(e.getValue().withLastSuffix("_log_prob"), c.head(e.getKey()).logProb(td.get(e.getValue())));
        }
        return out;
    }

    private LinkedHashMap<String, Tensor> storedSamples(TensorDict td) {
        LinkedHashMap<String, Tensor> samples = new LinkedHashMap<>();
        for (Map.Entry<String, Key> e : headKeys.entrySet()) samples.put(e.getKey(), td.get(e.getValue()));
        return samples;
    }

    // ------------------------------------------------------------------ forward

    @Override
    protected TensorDict compute(TensorDict td) {
        if (returnLogProb || distributionMap != null) requireSameAggregation();
        InteractionType type = InteractionType.currentOr(defaultInteractionType);
        int[] sampleShape = type == InteractionType.RANDOM && numSamples != null ? new int[] {numSamples} : new int[0];
        TensorDict out = td;
        if (sampleShape.length > 0) {
            int[] batch = td.batchSize();
            int[] expanded = new int[batch.length + 1];
            expanded[0] = numSamples;
            System.arraycopy(batch, 0, expanded, 1, batch.length);
            out = td.expand(expanded);
        }
        List<Key> lpKeys = returnLogProb ? logProbKeys() : List.of();
        if (distributionMap == null) {
            Distribution d = getDist(td);
            Tensor x = InteractionSampling.sample(d, type, sampleShape, randomSource(), nEmpiricalEstimate);
            if (!sampleKeys.get(0).equals(Keys.DISCARD)) out.set(sampleKeys.get(0), x);
            if (returnLogProb) out.set(lpKeys.get(0), d.logProb(x));
            return out;
        }
        CompositeDistribution c = getCompositeDist(td);
        LinkedHashMap<String, Tensor> samples = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, Key> e : headKeys.entrySet()) {
            Tensor x = InteractionSampling.sample(c.head(e.getKey()), type, sampleShape, randomSource(), nEmpiricalEstimate);
            samples.put(e.getKey(), x);
            out.set(e.getValue(), x);
            if (returnLogProb && !aggregateAtConstruction) out.set(lpKeys.get(i), c.head(e.getKey()).logProb(x));
            i++;
        }
        if (returnLogProb && aggregateAtConstruction) out.set(lpKeys.get(0), c.logProbSum(samples));
        return out;
    }

    private void requireSameAggregation() {
        boolean now = CompositeDistribution.isAggregatingProbabilities();
        if (now != aggregateAtConstruction) {
            throw new IllegalStateException(getClass().getSimpleName() + ": built with composite log-prob aggregation " + (aggregateAtConstruction ? "on" : "off")
                    + " but called with it " + (now ? "on" : "off") + "; the log-prob keys " + logProbKeys()
                    + " depend on it, so build and call the module under the same CompositeDistribution.aggregateProbabilities setting");
        }
    }

    @Override
    protected String extraRepr() {
        return "in_keys=" + inKeys + ", out_keys=" + outKeys() + ", distribution=" + (distributionMap != null ? "composite " + distributionMap.keySet() : factory.name());
    }
}
