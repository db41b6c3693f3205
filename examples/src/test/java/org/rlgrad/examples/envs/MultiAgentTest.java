package org.rlgrad.examples.envs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.modules.QValueActor;
import org.rlgrad.engine.modules.QValueModule;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.nn.QMixer;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.estimators.ValueEstimators;
import org.rlgrad.losses.QMixerLoss;

/** LineCoverage's rules and MultiAgentVectorEnv's layout (TorchRL's multi-agent keys, the ones QMixerLoss reads). */
class MultiAgentTest {
    private static final Key OBS = Key.of("agents", "observation"), ACTION = Key.of("agents", "action");

    @Test
    void lineCoverageRewardsCoverageAndEndsWhenEveryTargetIsCovered() {
        LineCoverage env = new LineCoverage(2, 5, 4);
        assertEquals(new MultiAgentSpec("LineCoverage-v0", 2, 17, 15, 3, 4), env.spec());
        env.setState(new int[] {0, 0}, new int[] {1, 3});
        MultiAgentStep s = env.step(new int[] {LineCoverage.RIGHT, LineCoverage.LEFT});
        assertArrayEquals(new int[] {1, 0}, env.positions(), "moving off the line stays put");
        assertEquals(-0.5, s.reward(), "one target of two uncovered");
        assertFalse(s.done());
        double[] agent0 = s.observation().agents()[0], agent1 = s.observation().agents()[1];
        assertArrayEquals(new double[] {0, 1, 0, 0, 0, /* others */ 1, 0, 0, 0, 0, /* targets */ 0, 1, 0, 1, 0, /* id */ 1, 0}, agent0);
        assertArrayEquals(new double[] {1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1}, agent1);
        assertArrayEquals(new double[] {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0}, s.observation().state());
        s = env.step(new int[] {LineCoverage.STAY, LineCoverage.RIGHT});
        assertEquals(-0.5, s.reward(), "both on cell 1: still one uncovered");
        s = env.step(new int[] {LineCoverage.STAY, LineCoverage.RIGHT});
        s = env.step(new int[] {LineCoverage.STAY, LineCoverage.RIGHT});
        assertTrue(s.terminated(), "agents on 1 and 3");
        assertFalse(s.truncated());
        assertEquals(0.0, s.reward());
        assertThrows(IllegalStateException.class, () -> env.step(new int[] {1, 1}));

        env.setState(new int[] {0, 0}, new int[] {3, 4});
        for (int t = 1; t <= 4; t++) {
            s = env.step(new int[] {LineCoverage.STAY, LineCoverage.STAY});
            assertEquals(-1.0, s.reward());
            assertEquals(t == 4, s.truncated(), "step " + t);
            assertFalse(s.terminated());
        }
        LineCoverage fresh = new LineCoverage();
        IllegalStateException early = assertThrows(IllegalStateException.class, () -> fresh.step(new int[] {1, 1}));
        assertTrue(early.getMessage().contains("before reset"), early.getMessage());
        fresh.reset(new Random(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fresh.step(new int[] {1}));
        assertTrue(e.getMessage().contains("one action per agent (2)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> fresh.step(new int[] {1, 3}));
        assertTrue(e.getMessage().contains("agent 1") && e.getMessage().contains("got 3"), e.getMessage());
    }

    @Test
    void resetsDrawDistinctTargets() {
        LineCoverage env = new LineCoverage(3, 4, 10);
        Random rng = new Random(2);
        int[] hits = new int[4];
        for (int i = 0; i < 300; i++) {
            env.reset(rng);
            int[] t = env.targets();
            assertEquals(3, Arrays.stream(t).distinct().count());
            for (int c : t) hits[c]++;
        }
        for (int h : hits) assertTrue(h > 150 && h < 300, Arrays.toString(hits));
    }

    @Test
    void theBatchedLayoutIsTorchRlsMultiAgentOne() {
        MultiAgentVectorEnv env = new MultiAgentVectorEnv(() -> new LineCoverage(2, 5, 3), 4, 9);
        TensorDict root = env.reset();
        assertArrayEquals(new int[] {4}, root.batchSize());
        assertArrayEquals(new int[] {4, 2}, root.getTensorDict("agents").batchSize());
        assertArrayEquals(new int[] {4, 2, 17}, root.get(OBS).shapeRef());
        assertEquals(DType.FLOAT32, root.get(OBS).dtype());
        assertArrayEquals(new int[] {4, 15}, root.get("state").shapeRef());
        for (String k : List.of("done", "terminated", "truncated")) assertArrayEquals(new int[] {4, 1}, root.get(k).shapeRef());

        root.set(ACTION, Tensor.of(new long[] {1, 1, 1, 1, 1, 1, 1, 1}, 4, 2));
        TensorDict step = env.step(root);
        TensorDict next = step.getTensorDict("next");
        assertArrayEquals(new int[] {4, 2, 17}, next.get(OBS).shapeRef());
        assertArrayEquals(new int[] {4, 15}, next.get("state").shapeRef());
        for (String k : List.of("reward", "done", "terminated", "truncated")) assertArrayEquals(new int[] {4, 1}, next.get(k).shapeRef(), k);
        assertArrayEquals(root.get(OBS).toDoubleArray(), next.get(OBS).toDoubleArray(), 0.0, "everyone stayed");
    }

    /** Index [n, agents], index [n, agents, 1] and one-hot [n, agents, k] drive the copies the same way; the wrong shapes are named. */
    @Test
    void actionFormatsAgreeAndWrongShapesAreNamed() {
        long[] a = {0, 2, 1, 2, 2, 0};
        double[] first = null;
        for (int format = 0; format < 3; format++) {
            MultiAgentVectorEnv env = new MultiAgentVectorEnv(LineCoverage::new, 3, 4);
            TensorDict root = env.reset();
            for (int t = 0; t < 3; t++) {
                Tensor idx = Tensor.of(a, 3, 2);
                root.set(ACTION, format == 0 ? idx : format == 1 ? Tensor.of(a, 3, 2, 1) : idx.oneHot(3));
                env.step(root);
                root = env.nextRoot();
            }
            double[] state = root.get("state").toDoubleArray();
            if (first == null) first = state;
            else assertArrayEquals(first, state, 0.0, "format " + format);
        }
        MultiAgentVectorEnv env = new MultiAgentVectorEnv(LineCoverage::new, 3, 4);
        TensorDict root = env.reset();
        TensorDict unbatched = new TensorDict(); // the batched root's agents ([3, 2]) could not even hold a [3, 1] action
        unbatched.set(ACTION, Tensor.of(new long[] {0, 1, 2}, 3, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> env.step(unbatched));
        assertTrue(e.getMessage().contains("[3, 2]") && e.getMessage().contains("[3, 2, 3]") && e.getMessage().contains("got shape [3, 1]"), e.getMessage());
        root.set(ACTION, Tensor.of(new long[] {0, 1, 2, 3, 0, 0}, 3, 2));
        e = assertThrows(IllegalArgumentException.class, () -> env.step(root));
        assertTrue(e.getMessage().contains("copy 1, agent 1") && e.getMessage().contains("0..2"), e.getMessage());
    }

    /** A copy that ends its episode keeps its last observation under next and starts afresh in the next root. */
    @Test
    void autoResetKeepsTheLastObservation() {
        List<LineCoverage> copies = new ArrayList<>();
        MultiAgentVectorEnv env = new MultiAgentVectorEnv(() -> {
            LineCoverage c = new LineCoverage(2, 5, 2);
            copies.add(c);
            return c;
        }, 2, 5);
        TensorDict root = env.reset();
        copies.get(0).setState(new int[] {0, 4}, new int[] {1, 4});
        copies.get(1).setState(new int[] {0, 0}, new int[] {3, 4});
        root = env.nextRoot();
        root.set(ACTION, Tensor.of(new long[] {2, 1, 1, 1}, 2, 2));
        TensorDict step = env.step(root);
        assertArrayEquals(new double[] {1, 0}, step.get(Key.of("next", "terminated")).toDoubleArray());
        assertArrayEquals(new double[] {0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1}, Arrays.copyOfRange(step.get(Key.of("next", "state")).toDoubleArray(), 0, 15),
                "copy 0's covering positions (1 and 4) under next");
        double[] fresh = env.nextRoot().get("state").toDoubleArray();
        assertArrayEquals(new int[] {copies.get(0).positions()[0], copies.get(0).positions()[1]}, decode(fresh, 0), "the next root is copy 0's new episode");
        root = env.nextRoot();
        root.set(ACTION, Tensor.of(new long[] {1, 1, 1, 1}, 2, 2));
        step = env.step(root);
        assertEquals(1.0, step.get(Key.of("next", "truncated")).toDoubleArray()[1], "copy 1 truncated after 2 steps");
        List<VectorEnv.Episode> episodes = env.drainFinishedEpisodes();
        assertEquals(new VectorEnv.Episode(0.0, 1), episodes.getFirst());
        assertTrue(episodes.contains(new VectorEnv.Episode(-2.0, 2)), episodes.toString());
    }

    private static int[] decode(double[] state, int copy) {
        int[] out = new int[2];
        for (int a = 0; a < 2; a++) for (int c = 0; c < 5; c++) if (state[copy * 15 + a * 5 + c] == 1) out[a] = c;
        return out;
    }

    /** QMixerLoss reads the layout as it comes, stacked over time ([n, T]) with QMIX's global state, and gives a finite loss. */
    @Test
    void qmixerLossReadsTheLayoutDirectly() {
        MultiAgentVectorEnv env = new MultiAgentVectorEnv(LineCoverage::new, 3, 1);
        Random rng = new Random(0);
        List<TensorDict> steps = new ArrayList<>();
        TensorDict root = env.reset();
        for (int t = 0; t < 12; t++) {
            long[] a = new long[6];
            for (int i = 0; i < 6; i++) a[i] = rng.nextInt(3);
            root.set(ACTION, Tensor.of(a, 3, 2));
            steps.add(env.step(root));
            root = env.nextRoot();
        }
        TensorDict rollout = TensorDict.stack(steps, 1);
        assertArrayEquals(new int[] {3, 12, 2, 17}, rollout.get(OBS).shapeRef());
        Generator g = new Generator(3);
        QValueActor actor = new QValueActor(MLP.builder(17, 3).numCells(8).generator(g).build(), List.of(OBS),
                QValueModule.builder("categorical").actionValueKey(Key.of("agents", "action_value"))
                        .outKeys(ACTION, Key.of("agents", "action_value"), Key.of("agents", "chosen_action_value")).build());
        QMixerLoss loss = QMixerLoss.builder(actor, new QMixer(new int[] {15}, 4, 2, DType.FLOAT32, g)).build();
        loss.makeValueEstimator(ValueEstimators.TD0, Map.of("gamma", 0.9));
        double value = loss.forward(rollout).get("loss").item();
        assertTrue(Double.isFinite(value) && value > 0, "loss " + value);
        assertArrayEquals(new int[] {3, 12, 1}, rollout.get("td_error").shapeRef());
    }
}
