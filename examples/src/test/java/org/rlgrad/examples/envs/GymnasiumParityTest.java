package org.rlgrad.examples.envs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * The built-in environments replay Gymnasium's own trajectories ({@code trajectories.json}, made by
 * {@code make_trajectories.py} with the Gymnasium version it records): the same initial state (set
 * through {@link SettableState}, as the script sets {@code env.unwrapped.state}), the same actions,
 * and at every step the same state, observation, reward, terminated and truncated.
 *
 * <p>Tolerances: the float64 state and the reward within {@code 1e-9} relative (absolute near 0),
 * the only difference being the sine and cosine of NumPy/libm against Java's, about one ulp, which
 * the chaotic Acrobot grows over 500 steps (measured with Gymnasium 1.3.0 / NumPy 2.4.6: every
 * trajectory bit-identical but acrobot_varied_truncated, at most 1.5e-12 relative by its step 500,
 * and six Pendulum steps at the last bit); Gymnasium hands out float32 observations, so the
 * observation is compared after rounding ours to float32, within one float32 ulp (a float64
 * that differs in its last bits can round to the neighbouring float32). Terminated and truncated
 * must be equal at every step, and the episode must end exactly where Gymnasium's did.
 */
class GymnasiumParityTest {
    private static final double REL = 1e-9, ABS = 1e-12;

    @Test
    void theReferenceFileCoversEveryBuiltInEnvironmentTerminationAndTruncation() {
        List<GymnasiumTrajectories.Trajectory> all = GymnasiumTrajectories.all();
        assertTrue(GymnasiumTrajectories.gymnasiumVersion().matches("\\d+\\.\\d+\\.\\d+.*"), GymnasiumTrajectories.gymnasiumVersion());
        assertEquals(Set.copyOf(Environments.ids()), all.stream().map(GymnasiumTrajectories.Trajectory::id).collect(Collectors.toSet()));
        assertTrue(all.stream().anyMatch(t -> t.id().equals(CartPole.ID) && t.steps().getLast().terminated()));
        for (String id : List.of(MountainCarContinuous.ID, Acrobot.ID)) {
            assertTrue(all.stream().anyMatch(t -> t.id().equals(id) && t.steps().getLast().terminated()), id + " reaches its goal in one trajectory");
            assertTrue(all.stream().anyMatch(t -> t.id().equals(id) && t.steps().getLast().truncated()), id + " is truncated in one trajectory");
        }
        assertTrue(all.stream().anyMatch(t -> t.id().equals(Pendulum.ID) && t.steps().getLast().truncated()));
    }

    @Test
    void everyTrajectoryIsReplayedStepByStep() {
        for (GymnasiumTrajectories.Trajectory t : GymnasiumTrajectories.all()) replay(t);
    }

    private static void replay(GymnasiumTrajectories.Trajectory t) {
        Environment env = Environments.make(t.id());
        assertEquals(t.maxEpisodeSteps(), env.spec().maxEpisodeSteps(), t.name() + ": the TimeLimit");
        env.reset(new Random(0));
        ((SettableState) env.unwrapped()).setState(t.initialState());
        for (int i = 0; i < t.steps().size(); i++) {
            GymnasiumTrajectories.RecordedStep want = t.steps().get(i);
            Step got = env.step(t.actions().get(i));
            String where = t.name() + " step " + (i + 1);
            assertClose(want.state(), ((SettableState) env.unwrapped()).state(), where + " state");
            assertEquals(want.observation().length, got.observation().length, where + " observation length");
            for (int j = 0; j < want.observation().length; j++) {
                float ours = (float) got.observation()[j], theirs = (float) want.observation()[j];
                if (Math.abs(ours - theirs) > Math.ulp(theirs)) fail(where + " observation[" + j + "]: Gymnasium " + theirs + ", ours " + ours);
            }
            assertClose(new double[] {want.reward()}, new double[] {got.reward()}, where + " reward");
            assertEquals(want.terminated(), got.terminated(), where + " terminated");
            assertEquals(want.truncated(), got.truncated(), where + " truncated");
            if (i < t.steps().size() - 1) assertFalse(got.done(), where + ": the episode ended before Gymnasium's");
        }
        assertTrue(t.steps().getLast().terminated() || t.steps().getLast().truncated(), t.name() + " ends its episode");
    }

    private static void assertClose(double[] want, double[] got, String what) {
        assertEquals(want.length, got.length, what + " length");
        for (int j = 0; j < want.length; j++) {
            double tol = Math.max(ABS, REL * Math.abs(want[j]));
            if (!(Math.abs(want[j] - got[j]) <= tol)) fail(what + "[" + j + "]: Gymnasium " + want[j] + ", ours " + got[j] + " (|diff| " + Math.abs(want[j] - got[j]) + ")");
        }
    }
}
