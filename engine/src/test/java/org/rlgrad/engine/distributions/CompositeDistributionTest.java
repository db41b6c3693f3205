package org.rlgrad.engine.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.engine.distributions.CategoricalTest.f64;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.Tensor;

/** CompositeDistribution: per-head keys, the scoped aggregation flag, and the Monte-Carlo entropy fallback. */
class CompositeDistributionTest {
    /** A gamma that hides its closed-form entropy, so the composite must estimate it. */
    record NoEntropy(Distribution inner) implements Distribution {
        @Override public int[] batchShape() { return inner.batchShape(); }
        @Override public int[] eventShape() { return inner.eventShape(); }
        @Override public Support support() { return inner.support(); }
        @Override public Tensor sample(RandomSource random, int... s) { return inner.sample(random, s); }
        @Override public boolean hasRsample() { return inner.hasRsample(); }
        @Override public Tensor rsample(RandomSource random, int... s) { return inner.rsample(random, s); }
        @Override public Tensor logProb(Tensor value) { return inner.logProb(value); }
    }

    /** A batch of 2: a categorical head over 3 actions, and a Dirichlet head (one more batch dim of 2, event 3). */
    static CompositeDistribution twoHeads() {
        LinkedHashMap<String, Distribution> heads = new LinkedHashMap<>();
        heads.put("action", Categorical.fromProbs(f64(new double[] {0.2, 0.3, 0.5, 0.6, 0.2, 0.2}, 2, 3)));
        heads.put("mix", new Dirichlet(f64(new double[] {1, 1, 1, 2, 3, 4, 1, 1, 1, 1, 2, 1}, 2, 2, 3)));
        return new CompositeDistribution(heads, new int[] {2}, Map.of("action", "act"), null, null);
    }

    @Test
    void logProbsArePerHeadByDefaultAndSummedWhenAggregating() {
        CompositeDistribution c = twoHeads();
        LinkedHashMap<String, Tensor> x = new LinkedHashMap<>();
        x.put("act", Tensor.of(new long[] {2, 0}, 2));
        x.put("mix", f64(new double[] {0.2, 0.5, 0.3, 0.2, 0.3, 0.5, 0.1, 0.1, 0.8, 0.25, 0.5, 0.25}, 2, 2, 3));
        assertFalse(CompositeDistribution.isAggregatingProbabilities());
        Map<String, Tensor> perHead = c.logProb(x);
        assertEquals(List.of("act_log_prob", "mix_log_prob"), List.copyOf(perHead.keySet()));
        assertArrayEquals(new double[] {Math.log(0.5), Math.log(0.6)}, perHead.get("act_log_prob").toDoubleArray(), 1e-15);
        double[] mix = perHead.get("mix_log_prob").toDoubleArray();
        assertArrayEquals(new int[] {2, 2}, perHead.get("mix_log_prob").shape());
        // Dirichlet(1,1,1) scores ln 2 anywhere; Dirichlet(2,3,4) at (0.2, 0.3, 0.5) is ln(3360 · 0.2 · 0.09 · 0.125); Dirichlet(1,2,1): 6 y.
        assertArrayEquals(new double[] {Math.log(2), Math.log(3360 * 0.2 * 0.09 * 0.125), Math.log(2), Math.log(6 * 0.5)}, mix, 1e-14);
        try (var scope = CompositeDistribution.aggregateProbabilities(true)) {
            Map<String, Tensor> total = c.logProb(x);
            assertEquals(List.of("sample_log_prob"), List.copyOf(total.keySet()));
            assertArrayEquals(new double[] {Math.log(0.5) + mix[0] + mix[1], Math.log(0.6) + mix[2] + mix[3]},
                    total.get("sample_log_prob").toDoubleArray(), 1e-14);
        }
        assertFalse(CompositeDistribution.isAggregatingProbabilities(), "the scope restores the flag");
    }

