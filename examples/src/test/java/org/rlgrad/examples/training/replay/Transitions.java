package org.rlgrad.examples.training.replay;

import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/** Collector-shaped batches {@code [n_envs, T]} whose transitions carry their own id, so a sample can be checked row by row. */
final class Transitions {
    static final int OBS = 3;

    private Transitions() {}

    /**
     * {@code nEnvs × steps} transitions with ids {@code firstId, firstId + 1, ...} in row-major order:
     * observation {@code [id, id + 0.5, -id]}, next observation {@code [id + 1, ...]}, action {@code id % 2}
     * (int64), reward {@code id / 10}, terminated when {@code id % 3 == 0}, done when {@code id % 3 != 1}.
     */
    static TensorDict batch(int nEnvs, int steps, int firstId) {
        int n = nEnvs * steps;
        float[] obs = new float[n * OBS], nextObs = new float[n * OBS], reward = new float[n];
        long[] action = new long[n];
        boolean[] terminated = new boolean[n], done = new boolean[n];
        for (int i = 0; i < n; i++) {
            int id = firstId + i;
            obs[i * OBS] = id;
            obs[i * OBS + 1] = id + 0.5f;
            obs[i * OBS + 2] = -id;
            nextObs[i * OBS] = id + 1;
            nextObs[i * OBS + 1] = id + 1.5f;
            nextObs[i * OBS + 2] = -id - 1;
            action[i] = id % 2;
            reward[i] = id / 10f;
            terminated[i] = id % 3 == 0;
            done[i] = id % 3 != 1;
        }
        TensorDict td = new TensorDict(nEnvs, steps);
        td.set("observation", Tensor.of(obs, nEnvs, steps, OBS));
        td.set("action", Tensor.of(action, nEnvs, steps));
        td.set(Key.of("next", "observation"), Tensor.of(nextObs, nEnvs, steps, OBS));
        td.set(Key.of("next", "reward"), Tensor.of(reward, nEnvs, steps, 1));
        td.set(Key.of("next", "terminated"), Tensor.of(terminated, nEnvs, steps, 1));
        td.set(Key.of("next", "done"), Tensor.of(done, nEnvs, steps, 1));
        return td;
    }

    /** The ids of a sample's rows (from the first observation component). */
    static int[] ids(TensorDict sample) {
        float[] obs = sample.get("observation").toFloatArray();
        int[] out = new int[obs.length / OBS];
        for (int i = 0; i < out.length; i++) out[i] = (int) obs[i * OBS];
        return out;
    }

    /** Fails unless every entry of row {@code i} of {@code sample} belongs to transition {@code ids[i]}. */
    static void checkRows(TensorDict sample) {
        int[] ids = ids(sample);
        float[] obs = sample.get("observation").toFloatArray(), next = sample.get(Key.of("next", "observation")).toFloatArray();
        float[] reward = sample.get(Key.of("next", "reward")).toFloatArray();
        long[] action = sample.get("action").toLongArray();
        boolean[] terminated = sample.get(Key.of("next", "terminated")).toBooleanArray(), done = sample.get(Key.of("next", "done")).toBooleanArray();
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            boolean ok = obs[i * OBS + 1] == id + 0.5f && obs[i * OBS + 2] == -id && next[i * OBS] == id + 1 && next[i * OBS + 1] == id + 1.5f
                    && next[i * OBS + 2] == -id - 1 && action[i] == id % 2 && reward[i] == id / 10f && terminated[i] == (id % 3 == 0)
                    && done[i] == (id % 3 != 1);
            if (!ok) throw new AssertionError("row " + i + " mixes transition " + id + " with another one");
        }
    }
}
