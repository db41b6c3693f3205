package org.rlgrad.testsuite.learning;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.rlgrad.examples.training.Algorithms;
import org.rlgrad.examples.training.ProgressListener;
import org.rlgrad.examples.training.Trainer;

/**
 * DDPG learns something on the pendulum in a short run: after 5,000 steps its deterministic policy
 * does clearly better than the same, untrained policy on the same 10 evaluation episodes (seed 1:
 * -1194 before, -227 after; seeds 2 and 3: -1336 to -151, -1212 to -136).
 */
@Tag("learning")
class DDPGPendulumSmokeTest {
    @Test
    void aShortRunImprovesTheReturnClearly() {
        Trainer ddpg = Algorithms.create("ddpg", "Pendulum-v1", 1);
        double before = ddpg.evaluate(10, 7);
        ddpg.train(5_000, ProgressListener.NONE);
        double after = ddpg.evaluate(10, 7);
        assertTrue(after > before + 300, "DDPG on Pendulum-v1: mean return " + before + " untrained, " + after + " after 5,000 steps; expected a gain above 300");
    }
}
