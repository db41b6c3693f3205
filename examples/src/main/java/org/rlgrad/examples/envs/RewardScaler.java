package org.rlgrad.examples.envs;

import java.util.Arrays;

import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * Reward scaling, Gymnasium's {@code NormalizeReward} (the "reward scaling" of Engstrom et al.
 * 2020, "Implementation matters in deep policy gradients"): each copy of the environment keeps a
 * discounted sum of its rewards, and rewards are divided by the running standard deviation of
 * those sums ({@link RunningMeanStd}, one scalar over all copies); they are not centred, so their
 * sign is kept:
 * <pre>
 *   R_i ← γ R_i (1 − terminated_i) + r_i        (then the statistics count the n values R_i)
 *   r_i' = r_i / sqrt(σ²_R + ε)
 * </pre>
 * As in Gymnasium, the sum is cut only by termination, and in Gymnasium's curious way (its code
 * says it is kept for backward compatibility): the terminating step's sum is its own reward alone;
 * a truncation or reset does not clear it. {@link #freeze()} stops the statistics from moving.
 */
public final class RewardScaler {
    private final RunningMeanStd stats;
    private final double gamma, epsilon;
    private final double[] returns;
    private boolean frozen;

    /** For {@code numEnvs} copies, Gymnasium's {@code ε = 1e-8} and prior count 1e-4. */
    public RewardScaler(int numEnvs, double gamma) {
        this(numEnvs, gamma, 1e-8, RunningMeanStd.GYMNASIUM_PRIOR_COUNT);
    }

    public RewardScaler(int numEnvs, double gamma, double epsilon, double priorCount) {
        if (numEnvs < 1) throw new IllegalArgumentException("RewardScaler: expected at least one environment, got " + numEnvs);
        if (!(gamma >= 0 && gamma <= 1)) throw new IllegalArgumentException("RewardScaler: expected gamma in [0, 1], got " + gamma);
        if (!(epsilon >= 0) || Double.isInfinite(epsilon)) throw new IllegalArgumentException("RewardScaler: expected a finite epsilon >= 0, got " + epsilon);
        this.stats = new RunningMeanStd(1, priorCount);
        this.gamma = gamma;
        this.epsilon = epsilon;
        this.returns = new double[numEnvs];
    }

    public int numEnvs() { return returns.length; }

    public double gamma() { return gamma; }

    /** The statistics of the discounted sums. */
    public RunningMeanStd statistics() { return stats; }

    /** The current discounted sums {@code R_i}. */
    public double[] discountedReturns() { return returns.clone(); }

    /** Stops updating the statistics (the sums still run): rewards are then scaled by fixed statistics. */
    public void freeze() { frozen = true; }

    public void unfreeze() { frozen = false; }

    public boolean frozen() { return frozen; }

    /** The current scale {@code 1 / sqrt(σ²_R + ε)}. */
    public double scale() { return 1.0 / Math.sqrt(stats.variance()[0] + epsilon); }

    /** One step of every copy: its rewards and terminated flags, in; the scaled rewards, out. */
    public double[] scale(double[] rewards, boolean[] terminated) {
        int n = returns.length;
        if (rewards.length != n || terminated.length != n) {
            throw new IllegalArgumentException("RewardScaler: expected " + n + " rewards and terminated flags, got " + rewards.length + " and " + terminated.length);
        }
        for (int i = 0; i < n; i++) returns[i] = returns[i] * gamma * (terminated[i] ? 0 : 1) + rewards[i];
        if (!frozen) stats.update(returns.clone(), n);
        double sd = Math.sqrt(stats.variance()[0] + epsilon);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = rewards[i] / sd;
        return out;
    }

    /**
     * Scales {@code ("next", "reward")} in place, reading {@code ("next", "terminated")}: a step of a
     * {@link VectorEnv} (batch {@code [n]}) or a rollout (batch {@code [n, T]}, taken in time order).
     * The reward keeps its dtype and shape ({@code [n, 1]} or {@code [n, T, 1]}); returns {@code td}.
     */
    public TensorDict scale(TensorDict td) {
        Key rewardKey = Key.of("next", "reward"), terminatedKey = Key.of("next", "terminated");
        Tensor reward = td.get(rewardKey), terminated = td.get(terminatedKey);
        int n = returns.length;
        int[] batch = td.batchSize();
        if (batch.length < 1 || batch.length > 2 || batch[0] != n) {
            throw new IllegalArgumentException("RewardScaler: expected a TensorDict of batch [" + n + "] or [" + n + ", T], got " + Arrays.toString(batch));
        }
        int steps = batch.length == 2 ? batch[1] : 1;
        double[] r = reward.toDoubleArray(), term = terminated.toDoubleArray();
        if (r.length != n * steps || term.length != n * steps) {
            throw new IllegalArgumentException("RewardScaler: expected one reward and one terminated flag per step (" + n * steps + "), got shapes "
                    + Arrays.toString(reward.shapeRef()) + " and " + Arrays.toString(terminated.shapeRef()));
        }
        double[] out = new double[r.length];
        double[] stepRewards = new double[n];
        boolean[] stepTerminated = new boolean[n];
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < n; i++) {
                stepRewards[i] = r[i * steps + t];
                stepTerminated[i] = term[i * steps + t] != 0;
            }
            double[] scaled = scale(stepRewards, stepTerminated);
            for (int i = 0; i < n; i++) out[i * steps + t] = scaled[i];
        }
        td.set(rewardKey, Tensor.of(reward.dtype(), out, reward.shape()));
        return td;
    }
}
