package org.rlgrad.testsuite.learning;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.rlgrad.examples.training.Algorithms;
import org.rlgrad.examples.training.LearningCurve;
import org.rlgrad.examples.training.ProgressListener;
import org.rlgrad.examples.training.Trainer;

/**
 * DQN learns to balance the pole: after 60,000 steps with the default hyperparameters (double DQN,
 * Polyak target, γ 0.995) the greedy policy's mean return over 10 fresh episodes of CartPole-v1 is
 * at least 300 of the possible 500. Seed 2 is the one kept; of seeds 1 to 7, six reached 480-500
 * and seed 1 reached 288 (DQN on CartPole is known to be seed-sensitive).
 */
@Tag("learning")
class DQNCartPoleLearningTest {
    @Test
    void reaches300OnCartPole() {
        Trainer dqn = Algorithms.create("dqn", "CartPole-v1", 2);
        LearningCurve curve = dqn.train(60_000, ProgressListener.NONE);
        assertTrue(curve.lastRecentReturn() > 100, "the exploring policy's recent return is " + curve.lastRecentReturn());
        double score = dqn.evaluate(10, 2024);
        assertTrue(score >= 300, "DQN's mean evaluation return on CartPole-v1 after 60,000 steps is " + score + ", expected at least 300");
    }
}
