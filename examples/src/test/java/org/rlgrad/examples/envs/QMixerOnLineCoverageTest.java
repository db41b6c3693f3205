package org.rlgrad.examples.envs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.QValueActor;
import org.rlgrad.engine.modules.QValueModule;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.nn.Mixer;
import org.rlgrad.engine.nn.QMixer;
import org.rlgrad.engine.nn.ReLU;
import org.rlgrad.engine.nn.VDNMixer;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.estimators.ValueEstimators;
import org.rlgrad.losses.QMixerLoss;
import org.rlgrad.losses.SoftUpdate;

/**
 * QMixerLoss trained on {@link LineCoverage} (two agents, five cells, ten steps) through
 * {@link MultiAgentVectorEnv}'s layout, with a plain ε-greedy loop and a replay of recent steps:
 * the greedy team return must beat random play clearly and close most of the gap to the optimum,
 * which a planner over the joint positions computes for every evaluation episode (300 episodes,
 * each copy's first). Measured with this seed: random −5.10, optimal −0.425, QMIX −0.94, VDN
 * −0.68; over seeds 1–3 the worst was −1.26 (82% of the gap), the threshold is 75%.
 */
class QMixerOnLineCoverageTest {
    private static final Key OBS = Key.of("agents", "observation"), ACTION = Key.of("agents", "action");
    private static final int AGENTS = 2, CELLS = 5, HORIZON = 10, EVAL_EPISODES = 300;

    @Test
    void qmixLearnsToSplitTheTargets() {
        check(true);
    }

    @Test
    void vdnLearnsToSplitTheTargets() {
        check(false);
    }

    private static void check(boolean qmix) {
        QValueActor actor = train(qmix, 20260);
        double[] trained = evaluate(actor, 99), random = evaluate(null, 99);
        double gap = trained[1] - random[0];
        String report = (qmix ? "QMIX" : "VDN") + ": greedy " + trained[0] + ", random " + random[0] + ", optimal " + trained[1];
        System.out.println(report);
        assertTrue(trained[0] > random[0] + 0.75 * gap, report);
    }

    static QValueActor train(boolean qmix, long seed) {
        LineCoverage probe = new LineCoverage(AGENTS, CELLS, HORIZON);
        MultiAgentSpec spec = probe.spec();
        Generator g = new Generator(seed);
        MLP net = MLP.builder(spec.observationDim(), spec.actions()).numCells(32, 32).activation(ReLU::new).generator(g).build();
        QValueActor actor = new QValueActor(net, List.of(OBS), QValueModule.builder("categorical").actionValueKey(Key.of("agents", "action_value"))
                .outKeys(ACTION, Key.of("agents", "action_value"), Key.of("agents", "chosen_action_value")).build());
        Mixer mixer = qmix ? new QMixer(new int[] {spec.stateDim()}, 8, AGENTS, DType.FLOAT32, g) : new VDNMixer(AGENTS);
        QMixerLoss loss = QMixerLoss.builder(actor, mixer).build();
        loss.makeValueEstimator(ValueEstimators.TD0, Map.of("gamma", 0.95));
        SoftUpdate target = SoftUpdate.withTau(loss, 0.02);
        Adam opt = new Adam(loss.parameters(), 2e-3);

        int envs = 16, iterations = 400, batchSteps = 4;
        MultiAgentVectorEnv env = new MultiAgentVectorEnv(() -> new LineCoverage(AGENTS, CELLS, HORIZON), envs, seed);
        Random rng = new Random(seed);
        List<TensorDict> replay = new ArrayList<>();
        TensorDict root = env.reset();
        for (int it = 0; it < iterations; it++) {
            double eps = Math.max(0.05, 1.0 - it / (0.6 * iterations));
            TensorDict step = env.step(act(actor, root, eps, rng));
            replay.add(step.select(OBS, ACTION, Key.of("state"), Key.of("next")));
            if (replay.size() > 200) replay.removeFirst();
            root = env.nextRoot();
            if (replay.size() >= batchSteps) {
                List<TensorDict> sample = new ArrayList<>();
                for (int b = 0; b < batchSteps; b++) sample.add(replay.get(rng.nextInt(replay.size())));
                opt.zeroGrad();
                loss.forward(TensorDict.cat(sample, 0)).get("loss").backward();
                opt.step();
                target.step();
            }
        }
        return actor;
    }

