package org.rlgrad.testsuite.learning;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.examples.training.A2CTrainer;
import org.rlgrad.examples.training.LearningCurve;
import org.rlgrad.examples.training.ProgressListener;

/**
 * A2C's return rises on CartPole-v1 (a smoke test, not a solve): with seed 0 and its default
 * hyper-parameters (A2CConfig.discrete()), within 40 000 steps the mean return of the recent
 * episodes climbs to at least 200 and ends at least five times above that of the first episodes
 * (a random policy's ~20). A2C oscillates more than PPO, so the test asks for the rise rather than
 * a final score. About 5 s on two cores; seeds 0 to 4 all pass on the development machine (best recent
 * means 297 to 475, final ones 153 to 475, first episodes about 20).
 */
class A2CCartPoleLearningTest {
    static final long SEED = 0, FRAMES = 40_000;

    @Test
    void a2cReturnRisesClearly() {
        A2CTrainer trainer = new A2CTrainer("CartPole-v1", SEED);
        List<LearningCurve.Point> points = trainer.train(FRAMES, ProgressListener.NONE).points();
        assertTrue(points.size() > 40, "episodes: " + points.size());
        double first = points.subList(0, 20).stream().mapToDouble(LearningCurve.Point::episodeReturn).average().orElseThrow();
        double best = points.stream().mapToDouble(LearningCurve.Point::recentReturn).max().orElseThrow();
        double last = points.getLast().recentReturn();
        assertTrue(best >= 200, "best recent mean " + best + " (first episodes " + first + ")");
        assertTrue(last >= 5 * first, "final recent mean " + last + " against " + first + " for the first episodes");
    }
}
