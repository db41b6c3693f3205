package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.losses.PPOLossTest.assertMentions;
import static org.rlgrad.losses.TinyPpo.AGENT_ACTION;
import static org.rlgrad.losses.TinyPpo.AGENT_LOG_PROB;
import static org.rlgrad.losses.TinyPpo.AGENT_OBS;
import static org.rlgrad.losses.TinyPpo.CAT_ACTION;
import static org.rlgrad.losses.TinyPpo.CAT_LOG_PROB;
import static org.rlgrad.losses.TinyPpo.F0;
import static org.rlgrad.losses.TinyPpo.N_AGENTS;
import static org.rlgrad.losses.TinyPpo.assertClose;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.distributions.CompositeDistribution;
import org.rlgrad.engine.modules.InteractionType;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;

/**
 * The PPO losses with a two-head composite actor (spec losses.md §2.17 "composite actions"): an
 * element-wise Normal head {@code agents/action} {@code [B, N_AGENTS, F0]} and a Categorical head
 * {@code action_cat} {@code [B]}, each with its own log-probability entry.
 */
class PPOMultiHeadTest {
    private static final int CATS = 3;

    /** The Normal head's loc and log σ, {@code [n, N_AGENTS, 2 F0]} flattened, and the categorical logits {@code [n, CATS]}, from the head networks. */
    private static double[][] heads(ProbabilisticActor actor, TensorDict td) {
        int n = td.batchSize()[0];
        TensorDict t = new TensorDict(n);
        t.set(AGENT_OBS, td.get(AGENT_OBS));
        t.set("observation", td.get("observation"));
        try (GradMode.Scope g = GradMode.noGrad()) {
            double[] raw = TinyPpo.headNetwork(actor, 0).forward(t).get(Key.of("agents", "param")).toDoubleArray();
            double[] logits = TinyPpo.headNetwork(actor, 1).forward(t).get(Key.of("params", "cat", "logits")).toDoubleArray();
            return new double[][] {raw, logits};
        }
    }

