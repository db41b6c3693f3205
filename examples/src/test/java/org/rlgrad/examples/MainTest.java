package org.rlgrad.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Main's own usage names every command it dispatches. */
class MainTest {
    @Test
    void theUsageNamesEveryCommand() {
        for (String command : new String[] {"train --algo ALGO --env ENV", "demo [--steps N]", "autograd-demo [--dot FILE]", "bench", "help"}) {
            assertTrue(Main.USAGE.contains("\n  " + command), command + " in\n" + Main.USAGE);
        }
    }
}
