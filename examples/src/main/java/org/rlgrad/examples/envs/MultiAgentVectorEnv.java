package org.rlgrad.examples.envs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * {@code n} copies of a {@link MultiAgentEnvironment} stepped together, in TorchRL's multi-agent
 * layout (batch {@code [n]}; the per-agent entries in the sub-dict {@code "agents"} of batch
 * {@code [n, n_agents]}), the one {@code QMixerLoss} reads:
 * <ul>
 *   <li>{@link #reset()} gives the root: {@code ("agents", "observation") [n, n_agents, obs]},
 *       {@code "state" [n, state]}, and {@code done}, {@code terminated}, {@code truncated}
 *       {@code [n, 1]} (all false);</li>
 *   <li>{@link #step(TensorDict)} reads {@code ("agents", "action")}, an index per agent
 *       ({@code [n, n_agents]} or {@code [n, n_agents, 1]}) or a one-hot
 *       ({@code [n, n_agents, k]}), and returns the root with {@code next} filled in:
 *       {@code ("agents", "observation")}, {@code "state"}, the team {@code "reward" [n, 1]},
 *       {@code "done"}, {@code "terminated"}, {@code "truncated"} {@code [n, 1]};</li>
 *   <li>{@link #nextRoot()} gives the following root; a copy whose episode just ended starts a
 *       fresh one there (the transition keeps the true last observation under {@code next}).</li>
 * </ul>
 * Observations, states and rewards are float32 unless another dtype is asked for.
 */
public final class MultiAgentVectorEnv {
    private final List<MultiAgentEnvironment> envs = new ArrayList<>();
    private final MultiAgentSpec spec;
    private final RandomGenerator rng;
    private final DType dtype;
    private final MultiAgentObservation[] current;
    private final EpisodeTracker episodes;
    private boolean started;

    public MultiAgentVectorEnv(Supplier<? extends MultiAgentEnvironment> factory, int n, long seed) {
        this(factory, n, seed, DType.FLOAT32);
    }

    public MultiAgentVectorEnv(Supplier<? extends MultiAgentEnvironment> factory, int n, long seed, DType dtype) {
        if (n < 1) throw new IllegalArgumentException("MultiAgentVectorEnv: expected at least one environment, got " + n);
        for (int i = 0; i < n; i++) envs.add(Objects.requireNonNull(factory.get(), "MultiAgentVectorEnv: the factory returned null"));
        this.spec = envs.getFirst().spec();
        this.rng = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
        this.dtype = dtype;
        this.current = new MultiAgentObservation[n];
        this.episodes = new EpisodeTracker(n);
    }

    public MultiAgentSpec spec() { return spec; }

    public int size() { return envs.size(); }

    /** Resets every copy; the root of the first step. */
    public TensorDict reset() {
        for (int i = 0; i < envs.size(); i++) {
            current[i] = envs.get(i).reset(rng);
            episodes.restart(i);
        }
        started = true;
        return root();
    }

    /** Steps every copy with its agents' actions from {@code root}; returns {@code root} with its {@code next} entries. */
    public TensorDict step(TensorDict root) {
        if (!started) throw new IllegalStateException("MultiAgentVectorEnv: step before reset");
        int[][] actions = actions(root.get(Key.of("agents", "action")));
        int n = envs.size();
        MultiAgentObservation[] next = new MultiAgentObservation[n];
        double[] reward = new double[n];
        boolean[] terminated = new boolean[n], truncated = new boolean[n], done = new boolean[n];
        for (int i = 0; i < n; i++) {
            MultiAgentStep s = envs.get(i).step(actions[i]);
            next[i] = s.observation();
            reward[i] = s.reward();
            terminated[i] = s.terminated();
            truncated[i] = s.truncated();
            done[i] = s.done();
            episodes.record(i, s.reward(), s.done());
            if (s.done()) {
                current[i] = envs.get(i).reset(rng);
            } else {
                current[i] = s.observation();
            }
        }
        TensorDict nextTd = observations(next);
        nextTd.set("reward", Tensor.of(dtype, reward, n, 1));
        nextTd.set("done", Tensor.of(done, n, 1));
        nextTd.set("terminated", Tensor.of(terminated, n, 1));
        nextTd.set("truncated", Tensor.of(truncated, n, 1));
        root.set("next", nextTd);
        return root;
    }

    /** The root of the step after the last {@link #step}: next observations, or fresh ones where an episode ended. */
    public TensorDict nextRoot() {
        if (!started) throw new IllegalStateException("MultiAgentVectorEnv: nextRoot before reset");
        return root();
    }

    /** The episodes finished since the last call, oldest first (team return and length). */
    public List<VectorEnv.Episode> drainFinishedEpisodes() {
        return episodes.drain();
    }

    private TensorDict root() {
        int n = envs.size();
        TensorDict td = observations(current);
        boolean[] no = new boolean[n];
        td.set("done", Tensor.of(no, n, 1));
        td.set("terminated", Tensor.of(no, n, 1));
        td.set("truncated", Tensor.of(no, n, 1));
        return td;
    }

    /** {@code ("agents", "observation")} and {@code "state"} of the copies. */
    private TensorDict observations(MultiAgentObservation[] obs) {
        int n = envs.size(), agents = spec.agents(), dim = spec.observationDim(), stateDim = spec.stateDim();
        double[] flat = new double[n * agents * dim], state = new double[n * stateDim];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < agents; a++) System.arraycopy(obs[i].agents()[a], 0, flat, (i * agents + a) * dim, dim);
            System.arraycopy(obs[i].state(), 0, state, i * stateDim, stateDim);
        }
        TensorDict agentsTd = new TensorDict(n, agents);
        agentsTd.set("observation", Tensor.of(dtype, flat, n, agents, dim));
        TensorDict td = new TensorDict(n);
        td.set("agents", agentsTd);
        td.set("state", Tensor.of(dtype, state, n, stateDim));
        return td;
    }

    /** One action index per agent per copy. */
    private int[][] actions(Tensor action) {
        int n = envs.size(), agents = spec.agents(), k = spec.actions();
        int[] shape = action.shapeRef();
        boolean index = shape.length == 2 || (shape.length == 3 && shape[2] == 1);
        boolean oneHot = shape.length == 3 && shape[2] == k;
        if (shape.length < 2 || shape[0] != n || shape[1] != agents || !(index || oneHot)) {
            throw new IllegalArgumentException("MultiAgentVectorEnv: expected ('agents', 'action') as an index [" + n + ", " + agents + "] or [" + n + ", " + agents
                    + ", 1], or a one-hot [" + n + ", " + agents + ", " + k + "], got shape " + Arrays.toString(shape));
        }
        double[] flat = action.toDoubleArray();
        int[][] out = new int[n][agents];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < agents; a++) {
                if (oneHot) {
                    int from = (i * agents + a) * k, best = 0;
                    for (int j = 1; j < k; j++) if (flat[from + j] > flat[from + best]) best = j;
                    out[i][a] = best;
                } else {
                    double v = flat[i * agents + a];
                    if (v != Math.rint(v) || v < 0 || v >= k) {
                        throw new IllegalArgumentException("MultiAgentVectorEnv: copy " + i + ", agent " + a + ": expected an action index in 0.." + (k - 1) + ", got " + v);
                    }
                    out[i][a] = (int) v;
                }
            }
        }
        return out;
    }
}
