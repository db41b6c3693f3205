package org.rlgrad.examples.envs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The registry, the specs of the built-in environments (Gymnasium's), their starts, and their errors. */
class EnvironmentsTest {

    @Test
    void theRegistryKnowsTheFourIdsAndNamesThemWhenAskedForAnother() {
        assertEquals(List.of("CartPole-v1", "Pendulum-v1", "MountainCarContinuous-v0", "Acrobot-v1"), Environments.ids());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Environments.make("MountainCar-v0"));
        assertTrue(e.getMessage().contains("'MountainCar-v0'"), e.getMessage());
        for (String id : Environments.ids()) assertTrue(e.getMessage().contains(id), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VectorEnv.of("Nope-v9", 2, 0));
    }

    @Test
    void specsAreGymnasiums() {
        Environment cart = Environments.make("CartPole-v1"), pend = Environments.make("Pendulum-v1");
        Environment car = Environments.make("MountainCarContinuous-v0"), acro = Environments.make("Acrobot-v1");
        assertEquals(new EnvSpec("CartPole-v1", 4, new ActionSpace.Discrete(2), 500), cart.spec());
        assertEquals(new EnvSpec("Acrobot-v1", 6, new ActionSpace.Discrete(3), 500), acro.spec());
        assertEquals(3, pend.spec().observationDim());
        assertEquals(200, pend.spec().maxEpisodeSteps());
        assertEquals(2, car.spec().observationDim());
        assertEquals(999, car.spec().maxEpisodeSteps());
        ActionSpace.Box box = assertInstanceOf(ActionSpace.Box.class, car.spec().actionSpace());
        assertArrayEquals(new double[] {-1}, box.low());
        assertArrayEquals(new double[] {1}, box.high());
        for (Environment env : List.of(cart, pend, car, acro)) {
            TimeLimit limit = assertInstanceOf(TimeLimit.class, env, "make wraps every built-in environment in its TimeLimit");
            assertEquals(env.spec().maxEpisodeSteps(), limit.maxSteps());
            assertInstanceOf(SettableState.class, env.unwrapped());
            assertFalse(env.unwrapped() instanceof TimeLimit);
        }
    }

    @Test
    void startsAreDrawnFromGymnasiumsRanges() {
        Random rng = new Random(1);
        Acrobot acro = new Acrobot();
        MountainCarContinuous car = new MountainCarContinuous();
        for (int i = 0; i < 200; i++) {
            double[] o = acro.reset(rng), s = acro.state();
            for (double v : s) {
                assertTrue(v >= -0.1 && v <= 0.1, "acrobot start " + v);
                assertEquals((float) v, v, 0.0, "Gymnasium's reset casts the start to float32");
            }
            assertArrayEquals(new double[] {Math.cos(s[0]), Math.sin(s[0]), Math.cos(s[1]), Math.sin(s[1]), s[2], s[3]}, o, 0.0);
            double[] c = car.reset(rng);
            assertTrue(c[0] >= -0.6 && c[0] < -0.4, "mountain car start " + c[0]);
            assertEquals(0.0, c[1]);
        }
    }

    @Test
    void mountainCarRewardsTheGoalAndPenalisesTheActionAsGiven() {
        MountainCarContinuous car = new MountainCarContinuous();
        car.setState(0.449, 0.02);
        Step s = car.step(new double[] {2.0});
        assertTrue(s.terminated());
        assertFalse(s.truncated());
        assertEquals(100 - 0.1 * 4.0, s.reward(), 1e-12, "the penalty is on the unclipped action, as in Gymnasium");
        car.setState(-0.5, 0.0);
        Step pushed = car.step(new double[] {5.0});
        car.setState(-0.5, 0.0);
        Step one = car.step(new double[] {1.0});
        assertArrayEquals(one.observation(), pushed.observation(), 0.0, "the force is clipped to 1");
        assertEquals(-2.5, pushed.reward(), 1e-12);
        car.setState(-1.19, -0.05);
        double[] wall = car.step(new double[] {0.0}).observation();
        assertEquals((float) -1.2, wall[0], 0.0);
        assertEquals(0.0, wall[1], 0.0, "the left wall stops the car");
    }

    @Test
    void acrobotRewardsMinusOneUntilTheTipIsUp() {
        Acrobot acro = new Acrobot();
        acro.setState(0, 0, 0, 0);
        Step rest = acro.step(new double[] {1});
        assertEquals(-1.0, rest.reward());
        assertArrayEquals(new double[] {1, 0, 1, 0, 0, 0}, rest.observation(), 1e-12, "hanging still with no torque stays put");
        acro.setState(Math.PI, 0, 0, 0);
        Step up = acro.step(new double[] {1});
        assertTrue(up.terminated());
        assertEquals(0.0, up.reward());
        assertEquals(Math.PI, Acrobot.wrap(3 * Math.PI, -Math.PI, Math.PI), 1e-12);
        assertEquals(-3.0, Acrobot.wrap(-3.0 - 4 * Math.PI, -Math.PI, Math.PI), 1e-12);
    }

    @Test
    void errorsSayWhatWasExpected() {
        for (String id : Environments.ids()) {
            Environment env = Environments.make(id);
            IllegalStateException early = assertThrows(IllegalStateException.class, () -> env.step(new double[] {0}));
            assertTrue(early.getMessage().contains("before reset"), early.getMessage());
            env.reset(new Random(0));
            IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> env.step(new double[] {0, 0}));
            assertTrue(wrong.getMessage().contains(id) && wrong.getMessage().contains("got 2"), wrong.getMessage());
        }
        Environment acro = Environments.make("Acrobot-v1");
        acro.reset(new Random(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> acro.step(new double[] {3}));
        assertTrue(e.getMessage().contains("0..2") && e.getMessage().contains("3.0"), e.getMessage());
        Environment car = Environments.make("MountainCarContinuous-v0");
        car.reset(new Random(0));
        e = assertThrows(IllegalArgumentException.class, () -> car.step(new double[] {Double.NaN}));
        assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ((SettableState) car.unwrapped()).setState(1, 2, 3));
        assertTrue(e.getMessage().contains("2 numbers") && e.getMessage().contains("got 3"), e.getMessage());

        Acrobot done = new Acrobot();
        done.setState(Math.PI, 0, 0, 0);
        done.step(new double[] {1});
        IllegalStateException after = assertThrows(IllegalStateException.class, () -> done.step(new double[] {1}));
        assertTrue(after.getMessage().contains("after the episode terminated"), after.getMessage());
    }

    @Test
    void unwrappedReachesThroughWrappers() {
        Acrobot inner = new Acrobot();
        assertSame(inner, new TimeLimit(new TimeLimit(inner, 10), 20).unwrapped());
        assertSame(inner, inner.unwrapped());
    }
}
