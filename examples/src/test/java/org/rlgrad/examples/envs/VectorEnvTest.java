package org.rlgrad.examples.envs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.examples.training.Collector;

/** VectorEnv's TorchRL layout, its auto-reset, its action formats and errors; the Collector's [n, T] rollouts. */
class VectorEnvTest {
    private static final double THETA_LIMIT = 12 * 2 * Math.PI / 360;

    @Test
    void rootsAndStepsHaveTorchRlsLayout() {
        VectorEnv env = VectorEnv.of("Acrobot-v1", 3, 1);
        TensorDict root = env.reset();
        assertArrayEquals(new int[] {3}, root.batchSize());
        assertArrayEquals(new int[] {3, 6}, root.get("observation").shapeRef());
        assertEquals(DType.FLOAT32, root.get("observation").dtype());
        for (String k : List.of("done", "terminated", "truncated")) {
            assertArrayEquals(new int[] {3, 1}, root.get(k).shapeRef(), k);
            assertEquals(DType.BOOL, root.get(k).dtype(), k);
            assertEquals(0.0, root.get(k).toDoubleArray()[0] + root.get(k).toDoubleArray()[1] + root.get(k).toDoubleArray()[2], k);
        }
        root.set("action", Tensor.of(new long[] {0, 1, 2}, 3));
        TensorDict step = env.step(root);
        assertArrayEquals(new int[] {3, 6}, step.get(Key.of("next", "observation")).shapeRef());
        assertArrayEquals(new int[] {3, 1}, step.get(Key.of("next", "reward")).shapeRef());
        assertArrayEquals(new double[] {-1, -1, -1}, step.get(Key.of("next", "reward")).toDoubleArray());
        for (String k : List.of("done", "terminated", "truncated")) assertArrayEquals(new int[] {3, 1}, step.get(Key.of("next", k)).shapeRef(), k);
        assertArrayEquals(step.get(Key.of("next", "observation")).toDoubleArray(), env.nextRoot().get("observation").toDoubleArray(), 0.0,
                "with no episode ended, the next root is the next observation");
        VectorEnv f64 = new VectorEnv(() -> Environments.make("Acrobot-v1"), 2, 1, DType.FLOAT64);
        assertEquals(DType.FLOAT64, f64.reset().get("observation").dtype());
    }

    /** CartPole pushed one way falls; the transition keeps the fallen state under next, the next root is a fresh start. */
    @Test
    void autoResetKeepsTheTrueLastObservationUnderNext() {
        VectorEnv env = VectorEnv.of("CartPole-v1", 2, 7);
        TensorDict root = env.reset();
        int ended = 0;
        for (int t = 0; t < 100 && ended < 4; t++) {
            root.set("action", Tensor.of(new long[] {1, 0}, 2));
            TensorDict step = env.step(root);
            double[] next = step.get(Key.of("next", "observation")).toDoubleArray();
            double[] done = step.get(Key.of("next", "done")).toDoubleArray(), term = step.get(Key.of("next", "terminated")).toDoubleArray();
            root = env.nextRoot();
            double[] fresh = root.get("observation").toDoubleArray();
            for (int i = 0; i < 2; i++) {
                double x = next[i * 4], theta = next[i * 4 + 2];
                boolean fallen = Math.abs(x) > 2.4 || Math.abs(theta) > THETA_LIMIT;
                assertEquals(fallen, term[i] != 0, "step " + t + " copy " + i);
                assertEquals(term[i], done[i]);
                if (fallen) {
                    ended++;
                    for (int j = 0; j < 4; j++) assertTrue(Math.abs(fresh[i * 4 + j]) <= 0.05, "a fresh start " + Arrays.toString(fresh));
                } else {
                    assertArrayEquals(Arrays.copyOfRange(next, i * 4, i * 4 + 4), Arrays.copyOfRange(fresh, i * 4, i * 4 + 4), 0.0);
                }
            }
        }
        assertTrue(ended >= 4, "both copies fell at least twice");
        List<VectorEnv.Episode> episodes = env.drainFinishedEpisodes();
        assertEquals(ended, episodes.size());
        for (VectorEnv.Episode e : episodes) assertEquals(e.length(), e.episodeReturn(), 0.0, "CartPole pays 1 a step");
        assertTrue(env.drainFinishedEpisodes().isEmpty(), "drained");
    }

    @Test
    void truncationComesThroughAndTheEpisodeIsCounted() {
        VectorEnv env = VectorEnv.of("Pendulum-v1", 2, 3);
        TensorDict root = env.reset();
        double total = 0;
        for (int t = 1; t <= 200; t++) {
            root.set("action", Tensor.of(new double[] {0.5, -0.5}, 2, 1));
            TensorDict step = env.step(root);
            total += step.get(Key.of("next", "reward")).toDoubleArray()[0];
            double[] trunc = step.get(Key.of("next", "truncated")).toDoubleArray(), done = step.get(Key.of("next", "done")).toDoubleArray();
            assertEquals(t == 200 ? 1.0 : 0.0, trunc[0], "step " + t);
            assertEquals(trunc[0], done[0]);
            assertEquals(0.0, step.get(Key.of("next", "terminated")).toDoubleArray()[0]);
            root = env.nextRoot();
        }
        List<VectorEnv.Episode> episodes = env.drainFinishedEpisodes();
        assertEquals(2, episodes.size());
        assertEquals(200, episodes.getFirst().length());
        assertEquals(total, episodes.getFirst().episodeReturn(), 1e-4, "float32 rewards summed against the float64 return");
    }

