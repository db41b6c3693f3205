package org.rlgrad.engine.distributions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * A distribution over several named action heads, each its own distribution (TensorDict's
 * {@code CompositeDistribution}; spec/engine.md sections 4.8 and 4.9), for multi-head actions
 * such as "a discrete choice and a continuous amount".
 *
 * <p>Parameters, draws and log-probabilities travel as ordered maps ({@link LinkedHashMap}) from
 * key to tensor, the keys being what a TensorDict would hold; the TensorDict side (nested sample
 * keys, per-head parameter dicts) is {@link org.rlgrad.engine.modules.ProbabilisticTensorDictModule}'s,
 * whose {@code headSampleKeys()} maps each head to its entry. A head's draw is written at its
 * <em>sample key</em> (the head name, or its entry in {@code nameMap}); its log-probability at
 * {@code "<sample key>_log_prob"}, its entropy at {@code "<sample key>_entropy"}.
 *
 * <p><b>Aggregation.</b> A per-thread, scoped flag ({@link #aggregateProbabilities(boolean)},
 * default off, as TensorDict's {@code set_composite_lp_aggregate}) decides what {@link #logProb}
 * and {@link #entropy} give: off, one entry per head with that head's own shape; on, one entry at
 * {@code logProbKey} (default {@code "sample_log_prob"}) or {@code entropyKey} (default
 * {@code "entropy"}) holding the sum over heads, each head's tensor first summed over its dims
 * beyond the draw's batch dims ({@code sampleShape + batchShape}). {@link #logProbPerHead},
 * {@link #logProbSum}, {@link #entropyPerHead} and {@link #entropySum} give either form regardless
 * of the flag.
 *
 * <p><b>Entropy.</b> A head with a closed form uses it; a head without one is estimated by Monte
 * Carlo, {@code −mean(log p(x))} over {@code samplesMc} reparameterised draws (an error if the head
 * cannot reparameterise).
 */
public final class CompositeDistribution {
    private static final ThreadLocal<boolean[]> AGGREGATE = ThreadLocal.withInitial(() -> new boolean[] {false});

    private final LinkedHashMap<String, Distribution> heads;
    private final LinkedHashMap<String, String> sampleKeys;
    private final int[] batchShape;
    private final String logProbKey;
    private final String entropyKey;

    /**
     * @param heads      head name → distribution, in order; every head's batch shape must start with {@code batchShape}
     * @param batchShape the parameters' batch size
     * @param nameMap    head name → key its draw is written at (null or missing entries: the head name)
     * @param logProbKey where the aggregated log-probability goes ({@code "sample_log_prob"} if null)
     * @param entropyKey where the aggregated entropy goes ({@code "entropy"} if null)
     */
    public CompositeDistribution(Map<String, ? extends Distribution> heads, int[] batchShape, Map<String, String> nameMap,
                                 String logProbKey, String entropyKey) {
        if (heads == null || heads.isEmpty()) throw new IllegalArgumentException("CompositeDistribution: expected at least one head, got none");
        this.heads = new LinkedHashMap<>(heads);
        this.batchShape = batchShape.clone();
        this.sampleKeys = new LinkedHashMap<>();
        for (Map.Entry<String, ? extends Distribution> e : heads.entrySet()) {
            int[] headBatch = e.getValue().batchShape();
            if (headBatch.length < batchShape.length || !Arrays.equals(Arrays.copyOf(headBatch, batchShape.length), batchShape)) {
                throw new IllegalArgumentException("CompositeDistribution: head \"" + e.getKey() + "\" has batch shape " + Shape.format(headBatch)
                        + ", which does not start with the composite's batch shape " + Shape.format(batchShape));
            }
            String key = nameMap == null ? null : nameMap.get(e.getKey());
            sampleKeys.put(e.getKey(), key == null ? e.getKey() : key);
        }
        if (nameMap != null) {
            for (String head : nameMap.keySet()) {
                if (!heads.containsKey(head)) {
                    throw new IllegalArgumentException("CompositeDistribution: nameMap names head \"" + head + "\", which is not among the heads " + heads.keySet());
                }
            }
        }
        this.logProbKey = logProbKey == null ? "sample_log_prob" : logProbKey;
        this.entropyKey = entropyKey == null ? "entropy" : entropyKey;
    }

    public CompositeDistribution(Map<String, ? extends Distribution> heads, int[] batchShape) {
        this(heads, batchShape, null, null, null);
    }

    /**
     * Builds each head from its parameters, as TensorDict does from a parameter TensorDict and a
     * {@code distribution_map}: {@code params.get(head)} holds the head's constructor arguments.
     * A head of {@code distributionMap} without parameters is an error that names it.
     */
    public static CompositeDistribution fromParameters(Map<String, Map<String, Tensor>> params,
                                                       Map<String, Function<Map<String, Tensor>, ? extends Distribution>> distributionMap,
                                                       int[] batchShape) {
        LinkedHashMap<String, Distribution> heads = new LinkedHashMap<>();
        for (Map.Entry<String, Function<Map<String, Tensor>, ? extends Distribution>> e : distributionMap.entrySet()) {
            Map<String, Tensor> headParams = params.get(e.getKey());
            if (headParams == null) {
                throw new IllegalArgumentException("CompositeDistribution: no parameters for head \"" + e.getKey() + "\"; the parameters hold "
                        + params.keySet());
            }
            heads.put(e.getKey(), e.getValue().apply(headParams));
        }
        return new CompositeDistribution(heads, batchShape);
    }

    // ------------------------------------------------------------------ the aggregation flag

    /** A scope in which {@link #logProb} and {@link #entropy} aggregate over heads (or not); closing it restores the previous setting. */
    public static GradMode.Scope aggregateProbabilities(boolean aggregate) {
        boolean[] state = AGGREGATE.get();
        boolean previous = state[0];
        state[0] = aggregate;
        return () -> state[0] = previous;
    }

    public static boolean isAggregatingProbabilities() {
        return AGGREGATE.get()[0];
    }

    // ------------------------------------------------------------------ structure

    /** Head name → distribution, in order. */
    public Map<String, Distribution> heads() { return java.util.Collections.unmodifiableMap(heads); }

    public Distribution head(String name) {
        Distribution d = heads.get(name);
        if (d == null) throw new IllegalArgumentException("CompositeDistribution: no head \"" + name + "\"; the heads are " + heads.keySet());
        return d;
    }

    /** The key a head's draw is written at. */
    public String sampleKey(String head) { head(head); return sampleKeys.get(head); }

    public String logProbKey(String head) { return sampleKey(head) + "_log_prob"; }

    public String entropyKey(String head) { return sampleKey(head) + "_entropy"; }

    public String logProbKey() { return logProbKey; }

    public String entropyKey() { return entropyKey; }

    public int[] batchShape() { return batchShape.clone(); }

    // ------------------------------------------------------------------ draws and point estimates

    public LinkedHashMap<String, Tensor> sample(RandomSource random, int... sampleShape) {
        return perHead(d -> d.sample(random, sampleShape));
    }

    /** Reparameterised draws of every head (an error naming the head if one has no rsample). */
    public LinkedHashMap<String, Tensor> rsample(RandomSource random, int... sampleShape) {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Distribution> e : heads.entrySet()) {
            try {
                out.put(sampleKeys.get(e.getKey()), e.getValue().rsample(random, sampleShape));
            } catch (UnsupportedOperationException x) {
                throw new UnsupportedOperationException("CompositeDistribution: head \"" + e.getKey() + "\" cannot reparameterise: " + x.getMessage(), x);
            }
        }
        return out;
    }

    public LinkedHashMap<String, Tensor> mode() { return perHead(Distribution::mode); }

    public LinkedHashMap<String, Tensor> mean() { return perHead(Distribution::mean); }

    public LinkedHashMap<String, Tensor> deterministicSample() { return perHead(Distribution::deterministicSample); }

    private LinkedHashMap<String, Tensor> perHead(Function<Distribution, Tensor> f) {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Distribution> e : heads.entrySet()) out.put(sampleKeys.get(e.getKey()), f.apply(e.getValue()));
        return out;
    }

    // ------------------------------------------------------------------ log-probabilities

    /** {@code "<sample key>_log_prob"} → that head's log-probability of its entry in {@code sample}. */
    public LinkedHashMap<String, Tensor> logProbPerHead(Map<String, Tensor> sample) {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Distribution> e : heads.entrySet()) {
            String key = sampleKeys.get(e.getKey());
            Tensor value = sample.get(key);
            if (value == null) {
                throw new IllegalArgumentException("CompositeDistribution.logProb: the sample has no entry \"" + key + "\" for head \"" + e.getKey()
                        + "\"; it holds " + sample.keySet());
            }
            out.put(key + "_log_prob", e.getValue().logProb(value));
        }
        return out;
    }

    /** The sum over heads of each head's log-probability, summed over its dims beyond {@code sampleShape + batchShape}. */
    public Tensor logProbSum(Map<String, Tensor> sample) {
        List<Tensor> terms = new ArrayList<>();
        List<Distribution> ds = new ArrayList<>(heads.values());
        List<Tensor> lps = new ArrayList<>(logProbPerHead(sample).values());
        for (int i = 0; i < ds.size(); i++) terms.add(sumBeyondBatch(lps.get(i), ds.get(i)));
        return sum(terms);
    }

    /** Per head (aggregation off) or one entry at {@link #logProbKey()} holding {@link #logProbSum} (aggregation on). */
    public LinkedHashMap<String, Tensor> logProb(Map<String, Tensor> sample) {
        if (!isAggregatingProbabilities()) return logProbPerHead(sample);
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        out.put(logProbKey, logProbSum(sample));
        return out;
    }

    /** A head's tensor of shape {@code S + headBatch} summed over the head's batch dims beyond the composite's. */
    private Tensor sumBeyondBatch(Tensor t, Distribution head) {
        int sampleDims = t.dim() - head.batchShape().length;
        int keep = Math.max(0, sampleDims) + batchShape.length;
        if (t.dim() <= keep) return t;
        int[] dims = new int[t.dim() - keep];
        for (int i = 0; i < dims.length; i++) dims[i] = keep + i;
        return t.sum(dims, false);
    }

    private static Tensor sum(List<Tensor> terms) {
        Tensor total = terms.get(0);
        for (int i = 1; i < terms.size(); i++) total = total.add(terms.get(i));
        return total;
    }

    // ------------------------------------------------------------------ joint draws (section 4.9)

    /** Draws of every head and their log-probabilities, per head or aggregated as {@link #logProb} decides. */
    public record Draw(LinkedHashMap<String, Tensor> sample, LinkedHashMap<String, Tensor> logProb) {}

    /**
     * TensorDict's {@code sample_and_log_prob} on a composite: each head uses its joint method
     * ({@code rsampleAndLogProb} when {@code reparameterize}, else {@code sampleAndLogProb}), so a
     * head such as TanhNormal scores the very latent point it drew.
     */
    public Draw sampleAndLogProb(RandomSource random, boolean reparameterize, int... sampleShape) {
        LinkedHashMap<String, Tensor> samples = new LinkedHashMap<>();
        LinkedHashMap<String, Tensor> perHead = new LinkedHashMap<>();
        List<Tensor> terms = new ArrayList<>();
        for (Map.Entry<String, Distribution> e : heads.entrySet()) {
            Distribution d = e.getValue();
            SampleAndLogProb draw = reparameterize ? d.rsampleAndLogProb(random, sampleShape) : d.sampleAndLogProb(random, sampleShape);
            String key = sampleKeys.get(e.getKey());
            samples.put(key, draw.sample());
            perHead.put(key + "_log_prob", draw.logProb());
            terms.add(sumBeyondBatch(draw.logProb(), d));
        }
        if (!isAggregatingProbabilities()) return new Draw(samples, perHead);
        LinkedHashMap<String, Tensor> total = new LinkedHashMap<>();
        total.put(logProbKey, sum(terms));
        return new Draw(samples, total);
    }

    // ------------------------------------------------------------------ entropy

    /** {@code "<sample key>_entropy"} → the head's closed-form entropy, or its Monte-Carlo estimate over {@code samplesMc} draws. */
    public LinkedHashMap<String, Tensor> entropyPerHead(RandomSource random, int samplesMc) {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Distribution> e : heads.entrySet()) {
            out.put(sampleKeys.get(e.getKey()) + "_entropy", headEntropy(e.getKey(), e.getValue(), random, samplesMc));
        }
        return out;
    }

    public Tensor entropySum(RandomSource random, int samplesMc) {
        List<Tensor> terms = new ArrayList<>();
        for (Map.Entry<String, Distribution> e : heads.entrySet()) {
            terms.add(sumBeyondBatch(headEntropy(e.getKey(), e.getValue(), random, samplesMc), e.getValue()));
        }
        return sum(terms);
    }

    /** Per head (aggregation off) or one entry at {@link #entropyKey()} holding {@link #entropySum} (aggregation on). */
    public LinkedHashMap<String, Tensor> entropy(RandomSource random, int samplesMc) {
        if (!isAggregatingProbabilities()) return entropyPerHead(random, samplesMc);
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        out.put(entropyKey, entropySum(random, samplesMc));
        return out;
    }

    private static Tensor headEntropy(String name, Distribution d, RandomSource random, int samplesMc) {
        try {
            return d.entropy();
        } catch (UnsupportedOperationException noClosedForm) {
            if (samplesMc < 1) throw new IllegalArgumentException("CompositeDistribution: samplesMc must be at least 1, got " + samplesMc);
            try {
                return MonteCarloEntropy.estimate(d, random, samplesMc, true);
            } catch (UnsupportedOperationException noRsample) {
                throw new UnsupportedOperationException("CompositeDistribution: head \"" + name + "\" has no closed-form entropy and cannot "
                        + "reparameterise for a Monte-Carlo estimate: " + noRsample.getMessage(), noRsample);
            }
        }
    }
}