    /** The greedy action of {@code actor} for every agent, each replaced by a uniform one with probability {@code eps} (all uniform when actor is null). */
    static TensorDict act(QValueActor actor, TensorDict root, double eps, RandomGenerator rng) {
        int n = root.batchSize()[0];
        long[] a = new long[n * AGENTS];
        if (actor != null) {
            try (GradMode.Scope s = GradMode.noGrad()) {
                a = actor.forward(root.copy()).get(ACTION).toLongArray();
            }
        }
        for (int i = 0; i < a.length; i++) if (actor == null || rng.nextDouble() < eps) a[i] = rng.nextInt(3);
        root.set(ACTION, Tensor.of(a, n, AGENTS));
        return root;
    }

    /** Mean team return of {@code actor} (greedy; null: uniform) over the first episode of each of EVAL_EPISODES copies, and the mean optimal return. */
    static double[] evaluate(QValueActor actor, long seed) {
        List<LineCoverage> copies = new ArrayList<>();
        MultiAgentVectorEnv env = new MultiAgentVectorEnv(() -> {
            LineCoverage c = new LineCoverage(AGENTS, CELLS, HORIZON);
            copies.add(c);
            return c;
        }, EVAL_EPISODES, seed);
        TensorDict root = env.reset();
        double optimal = 0;
        for (LineCoverage c : copies) optimal += optimalReturn(c.positions(), c.targets());
        double[] returns = new double[EVAL_EPISODES];
        boolean[] ended = new boolean[EVAL_EPISODES];
        Random rng = new Random(seed);
        for (int t = 0; t < HORIZON; t++) {
            TensorDict step = env.step(act(actor, root, 0, rng));
            double[] r = step.get(Key.of("next", "reward")).toDoubleArray();
            double[] done = step.get(Key.of("next", "done")).toDoubleArray();
            for (int i = 0; i < EVAL_EPISODES; i++) {
                if (ended[i]) continue;
                returns[i] += r[i];
                ended[i] = done[i] != 0;
            }
            root = env.nextRoot();
        }
        for (boolean e : ended) assertTrue(e, "every first episode ends within the horizon");
        double mean = 0;
        for (double r : returns) mean += r;
        return new double[] {mean / EVAL_EPISODES, optimal / EVAL_EPISODES};
    }

    /** The best undiscounted team return from these cells, by dynamic programming over the joint positions and the steps left. */
    static double optimalReturn(int[] positions, int[] targets) {
        int joint = CELLS * CELLS;
        double[] value = new double[joint]; // with 0 steps left
        for (int left = 1; left <= HORIZON; left++) {
            double[] next = new double[joint];
            for (int s = 0; s < joint; s++) {
                double best = Double.NEGATIVE_INFINITY;
                for (int a0 = -1; a0 <= 1; a0++) {
                    for (int a1 = -1; a1 <= 1; a1++) {
                        int p0 = Math.min(CELLS - 1, Math.max(0, s / CELLS + a0)), p1 = Math.min(CELLS - 1, Math.max(0, s % CELLS + a1));
                        int uncovered = 0;
                        for (int c : targets) if (p0 != c && p1 != c) uncovered++;
                        double q = uncovered == 0 ? 0 : -(double) uncovered / AGENTS + value[p0 * CELLS + p1];
                        best = Math.max(best, q);
                    }
                }
                next[s] = best;
            }
            value = next;
        }
        return value[positions[0] * CELLS + positions[1]];
    }
}
