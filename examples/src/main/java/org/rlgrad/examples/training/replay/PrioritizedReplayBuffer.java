package org.rlgrad.examples.training.replay;

import java.util.Objects;
import java.util.random.RandomGenerator;

import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * Proportional prioritized experience replay (Schaul et al. 2016, "Prioritized Experience Replay",
 * section 3.3 and algorithm 1).
 *
 * <p>Transition {@code i} has priority {@code p_i = (|δ_i| + ε)} and is sampled with probability
 * {@code P(i) = p_i^α / Σ_k p_k^α}; the {@code p^α} live in a {@link SumTree} (sampling: the range
 * {@code [0, Σ p^α)} is cut into {@code B} equal segments and one value is drawn uniformly from
 * each, as in the paper) and a {@link MinTree} (the largest weight). A new transition gets the
 * largest priority seen so far, so it is replayed at least once soon.
 *
 * <p>The bias of non-uniform sampling is corrected by importance weights
 * {@code w_i = (N · P(i))^-β / max_j w_j}, {@code N} the transitions held, the maximum over all of
 * them: {@code max_j w_j = (N · P_min)^-β}, so {@code w_i = (p_i^α / p_min^α)^-β}. They are written
 * into the sample as {@code "priority_weight"} {@code [B]} (float32): the key the off-policy losses
 * read to weigh their reduction (spec losses.md §1.8). {@code β} is annealed toward 1 by the
 * trainer ({@link #setBeta}); the paper uses {@code α = 0.6}, {@code β₀ = 0.4}.
 *
 * <p>The sample also holds {@code "index"} {@code [B]} (int64), the slots drawn; after the loss has
 * written its priority entry ({@code "td_error"} by default) into the sample,
 * {@link #updatePriorities(TensorDict, String)} reads both and sets the new priorities.
 */
public final class PrioritizedReplayBuffer extends ReplayBuffer {
    /** The key the losses read their priority weights from (spec losses.md §1.8). */
    public static final String PRIORITY_WEIGHT_KEY = "priority_weight";

    private final double alpha;
    private final double eps;
    private final SumTree sums;
    private final MinTree mins;
    private double beta;
    private double maxPriority = 1.0;

    /** A buffer of {@code capacity} transitions with exponent {@code alpha}, initial {@code beta}, and {@code eps} added to every priority. */
    public PrioritizedReplayBuffer(int capacity, double alpha, double beta, double eps) {
        super(capacity);
        if (!(alpha >= 0)) throw new IllegalArgumentException("PrioritizedReplayBuffer: expected alpha >= 0, got " + alpha);
        if (!(eps > 0)) throw new IllegalArgumentException("PrioritizedReplayBuffer: expected eps > 0 (a zero priority is never replayed), got " + eps);
        this.alpha = alpha;
        this.eps = eps;
        this.sums = new SumTree(capacity);
        this.mins = new MinTree(capacity);
        setBeta(beta);
    }

    public double alpha() { return alpha; }

    public double beta() { return beta; }

    public double eps() { return eps; }

    /** The importance-sampling exponent, in {@code [0, 1]}: 0 no correction, 1 full correction. */
    public void setBeta(double beta) {
        if (!(beta >= 0 && beta <= 1)) throw new IllegalArgumentException("PrioritizedReplayBuffer: expected beta in [0, 1], got " + beta);
        this.beta = beta;
    }

    /** The sampling mass {@code p_i^α} of slot {@code i}. */
    public double mass(int slot) { return sums.get(slot); }

    /** {@code Σ_i p_i^α} over the stored transitions. */
    public double totalMass() { return sums.total(); }

    @Override
    public int[] extend(TensorDict batch) {
        int[] slots = super.extend(batch);
        double mass = Math.pow(maxPriority, alpha);
        for (int s : slots) {
            sums.set(s, mass);
            mins.set(s, mass);
        }
        return slots;
    }

    /**
     * {@code batchSize} transitions drawn proportionally to {@code p^α} (one from each of
     * {@code batchSize} equal segments of the total), with their {@code "priority_weight"} and
     * {@code "index"}.
     */
    @Override
    public TensorDict sample(int batchSize, RandomGenerator rng) {
        checkSample(batchSize);
        double total = sums.total();
        double segment = total / batchSize;
        int[] slots = new int[batchSize];
        long[] index = new long[batchSize];
        float[] weights = new float[batchSize];
        double minMass = mins.min();
        for (int i = 0; i < batchSize; i++) {
            double u = Math.min((i + rng.nextDouble()) * segment, Math.nextDown(total));
            slots[i] = sums.find(u);
            index[i] = slots[i];
            // w_i / max_j w_j = (N P(i))^-β / (N P_min)^-β = (p_i^α / p_min^α)^-β
            weights[i] = (float) Math.pow(sums.get(slots[i]) / minMass, -beta);
        }
        TensorDict out = storage.gather(slots);
        out.set(PRIORITY_WEIGHT_KEY, Tensor.of(weights, batchSize));
        out.set(INDEX_KEY, Tensor.of(index, batchSize));
        return out;
    }

    /** Sets the priorities of {@code slots}: {@code p = |priority| + ε}, stored as {@code p^α}. */
    public void update(int[] slots, double[] priorities) {
        if (slots.length != priorities.length) {
            throw new IllegalArgumentException("PrioritizedReplayBuffer.update: expected one priority per slot, got " + slots.length + " slots and "
                    + priorities.length + " priorities");
        }
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] < 0 || slots[i] >= size()) throw new IndexOutOfBoundsException("PrioritizedReplayBuffer.update: slot " + slots[i] + " is outside [0, " + size() + ")");
            double p = Math.abs(priorities[i]) + eps;
            if (!Double.isFinite(p)) throw new IllegalArgumentException("PrioritizedReplayBuffer.update: the priority of slot " + slots[i] + " is " + priorities[i]);
            maxPriority = Math.max(maxPriority, p);
            double mass = Math.pow(p, alpha);
            sums.set(slots[i], mass);
            mins.set(slots[i], mass);
        }
    }

    /**
     * Sets the priorities of a sample from the entry {@code priorityKey} the loss wrote into it
     * ({@code [B]} or {@code [B, 1]}) and its {@code "index"}.
     */
    public void updatePriorities(TensorDict sample, String priorityKey) {
        Objects.requireNonNull(sample, "PrioritizedReplayBuffer.updatePriorities: the sample is null");
        Tensor index = sample.get(Key.of(INDEX_KEY), null);
        Tensor priority = sample.get(Key.of(priorityKey), null);
        if (index == null || priority == null) {
            throw new IllegalArgumentException("PrioritizedReplayBuffer.updatePriorities: expected entries '" + INDEX_KEY + "' and '" + priorityKey
                    + "' in the sample, got " + sample.keys(true, true));
        }
        long[] idx = index.toLongArray();
        double[] p = priority.toDoubleArray();
        if (p.length != idx.length) {
            throw new IllegalArgumentException("PrioritizedReplayBuffer.updatePriorities: expected " + idx.length + " priorities (one per sampled transition), got "
                    + p.length + " in '" + priorityKey + "'");
        }
        int[] slots = new int[idx.length];
        for (int i = 0; i < idx.length; i++) slots[i] = Math.toIntExact(idx[i]);
        update(slots, p);
    }
}
