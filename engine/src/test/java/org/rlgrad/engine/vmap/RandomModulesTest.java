package org.rlgrad.engine.vmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class RandomModulesTest {
    static class Deterministic {}

    static class Noisy {
        static {
            RandomModules.register(Noisy.class);
        }
    }

    static class NoisierStill extends Noisy {}

    @Test
    void aRegisteredModuleOrASubclassMakesTheDefaultDifferent() {
        Noisy noisy = new Noisy();
        assertTrue(RandomModules.isRandom(noisy));
        assertTrue(RandomModules.isRandom(new NoisierStill()));
        assertFalse(RandomModules.isRandom(new Deterministic()));
        assertEquals(Randomness.ERROR, RandomModules.defaultRandomness(List.of(new Deterministic(), "a string")));
        assertEquals(Randomness.DIFFERENT, RandomModules.defaultRandomness(List.of(new Deterministic(), noisy)));
        assertEquals(Randomness.ERROR, RandomModules.defaultRandomness(List.of()));
    }
}