    /** An index [n], an index [n, 1] and a one-hot [n, k] drive the copies the same way. */
    @Test
    void discreteActionsAsIndexOrOneHotAgree() {
        long[] actions = {2, 0, 1, 1};
        List<Function<long[], Tensor>> formats = List.of(a -> Tensor.of(a, 4), a -> Tensor.of(a, 4, 1), a -> Tensor.of(a, 4).oneHot(3),
                a -> Tensor.of(a, 4).oneHot(3).to(DType.FLOAT32));
        double[] first = null;
        for (Function<long[], Tensor> format : formats) {
            VectorEnv env = VectorEnv.of("Acrobot-v1", 4, 11);
            TensorDict root = env.reset();
            for (int t = 0; t < 5; t++) {
                root.set("action", format.apply(actions));
                env.step(root);
                root = env.nextRoot();
            }
            double[] obs = root.get("observation").toDoubleArray();
            if (first == null) first = obs;
            else assertArrayEquals(first, obs, 0.0);
        }
        VectorEnv a = VectorEnv.of("Acrobot-v1", 4, 11), b = VectorEnv.of("Acrobot-v1", 4, 11);
        TensorDict ra = a.reset(), rb = b.reset();
        ra.set("action", Tensor.of(new long[] {0, 0, 0, 0}, 4));
        rb.set("action", Tensor.of(new long[] {2, 2, 2, 2}, 4));
        assertFalse(Arrays.equals(a.step(ra).get(Key.of("next", "observation")).toDoubleArray(), b.step(rb).get(Key.of("next", "observation")).toDoubleArray()),
                "the actions matter");
    }

    @Test
    void wrongActionsAreErrorsNamingTheExpectedShapes() {
        VectorEnv cart = VectorEnv.of("CartPole-v1", 3, 0);
        TensorDict root = cart.reset();
        TensorDict unbatched = new TensorDict(); // a batched root could not even hold a [2] action
        unbatched.set("action", Tensor.of(new long[] {0, 1}, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cart.step(unbatched));
        assertTrue(e.getMessage().contains("leading dim 3") && e.getMessage().contains("[2]"), e.getMessage());
        root.set("action", Tensor.zeros(3, 5));
        e = assertThrows(IllegalArgumentException.class, () -> cart.step(root));
        assertTrue(e.getMessage().contains("[3, 2]") && e.getMessage().contains("[3, 5]"), e.getMessage());
        root.set("action", Tensor.of(new long[] {0, 2, 1}, 3));
        e = assertThrows(IllegalArgumentException.class, () -> cart.step(root));
        assertTrue(e.getMessage().contains("0..1") && e.getMessage().contains("2.0"), e.getMessage());

        VectorEnv car = VectorEnv.of("MountainCarContinuous-v0", 2, 0);
        TensorDict croot = car.reset();
        croot.set("action", Tensor.zeros(2, 3));
        e = assertThrows(IllegalArgumentException.class, () -> car.step(croot));
        assertTrue(e.getMessage().contains("[2, 1]") && e.getMessage().contains("[2, 3]"), e.getMessage());
        croot.remove("action");
        RuntimeException missing = assertThrows(RuntimeException.class, () -> car.step(croot));
        assertTrue(missing.getMessage().contains("action"), missing.getMessage());
        assertThrows(IllegalStateException.class, () -> VectorEnv.of("CartPole-v1", 1, 0).step(new TensorDict(1)));
        assertThrows(IllegalArgumentException.class, () -> VectorEnv.of("CartPole-v1", 0, 0));
    }

    @Test
    void theCollectorGivesRolloutsOfShapeNByTThatContinueAcrossCalls() {
        VectorEnv env = VectorEnv.of("MountainCarContinuous-v0", 3, 5);
        double[] push = {1.0, -1.0, 0.25};
        Collector collector = new Collector(env, root -> root.set("action", Tensor.of(push, 3, 1)));
        TensorDict first = collector.rollout(7);
        assertArrayEquals(new int[] {3, 7}, first.batchSize());
        assertArrayEquals(new int[] {3, 7, 2}, first.get("observation").shapeRef());
        assertArrayEquals(new int[] {3, 7, 1}, first.get("action").shapeRef());
        assertArrayEquals(new int[] {3, 7, 2}, first.get(Key.of("next", "observation")).shapeRef());
        for (String k : List.of("reward", "done", "terminated", "truncated")) assertArrayEquals(new int[] {3, 7, 1}, first.get(Key.of("next", k)).shapeRef(), k);
        assertEquals(21, collector.frames());
        double[] rewards = first.get(Key.of("next", "reward")).toDoubleArray();
        for (int i = 0; i < 3; i++) for (int t = 0; t < 7; t++) assertEquals(-0.1 * push[i] * push[i], rewards[i * 7 + t], 1e-7, "copy " + i + " step " + t);
        // Within a rollout and across calls, each root is the previous step's next observation (no episode ends this early).
        double[] obs = first.get("observation").toDoubleArray(), next = first.get(Key.of("next", "observation")).toDoubleArray();
        for (int i = 0; i < 3; i++) for (int t = 1; t < 7; t++) for (int j = 0; j < 2; j++) assertEquals(next[(i * 7 + t - 1) * 2 + j], obs[(i * 7 + t) * 2 + j], 0.0);
        TensorDict second = collector.rollout(4);
        assertArrayEquals(new int[] {3, 4}, second.batchSize());
        assertEquals(33, collector.frames());
        double[] obs2 = second.get("observation").toDoubleArray();
        for (int i = 0; i < 3; i++) for (int j = 0; j < 2; j++) assertEquals(next[(i * 7 + 6) * 2 + j], obs2[(i * 4) * 2 + j], 0.0);

        Collector silent = new Collector(VectorEnv.of("CartPole-v1", 2, 0), root -> root);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> silent.rollout(3));
        assertTrue(e.getMessage().contains("'action'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> collector.rollout(0));
    }
}
