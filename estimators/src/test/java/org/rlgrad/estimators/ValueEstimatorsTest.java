package org.rlgrad.estimators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The enum of spec estimators.md §6.11: descriptions, aliases, defaults, and what it builds. */
class ValueEstimatorsTest {
    @Test
    void membersCarryTheReferenceDescriptions() {
        assertEquals("Bootstrapped TD (1-step return)", ValueEstimators.TD0.description());
        assertEquals("TD(1) (infinity-step return)", ValueEstimators.TD1.description());
        assertEquals("TD(lambda)", ValueEstimators.TDLambda.description());
        assertEquals("Generalized advantage estimate", ValueEstimators.GAE.description());
        assertEquals("Multi-agent generalized advantage estimate", ValueEstimators.MAGAE.description());
        assertEquals("V-trace", ValueEstimators.VTrace.description());
    }

    @Test
    void aliasesMatchCaseInsensitively() {
        assertEquals(List.of("td0", "td1", "tdlambda", "gae", "magae", "vtrace"), ValueEstimators.aliases());
        assertEquals(ValueEstimators.TDLambda, ValueEstimators.parse("TDLambda"));
        assertEquals(ValueEstimators.GAE, ValueEstimators.parse("gae"));
        assertEquals(ValueEstimators.VTrace, ValueEstimators.of("VTRACE"));
        assertEquals(ValueEstimators.MAGAE, ValueEstimators.of(ValueEstimators.MAGAE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ValueEstimators.parse("td2"));
        assertTrue(e.getMessage().contains("'td2'") && e.getMessage().contains("[td0, td1, tdlambda, gae, magae, vtrace]"), e.getMessage());
        assertThrows(ClassCastException.class, () -> ValueEstimators.of(3));
    }

    @Test
    void defaultsPerType() {
        for (ValueEstimators v : ValueEstimators.values()) {
            EstimatorHyperparameters h = ValueEstimators.defaultValueKwargs(v);
            assertEquals(0.99, h.gamma());
            assertTrue(h.differentiable(), v + ": differentiable by default for losses");
            if (v == ValueEstimators.TDLambda || v == ValueEstimators.GAE || v == ValueEstimators.MAGAE) assertEquals(0.95, h.lambda());
            else assertNull(h.lambda(), v + " takes no λ");
            assertNotSame(h, ValueEstimators.defaultValueKwargs(v), "a fresh object each time");
        }
        EstimatorHyperparameters changed = ValueEstimators.defaultValueKwargs(ValueEstimators.GAE).withGamma(0.9);
        assertEquals(0.9, changed.gamma());
        assertEquals(0.99, ValueEstimators.defaultValueKwargs(ValueEstimators.GAE).gamma(), "the defaults are unchanged");
    }

    @Test
    void createBuildsEachClassWithTheHyperparameters() {
        assertInstanceOf(TD0Estimator.class, ValueEstimators.TD0.create(ValueEstimators.defaultValueKwargs(ValueEstimators.TD0), null, null));
        assertInstanceOf(TD1Estimator.class, ValueEstimators.TD1.create(ValueEstimators.defaultValueKwargs(ValueEstimators.TD1), null, null));
        GAE gae = (GAE) ValueEstimators.GAE.create(ValueEstimators.defaultValueKwargs(ValueEstimators.GAE).withLambda(0.5), null, null);
        assertEquals(Coefficient.of(0.5), gae.lambda());
        assertEquals(Coefficient.of(0.99), gae.gamma());
        assertTrue(gae.differentiable());
        assertInstanceOf(TDLambdaEstimator.class, ValueEstimators.TDLambda.create(ValueEstimators.defaultValueKwargs(ValueEstimators.TDLambda), null, null));
        assertInstanceOf(MultiAgentGAE.class, ValueEstimators.MAGAE.create(ValueEstimators.defaultValueKwargs(ValueEstimators.MAGAE), null, null));
        assertThrows(IllegalArgumentException.class,
                () -> ValueEstimators.TD0.create(ValueEstimators.defaultValueKwargs(ValueEstimators.TD0).withLambda(0.9), null, null));
        assertThrows(IllegalArgumentException.class, () -> ValueEstimators.VTrace.create(ValueEstimators.defaultValueKwargs(ValueEstimators.VTrace), null, null),
                "V-trace needs an actor");
    }
}