    /** lw by hand: Σ over agents and features of the Normal head's (log N − old) plus the categorical head's (log softmax − old). */
    private static double[] logWeights(ProbabilisticActor actor, TensorDict td) {
        int n = td.batchSize()[0];
        double[][] h = heads(actor, td);
        double[] a = td.get(AGENT_ACTION).toDoubleArray(), oldA = td.get(AGENT_LOG_PROB).toDoubleArray(), oldC = td.get(CAT_LOG_PROB).toDoubleArray();
        long[] c = td.get(CAT_ACTION).toLongArray();
        double[] lw = new double[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < N_AGENTS; k++) for (int j = 0; j < F0; j++) {
                int e = (i * N_AGENTS + k) * F0 + j, r = (i * N_AGENTS + k) * 2 * F0;
                lw[i] += TinyPpo.normalLogDensity(a[e], h[0][r + j], Math.exp(h[0][r + F0 + j])) - oldA[e];
            }
            lw[i] += TinyPpo.logSoftmax(h[1], i * CATS, CATS, (int) c[i]) - oldC[i];
        }
        return lw;
    }

    /** (b) The log-weight is the sum of the per-head terms, each computed from its own head; the per-head entropies are reported. */
    @Test
    void theLogWeightIsTheSumOfThePerHeadTermsAndEntropiesArePerHead() {
        ProbabilisticActor actor = TinyPpo.compositeActor(1, CATS);
        int n = 5;
        TensorDict td = TinyPpo.batch(Gen.seeded(2), n, TinyPpo.compositeActor(3, CATS), 4);
        assertArrayEquals(new int[] {n, N_AGENTS, F0}, td.get(AGENT_LOG_PROB).shapeRef(), "the Normal head's log-prob has the action's shape");
        td.set("advantage", Tensor.ones(DType.FLOAT64, n, 1));
        PPOLoss loss = PPOLoss.builder(actor, TinyPpo.critic(5)).reduction("none").build();
        assertTrue(loss.compositePolicy());
        assertEquals(List.of(AGENT_ACTION, CAT_ACTION), loss.actionKeys());
        assertEquals(List.of(AGENT_LOG_PROB, CAT_LOG_PROB), loss.sampleLogProbKeys());
        TensorDict out = loss.forward(td);

        double[] lw = logWeights(actor, td), objective = out.get("loss_objective").toDoubleArray();
        assertArrayEquals(new int[] {n}, out.get("loss_objective").shapeRef());
        double kl = 0;
        for (int i = 0; i < n; i++) {
            assertClose(-Math.exp(lw[i]), objective[i], "−exp(lw) with A = 1, sample " + i);
            kl -= lw[i] / n;
        }
        assertClose(kl, out.get("kl_approx").item(), "kl_approx");

        double[][] h = heads(actor, td);
        Tensor agentsH = out.get(Key.of("composite_entropy", "agents", "action_entropy")), catH = out.get(Key.of("composite_entropy", "action_cat_entropy"));
        assertArrayEquals(new int[] {n, 1, N_AGENTS, F0}, agentsH.shapeRef(), "[B, 1, n_agents, f0]");
        assertArrayEquals(new int[] {n, 1}, catH.shapeRef());
        assertFalse(agentsH.requiresGrad() || catH.requiresGrad(), "detached");
        double total = 0;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < N_AGENTS; k++) for (int j = 0; j < F0; j++) {
                double want = 0.5 + 0.5 * Math.log(2 * Math.PI) + h[0][(i * N_AGENTS + k) * 2 * F0 + F0 + j];
                assertClose(want, agentsH.toDoubleArray()[(i * N_AGENTS + k) * F0 + j], "Normal head entropy");
                total += want / n;
            }
            double hc = 0;
            for (int j = 0; j < CATS; j++) {
                double lp = TinyPpo.logSoftmax(h[1], i * CATS, CATS, j);
                hc -= Math.exp(lp) * lp;
            }
            assertClose(hc, catH.toDoubleArray()[i], "categorical head entropy");
            total += hc / n;
        }
        assertClose(total, out.get("entropy").item(), "entropy = mean of the sum over heads and elements");
        assertClose(-0.01 * total, out.get("loss_entropy").mean().item(), "loss_entropy = −c H");
    }

    /** (c) A stored log-probability of the wrong structure is an error naming what was expected. */
    @Test
    void aWronglyShapedOldLogProbabilityIsAnErrorNamingTheExpectedKeys() {
        ProbabilisticActor actor = TinyPpo.compositeActor(6, CATS);
        ClipPPOLoss loss = ClipPPOLoss.builder(actor, TinyPpo.critic(7)).build();
        TensorDict td = TinyPpo.batch(Gen.seeded(8), 4, TinyPpo.compositeActor(9, CATS), 10);

        TensorDict single = td.copy();
        Tensor summed = td.get(AGENT_LOG_PROB).sum(new int[] {1, 2}, false).add(td.get(CAT_LOG_PROB));
        single.remove(AGENT_LOG_PROB);
        single.remove(CAT_LOG_PROB);
        single.set("action_log_prob", summed);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> loss.forward(single)), "composite", "(\"agents\", \"action_log_prob\")",
                "\"action_cat_log_prob\"", "one tensor at \"action_log_prob\"", "cannot be split into heads");

        TensorDict oneHead = td.copy();
        oneHead.remove(CAT_LOG_PROB);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> loss.forward(oneHead)), "missing [\"action_cat_log_prob\"]");

        TensorDict wrongShape = td.copy();
        wrongShape.set(AGENT_LOG_PROB, td.get(AGENT_LOG_PROB).sum(-1, false));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> loss.forward(wrongShape)), "(\"agents\", \"action_log_prob\")", "[4, 3]",
                "expected [4, 3, 2]");

        TensorDict noAction = td.copy();
        noAction.remove(CAT_ACTION);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> loss.forward(noAction)), "action entry \"action_cat\"");
    }

    /** The aggregated switch: an actor built under aggregation stores one summed log-probability; the loss reads it and gives the same objective. */
    @Test
    void withAggregationOneSummedLogProbabilityGivesTheSameLoss() {
        ProbabilisticActor perHead = TinyPpo.compositeActor(11, CATS);
        ProbabilisticActor aggregated;
        try (GradMode.Scope agg = CompositeDistribution.aggregateProbabilities(true)) {
            aggregated = TinyPpo.compositeActor(11, CATS);
        }
        int n = 5;
        TensorDict td = TinyPpo.batch(Gen.seeded(12), n, TinyPpo.compositeActor(13, CATS), 14);
        TensorDict summed = td.copy();
        summed.remove(AGENT_LOG_PROB);
        summed.remove(CAT_LOG_PROB);
        summed.set("sample_log_prob", td.get(AGENT_LOG_PROB).sum(new int[] {1, 2}, false).add(td.get(CAT_LOG_PROB)));

        TensorDict a = ClipPPOLoss.builder(perHead, null).reduction("none").build().forward(td.copy());
        ClipPPOLoss aggLoss = ClipPPOLoss.builder(aggregated, null).reduction("none").build();
        assertEquals(List.of(Key.of("sample_log_prob")), aggLoss.sampleLogProbKeys());
        TensorDict b;
        try (GradMode.Scope agg = CompositeDistribution.aggregateProbabilities(true)) {
            b = aggLoss.forward(summed);
        }
        assertArrayEquals(a.get("loss_objective").toDoubleArray(), b.get("loss_objective").toDoubleArray(), 1e-12);
        assertEquals(a.get("entropy").item(), b.get("entropy").item(), 1e-12);
        assertFalse(b.contains("composite_entropy"), "one summed entropy, no per-head report");
        assertTrue(a.contains("composite_entropy"));
    }

    @Test
    void aPerHeadEntropyCoefficientMapWeighsEachHead() {
        ProbabilisticActor actor = TinyPpo.compositeActor(15, CATS);
        TensorDict td = TinyPpo.batch(Gen.seeded(16), 4, TinyPpo.compositeActor(17, CATS), 18);
        Map<Object, Double> coeff = new LinkedHashMap<>();
        coeff.put(Key.of("agents", "action_entropy"), 0.1);
        coeff.put("action_cat_entropy", 0.5);
        TensorDict out = PPOLoss.builder(actor, null).entropyCoeff(coeff).reduction("none").build().forward(td.copy());
        Tensor hA = out.get(Key.of("composite_entropy", "agents", "action_entropy")).sum(new int[] {1, 2, 3}, false);
        Tensor hC = out.get(Key.of("composite_entropy", "action_cat_entropy")).squeeze(-1);
        double[] want = hA.mul(-0.1).add(hC.mul(-0.5)).toDoubleArray();
        assertArrayEquals(want, out.get("loss_entropy").toDoubleArray(), 1e-12, "Σ_heads −c_head Σ_elements H_head");
        TensorDict scalar = PPOLoss.builder(actor, null).reduction("none").build().forward(td.copy());
        assertTrue(Math.abs(scalar.get("loss_entropy").sum().item() - out.get("loss_entropy").sum().item()) > 1e-6, "the map is not the scalar 0.01");

        Map<Object, Double> partial = Map.of("action_cat_entropy", 0.5);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> PPOLoss.builder(actor, null).entropyCoeff(partial).build().forward(td.copy())),
                "(\"agents\", \"action_entropy\")", "action_cat_entropy");
    }

    @Test
    void perHeadKeyListsMatchHeadsByNameOrByPosition() {
        ProbabilisticActor actor = TinyPpo.compositeActor(19, CATS);
        TensorDict td = TinyPpo.batch(Gen.seeded(20), 4, TinyPpo.compositeActor(21, CATS), 22);
        PPOLoss loss = PPOLoss.builder(actor, null).build();
        double want = loss.forward(td.copy()).get("loss_objective").item();
        loss.setSampleLogProbKeys(List.of(CAT_LOG_PROB, AGENT_LOG_PROB));
        assertEquals(List.of(AGENT_LOG_PROB, CAT_LOG_PROB), loss.sampleLogProbKeys(), "the heads' own keys in another order: matched by name");
        loss.setActionKeys(List.of(CAT_ACTION, AGENT_ACTION));
        assertEquals(want, loss.forward(td.copy()).get("loss_objective").item(), 0);
        TensorDict moved = td.copy();
        moved.rename(CAT_LOG_PROB, Key.of("old", "cat"));
        loss.setSampleLogProbKeys(List.of(AGENT_LOG_PROB, Key.of("old", "cat")));
        assertEquals(want, loss.forward(moved).get("loss_objective").item(), 0, "other keys: positional, in head order " + loss.compositeHeads());
        assertMentions(assertThrows(IllegalArgumentException.class, () -> loss.setActionKeys(List.of(AGENT_ACTION))), "one per head");
    }

    /** KL-penalty PPO on the composite: KL(old ‖ new) is the sum of the heads' closed forms, from the stored per-head parameters. */
    @Test
    void theKlPenaltySumsTheHeadsDivergences() {
        ProbabilisticActor actor = TinyPpo.compositeActor(23, CATS);
        int n = 4;
        TensorDict td = TinyPpo.batch(Gen.seeded(24), n, TinyPpo.compositeActor(25, CATS), 26);
        TensorDict out = KLPENPPOLoss.builder(actor, null).build().forward(td.copy());
        double[][] h = heads(actor, td);
        double[] loc = td.get(Key.of("params", "agents", "loc")).toDoubleArray(), scale = td.get(Key.of("params", "agents", "scale")).toDoubleArray();
        double[] oldLogits = td.get(Key.of("params", "cat", "logits")).toDoubleArray();
        for (int i = 0; i < n; i++) {
            double kl = 0;
            for (int k = 0; k < N_AGENTS; k++) for (int j = 0; j < F0; j++) {
                int e = (i * N_AGENTS + k) * F0 + j, r = (i * N_AGENTS + k) * 2 * F0;
                double m1 = h[0][r + j], s1 = Math.exp(h[0][r + F0 + j]);
                kl += Math.log(s1 / scale[e]) + (scale[e] * scale[e] + (loc[e] - m1) * (loc[e] - m1)) / (2 * s1 * s1) - 0.5;
            }
            for (int j = 0; j < CATS; j++) {
                double lpo = TinyPpo.logSoftmax(oldLogits, i * CATS, CATS, j), lpn = TinyPpo.logSoftmax(h[1], i * CATS, CATS, j);
                kl += Math.exp(lpo) * (lpo - lpn);
            }
            assertClose(kl, out.get("kl").toDoubleArray()[i], "kl " + i);
        }
        TensorDict noParams = td.copy();
        noParams.remove("params");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> KLPENPPOLoss.builder(actor, null).build().forward(noParams)), "\"params\"");
    }

    /**
     * (a) A toy task for both heads: the reward favours the continuous action 0.5 on every agent and
     * feature, and the discrete action 2. A few hundred ClipPPO updates raise the mean reward and the
     * share of discrete action 2; nothing becomes NaN.
     */
    @Test
    void aTwoHeadPolicyLearnsBothHeadsOnAToyTask() {
        ProbabilisticActor actor = TinyPpo.compositeActor(27, CATS);
        actor.probabilisticModule().randomSource(new Generator(28));
        ClipPPOLoss loss = ClipPPOLoss.builder(actor, TinyPpo.critic(29)).entropyCoeff(0.001).build();
        Adam opt = new Adam(loss.parameters(), 0.02);
        Gen gen = Gen.seeded(30);
        int n = 32, steps = 250;
        TensorDict probe = TinyPpo.transitions(Gen.seeded(31), 64);
        double before = probabilityOf(actor, probe, 2), locBefore = locError(actor, probe);
        List<Double> rewards = new ArrayList<>();
        for (int step = 0; step < steps; step++) {
            TensorDict td = TinyPpo.transitions(gen, n);
            try (GradMode.Scope g = GradMode.noGrad(); GradMode.Scope r = InteractionType.set(InteractionType.RANDOM)) {
                actor.forward(td);
            }
            double[] a = td.get(AGENT_ACTION).toDoubleArray(), r = new double[n];
            long[] c = td.get(CAT_ACTION).toLongArray();
            for (int i = 0; i < n; i++) {
                for (int e = 0; e < N_AGENTS * F0; e++) r[i] -= Math.pow(a[i * N_AGENTS * F0 + e] - 0.5, 2) / (N_AGENTS * F0);
                if (c[i] == 2) r[i] += 1;
            }
            td.set(Key.of("next", "reward"), Tensor.of(DType.FLOAT64, r, n, 1));
            Tensor terminal = Tensor.of(new boolean[n], n, 1).logicalNot();
            td.set(Key.of("next", "done"), terminal);
            td.set(Key.of("next", "terminated"), terminal);
            opt.zeroGrad();
            Tensor total = LossOutputs.totalLoss(loss.forward(td));
            assertTrue(Double.isFinite(total.item()), "step " + step + ": loss " + total.item());
            total.backward();
            opt.step();
            double mean = 0;
            for (double x : r) mean += x / n;
            rewards.add(mean);
        }
        for (Tensor p : loss.parameters()) assertTrue(p.isFinite().all().item() != 0, "parameters stay finite");
        double first = PPOTraining.avg(rewards.subList(0, 20)), last = PPOTraining.avg(rewards.subList(steps - 20, steps));
        assertTrue(last > first + 0.4, "mean reward: first " + first + ", last " + last);
        double after = probabilityOf(actor, probe, 2);
        assertTrue(before < 0.6 && after > 0.95, "π(action_cat = 2) on probe states: before " + before + ", after " + after);
        double locAfter = locError(actor, probe);
        assertTrue(locAfter < 0.3 * locBefore, "mean |loc − 0.5| of the Normal head on probe states: before " + locBefore + ", after " + locAfter);
    }

    /** The mean over {@code td}'s states, agents and features of |loc − 0.5| of the Normal head. */
    private static double locError(ProbabilisticActor actor, TensorDict td) {
        double[] raw = heads(actor, td)[0];
        int m = td.batchSize()[0] * N_AGENTS;
        double e = 0;
        for (int r = 0; r < m; r++) for (int j = 0; j < F0; j++) e += Math.abs(raw[r * 2 * F0 + j] - 0.5) / (m * F0);
        return e;
    }

    /** The mean over {@code td}'s states of the categorical head's probability of {@code action}. */
    private static double probabilityOf(ProbabilisticActor actor, TensorDict td, int action) {
        double[] logits = heads(actor, td)[1];
        int n = td.batchSize()[0];
        double p = 0;
        for (int i = 0; i < n; i++) p += Math.exp(TinyPpo.logSoftmax(logits, i * CATS, CATS, action)) / n;
        return p;
    }
}
