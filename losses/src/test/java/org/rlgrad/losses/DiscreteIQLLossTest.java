package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.ActionSpace;
import org.rlgrad.engine.modules.Parameters;
import org.rlgrad.engine.modules.QValueActor;
import org.rlgrad.engine.modules.QValueModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;

class DiscreteIQLLossTest {
    record Setup(Sequential actorNet, List<Sequential> critics, List<Sequential> targets, Sequential valueNet, DiscreteIQLLoss loss) {}

    static Setup setup(long seed, boolean oneHot, UnaryOperator<DiscreteIQLLoss.Builder> options) {
        Sequential actorNet = TinyIql.mlp(seed, TinyIql.OBS, TinyIql.N_ACTIONS);
        List<Sequential> critics = List.of(TinyIql.mlp(seed + 1, TinyIql.OBS, TinyIql.N_ACTIONS), TinyIql.mlp(seed + 2, TinyIql.OBS, TinyIql.N_ACTIONS));
        List<Sequential> targets = List.of(TinyIql.mlp(seed + 3, TinyIql.OBS, TinyIql.N_ACTIONS), TinyIql.mlp(seed + 4, TinyIql.OBS, TinyIql.N_ACTIONS));
        Sequential valueNet = TinyIql.mlp(seed + 5, TinyIql.OBS, 1);
        ActionSpace space = oneHot ? ActionSpace.ONE_HOT : ActionSpace.CATEGORICAL;
        DiscreteIQLLoss loss = options.apply(DiscreteIQLLoss.builder(actor(actorNet, oneHot), wrap(critics, space), new ValueOperator(valueNet))
                .actionSpace(space)).build();
        loss.loadTargetParams(DiscreteIQLLoss.QVALUE, Parameters.fromModules(wrap(targets, space)));
        return new Setup(actorNet, critics, targets, valueNet, loss);
    }

    static ProbabilisticActor actor(Sequential net, boolean oneHot) {
        TensorDictModule logits = TensorDictModule.builder(net).inKeys("observation").outKeys("logits").build();
        return new ProbabilisticActor(logits, ProbabilisticTensorDictModule.builder().inKeys("logits")
                .distribution(oneHot ? DistributionFactory.ONE_HOT_CATEGORICAL : DistributionFactory.CATEGORICAL));
    }

    /** Q-value actors: each also writes its greedy "action" (in the critic's own encoding) next to the values. */
    static List<QValueActor> wrap(List<Sequential> nets, ActionSpace space) {
        return nets.stream().map(n -> new QValueActor(n, QValueModule.builder(space).actionValueKey("state_action_value").build())).toList();
    }

    private static double[] forward(Sequential net, Tensor x) {
        try (GradMode.Scope g = GradMode.noGrad()) {
            return net.forward(x).toDoubleArray();
        }
    }

    private static void close(double want, double got, String what) {
        assertEquals(want, got, 1e-12 * (1 + Math.abs(want)), what);
    }

