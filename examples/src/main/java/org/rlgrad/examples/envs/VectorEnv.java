package org.rlgrad.examples.envs;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * {@code n} copies of an environment stepped together, speaking TorchRL's TensorDict layout
 * (batch {@code [n]}):
 * <ul>
 *   <li>{@link #reset()} gives the root: {@code observation [n, obs]} and {@code done},
 *       {@code terminated}, {@code truncated} {@code [n, 1]} (all false);</li>
 *   <li>{@link #step(TensorDict)} reads {@code action} from the root (discrete: an index,
 *       {@code int64 [n]} or {@code [n, 1]}, or a one-hot {@code [n, k]}; continuous:
 *       {@code [n, dim]}) and returns the root with {@code next} filled in:
 *       {@code next/observation}, {@code next/reward [n, 1]}, {@code next/done},
 *       {@code next/terminated}, {@code next/truncated} {@code [n, 1]};</li>
 *   <li>{@link #nextRoot()} gives the root of the following step: the next observation,
 *       or for a copy whose episode just ended, the first observation of its fresh episode (the
 *       copies reset themselves; the transition keeps the true last observation under
 *       {@code next}).</li>
 * </ul>
 * Observations are float32 unless another dtype is asked for. Finished episodes' returns and
 * lengths are kept for progress reports ({@link #drainFinishedEpisodes()}).
 */
public final class VectorEnv {
    private final List<Environment> envs = new ArrayList<>();
    private final EnvSpec spec;
    private final RandomGenerator rng;
    private final DType dtype;
    private final double[][] observations;
    private final EpisodeTracker episodes;
    private boolean started;

    /** A finished episode: its undiscounted return and its number of steps. */
    public record Episode(double episodeReturn, int length) {}

    /** {@code n} environments from {@code factory}, their episodes seeded from {@code seed}, float32 observations. */
    public VectorEnv(Supplier<Environment> factory, int n, long seed) {
        this(factory, n, seed, DType.FLOAT32);
    }

    public VectorEnv(Supplier<Environment> factory, int n, long seed, DType dtype) {
        if (n < 1) throw new IllegalArgumentException("VectorEnv: expected at least one environment, got " + n);
        for (int i = 0; i < n; i++) envs.add(Objects.requireNonNull(factory.get(), "VectorEnv: the factory returned null"));
        this.spec = envs.getFirst().spec();
        this.rng = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
        this.dtype = dtype;
        this.observations = new double[n][];
        this.episodes = new EpisodeTracker(n);
    }

    /** {@code n} copies of the built-in environment {@code id}. */
    public static VectorEnv of(String id, int n, long seed) {
        Environments.make(id); // fails early, naming the known ids
        return new VectorEnv(() -> Environments.make(id), n, seed);
    }

    public EnvSpec spec() { return spec; }

    public int size() { return envs.size(); }

    /** Resets every copy; the root of the first step. */
    public TensorDict reset() {
        for (int i = 0; i < envs.size(); i++) {
            observations[i] = envs.get(i).reset(rng);
            episodes.restart(i);
        }
        started = true;
        return root(observations);
    }

    /** Steps every copy with its action from {@code root}; returns {@code root} with its {@code next} entries. */
    public TensorDict step(TensorDict root) {
        if (!started) throw new IllegalStateException("VectorEnv: step before reset");
        double[][] actions = actions(root.get("action"));
        int n = envs.size(), obs = spec.observationDim();
        double[] nextObs = new double[n * obs], reward = new double[n];
        boolean[] terminated = new boolean[n], truncated = new boolean[n], done = new boolean[n];
        for (int i = 0; i < n; i++) {
            Step s = envs.get(i).step(actions[i]);
            System.arraycopy(s.observation(), 0, nextObs, i * obs, obs);
            reward[i] = s.reward();
            terminated[i] = s.terminated();
            truncated[i] = s.truncated();
            done[i] = s.done();
            episodes.record(i, s.reward(), s.done());
            if (s.done()) {
                observations[i] = envs.get(i).reset(rng);
            } else {
                observations[i] = s.observation();
            }
        }
        TensorDict next = new TensorDict(n);
        next.set("observation", Tensor.of(dtype, nextObs, n, obs));
        next.set("reward", Tensor.of(dtype, reward, n, 1));
        next.set("done", Tensor.of(done, n, 1));
        next.set("terminated", Tensor.of(terminated, n, 1));
        next.set("truncated", Tensor.of(truncated, n, 1));
        root.set("next", next);
        return root;
    }

    /** The root of the step after the last {@link #step}: next observations, or fresh ones where an episode ended. */
    public TensorDict nextRoot() {
        if (!started) throw new IllegalStateException("VectorEnv: nextRoot before reset");
        return root(observations);
    }

    /** The episodes finished since the last call, oldest first. */
    public List<Episode> drainFinishedEpisodes() {
        return episodes.drain();
    }

    private TensorDict root(double[][] obsRows) {
        int n = envs.size(), obs = spec.observationDim();
        double[] flat = new double[n * obs];
        for (int i = 0; i < n; i++) System.arraycopy(obsRows[i], 0, flat, i * obs, obs);
        TensorDict td = new TensorDict(n);
        td.set("observation", Tensor.of(dtype, flat, n, obs));
        boolean[] no = new boolean[n];
        td.set("done", Tensor.of(no, n, 1));
        td.set("terminated", Tensor.of(no, n, 1));
        td.set("truncated", Tensor.of(no, n, 1));
        return td;
    }

    /** One action per copy, as the environments take them. */
    private double[][] actions(Tensor action) {
        int n = envs.size();
        int[] shape = action.shapeRef();
        if (shape.length == 0 || shape[0] != n) {
            throw new IllegalArgumentException("VectorEnv: expected an action with leading dim " + n + ", got shape " + java.util.Arrays.toString(shape));
        }
        double[] flat = action.toDoubleArray();
        double[][] out = new double[n][];
        if (spec.actionSpace() instanceof ActionSpace.Discrete d) {
            int width = shape.length == 1 ? 1 : flat.length / n;
            for (int i = 0; i < n; i++) {
                if (width == 1) {
                    out[i] = new double[] {flat[i]};
                } else if (width == d.n()) {
                    out[i] = new double[] {argmax(flat, i * width, width)};
                } else {
                    throw new IllegalArgumentException("VectorEnv: a discrete action is an index [" + n + "] or [" + n + ", 1] or a one-hot ["
                            + n + ", " + d.n() + "], got shape " + java.util.Arrays.toString(shape));
                }
            }
        } else {
            int dim = spec.actionSpace().dim();
            if (flat.length != n * dim) {
                throw new IllegalArgumentException("VectorEnv: expected a continuous action [" + n + ", " + dim + "], got shape " + java.util.Arrays.toString(shape));
            }
            for (int i = 0; i < n; i++) out[i] = java.util.Arrays.copyOfRange(flat, i * dim, (i + 1) * dim);
        }
        return out;
    }

    private static int argmax(double[] v, int from, int len) {
        int best = 0;
        for (int j = 1; j < len; j++) if (v[from + j] > v[from + best]) best = j;
        return best;
    }
}
