package org.rlgrad.testsuite.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.rlgrad.examples.training.Algorithms;
import org.rlgrad.examples.training.LearningCurve;
import org.rlgrad.examples.training.ProgressListener;
import org.rlgrad.examples.training.Trainer;

/**
 * SAC learns to swing up and hold the pendulum: after 10,000 steps (1,000 of them random warm-up)
 * with the default hyperparameters, the deterministic policy's mean return over 10 fresh episodes
 * is at least -250 (the untrained policy scores about -1100 to -1250; seeds 1, 2 and 3 all reached -123).
 */
@Tag("learning")
class SACPendulumLearningTest {
    @Test
    void reachesMinus250OnPendulum() {
        Trainer sac = Algorithms.create("sac", "Pendulum-v1", 1);
        LearningCurve curve = sac.train(10_000, ProgressListener.NONE);
        assertEquals(50, curve.points().size(), "10,000 steps are 50 episodes of 200");
        double score = sac.evaluate(10, 2024);
        assertTrue(score >= -250, "SAC's mean evaluation return on Pendulum-v1 after 10,000 steps is " + score + ", expected at least -250");
    }
}