    /** Spec §2.9 with the raw networks, per sample: the stored action's value, the target, the weights and the expectile. */
    @Test
    void perSampleLossesMatchTheFormulaEvaluatedWithTheNetworks() {
        Property.forAll("discrete iql formula", 8, gen -> {
            boolean oneHot = gen.bool();
            double beta = gen.choose(0.5, 2.0), tau = gen.choose(0.2, 0.5, 0.8);
            String kind = gen.oneOf("l2", "smooth_l1");
            Setup s = setup(gen.intIn(0, 1000) * 10L, oneHot, b -> b.temperature(beta).expectile(tau).lossFunction(kind).reduction("none"));
            int n = gen.intIn(1, 7);
            TensorDict td = TinyIql.discreteBatch(gen, n, oneHot);
            long[] a = (oneHot ? td.get("action").argmax(-1, false) : td.get("action")).toLongArray();
            TensorDict out = s.loss().forward(td);

            Tensor obs = td.get("observation");
            int nA = TinyIql.N_ACTIONS;
            double[][] q = {forward(s.critics().get(0), obs), forward(s.critics().get(1), obs)};
            double[][] qt = {forward(s.targets().get(0), obs), forward(s.targets().get(1), obs)};
            double[] v = forward(s.valueNet(), obs), vNext = forward(s.valueNet(), td.get(Key.of("next", "observation")));
            double[] logits = forward(s.actorNet(), obs);
            double[] r = td.get(Key.of("next", "reward")).toDoubleArray();
            boolean[] term = td.get(Key.of("next", "terminated")).toBooleanArray();
            double[] actor = out.get("loss_actor").toDoubleArray(), qLoss = out.get("loss_qvalue").toDoubleArray(), vLoss = out.get("loss_value").toDoubleArray();
            double[] prio = td.get("td_error").toDoubleArray(), logProb = td.get("_log_prob").toDoubleArray();
            for (int i = 0; i < n; i++) {
                int j = (int) a[i];
                double lse = 0, max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < nA; k++) max = Math.max(max, logits[i * nA + k]);
                for (int k = 0; k < nA; k++) lse += Math.exp(logits[i * nA + k] - max);
                double lp = logits[i * nA + j] - max - Math.log(lse);
                close(lp, logProb[i], "log π(a|s)[" + i + "]");
                double m = Math.min(qt[0][i * nA + j], qt[1][i * nA + j]);
                double w = Math.min(Math.exp(beta * (m - v[i])), 100);
                close(-w * lp, actor[i], "loss_actor[" + i + "]");
                double y = r[i] + (term[i] ? 0 : 0.99 * vNext[i]);
                double d0 = q[0][i * nA + j] - y, d1 = q[1][i * nA + j] - y;
                double want = kind.equals("l2") ? d0 * d0 + d1 * d1 : huber(d0) + huber(d1);
                close(want, qLoss[i], "loss_qvalue[" + i + "]");
                close(Math.max(d0 * d0, d1 * d1), prio[i], "td_error[" + i + "]");
                double u = m - v[i];
                close((u > 0 ? tau : 1 - tau) * u * u, vLoss[i], "loss_value[" + i + "]");
            }
        });
    }

    private static double huber(double d) {
        return Math.abs(d) < 1 ? 0.5 * d * d : Math.abs(d) - 0.5;
    }

    /** The same transitions with index actions ([B] or [B, 1]) and one-hot actions give the same losses, metric and written entries. */
    @Test
    void categoricalAndOneHotActionsGiveTheSameNumbers() {
        TensorDict idx = TinyIql.discreteBatch(Gen.seeded(11), 6, false);
        TensorDict oneHot = idx.copy();
        oneHot.set("action", TinyIql.oneHot(idx.get("action")));
        TensorDict column = idx.copy();
        column.set("action", idx.get("action").unsqueeze(-1));
        TensorDict a = setup(10, true, b -> b).loss().forward(oneHot);
        DiscreteIQLLoss categorical = setup(10, false, b -> b).loss();
        TensorDict b = categorical.forward(idx), c = categorical.forward(column);
        for (String k : List.of("loss_actor", "loss_qvalue", "loss_value", "entropy")) {
            close(a.get(k).item(), b.get(k).item(), k + " (index)");
            close(a.get(k).item(), c.get(k).item(), k + " (index with a trailing axis)");
        }
        for (String k : List.of("td_error", "_log_prob")) {
            double[] x = oneHot.get(k).toDoubleArray(), y = idx.get(k).toDoubleArray();
            for (int i = 0; i < x.length; i++) close(x[i], y[i], k + "[" + i + "]");
        }
    }

    /** The critics are Q-value actors that write a greedy "action"; they run on a copy, so the stored action is what the loss scores and keeps. */
    @Test
    void theCriticsGreedyActionNeverReplacesTheStoredOne() {
        DiscreteIQLLoss loss = setup(20, true, b -> b).loss();
        TensorDict td = TinyIql.discreteBatch(Gen.seeded(21), 8, true);
        Tensor stored = td.get("action");
        long[] before = stored.toLongArray();
        loss.forward(td);
        assertSame(stored, td.get("action"));
        assertEquals(Arrays.toString(before), Arrays.toString(td.get("action").toLongArray()));
        assertFalse(td.contains("chosen_action_value") || td.contains("state_action_value") || td.contains("logits"));
    }

    @Test
    void eachLossTrainsExactlyItsOwnNetworkAndNeverATarget() {
        DiscreteIQLLoss loss = setup(30, false, b -> b).loss();
        TensorDict out = loss.forward(TinyIql.discreteBatch(Gen.seeded(31), 6, false));
        List<Tensor> all = loss.parameters();
        for (String[] e : new String[][] {{"loss_actor", DiscreteIQLLoss.ACTOR}, {"loss_qvalue", DiscreteIQLLoss.QVALUE}, {"loss_value", DiscreteIQLLoss.VALUE}}) {
            List<Tensor> grads = Autograd.grad(List.of(out.get(e[0])), all, null, false, true, true);
            Collection<Tensor> own = loss.namedParameters(e[1]).values();
            for (int i = 0; i < all.size(); i++) {
                Tensor p = all.get(i);
                double size = grads.get(i).abs().sum().item();
                if (own.stream().anyMatch(t -> t == p)) assertTrue(size > 0, e[0] + " reaches every tensor of " + e[1]);
                else assertEquals(0.0, size, e[0] + " reaches nothing outside " + e[1]);
            }
        }
        for (Tensor t : loss.targetParams(DiscreteIQLLoss.QVALUE).leaves().values()) assertFalse(t.requiresGrad());
        assertTrue(loss.hasDelayedTarget(DiscreteIQLLoss.QVALUE));
    }

    @Test
    void expectileAndActionSpaceChecks() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> setup(1, true, b -> b.expectile(1.0)));
        assertTrue(e.getMessage().contains("expectile"), e.getMessage());
        assertEquals(0.99, setup(1, true, b -> b.expectile(0.99)).loss().expectile());

        Setup s = setup(40, true, b -> b);
        DiscreteIQLLoss defaulted = DiscreteIQLLoss.builder(actor(s.actorNet(), true), wrap(s.critics(), ActionSpace.ONE_HOT), new ValueOperator(s.valueNet()))
                .build();
        assertEquals(ActionSpace.ONE_HOT, defaulted.actionSpace(), "no action space: one-hot (with a warning)");
        defaulted.forward(TinyIql.discreteBatch(Gen.seeded(41), 3, true));

        for (ActionSpace other : List.of(ActionSpace.MULT_ONE_HOT, ActionSpace.BINARY)) {
            DiscreteIQLLoss loss = DiscreteIQLLoss.builder(actor(s.actorNet(), true), wrap(s.critics(), ActionSpace.ONE_HOT), new ValueOperator(s.valueNet()))
                    .actionSpace(other).build();
            UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class, () -> loss.forward(TinyIql.discreteBatch(Gen.seeded(42), 3, true)));
            assertTrue(u.getMessage().contains(other.name()), u.getMessage());
        }
        assertThrows(NoSuchMethodException.class, () -> DiscreteIQLLoss.Builder.class.getMethod("deactivateVmap", boolean.class),
                "discrete IQL takes no deactivate_vmap argument");
        assertTrue(defaulted.toString().startsWith("DiscreteIQLLoss(action_space=ONE_HOT"), defaulted.toString());
    }

    @Test
    void setKeysAndMissingInputs() {
        TensorDict td = TinyIql.discreteBatch(Gen.seeded(51), 5, true);
        TensorDict want = setup(50, true, b -> b).loss().forward(td.copy());
        DiscreteIQLLoss renamed = setup(50, true, b -> b).loss();
        renamed.setKeys(Map.of("action", "act", "priority", "prio", "log_prob", "lp", "reward", "rew"));
        TensorDict moved = td.copy();
        moved.rename("action", "act");
        moved.rename(Key.of("next", "reward"), Key.of("next", "rew"));
        TensorDict got = renamed.forward(moved);
        for (String k : List.of("loss_actor", "loss_qvalue", "loss_value", "entropy")) close(want.get(k).item(), got.get(k).item(), k);
        assertTrue(moved.contains("prio") && moved.contains("lp") && !moved.contains("td_error"));
        assertFalse(moved.contains("action"), "the critics' greedy action stays in their copy");

        DiscreteIQLLoss loss = setup(50, true, b -> b).loss();
        for (Key missing : List.of(Key.of("action"), Key.of("observation"), Key.of("next", "terminated"))) {
            TensorDict t = TinyIql.discreteBatch(Gen.seeded(52), 4, true);
            t.remove(missing);
            if (missing.last().equals("terminated")) t.remove(Key.of("next", "done"));
            Exception e = assertThrows(RuntimeException.class, () -> loss.forward(t));
            assertTrue(e.getMessage().contains(missing.last()) || e.getMessage().contains("done"), missing + ": " + e.getMessage());
        }
    }

    @Test
    void lossesAreInvariantToTheOrderOfSamples() {
        Property.forAll("discrete iql order invariance", 10, gen -> {
            boolean oneHot = gen.bool();
            DiscreteIQLLoss loss = setup(gen.intIn(0, 100) * 10L, oneHot, b -> b).loss();
            int n = gen.intIn(2, 8);
            TensorDict td = TinyIql.discreteBatch(gen, n, oneHot);
            int[] perm = gen.permutation(n);
            long[] idx = new long[n];
            for (int i = 0; i < n; i++) idx[i] = perm[i];
            TensorDict shuffled = td.index(Tensor.of(idx, n));
            TensorDict a = loss.forward(td), b = loss.forward(shuffled);
            for (String k : List.of("loss_actor", "loss_qvalue", "loss_value", "entropy")) close(a.get(k).item(), b.get(k).item(), k);
            double[] x = td.get("td_error").toDoubleArray(), y = shuffled.get("td_error").toDoubleArray();
            for (int i = 0; i < n; i++) close(x[perm[i]], y[i], "td_error[" + i + "]");
        });
    }

    /**
     * Offline data from a noisy expert on a contextual bandit: the expert's action (a fixed linear
     * function of the state picks it) is taken 70% of the time and earns 1, any other earns 0.
     */
    @Test
    void aShortOfflineTrainingRunLowersTheLossesAndStaysFinite() {
        DiscreteIQLLoss loss = setup(60, true, b -> b.temperature(2.0).expectile(0.7)).loss();
        SoftUpdate updater = SoftUpdate.withTau(loss, 0.05);
        Adam opt = new Adam(loss.parameters(), 0.01);
        Gen gen = Gen.seeded(61);
        double[][] w = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {-1, -1, 0}};
        int nA = TinyIql.N_ACTIONS;
        List<double[]> history = new ArrayList<>();
        for (int step = 0; step < 250; step++) {
            int n = 32;
            TensorDict td = TinyIql.discreteBatch(gen, n, true);
            double[] obs = td.get("observation").toDoubleArray();
            long[] a = new long[n];
            double[] r = new double[n];
            for (int i = 0; i < n; i++) {
                int best = 0;
                double bestScore = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < nA; j++) {
                    double score = 0;
                    for (int k = 0; k < TinyIql.OBS; k++) score += w[j][k] * obs[i * TinyIql.OBS + k];
                    if (score > bestScore) { bestScore = score; best = j; }
                }
                a[i] = gen.chance(0.7) ? best : gen.intIn(0, nA - 1);
                r[i] = a[i] == best ? 1 : 0;
            }
            td.set("action", TinyIql.oneHot(Tensor.of(a, n)));
            td.set(Key.of("next", "reward"), Tensor.of(DType.FLOAT64, r, n, 1));
            td.set(Key.of("next", "terminated"), Tensor.of(new boolean[n], n, 1).logicalNot());
            opt.zeroGrad();
            TensorDict out = loss.forward(td);
            Tensor total = LossOutputs.totalLoss(out);
            assertTrue(Double.isFinite(total.item()), "step " + step + ": loss " + total.item());
            total.backward();
            opt.step();
            updater.step();
            history.add(new double[] {out.get("loss_qvalue").item(), out.get("entropy").item()});
        }
        for (Tensor p : loss.parameters()) assertTrue(p.isFinite().all().item() != 0, "parameters stay finite");
        double[] first = average(history.subList(0, 20)), last = average(history.subList(230, 250));
        assertTrue(last[0] < 0.5 * first[0], "the Q loss falls: " + first[0] + " -> " + last[0]);
        assertTrue(last[1] < first[1] - 0.2, "the data's negative log-likelihood falls: " + first[1] + " -> " + last[1]);
    }

    private static double[] average(List<double[]> rows) {
        double[] out = new double[rows.get(0).length];
        for (double[] r : rows) for (int i = 0; i < r.length; i++) out[i] += r[i] / rows.size();
        return out;
    }
}
