package org.rlgrad.testsuite.learning;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rlgrad.examples.training.LearningCurve;
import org.rlgrad.examples.training.PPOTrainer;
import org.rlgrad.examples.training.ProgressListener;

/**
 * PPO learns CartPole-v1: with seed 0 and its default hyper-parameters (PPOConfig.discrete()),
 * 50 000 environment steps bring the deterministic policy to a mean return of at least 475 over
 * 10 evaluation episodes (the task counts as solved at 475; the cap is 500). Seeds 0 to 4 all
 * reach 500 by 50 000 steps on the development machine; the run takes about 10 s on two cores.
 */
class PPOCartPoleLearningTest {
    static final long SEED = 0, FRAMES = 50_000;

    @Test
    void ppoSolvesCartPole() {
        PPOTrainer trainer = new PPOTrainer("CartPole-v1", SEED);
        LearningCurve curve = trainer.train(FRAMES, ProgressListener.NONE);
        double score = trainer.evaluate(10, SEED + 1);
        assertTrue(score >= 475, "mean evaluation return " + score + " after " + FRAMES + " steps; the recent training return was " + curve.lastRecentReturn());
    }
}
