package org.rlgrad.engine.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.engine.modules.ModulesFixture.F64;
import static org.rlgrad.engine.modules.ModulesFixture.assertClose;
import static org.rlgrad.engine.modules.ModulesFixture.assertMentions;
import static org.rlgrad.engine.modules.ModulesFixture.seq;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.distributions.CompositeDistribution;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/** The TensorDict accessors of a composite probabilistic module: each head's sample key, and the aggregation setting it was built under. */
class CompositeHeadKeysTest {
    private static ProbabilisticTensorDictModule composite() {
        Map<String, DistributionFactory> dists = new LinkedHashMap<>();
        dists.put("move", DistributionFactory.NORMAL);
        dists.put("pick", DistributionFactory.CATEGORICAL);
        return ProbabilisticTensorDictModule.builder().inKeys("params").composite(dists, Map.of("move", Key.of("agents", "move"))).returnLogProb(true).build();
    }

    @Test
    void headSampleKeysMapEachHeadToItsEntryInHeadOrder() {
        ProbabilisticTensorDictModule m = composite();
        Map<String, Key> keys = m.headSampleKeys();
        assertEquals(List.of("move", "pick"), new ArrayList<>(keys.keySet()));
        assertEquals(Key.of("agents", "move"), keys.get("move"), "the name map's entry");
        assertEquals(Key.of("pick"), keys.get("pick"), "a head without one: its own name");
        assertEquals(m.sampleKeys(), List.copyOf(keys.values()), "the same keys as the module's sample keys");
        assertThrows(UnsupportedOperationException.class, () -> keys.put("x", Key.of("x")), "read-only");

        // Reading a head's log-probability by its key gives what the module writes there.
        TensorDict td = new TensorDict(2);
        td.set(Key.of("params", "move", "loc"), seq(-0.5, 0.25, 2, 3));
        td.set(Key.of("params", "move", "scale"), seq(0.5, 0.1, 2, 3));
        td.set(Key.of("params", "pick", "logits"), Tensor.of(F64, new double[] {0, 2, 1, 1, 0, 3}, 2, 3));
        m.forward(td);
        TensorDict perHead = m.logProbPerHead(td);
        for (Map.Entry<String, Key> e : keys.entrySet()) {
            Key lp = e.getValue().withLastSuffix("_log_prob");
            assertClose(td.get(lp), perHead.get(lp), 0, "head " + e.getKey());
        }
    }

    @Test
    void aSingleDistributionHasNoHeads() {
        ProbabilisticTensorDictModule single = ProbabilisticTensorDictModule.builder().inKeys("loc", "scale").distribution(DistributionFactory.NORMAL)
                .outKeys("action").build();
        assertMentions(assertThrows(IllegalStateException.class, single::headSampleKeys), "not composite", "action");
    }

    @Test
    void aggregationIsTheSettingAtConstruction() {
        assertFalse(composite().aggregatesLogProbabilities(), "off by default");
        ProbabilisticTensorDictModule on;
        try (var agg = CompositeDistribution.aggregateProbabilities(true)) {
            on = composite();
        }
        assertTrue(on.aggregatesLogProbabilities(), "built under aggregation, it keeps the setting after the scope closes");
        assertEquals(List.of(ProbabilisticTensorDictModule.AGGREGATED_LOG_PROB_KEY), on.logProbKeys());
    }
}
