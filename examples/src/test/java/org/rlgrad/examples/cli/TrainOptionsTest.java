package org.rlgrad.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** Parsing {@code ./rlgrad train}'s arguments: what is accepted, the defaults, and what each mistake says. */
class TrainOptionsTest {

    @Test
    void theRequiredFlagsAloneGiveTheDefaults() throws UsageException {
        TrainOptions o = TrainOptions.parse("--algo", "ppo", "--env", "CartPole-v1");
        assertEquals("ppo", o.algorithm());
        assertEquals("CartPole-v1", o.envId());
        assertNull(o.steps(), "no --steps: the trainer's own default");
        assertEquals(0, o.seed());
        assertEquals(Path.of("runs", "ppo-CartPole-v1-0"), o.outputDirectory());
        assertTrue(!o.help());
    }

    @Test
    void everyFlagInEitherSpellingAndAnyOrder() throws UsageException {
        TrainOptions o = TrainOptions.parse("--seed=7", "--out", "/tmp/x", "--steps", "100_000", "--env=Pendulum-v1", "--algo", "a2c");
        assertEquals("a2c", o.algorithm());
        assertEquals("Pendulum-v1", o.envId());
        assertEquals(100_000L, o.steps());
        assertEquals(7, o.seed());
        assertEquals(Path.of("/tmp/x"), o.outputDirectory());
        assertEquals(Path.of("runs", "a2c-Pendulum-v1-3"), TrainOptions.parse("--algo", "a2c", "--env", "Pendulum-v1", "--seed", "3").outputDirectory());
        assertEquals(-3, TrainOptions.parse("--algo", "a2c", "--env", "Pendulum-v1", "--seed", "-3").seed());
    }

    @Test
    void helpWinsOverEverythingElse() throws UsageException {
        assertTrue(TrainOptions.parse("--algo", "nope", "--help").help());
        assertTrue(TrainOptions.parse("-h").help());
    }

    @Test
    void eachMistakeIsNamed() {
        assertMessage("unknown algorithm 'dqn2'", "--algo", "dqn2", "--env", "CartPole-v1");
        assertMessage("unknown environment 'CartPole-v0'", "--algo", "ppo", "--env", "CartPole-v0");
        assertMessage("--algo is required", "--env", "CartPole-v1");
        assertMessage("--env is required", "--algo", "ppo");
        assertMessage("unknown option '--lr'", "--algo", "ppo", "--env", "CartPole-v1", "--lr", "0.1");
        assertMessage("unknown option '--step'", "--algo", "ppo", "--env", "CartPole-v1", "--step=5");
        assertMessage("unexpected argument 'extra'", "--algo", "ppo", "--env", "CartPole-v1", "extra");
        assertMessage("--steps expects a whole number, got '1e5'", "--algo", "ppo", "--env", "CartPole-v1", "--steps", "1e5");
        assertMessage("--steps expects a positive number, got 0", "--algo", "ppo", "--env", "CartPole-v1", "--steps", "0");
        assertMessage("--steps expects a positive number, got -5", "--algo", "ppo", "--env", "CartPole-v1", "--steps", "-5");
        assertMessage("--seed expects a whole number, got 'zero'", "--algo", "ppo", "--env", "CartPole-v1", "--seed", "zero");
        assertMessage("--steps needs a value", "--algo", "ppo", "--env", "CartPole-v1", "--steps");
        assertMessage("--algo given twice", "--algo", "ppo", "--algo", "a2c", "--env", "CartPole-v1");
        assertMessage("--out needs a directory", "--algo", "ppo", "--env", "CartPole-v1", "--out=");
    }

    private static void assertMessage(String expected, String... args) {
        UsageException e = assertThrows(UsageException.class, () -> TrainOptions.parse(args));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }
}