    @Test
    void drawsAndPointEstimatesAreKeyedBySampleKey() {
        CompositeDistribution c = twoHeads();
        Map<String, Tensor> x = c.sample(new Generator(4), 5);
        assertEquals(List.of("act", "mix"), List.copyOf(x.keySet()));
        assertArrayEquals(new int[] {5, 2}, x.get("act").shape());
        assertArrayEquals(new int[] {5, 2, 2, 3}, x.get("mix").shape());
        assertArrayEquals(new long[] {2, 0}, c.mode().get("act").toLongArray());
        try (var scope = CompositeDistribution.aggregateProbabilities(true)) {
            CompositeDistribution.Draw d = c.sampleAndLogProb(new Generator(4), false, 5);
            assertArrayEquals(new int[] {5, 2}, d.logProb().get("sample_log_prob").shape());
        }
        assertThrows(UnsupportedOperationException.class, () -> c.rsample(new Generator(1)), "the categorical head cannot reparameterise");
    }

    @Test
    void entropyUsesClosedFormsAndEstimatesTheRest() {
        LinkedHashMap<String, Distribution> heads = new LinkedHashMap<>();
        heads.put("action", Categorical.fromProbs(f64(new double[] {0.5, 0.5}, 1, 2)));
        // Exponential(2): entropy 1 − ln 2, hidden so the composite estimates it.
        heads.put("wait", new NoEntropy(new Gamma(f64(new double[] {1}, 1), f64(new double[] {2}, 1))));
        CompositeDistribution c = new CompositeDistribution(heads, new int[] {1});
        Map<String, Tensor> h = c.entropy(new Generator(8), 40_000);
        assertEquals(Math.log(2), h.get("action_entropy").item(), 1e-15);
        // −ln p(x) = x·2 − ln 2 has standard deviation 1 for the exponential; 5 standard errors over 40,000 draws.
        assertEquals(1 - Math.log(2), h.get("wait_entropy").item(), 5 / Math.sqrt(40_000));
        try (var scope = CompositeDistribution.aggregateProbabilities(true)) {
            Tensor total = c.entropy(new Generator(8), 40_000).get("entropy");
            assertEquals(Math.log(2) + h.get("wait_entropy").item(), total.item(), 1e-12, "the same draws give the same estimate");
        }
        LinkedHashMap<String, Distribution> cannot = new LinkedHashMap<>();
        cannot.put("choice", new NoEntropy(Categorical.fromProbs(f64(new double[] {0.5, 0.5}, 2))));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> new CompositeDistribution(cannot, new int[0]).entropy(new Generator(1), 4));
        assertTrue(e.getMessage().startsWith("CompositeDistribution: head \"choice\" has no closed-form entropy and cannot reparameterise"), e.getMessage());
    }

    @Test
    void missingParametersAndMismatchedShapesNameTheKey() {
        Map<String, Function<Map<String, Tensor>, ? extends Distribution>> kinds = new LinkedHashMap<>();
        kinds.put("action", p -> Categorical.fromLogits(p.get("logits")));
        kinds.put("amount", p -> new Gamma(p.get("concentration"), p.get("rate")));
        Map<String, Map<String, Tensor>> params = new LinkedHashMap<>();
        params.put("action", Map.of("logits", f64(new double[] {0, 1}, 1, 2)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CompositeDistribution.fromParameters(params, kinds, new int[] {1}));
        assertEquals("CompositeDistribution: no parameters for head \"amount\"; the parameters hold [action]", e.getMessage());
        params.put("amount", Map.of("concentration", f64(new double[] {1}, 1), "rate", f64(new double[] {1}, 1)));
        CompositeDistribution c = CompositeDistribution.fromParameters(params, kinds, new int[] {1});
        e = assertThrows(IllegalArgumentException.class, () -> c.logProb(Map.of("action", Tensor.of(new long[] {1}, 1))));
        assertTrue(e.getMessage().startsWith("CompositeDistribution.logProb: the sample has no entry \"amount\""), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CompositeDistribution.fromParameters(params, kinds, new int[] {3}));
        assertTrue(e.getMessage().contains("does not start with the composite's batch shape [3]"), e.getMessage());
    }
}
