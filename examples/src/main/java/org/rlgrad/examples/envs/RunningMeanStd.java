package org.rlgrad.examples.envs;

import java.util.Arrays;

/**
 * The running mean and (population) variance of a stream of vectors, updated a batch at a time by
 * the parallel algorithm of Chan, Golub and LeVeque (1979), Gymnasium's {@code RunningMeanStd}:
 * with the batch's mean {@code μ_B}, variance {@code σ²_B} and size {@code n_B},
 * <pre>
 *   δ = μ_B − μ,   n' = n + n_B,   μ' = μ + δ n_B / n'
 *   σ'² = (σ² n + σ²_B n_B + δ² n n_B / n') / n'
 * </pre>
 * A batch of one is Welford's update. Gymnasium starts from a pseudo-count of {@code 1e-4} with
 * mean 0 and variance 1 (so that normalising before any data divides by 1, not 0); a prior count
 * of 0 gives the exact statistics of the data seen.
 */
public final class RunningMeanStd {
    /** Gymnasium's pseudo-count: the weight of the prior (mean 0, variance 1). */
    public static final double GYMNASIUM_PRIOR_COUNT = 1e-4;

    private final double[] mean, var;
    private double count;

    /** {@code dim} statistics with Gymnasium's prior ({@link #GYMNASIUM_PRIOR_COUNT}). */
    public RunningMeanStd(int dim) {
        this(dim, GYMNASIUM_PRIOR_COUNT);
    }

    /** {@code dim} statistics starting from mean 0 and variance 1 with weight {@code priorCount} (0: none). */
    public RunningMeanStd(int dim, double priorCount) {
        if (dim < 1) throw new IllegalArgumentException("RunningMeanStd: expected a positive dimension, got " + dim);
        if (!(priorCount >= 0) || Double.isInfinite(priorCount)) throw new IllegalArgumentException("RunningMeanStd: expected a finite priorCount >= 0, got " + priorCount);
        this.mean = new double[dim];
        this.var = new double[dim];
        Arrays.fill(var, 1.0);
        this.count = priorCount;
    }

    public int dim() { return mean.length; }

    public double[] mean() { return mean.clone(); }

    public double[] variance() { return var.clone(); }

    /** The number of vectors seen, plus the prior count. */
    public double count() { return count; }

    /** Adds {@code rows} vectors stored one after another in {@code flat} ({@code rows · dim} numbers). */
    public void update(double[] flat, int rows) {
        int dim = mean.length;
        if (rows < 1 || flat.length != rows * dim) {
            throw new IllegalArgumentException("RunningMeanStd: expected " + rows + " rows of " + dim + " numbers (" + (long) rows * dim + "), got " + flat.length);
        }
        double[] batchMean = new double[dim], batchVar = new double[dim];
        for (int r = 0; r < rows; r++) for (int j = 0; j < dim; j++) batchMean[j] += flat[r * dim + j];
        for (int j = 0; j < dim; j++) batchMean[j] /= rows;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < dim; j++) {
                double d = flat[r * dim + j] - batchMean[j];
                batchVar[j] += d * d;
            }
        }
        for (int j = 0; j < dim; j++) batchVar[j] /= rows;
        updateFromMoments(batchMean, batchVar, rows);
    }

    /** Merges a batch given by its moments (Chan et al.'s formula above). */
    public void updateFromMoments(double[] batchMean, double[] batchVar, double batchCount) {
        if (batchMean.length != mean.length || batchVar.length != mean.length) {
            throw new IllegalArgumentException("RunningMeanStd: expected moments of " + mean.length + " numbers, got " + batchMean.length + " and " + batchVar.length);
        }
        if (!(batchCount > 0)) throw new IllegalArgumentException("RunningMeanStd: expected a positive batch count, got " + batchCount);
        double total = count + batchCount;
        for (int j = 0; j < mean.length; j++) {
            double delta = batchMean[j] - mean[j];
            double m2 = var[j] * count + batchVar[j] * batchCount + delta * delta * count * batchCount / total;
            mean[j] = mean[j] + delta * batchCount / total;
            var[j] = m2 / total;
        }
        count = total;
    }
}
