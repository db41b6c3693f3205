package org.rlgrad.losses;

import java.util.List;

import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;

/**
 * A continuous contextual bandit for the training smoke tests of the deterministic-actor losses:
 * every transition terminates, the best action is {@code a*(s) = (0.5 s₀, −0.5 s₁)} and the reward
 * is {@code −|a − a*(s)|²}.
 */
final class Bandit {
    private Bandit() {}

    static double[] best(double[] obs, int i) {
        int o = i * TinyActorCritic.OBS;
        return new double[] {0.5 * obs[o], -0.5 * obs[o + 1]};
    }

    /** A batch of random actions and their rewards. */
    static TensorDict batch(Gen gen, int n) {
        TensorDict td = TinyActorCritic.batch(gen, n);
        double[] obs = td.get("observation").toDoubleArray(), a = td.get("action").toDoubleArray();
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            double[] b = best(obs, i);
            for (int j = 0; j < TinyActorCritic.ACT; j++) r[i] -= Math.pow(a[i * TinyActorCritic.ACT + j] - b[j], 2);
        }
        td.set(Key.of("next", "reward"), Tensor.of(DType.FLOAT64, r, n, 1));
        td.set(Key.of("next", "terminated"), Tensor.of(new boolean[n], n, 1).logicalNot());
        td.set(Key.of("next", "done"), Tensor.of(new boolean[n], n, 1).logicalNot());
        return td;
    }

    /** The mean of {@code |μ(s) − a*(s)|²} over {@code obs}. */
    static double regret(Sequential actorNet, Tensor obs) {
        double[] o = obs.toDoubleArray(), a = actorNet.forward(obs).toDoubleArray();
        int n = obs.shape()[0];
        double s = 0;
        for (int i = 0; i < n; i++) {
            double[] b = best(o, i);
            for (int j = 0; j < TinyActorCritic.ACT; j++) s += Math.pow(a[i * TinyActorCritic.ACT + j] - b[j], 2);
        }
        return s / n;
    }

    static double mean(List<Double> xs, int from, int to) {
        return xs.subList(from, to).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
}
