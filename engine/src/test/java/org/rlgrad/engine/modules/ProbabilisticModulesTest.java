package org.rlgrad.engine.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.engine.modules.ModulesFixture.F64;
import static org.rlgrad.engine.modules.ModulesFixture.assertClose;
import static org.rlgrad.engine.modules.ModulesFixture.assertMentions;
import static org.rlgrad.engine.modules.ModulesFixture.linear;
import static org.rlgrad.engine.modules.ModulesFixture.seq;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.distributions.CompositeDistribution;
import org.rlgrad.engine.distributions.Delta;
import org.rlgrad.engine.distributions.Distribution;
import org.rlgrad.engine.distributions.Support;
import org.rlgrad.engine.distributions.TanhNormal;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.random.ReplayedDraws;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/** Probabilistic modules and actors (spec 3.6 to 3.9): dispatch by interaction type, log-prob keys, composites, Actor, ValueOperator. */
class ProbabilisticModulesTest {
    static final Tensor LOC = seq(-0.6, 0.2, 2, 3);
    static final Tensor SCALE = seq(0.5, 0.1, 2, 3);

    static TensorDict params() {
        return TensorDict.of(new int[] {2}, "loc", LOC, "scale", SCALE);
    }

    static ProbabilisticTensorDictModule.Builder tanhNormal() {
        return ProbabilisticTensorDictModule.builder().inKeys("loc", "scale").outKeys("action").distribution(DistributionFactory.TANH_NORMAL);
    }

    // ------------------------------------------------------------------ interaction type

