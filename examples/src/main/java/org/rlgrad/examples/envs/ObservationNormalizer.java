package org.rlgrad.examples.envs;

import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * Observation normalisation, Gymnasium's {@code NormalizeObservation} (with the clipping of
 * Stable-Baselines3's {@code VecNormalize}): each coordinate is standardised by the running mean
 * and variance of the observations seen so far ({@link RunningMeanStd}),
 * <pre>
 *   o' = clip((o − μ) / sqrt(σ² + ε), −c, c)
 * </pre>
 * Deep-RL networks learn faster on inputs of unit scale (Andrychowicz et al. 2021, "What matters
 * in on-policy RL"). {@link #freeze()} stops the statistics from moving, for evaluation or to
 * evaluate a trained policy under the statistics it was trained with.
 *
 * <p>On TensorDicts in TorchRL's layout: {@link #observe(TensorDict)} is for roots (it counts
 * {@code observation} in the statistics, unless frozen, and replaces it by its normalised value);
 * {@link #normalize(TensorDict, Object)} replaces an entry without counting it, for
 * {@code ("next", "observation")}, which is the following root's observation and is counted when
 * that root is observed. Tensors keep their dtype and shape {@code [..., dim]}.
 */
public final class ObservationNormalizer {
    private final RunningMeanStd stats;
    private final double clip, epsilon;
    private boolean frozen;

    /** Gymnasium's settings: prior count 1e-4, {@code ε = 1e-8}, no clipping. */
    public ObservationNormalizer(int dim) {
        this(dim, Double.POSITIVE_INFINITY, 1e-8, RunningMeanStd.GYMNASIUM_PRIOR_COUNT);
    }

    /** Gymnasium's settings with the normalised values clipped into {@code [-clip, clip]} (Stable-Baselines3 uses 10). */
    public ObservationNormalizer(int dim, double clip) {
        this(dim, clip, 1e-8, RunningMeanStd.GYMNASIUM_PRIOR_COUNT);
    }

    public ObservationNormalizer(int dim, double clip, double epsilon, double priorCount) {
        if (!(clip > 0)) throw new IllegalArgumentException("ObservationNormalizer: expected clip > 0, got " + clip);
        if (!(epsilon >= 0) || Double.isInfinite(epsilon)) throw new IllegalArgumentException("ObservationNormalizer: expected a finite epsilon >= 0, got " + epsilon);
        this.stats = new RunningMeanStd(dim, priorCount);
        this.clip = clip;
        this.epsilon = epsilon;
    }

    public int dim() { return stats.dim(); }

    public RunningMeanStd statistics() { return stats; }

    /** Stops updating the statistics: {@link #observe} then only normalises. */
    public void freeze() { frozen = true; }

    public void unfreeze() { frozen = false; }

    public boolean frozen() { return frozen; }

    /** Counts {@code rows} observations stored one after another (ignored while frozen). */
    public void update(double[] flat, int rows) {
        if (!frozen) stats.update(flat, rows);
    }

    /** Counts the observations of {@code t}, shape {@code [..., dim]} (ignored while frozen). */
    public void update(Tensor t) {
        update(t.toDoubleArray(), rows(t));
    }

    /** One observation normalised under the current statistics (not counted). */
    public double[] normalize(double[] observation) {
        if (observation.length % dim() != 0) {
            throw new IllegalArgumentException("ObservationNormalizer: expected observations of " + dim() + " numbers, got " + observation.length);
        }
        double[] mean = stats.mean(), var = stats.variance();
        double[] out = new double[observation.length];
        for (int i = 0; i < out.length; i++) {
            int j = i % mean.length;
            double v = (observation[i] - mean[j]) / Math.sqrt(var[j] + epsilon);
            out[i] = Math.min(clip, Math.max(-clip, v));
        }
        return out;
    }

    /** Gymnasium's wrapper step: counts {@code observation} (unless frozen), then normalises it. */
    public double[] observe(double[] observation) {
        update(observation, 1);
        return normalize(observation);
    }

    /** {@code t} ({@code [..., dim]}) normalised, same dtype and shape (not counted). */
    public Tensor normalize(Tensor t) {
        rows(t);
        return Tensor.of(t.dtype(), normalize(t.toDoubleArray()), t.shape());
    }

    /** For a root: counts its {@code observation} (unless frozen) and replaces it by its normalised value; returns {@code td}. */
    public TensorDict observe(TensorDict td) {
        Tensor obs = td.get("observation");
        update(obs);
        td.set("observation", normalize(obs));
        return td;
    }

    /** Replaces the entry at {@code key} (a String or a {@link Key}) by its normalised value, not counting it; returns {@code td}. */
    public TensorDict normalize(TensorDict td, Object key) {
        Key k = Key.of(key);
        td.set(k, normalize(td.get(k)));
        return td;
    }

    private int rows(Tensor t) {
        int[] shape = t.shapeRef();
        if (shape.length == 0 || shape[shape.length - 1] != dim()) {
            throw new IllegalArgumentException("ObservationNormalizer: expected observations of shape [..., " + dim() + "], got " + java.util.Arrays.toString(shape));
        }
        return (int) (t.numel() / dim());
    }
}
