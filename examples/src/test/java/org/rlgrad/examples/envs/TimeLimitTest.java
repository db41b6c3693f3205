package org.rlgrad.examples.envs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

/** Gymnasium's TimeLimit semantics: truncated on the step that reaches the limit, unless that step terminated. */
class TimeLimitTest {
    /** Counts its steps; terminates on step {@code terminateAt} (0: never). */
    private static final class Counter implements Environment {
        private final int terminateAt;
        private int steps;

        Counter(int terminateAt) { this.terminateAt = terminateAt; }

        @Override
        public EnvSpec spec() { return new EnvSpec("Counter", 1, new ActionSpace.Discrete(2), 0); }

        @Override
        public double[] reset(RandomGenerator rng) {
            steps = 0;
            return new double[] {0};
        }

        @Override
        public Step step(double[] action) {
            steps++;
            return new Step(new double[] {steps}, 1, steps == terminateAt, false);
        }
    }

    @Test
    void truncatesExactlyAtTheLimitAndCountsAgainFromReset() {
        TimeLimit env = new TimeLimit(new Counter(0), 3);
        for (int episode = 0; episode < 2; episode++) {
            env.reset(new Random(0));
            Step s1 = env.step(new double[] {0}), s2 = env.step(new double[] {0}), s3 = env.step(new double[] {0});
            assertFalse(s1.done());
            assertFalse(s2.done());
            assertTrue(s3.truncated());
            assertFalse(s3.terminated());
            assertEquals(3.0, s3.observation()[0], "the inner step is passed through");
        }
    }

    @Test
    void terminationOnTheLastStepIsNotTruncation() {
        TimeLimit env = new TimeLimit(new Counter(3), 3);
        env.reset(new Random(0));
        env.step(new double[] {0});
        env.step(new double[] {0});
        Step last = env.step(new double[] {0});
        assertTrue(last.terminated());
        assertFalse(last.truncated());
    }

    @Test
    void errors() {
        assertThrows(IllegalArgumentException.class, () -> new TimeLimit(new Counter(0), 0));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new TimeLimit(new Counter(0), 2).step(new double[] {0}));
        assertTrue(e.getMessage().contains("before reset"), e.getMessage());
    }

    @Test
    void theBuiltInLimitTruncatesAPendulumAt200() {
        Environment env = Environments.make("Pendulum-v1");
        env.reset(new Random(4));
        for (int t = 1; t < 200; t++) assertFalse(env.step(new double[] {0.3}).done(), "step " + t);
        Step last = env.step(new double[] {0.3});
        assertTrue(last.truncated());
        assertFalse(last.terminated());
    }
}
