package org.rlgrad.examples.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.examples.training.replay.PrioritizedReplayBuffer;

/** Short runs of the off-policy trainers: the loop's bookkeeping, not learning (the testsuite's learning tests do that). */
class OffPolicyTrainersTest {
    @Test
    void theRegistryMakesEachTrainerForItsKindOfActions() {
        for (String name : List.of("dqn", "ddpg", "td3", "sac")) assertTrue(Algorithms.names().contains(name), name);
        assertEquals("dqn", Algorithms.create("dqn", "CartPole-v1", 1).algorithm());
        assertEquals("sac", Algorithms.create("sac", "Pendulum-v1", 1).algorithm());
        assertThrows(IllegalArgumentException.class, () -> Algorithms.create("dqn", "Pendulum-v1", 1));
        assertThrows(IllegalArgumentException.class, () -> Algorithms.create("td3", "CartPole-v1", 1));
    }

    @Test
    void warmUpThenUpdatesWithProgressReports() {
        for (String name : List.of("ddpg", "td3", "sac")) {
            OffPolicyTrainer t = (OffPolicyTrainer) Algorithms.create(name, "Pendulum-v1", 3);
            List<Progress> reports = new ArrayList<>();
            LearningCurve curve = t.train(1_200, reports::add);
            assertEquals(1_200, t.frames());
            assertEquals(201, t.updates(), name + ": one update after each frame 1000, 1001, ..., 1200");
            assertEquals(1_200, t.buffer().size());
            assertEquals(6, curve.points().size(), name + ": six 200-step episodes");
            assertEquals(1_200, reports.getLast().frames());
            assertTrue(Double.isFinite(t.evaluate(2, 5)), name);
        }
    }

    @Test
    void dqnWithPrioritizedReplayMovesThePrioritiesAndIsSeeded() {
        DQNTrainer.Config c = DQNTrainer.Config.defaults().withPrioritized(true);
        DQNTrainer a = new DQNTrainer("CartPole-v1", 4, c), b = new DQNTrainer("CartPole-v1", 4, c);
        a.train(1_400, ProgressListener.NONE);
        b.train(1_400, ProgressListener.NONE);
        PrioritizedReplayBuffer buffer = (PrioritizedReplayBuffer) a.buffer();
        assertEquals(202, a.updates(), "2 updates after each 4-frame rollout ending at frame 1000, 1004, ..., 1400");
        int moved = 0;
        for (int i = 0; i < buffer.size(); i++) if (buffer.mass(i) != 1.0) moved++;
        assertTrue(moved > 50, "the loss's TD errors replaced the initial priorities of " + moved + " transitions");
        assertEquals(a.evaluate(3, 9), b.evaluate(3, 9), 0.0, "one seed, one run");
        assertNotEquals(0, a.evaluate(1, 9));
    }
}
