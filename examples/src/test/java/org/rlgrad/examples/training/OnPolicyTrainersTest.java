package org.rlgrad.examples.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * PPO and A2C run on both kinds of actions, report their progress and curve consistently,
 * evaluate deterministically, and are registered. Learning itself is checked by the testsuite's
 * learning tests.
 */
class OnPolicyTrainersTest {

    @Test
    void bothAreRegisteredForBothKindsOfActions() {
        for (String name : List.of("ppo", "a2c")) {
            Algorithms.Algorithm a = Algorithms.get(name);
            assertTrue(a.discrete() && a.continuous(), name);
            assertEquals(name, Algorithms.create(name, "CartPole-v1", 0).algorithm());
            assertEquals("Pendulum-v1", Algorithms.create(name, "Pendulum-v1", 0).envId());
        }
    }

    @Test
    void ppoOnPendulumRunsWithANormalPolicy() {
        // Two rollouts of a small configuration: the continuous path end to end.
        PPOConfig c = new PPOConfig(2, 200, 2, 4, 1e-3, true, 0.9, 0.95, 0.2, 0.01, 0.5, 0.5, new int[] {16}, 1000);
        PPOTrainer t = new PPOTrainer("Pendulum-v1", 3, c);
        List<Progress> updates = new ArrayList<>();
        LearningCurve curve = t.train(800, updates::add);
        assertEquals(2, updates.size());
        assertEquals(800, updates.getLast().frames());
        // Pendulum's episodes are 200 steps: 2 copies x 400 steps end 4 of them.
        assertEquals(4, curve.points().size());
        for (LearningCurve.Point p : curve.points()) assertTrue(p.episodeReturn() < 0 && p.episodeReturn() > 200 * -16.3, "a Pendulum return: " + p);
        double score = t.evaluate(3, 11);
        assertTrue(score < 0 && score > 200 * -16.3, "score " + score);
        for (Tensor p : t.networks().parameters()) {
            assertEquals(DType.FLOAT32, p.dtype());
            assertEquals(1, p.isFinite().all().item(), 0);
        }
    }

    @Test
    void a2cOnPendulumRuns() {
        A2CTrainer t = new A2CTrainer("Pendulum-v1", 4);
        LearningCurve curve = t.train(t.framesPerRollout() * 60L, ProgressListener.NONE);
        // 8 copies x 8 steps x 60 rollouts: 480 steps per copy, two 200-step episodes each.
        assertEquals(16, curve.points().size());
        assertTrue(Double.isFinite(t.evaluate(2, 0)));
    }

    @Test
    void theCurveCountsFramesAndAveragesTheRecentEpisodes() {
        PPOTrainer t = new PPOTrainer("CartPole-v1", 1);
        LearningCurve curve = t.train(2 * t.framesPerRollout(), ProgressListener.NONE);
        List<LearningCurve.Point> points = curve.points();
        assertTrue(points.size() > 10, "a near-random CartPole policy ends many episodes: " + points.size());
        for (int i = 0; i < points.size(); i++) {
            LearningCurve.Point p = points.get(i);
            if (i > 0) assertTrue(p.frames() >= points.get(i - 1).frames());
            assertTrue(p.frames() <= 2L * t.framesPerRollout());
            // The recent mean by hand: the last RECENT_EPISODES returns up to this one.
            double sum = 0;
            int from = Math.max(0, i - LearningCurve.RECENT_EPISODES + 1);
            for (int j = from; j <= i; j++) sum += points.get(j).episodeReturn();
            assertEquals(sum / (i - from + 1), p.recentReturn(), 1e-9, "point " + i);
        }
    }

    @Test
    void evaluationIsDeterministicAndAnUntrainedPolicyScoresLow() {
        PPOTrainer t = new PPOTrainer("CartPole-v1", 2);
        double a = t.evaluate(5, 42), b = t.evaluate(5, 42);
        assertEquals(a, b, "same seed, same policy, greedy actions: the same episodes");
        // A near-uniform initial policy acting greedily pushes one way: CartPole falls within ~10-60 steps.
        assertTrue(a >= 8 && a < 100, "untrained score " + a);
        assertThrows(IllegalArgumentException.class, () -> t.evaluate(0, 1));
        assertThrows(IllegalArgumentException.class, () -> t.train(0, ProgressListener.NONE));
    }

    @Test
    void aConfigThatDoesNotSplitIntoMinibatchesIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PPOConfig(3, 10, 4, 4, 1e-3, true, 0.99, 0.95, 0.2, 0.01, 0.5, 0.5, new int[] {8}, 100));
        assertTrue(e.getMessage().contains("does not split into 4"), e.getMessage());
    }
}