    @Test
    void interactionTypeParsesAnyCaseAndScopesDefaultToUnset() {
        assertEquals(InteractionType.RANDOM, InteractionType.parse("random"));
        assertEquals(InteractionType.DETERMINISTIC, InteractionType.parse("Deterministic"));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> InteractionType.parse("greedy")), "MODE, MEDIAN, MEAN, RANDOM, DETERMINISTIC", "\"greedy\"");
        assertNull(InteractionType.current(), "unset by default");
        try (var a = InteractionType.set("mode")) {
            assertEquals(InteractionType.MODE, InteractionType.current());
            try (var b = InteractionType.set(InteractionType.RANDOM)) {
                assertEquals(InteractionType.RANDOM, InteractionType.current());
            }
            assertEquals(InteractionType.MODE, InteractionType.current(), "nested scope restored");
        }
        assertNull(InteractionType.current());
    }

    @Test
    void tanhNormalDeterministicIsTanhOfLocAndRandomIsTheReparameterisedDraw() {
        ProbabilisticTensorDictModule m = tanhNormal().build();
        TensorDict td = m.forward(params());
        assertClose(LOC.tanh(), td.get("action"), 1e-12, "DETERMINISTIC (the default) = tanh(loc)");
        Tensor loc = LOC.detach().requiresGrad(true);
        ProbabilisticTensorDictModule r = tanhNormal().randomSource(new Generator(7)).build();
        TensorDict d;
        try (var s = InteractionType.set(InteractionType.RANDOM)) {
            d = r.forward(TensorDict.of(new int[] {2}, "loc", loc, "scale", SCALE));
        }
        Tensor eps = new Generator(7).normal(new int[] {2, 3}, F64);
        assertClose(loc.detach().add(SCALE.mul(eps)).tanh(), d.get("action"), 1e-12, "RANDOM = tanh(loc + scale * eps) from the module's generator");
        d.get("action").sum().backward();
        assertNotNull(loc.grad(), "TanhNormal has rsample: the draw is differentiable");
        assertThrows(UnsupportedOperationException.class, () -> {
            try (var s = InteractionType.set(InteractionType.MODE)) {
                m.forward(params());
            }
        }, "TanhNormal has no mode");
    }

    @Test
    void replayedDrawsAreUsed() {
        Tensor eps = seq(-1, 0.4, 2, 3);
        ReplayedDraws replay = new ReplayedDraws(List.of(new ReplayedDraws.Draw("Normal.rsample", ReplayedDraws.Kind.STANDARD_NORMAL, eps)));
        ProbabilisticTensorDictModule m = tanhNormal().randomSource(replay).defaultInteractionType(InteractionType.RANDOM).build();
        assertClose(LOC.add(SCALE.mul(eps)).tanh(), m.forward(params()).get("action"), 1e-12, "replayed noise");
        replay.checkAllUsed();
    }

    @Test
    void meanWithoutClosedFormIsTheEmpiricalMean() {
        ProbabilisticTensorDictModule m = tanhNormal().randomSource(new Generator(3)).nEmpiricalEstimate(50).build();
        TensorDict td;
        try (var s = InteractionType.set(InteractionType.MEAN)) {
            td = m.forward(params());
        }
        Tensor eps = new Generator(3).normal(new int[] {50, 2, 3}, F64);
        Tensor expected = LOC.add(SCALE.mul(eps)).tanh().mean(0);
        assertClose(expected, td.get("action"), 1e-12, "average of 50 draws");
        try (var s = InteractionType.set(InteractionType.MEDIAN)) {
            assertMentions(assertThrows(UnsupportedOperationException.class, () -> m.forward(params())), "MEDIAN", "TanhNormal", "not implemented");
        }
    }

    @Test
    void deterministicFallbackByFamily() {
        Tensor logits = Tensor.of(F64, new double[] {0.1, 2.0, 0.3, 1.5, -1, 1.5}, 2, 3);
        TensorDict td = TensorDict.of(new int[] {2}, "logits", logits);
        // Categorical defines its deterministic sample: the first argmax.
        ProbabilisticTensorDictModule cat = ProbabilisticTensorDictModule.builder().inKeys("logits").outKeys("a").distribution(DistributionFactory.CATEGORICAL).build();
        assertEquals(List.of(1L, 0L), java.util.Arrays.stream(cat.forward(td.copy()).get("a").toLongArray()).boxed().toList());
        // One-hot: ties give several ones.
        ProbabilisticTensorDictModule oh = ProbabilisticTensorDictModule.builder().inKeys("logits").outKeys("a").distribution(DistributionFactory.ONE_HOT_CATEGORICAL).build();
        assertClose(Tensor.of(new long[] {0, 1, 0, 1, 0, 1}, 2, 3), oh.forward(td.copy()).get("a"), 0, "one-hot mode");
        // Bernoulli defines no deterministic sample: discrete support, so its mode (p > 1/2).
        Tensor bl = Tensor.of(F64, new double[] {-2, 0.5, 3}, 3);
        ProbabilisticTensorDictModule bern = ProbabilisticTensorDictModule.builder().inKeys("logits").outKeys("a").distribution(DistributionFactory.BERNOULLI).build();
        Tensor b = bern.forward(TensorDict.of(new int[] {3}, "logits", bl)).get("a");
        assertClose(Tensor.of(F64, new double[] {0, 1, 1}, 3), b.to(F64), 0, "Bernoulli: mode");
        // Normal: loc; Delta: the parameter itself.
        ProbabilisticTensorDictModule normal = ProbabilisticTensorDictModule.builder().inKeys("loc", "scale").outKeys("a").distribution(DistributionFactory.NORMAL).build();
        assertClose(LOC, normal.forward(params()).get("a"), 0, "Normal: loc");
        ProbabilisticTensorDictModule delta = ProbabilisticTensorDictModule.builder().inKeys(Key.of("p", "param")).outKeys("a").build();
        assertClose(LOC, delta.forward(TensorDict.of(new int[] {2}, Key.of("p", "param"), LOC)).get("a"), 0, "Delta (default class), argument named by the last key element");
        // Distributions from outside the engine without a deterministic sample: mean for a real support, mode for a discrete one.
        assertClose(LOC.mul(10), InteractionSampling.deterministic(new PointEstimates(LOC, Support.REAL)), 0, "real support: the mean");
        assertClose(LOC.mul(20), InteractionSampling.deterministic(new PointEstimates(LOC, Support.BOOLEAN)), 0, "discrete support: the mode");
    }

    /** A distribution with distinct mean (10 x) and mode (20 x) and no deterministic sample of its own. */
    record PointEstimates(Tensor x, Support support) implements Distribution {
        @Override public int[] batchShape() { return x.shape(); }
        @Override public int[] eventShape() { return new int[0]; }
        @Override public Tensor sample(org.rlgrad.engine.random.RandomSource random, int... shape) { throw new AssertionError(); }
        @Override public boolean hasRsample() { return false; }
        @Override public Tensor logProb(Tensor value) { throw new AssertionError(); }
        @Override public Tensor mean() { return x.mul(10); }
        @Override public Tensor mode() { return x.mul(20); }
    }

    @Test
    void randomUsesSampleWithoutRsampleAndNumSamplesExpandsTheDict() {
        Tensor logits = seq(0, 0.5, 2, 3);
        ProbabilisticTensorDictModule cat = ProbabilisticTensorDictModule.builder().inKeys("logits").outKeys("a").distribution(DistributionFactory.CATEGORICAL)
                .defaultInteractionType(InteractionType.RANDOM).numSamples(4).randomSource(new Generator(11)).build();
        TensorDict out = cat.forward(TensorDict.of(new int[] {2}, "logits", logits));
        assertEquals(List.of(4, 2), java.util.Arrays.stream(out.batchSize()).boxed().toList(), "the dict is expanded to [numSamples, *B]");
        assertEquals(List.of(4, 2, 3), java.util.Arrays.stream(out.get("logits").shape()).boxed().toList());
        Tensor expected = org.rlgrad.engine.distributions.Categorical.fromLogits(logits).sample(new Generator(11), 4);
        assertClose(expected, out.get("a"), 0, "sample(4) from the same stream");
        // Delta has rsample but hasRsample = false: RANDOM draws are detached.
        Tensor p = LOC.detach().requiresGrad(true);
        ProbabilisticTensorDictModule delta = ProbabilisticTensorDictModule.builder().inKeys("param").outKeys("a").defaultInteractionType(InteractionType.RANDOM).build();
        assertFalse(delta.forward(TensorDict.of(new int[] {2}, "param", p)).get("a").requiresGrad());
    }

    // ------------------------------------------------------------------ log-probabilities

    @Test
    void logProbKeyNaming() {
        ProbabilisticTensorDictModule m = tanhNormal().returnLogProb(true).build();
        assertEquals(List.of(Key.of("action"), Key.of("action_log_prob")), m.outKeys());
        TensorDict td = m.forward(params());
        Tensor expected = TanhNormal.builder(LOC, SCALE).build().logProb(td.get("action"));
        assertClose(expected, td.get("action_log_prob"), 1e-12, "log_prob of the sample");
        assertClose(expected, m.logProb(td), 1e-12, "logProb(td) scores the stored sample");
        ProbabilisticTensorDictModule nested = ProbabilisticTensorDictModule.builder().inKeys("loc", "scale").outKeys(Key.of("agents", "action"))
                .distribution(DistributionFactory.NORMAL).returnLogProb(true).build();
        assertEquals(List.of(Key.of("agents", "action_log_prob")), nested.logProbKeys(), "suffix on the last element");
        ProbabilisticTensorDictModule explicit = tanhNormal().returnLogProb(true).logProbKey("lp").build();
        assertTrue(explicit.forward(params()).contains("lp"));
        try (var agg = CompositeDistribution.aggregateProbabilities(true)) {
            ProbabilisticTensorDictModule on = tanhNormal().returnLogProb(true).build();
            assertEquals(List.of(Key.of("sample_log_prob")), on.logProbKeys(), "aggregation on");
            assertTrue(on.forward(params()).contains("sample_log_prob"));
            assertMentions(assertThrows(IllegalArgumentException.class, () -> tanhNormal().logProbKeys("x_lp").build()), "logProbKeys", "aggregation", "is on");
            assertMentions(assertThrows(IllegalStateException.class, () -> m.forward(params())), "built with composite log-prob aggregation off but called with it on");
        }
        assertMentions(assertThrows(IllegalArgumentException.class, () -> tanhNormal().logProbKey("a").logProbKeys("b").build()), "not both");
    }

    @Test
    void argumentNameMismatchNamesTheDistKeys() {
        ProbabilisticTensorDictModule m = ProbabilisticTensorDictModule.builder().inKeys("loc", "sigma").outKeys("a").distribution(DistributionFactory.NORMAL).build();
        var e = assertThrows(IllegalArgumentException.class, () -> m.forward(TensorDict.of(new int[] {2}, "loc", LOC, "sigma", SCALE)));
        assertMentions(e, "[loc, sigma]", "takes [loc, scale]", "unexpected: [sigma]", "missing: [scale]");
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("loc", "loc");
        map.put("scale", "sigma");
        ProbabilisticTensorDictModule renamed = ProbabilisticTensorDictModule.builder().inKeyMap(map).outKeys("a").distribution(DistributionFactory.NORMAL).build();
        assertClose(LOC, renamed.forward(TensorDict.of(new int[] {2}, "loc", LOC, "sigma", SCALE)).get("a"), 0, "renamed by the map");
        var kw = assertThrows(IllegalArgumentException.class, () -> tanhNormal().distributionKwargs(Map.of("lo", -2.0)).build().forward(params()));
        assertMentions(kw, "unexpected distribution keyword(s) [lo]", "high", "low");
        var missingKey = assertThrows(java.util.NoSuchElementException.class, () -> tanhNormal().build().forward(TensorDict.of(new int[] {2}, "loc", LOC)));
        assertMentions(missingKey, "\"scale\"", "[\"loc\"]");
    }

    @Test
    void distributionKwargsReachTheConstructor() {
        ProbabilisticTensorDictModule m = tanhNormal().distributionKwargs(Map.of("low", -2.0, "high", 3.0)).build();
        Tensor expected = LOC.tanh().mul(2.5).add(0.5);
        assertClose(expected, m.forward(params()).get("action"), 1e-12, "m + h tanh(loc) with bounds [-2, 3]");
    }

    // ------------------------------------------------------------------ composite

    @Test
    void compositeHeadsWriteAtTheirNameMapKeys() {
        Map<String, DistributionFactory> dists = new LinkedHashMap<>();
        dists.put("move", DistributionFactory.NORMAL);
        dists.put("pick", DistributionFactory.CATEGORICAL);
        Map<String, Object> names = Map.of("move", Key.of("action", "move"), "pick", Key.of("action", "pick"));
        Tensor logits = Tensor.of(F64, new double[] {0, 3, 1, 2, 0, 0}, 2, 3);
        TensorDict td = new TensorDict(2);
        td.set(Key.of("params", "move", "loc"), LOC);
        td.set(Key.of("params", "move", "scale"), SCALE);
        td.set(Key.of("params", "pick", "logits"), logits);
        ProbabilisticTensorDictModule m = ProbabilisticTensorDictModule.builder().inKeys("params").composite(dists, names).returnLogProb(true).build();
        assertEquals(List.of(Key.of("action", "move"), Key.of("action", "pick"), Key.of("action", "move_log_prob"), Key.of("action", "pick_log_prob")), m.outKeys());
        m.forward(td);
        assertClose(LOC, td.get(Key.of("action", "move")), 0, "Normal head: loc");
        assertClose(Tensor.of(new long[] {1, 0}, 2), td.get(Key.of("action", "pick")), 0, "Categorical head: argmax");
        Tensor lpMove = new org.rlgrad.engine.distributions.Normal(LOC, SCALE).logProb(LOC);
        assertClose(lpMove, td.get(Key.of("action", "move_log_prob")), 1e-12, "per head, own shape");
        Tensor lpPick = logits.logSoftmax(-1).gather(-1, Tensor.of(new long[] {1, 0}, 2, 1)).squeeze(-1);
        assertClose(lpPick, td.get(Key.of("action", "pick_log_prob")), 1e-12, "categorical head");
        assertClose(lpMove.sum(-1).add(lpPick), m.logProb(td), 1e-12, "logProb(td): the sum, each head summed beyond the batch");
        try (var agg = CompositeDistribution.aggregateProbabilities(true)) {
            ProbabilisticTensorDictModule on = ProbabilisticTensorDictModule.builder().inKeys("params").composite(dists, names).returnLogProb(true).build();
            TensorDict t2 = on.forward(td.copy());
            assertClose(lpMove.sum(-1).add(lpPick), t2.get("sample_log_prob"), 1e-12, "aggregated");
        }
        TensorDict noPick = td.copy();
        noPick.remove(Key.of("params", "pick"));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> m.getCompositeDist(noPick)), "no parameters for head \"pick\"");
        assertMentions(assertThrows(IllegalStateException.class, () -> m.getDist(td)), "composite", "getCompositeDist");
    }

    // ------------------------------------------------------------------ sequences and actors

    @Test
    void probabilisticActorRunsTheNetworkThenSamples() {
        Linear net = linear(3, 6, 21);
        TensorDictSequential params = new TensorDictSequential(
                TensorDictModule.of(net, List.of("observation"), List.of("param")),
                TensorDictModule.builder(new NormalParamExtractorModule()).inKeys("param").outKeys("loc", "scale").build());
        ProbabilisticActor actor = new ProbabilisticActor(params, ProbabilisticTensorDictModule.builder().inKeys("loc", "scale")
                .distribution(DistributionFactory.TANH_NORMAL).returnLogProb(true));
        assertEquals(List.of(Key.of("observation")), actor.inKeys());
        assertEquals(List.of(Key.of("action")), actor.distSampleKeys(), "default out-key");
        Tensor obs = seq(-1, 0.3, 4, 3);
        TensorDict td = actor.forward(TensorDict.of(new int[] {4}, "observation", obs));
        Tensor p = net.forward(obs);
        Tensor loc = p.narrow(-1, 0, 3);
        assertClose(loc.tanh(), td.get("action"), 1e-12, "deterministic action = tanh(loc)");
        Distribution d = actor.getDist(TensorDict.of(new int[] {4}, "observation", obs));
        assertInstanceOf(TanhNormal.class, d);
        assertClose(d.logProb(td.get("action")), td.get("action_log_prob"), 1e-12, "log-prob written");
        assertClose(td.get("action_log_prob"), actor.logProb(td), 1e-12, "logProb(td)");
        // getDist uses the last module's default unless a type is set; under RANDOM the network still runs deterministically here.
        try (var s = InteractionType.set(InteractionType.RANDOM)) {
            TensorDict r = actor.forward(TensorDict.of(new int[] {4}, "observation", obs));
            assertFalse(java.util.Arrays.equals(r.get("action").toDoubleArray(), td.get("action").toDoubleArray()), "random differs from deterministic");
        }
    }

    @Test
    void deterministicPartWritingTheSampleIsNotResampled() {
        TensorDictModule writesAction = TensorDictModule.builder((TensorFunction) (p, n) -> List.of(p.get(0), p.get(0).mul(2))).inKeys("observation").outKeys("param", "action").build();
        ProbabilisticTensorDictSequential s = new ProbabilisticTensorDictSequential(writesAction,
                ProbabilisticTensorDictModule.builder().inKeys("param").outKeys("action").returnLogProb(true).build());
        TensorDict td = s.forward(TensorDict.of(new int[] {2}, "observation", LOC));
        assertClose(LOC.mul(2), td.get("action"), 0, "the deterministic part's action is kept");
        assertClose(Tensor.full(new int[] {2}, Double.NEGATIVE_INFINITY, F64), td.get("action_log_prob"), 0, "scored under Delta(param): -inf off the atom");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new ProbabilisticTensorDictSequential(writesAction)),
                "last module to be a ProbabilisticTensorDictModule", "TensorDictModule");
    }

    @Test
    void actorAndValueOperatorDefaults() {
        Linear net = linear(3, 2, 31);
        Actor actor = new Actor(net);
        assertEquals(List.of(Key.of("observation")), actor.inKeys());
        TensorDict td = TensorDict.of(new int[] {4}, "observation", seq(0, 0.1, 4, 3));
        Delta d = actor.getDist(td);
        assertClose(net.forward(seq(0, 0.1, 4, 3)), d.deterministicSample(), 1e-12, "Delta at the action");
        assertSame(td.get("action"), d.deterministicSample());
        assertEquals(List.of(Key.of("state_value")), new ValueOperator(linear(3, 1, 1)).outKeys());
        ValueOperator q = new ValueOperator(TensorFunction.of((o, a) -> o.sum(-1, true).add(a.sum(-1, true))), List.of("observation", "action"), null);
        assertEquals(List.of(Key.of("state_action_value")), q.outKeys(), "action among the in-keys");
        TensorDict t = TensorDict.of(new int[] {4}, "observation", seq(0, 1, 4, 3), "action", seq(0, 1, 4, 2));
        q.forward(t);
        assertClose(seq(0, 1, 4, 3).sum(-1, true).add(seq(0, 1, 4, 2).sum(-1, true)), t.get("state_action_value"), 0, "Q(s, a)");
    }
}
