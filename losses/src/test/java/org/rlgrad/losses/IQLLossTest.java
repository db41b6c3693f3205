package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.Parameters;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictSequential;
import org.rlgrad.engine.modules.TensorFunction;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.nn.Tanh;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.random.ReplayedDraws;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;
import org.rlgrad.engine.vmap.Randomness;
import org.rlgrad.estimators.ValueEstimators;

class IQLLossTest {
    /** Raw networks (so that tests can evaluate them directly) and the loss over their wrappers. */
    record Setup(Sequential actorNet, List<Sequential> critics, List<Sequential> targets, Sequential valueNet, IQLLoss loss) {}

    static Setup setup(long seed, UnaryOperator<IQLLoss.Builder> options) {
        Sequential actorNet = TinyIql.mlp(seed, TinyIql.OBS, 2 * TinyIql.ACT);
        List<Sequential> critics = List.of(TinyIql.mlp(seed + 1, TinyIql.OBS + TinyIql.ACT, 1), TinyIql.mlp(seed + 2, TinyIql.OBS + TinyIql.ACT, 1));
        List<Sequential> targets = List.of(TinyIql.mlp(seed + 3, TinyIql.OBS + TinyIql.ACT, 1), TinyIql.mlp(seed + 4, TinyIql.OBS + TinyIql.ACT, 1));
        Sequential valueNet = TinyIql.mlp(seed + 5, TinyIql.OBS, 1);
        IQLLoss loss = options.apply(IQLLoss.builder(TinyIql.tanhNormalActor(actorNet), wrap(critics), new ValueOperator(valueNet))).build();
        loss.loadTargetParams(IQLLoss.QVALUE, Parameters.fromModules(wrap(targets)));
        return new Setup(actorNet, critics, targets, valueNet, loss);
    }

    static List<ValueOperator> wrap(List<Sequential> nets) {
        return nets.stream().map(n -> TinyIql.critic(n, "action", "state_action_value")).toList();
    }

    private static double[] forward(Sequential net, Tensor x) {
        try (GradMode.Scope g = GradMode.noGrad()) {
            return net.forward(x).toDoubleArray();
        }
    }

    private static double distance(String kind, double d) {
        return switch (kind) {
            case "l2" -> d * d;
            case "l1" -> Math.abs(d);
            default -> Math.abs(d) < 1 ? 0.5 * d * d : Math.abs(d) - 0.5;
        };
    }

    private static void close(double want, double got, String what) {
        assertEquals(want, got, 1e-12 * (1 + Math.abs(want)), what);
    }

    /**
     * Spec §2.8 evaluated with the raw networks, member by member (no vmap, no estimator): the
     * per-sample losses (reduction none) and the priority. The log-probabilities are the ones the
     * loss writes; conformance checks them against TorchRL.
     */
    @Test
    void perSampleLossesMatchTheFormulaEvaluatedWithTheNetworks() {
        Property.forAll("iql formula", 8, gen -> {
            double beta = gen.choose(0.5, 1.0, 3.0), tau = gen.choose(0.3, 0.5, 0.8);
            String kind = gen.oneOf("l2", "l1", "smooth_l1");
            Setup s = setup(gen.intIn(0, 1000) * 10L, b -> b.temperature(beta).expectile(tau).lossFunction(kind).reduction("none"));
            int n = gen.intIn(1, 7);
            TensorDict td = TinyIql.continuousBatch(gen, n);
            TensorDict out = s.loss().forward(td);

            Tensor sa = Tensor.cat(List.of(td.get("observation"), td.get("action")), -1);
            double[][] q = {forward(s.critics().get(0), sa), forward(s.critics().get(1), sa)};
            double[][] qt = {forward(s.targets().get(0), sa), forward(s.targets().get(1), sa)};
            double[] v = forward(s.valueNet(), td.get("observation")), vNext = forward(s.valueNet(), td.get(Key.of("next", "observation")));
            double[] r = td.get(Key.of("next", "reward")).toDoubleArray();
            boolean[] term = td.get(Key.of("next", "terminated")).toBooleanArray();
            double[] logProb = td.get("_log_prob").toDoubleArray();
            double[] actor = out.get("loss_actor").toDoubleArray(), qLoss = out.get("loss_qvalue").toDoubleArray(), vLoss = out.get("loss_value").toDoubleArray();
            double[] prio = td.get("td_error").toDoubleArray();
            for (int i = 0; i < n; i++) {
                double m = Math.min(qt[0][i], qt[1][i]);
                double w = Math.min(Math.exp(beta * (m - v[i])), 100);
                close(-w * logProb[i], actor[i], "loss_actor[" + i + "]");
                double y = r[i] + (term[i] ? 0 : 0.99 * vNext[i]);
                close(distance(kind, q[0][i] - y) + distance(kind, q[1][i] - y), qLoss[i], "loss_qvalue[" + i + "]");
                close(Math.max(Math.pow(q[0][i] - y, 2), Math.pow(q[1][i] - y, 2)), prio[i], "td_error[" + i + "]");
                double u = m - v[i];
                close((u > 0 ? tau : 1 - tau) * u * u, vLoss[i], "loss_value[" + i + "]");
            }
            assertFalse(out.contains("entropy"), "reduction none without a scalar_output_mode leaves the scalar metric out");
        });
    }

    /** Each loss entry sends gradient to its own network only (spec §2.8 "Gradient"); no target tensor ever gets one. */
    @Test
    void eachLossTrainsExactlyItsOwnNetworkAndNeverATarget() {
        Setup s = setup(20, b -> b);
        IQLLoss loss = s.loss();
        TensorDict out = loss.forward(TinyIql.continuousBatch(Gen.seeded(21), 6));
        Map<String, String> owner = Map.of("loss_actor", IQLLoss.ACTOR, "loss_qvalue", IQLLoss.QVALUE, "loss_value", IQLLoss.VALUE);
        List<Tensor> all = loss.parameters();
        assertEquals(all.size(), loss.namedParameters(IQLLoss.ACTOR).size() + loss.namedParameters(IQLLoss.QVALUE).size()
                + loss.namedParameters(IQLLoss.VALUE).size());
        for (Map.Entry<String, String> e : owner.entrySet()) {
            List<Tensor> grads = Autograd.grad(List.of(out.get(e.getKey())), all, null, false, true, true);
            Set<Tensor> own = identitySet(loss.namedParameters(e.getValue()).values());
            for (int i = 0; i < all.size(); i++) {
                double size = grads.get(i).abs().sum().item();
                if (own.contains(all.get(i))) assertTrue(size > 0, e.getKey() + " reaches every tensor of " + e.getValue());
                else assertEquals(0.0, size, e.getKey() + " reaches nothing outside " + e.getValue());
            }
        }
        for (String net : List.of(IQLLoss.ACTOR, IQLLoss.QVALUE, IQLLoss.VALUE)) {
            for (Tensor t : loss.targetParams(net).leaves().values()) assertFalse(t.requiresGrad(), "target of " + net + " carries no gradient");
        }
        assertTrue(loss.hasDelayedTarget(IQLLoss.QVALUE), "the critics always have a delayed copy");
        assertFalse(loss.hasDelayedTarget(IQLLoss.ACTOR));
        assertFalse(loss.hasDelayedTarget(IQLLoss.VALUE));
        Set<Object> live = new HashSet<>();
        for (Tensor p : all) live.add(p.storage());
        for (Tensor t : loss.targetParams(IQLLoss.QVALUE).leaves().values()) assertFalse(live.contains(t.storage()), "the critic targets are copies");
        for (Tensor t : loss.targetParams(IQLLoss.VALUE).leaves().values()) assertTrue(live.contains(t.storage()), "V's target is an alias");
    }

    private static Set<Tensor> identitySet(Collection<Tensor> ts) {
        Set<Tensor> s = Collections.newSetFromMap(new IdentityHashMap<>());
        s.addAll(ts);
        return s;
    }

    /**
     * An actor, V and a critic sharing one trunk: with separate_losses the trunk is trained by the
     * actor loss alone (detached inside V and the critics, and the critics keep the trunk's values
     * instead of re-drawing them); without it, V's loss reaches the shared trunk too.
     */
    @Test
    void separateLossesDetachesTheActorsTensorsInsideVAndTheCritics() {
        for (boolean separate : new boolean[] {false, true}) {
            Generator g = new Generator(31);
            Linear trunk = new Linear(TinyIql.OBS, TinyIql.HIDDEN, true, DType.FLOAT64, g);
            Sequential actorNet = new Sequential(trunk, new Tanh(), new Linear(TinyIql.HIDDEN, 2 * TinyIql.ACT, true, DType.FLOAT64, g));
            Sequential valueNet = new Sequential(trunk, new Tanh(), new Linear(TinyIql.HIDDEN, 1, true, DType.FLOAT64, g));
            Linear head = new Linear(TinyIql.HIDDEN + TinyIql.ACT, 1, true, DType.FLOAT64, g);
            TensorFunction cat = (positional, named) -> head.forward(Tensor.cat(positional, -1));
            TensorDictSequential critic = new TensorDictSequential(
                    TensorDictModule.builder(new Sequential(trunk, new Tanh())).inKeys("observation").outKeys("feature").build(),
                    new ValueOperator(head, cat, List.of("feature", "action"), List.of("state_action_value")));
            IQLLoss loss = IQLLoss.builder(TinyIql.tanhNormalActor(actorNet), critic, new ValueOperator(valueNet))
                    .separateLosses(separate).generator(new Generator(32)).build();
            assertEquals(separate, loss.separateLosses());
            TensorDict out = loss.forward(TinyIql.continuousBatch(Gen.seeded(33), 5));
            List<Tensor> trunkTensors = trunk.parameters();

            double fromCritics = gradSize(out.get("loss_value").add(out.get("loss_qvalue")), trunkTensors);
            double fromActor = gradSize(out.get("loss_actor"), trunkTensors);
            assertTrue(fromActor > 0, "the actor loss trains the trunk");
            double valueHead = gradSize(out.get("loss_value"), loss.namedParameters(IQLLoss.VALUE).values().stream().toList());
            assertTrue(valueHead > 0, "V still trains its own head");
            Map<String, Tensor> critics = loss.namedParameters(IQLLoss.QVALUE);
            if (separate) {
                assertEquals(0.0, fromCritics, "with separate_losses only the actor loss reaches the shared trunk");
                assertFalse(loss.namedParameters(IQLLoss.VALUE).containsValue(trunk.parameters().get(0)), "the trunk is not V's to train");
                assertEquals(2, critics.size(), "the critics train only their head (weight and bias), the trunk is a detached expansion");
                Tensor stackedTrunk = loss.params(IQLLoss.QVALUE).leaves().values().stream()
                        .filter(t -> t.dim() == 3 && t.size(2) == TinyIql.OBS).findFirst().orElseThrow();
                assertFalse(stackedTrunk.requiresGrad());
                double[] want = trunk.parameters().get(0).toDoubleArray();
                for (int member = 0; member < 2; member++) {
                    double[] got = stackedTrunk.select(0, member).toDoubleArray();
                    for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 0.0, "the critics keep the trunk's values, member " + member);
                }
            } else {
                assertTrue(fromCritics > 0, "without separate_losses V's loss reaches the trunk it shares with the actor");
                assertEquals(4, critics.size(), "the critics' trunk copies are re-drawn and trainable");
            }
        }
    }

    private static double gradSize(Tensor output, List<Tensor> inputs) {
        double s = 0;
        for (Tensor g : Autograd.grad(List.of(output), inputs, null, false, true, true)) s += g.abs().sum().item();
        return s;
    }

    /** With β = 0 every weight is 1, so the actor loss is the data's mean negative log-likelihood, the entropy metric. */
    @Test
    void temperatureZeroMakesTheActorLossTheNegativeLogLikelihood() {
        TensorDict td = TinyIql.continuousBatch(Gen.seeded(41), 7);
        TensorDict zero = setup(40, b -> b.temperature(0.0)).loss().forward(td.copy());
        close(zero.get("entropy").item(), zero.get("loss_actor").item(), "β = 0");
        TensorDict one = setup(40, b -> b.temperature(1.0)).loss().forward(td.copy());
        assertNotEquals(one.get("loss_actor").item(), zero.get("loss_actor").item(), 1e-9, "β changes the actor loss");
        close(zero.get("loss_qvalue").item(), one.get("loss_qvalue").item(), "β does not touch the Q loss");
        close(zero.get("loss_value").item(), one.get("loss_value").item(), "β does not touch the value loss");
    }

    /**
     * With V moved far below every target Q, u > 0 everywhere: the value loss scales with τ and the
     * advantage weights hit their cap of 100; far above, it scales with 1 − τ and the weights vanish.
     */
    @Test
    void expectileAndWeightCapFollowTheSignOfTheAdvantage() {
        TensorDict td = TinyIql.continuousBatch(Gen.seeded(51), 6);
        for (double shift : new double[] {-60, 60}) {
            double[] lossValue = new double[2];
            double[] tau = {0.8, 0.5};
            TensorDict last = null;
            for (int k = 0; k < 2; k++) {
                Setup s = setup(50, b -> b);
                Tensor bias = s.valueNet().parameters().get(3);
                try (GradMode.Scope g = GradMode.noGrad()) {
                    bias.addInPlace(Tensor.fullLike(bias, shift), 1.0);
                }
                double t = tau[k];
                IQLLoss loss = IQLLoss.builder(TinyIql.tanhNormalActor(s.actorNet()), wrap(s.critics()), new ValueOperator(s.valueNet())).expectile(t).build();
                loss.loadTargetParams(IQLLoss.QVALUE, Parameters.fromModules(wrap(s.targets())));
                last = loss.forward(td.copy());
                lossValue[k] = last.get("loss_value").item();
            }
            double ratio = lossValue[0] / lossValue[1];
            if (shift < 0) {
                assertEquals(0.8 / 0.5, ratio, 1e-12, "u > 0: weight τ");
                close(100 * last.get("entropy").item(), last.get("loss_actor").item(), "u > 0 with |u| > 60: every weight capped at 100");
            } else {
                assertEquals(0.2 / 0.5, ratio, 1e-12, "u < 0: weight 1 − τ");
                assertTrue(Math.abs(last.get("loss_actor").item()) < 1e-20, "weights exp(−60) and below: " + last.get("loss_actor").item());
            }
        }
    }

    @Test
    void setKeysRenamesEveryEntryEndToEnd() {
        TensorDict td = TinyIql.continuousBatch(Gen.seeded(61), 5);
        Setup plain = setup(60, b -> b);
        TensorDict want = plain.loss().forward(td.copy());

        Sequential actorNet = plain.actorNet(), valueNet = plain.valueNet();
        List<ValueOperator> critics = plain.critics().stream().map(n -> TinyIql.critic(n, "act", "q")).toList();
        IQLLoss renamed = IQLLoss.builder(TinyIql.tanhNormalActor(actorNet), critics, new ValueOperator(valueNet, List.of("observation"), List.of("v"))).build();
        renamed.loadTargetParams(IQLLoss.QVALUE, Parameters.fromModules(plain.targets().stream().map(n -> TinyIql.critic(n, "act", "q")).toList()));
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("action", "act");
        keys.put("value", "v");
        keys.put("state_action_value", "q");
        keys.put("reward", "rew");
        keys.put("terminated", "term");
        keys.put("priority", Key.of("prio", "err"));
        keys.put("log_prob", "lp");
        renamed.setKeys(keys);
        TensorDict moved = td.copy();
        moved.rename("action", "act");
        moved.rename(Key.of("next", "reward"), Key.of("next", "rew"));
        moved.rename(Key.of("next", "terminated"), Key.of("next", "term"));
        TensorDict got = renamed.forward(moved);
        for (String k : List.of("loss_actor", "loss_qvalue", "loss_value", "entropy")) close(want.get(k).item(), got.get(k).item(), k);
        assertTrue(moved.contains(Key.of("prio", "err")) && moved.contains("lp"));
        assertFalse(moved.contains("td_error") || moved.contains("_log_prob"));
        assertEquals(List.of("value", "action", "log_prob", "priority", "state_action_value", "reward", "done", "terminated"), IQLLoss.keyNames());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> renamed.setKeys("actoin", "a"));
        assertTrue(e.getMessage().contains("'actoin'") && e.getMessage().contains("state_action_value"), e.getMessage());
    }

    @Test
    void aMissingInputIsAnErrorNamingTheKey() {
        IQLLoss loss = setup(70, b -> b).loss();
        for (Key missing : List.of(Key.of("action"), Key.of("observation"), Key.of("next", "reward"), Key.of("next", "observation"))) {
            TensorDict td = TinyIql.continuousBatch(Gen.seeded(71), 4);
            td.remove(missing);
            Exception e = assertThrows(RuntimeException.class, () -> loss.forward(td));
            assertTrue(e.getMessage().contains(missing.last()), missing + ": " + e.getMessage());
        }
    }

    /** Under mean reduction every loss is a mean over samples: permuting the batch only permutes the written entries. */
    @Test
    void lossesAreInvariantToTheOrderOfSamples() {
        Property.forAll("iql order invariance", 10, gen -> {
            IQLLoss loss = setup(gen.intIn(0, 100) * 10L, b -> b.lossFunction(gen.oneOf("l2", "smooth_l1"))).loss();
            int n = gen.intIn(2, 8);
            TensorDict td = TinyIql.continuousBatch(gen, n);
            int[] perm = gen.permutation(n);
            long[] idx = new long[n];
            for (int i = 0; i < n; i++) idx[i] = perm[i];
            TensorDict shuffled = td.index(Tensor.of(idx, n));
            TensorDict a = loss.forward(td), b = loss.forward(shuffled);
            for (String k : List.of("loss_actor", "loss_qvalue", "loss_value", "entropy")) close(a.get(k).item(), b.get(k).item(), k);
            for (String k : List.of("td_error", "_log_prob")) {
                double[] x = td.get(k).toDoubleArray(), y = shuffled.get(k).toDoubleArray();
                for (int i = 0; i < n; i++) close(x[perm[i]], y[i], k + "[" + i + "]");
            }
        });
    }

    @Test
    void reductionsAndScalarOutputModes() {
        TensorDict td = TinyIql.continuousBatch(Gen.seeded(81), 6);
        TensorDict mean = setup(80, b -> b).loss().forward(td.copy());
        TensorDict sum = setup(80, b -> b.reduction("sum")).loss().forward(td.copy());
        TensorDict none = setup(80, b -> b.reduction("none")).loss().forward(td.copy());
        for (String k : List.of("loss_actor", "loss_qvalue", "loss_value")) {
            close(6 * mean.get(k).item(), sum.get(k).item(), "sum of " + k);
            assertArrayEquals(new int[] {6}, none.get(k).shape(), k);
            close(mean.get(k).item(), none.get(k).mean().item(), "none of " + k);
        }
        assertTrue(mean.contains("entropy") && sum.contains("entropy"));
        assertFalse(none.contains("entropy"), "null mode: excluded (with a warning)");
        assertFalse(setup(80, b -> b.reduction("none").scalarOutputMode("exclude")).loss().forward(td.copy()).contains("entropy"));
        TensorDict kept = setup(80, b -> b.reduction("none").scalarOutputMode(ScalarOutputMode.NON_TENSOR)).loss().forward(td.copy());
        close(mean.get("entropy").item(), kept.get("entropy").item(), "non_tensor keeps the scalar");
        assertThrows(IllegalArgumentException.class, () -> ScalarOutputMode.parse("drop"));
    }

    /** The loop gives vmap's numbers, and only the loop refuses SAME randomness (spec §1.6): the option is really in force. */
    @Test
    void deactivateVmapLoopsOverTheCriticsWithTheSameNumbers() {
        TensorDict td = TinyIql.continuousBatch(Gen.seeded(91), 5);
        IQLLoss vmapped = setup(90, b -> b).loss(), looped = setup(90, b -> b.deactivateVmap(true)).loss();
        assertFalse(vmapped.deactivateVmap());
        assertTrue(looped.deactivateVmap());
        TensorDict a = vmapped.forward(td.copy()), b = looped.forward(td.copy());
        for (String k : List.of("loss_actor", "loss_qvalue", "loss_value", "entropy")) close(a.get(k).item(), b.get(k).item(), k);
        vmapped.setVmapRandomness(Randomness.SAME);
        vmapped.forward(td.copy());
        looped.setVmapRandomness(Randomness.SAME);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> looped.forward(td.copy()));
        assertTrue(e.getMessage().contains("SAME"), e.getMessage());
    }

    /** One critic module grows into N re-drawn members (spec §1.3), each with its own target copy. */
    @Test
    void oneCriticModuleGrowsIntoNRedrawnCritics() {
        ValueOperator critic = TinyIql.critic(100);
        Tensor w0 = critic.parameters().get(0);
        IQLLoss loss = IQLLoss.builder(TinyIql.tanhNormalActor(101), critic, TinyIql.value(102)).numQvalueNets(3).generator(new Generator(103)).build();
        assertEquals(3, loss.numQvalueNets());
        Tensor stacked = loss.params(IQLLoss.QVALUE).leaves().values().stream().filter(t -> t.dim() == 3 && t.size(2) == TinyIql.OBS + TinyIql.ACT)
                .findFirst().orElseThrow();
        assertArrayEquals(new int[] {3, TinyIql.HIDDEN, TinyIql.OBS + TinyIql.ACT}, stacked.shape(), "stacked first-layer weights");
        double lo = w0.min().item(), hi = w0.max().item();
        assertTrue(stacked.min().item() >= lo && stacked.max().item() <= hi, "re-drawn within the original's range");
        assertNotEquals(0.0, stacked.select(0, 0).sub(w0).abs().sum().item(), "even the first member is re-drawn");
        LongFunction<Tensor> drawnWith = seed -> IQLLoss.builder(TinyIql.tanhNormalActor(101), critic, TinyIql.value(102)).numQvalueNets(3)
                .generator(new Generator(seed)).build().params(IQLLoss.QVALUE).leaves().values().stream().filter(t -> t.dim() == 3).findFirst().orElseThrow();
        assertEquals(0.0, drawnWith.apply(103).sub(stacked).abs().sum().item(), "the draws come from the given generator");
        assertNotEquals(0.0, drawnWith.apply(105).sub(stacked).abs().sum().item(), "another generator, other draws");
        TensorDict td = TinyIql.continuousBatch(Gen.seeded(104), 4);
        loss.forward(td);
        assertArrayEquals(new int[] {4}, td.get("td_error").shape(), "priority over the 3 critics");
        assertThrows(IllegalArgumentException.class,
                () -> IQLLoss.builder(TinyIql.tanhNormalActor(1), wrap(List.of(TinyIql.mlp(2, 5, 1))), TinyIql.value(3)).numQvalueNets(2).build());
    }

    @Test
    void estimatorsAndConstructorChecks() {
        IQLLoss loss = setup(110, b -> b).loss();
        assertEquals(ValueEstimators.TD0, loss.valueEstimatorType());
        TensorDict td = TinyIql.continuousBatch(Gen.seeded(111), 5);
        double td0 = loss.forward(td.copy()).get("loss_qvalue").item();
        loss.makeValueEstimator(ValueEstimators.TD0, Map.of("gamma", 0.5));
        assertNotEquals(td0, loss.forward(td.copy()).get("loss_qvalue").item(), 1e-9, "the estimator's γ is used");
        loss.makeValueEstimator("td1");
        loss.makeValueEstimator(ValueEstimators.TDLambda);
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class, () -> loss.makeValueEstimator(ValueEstimators.GAE));
        assertTrue(u.getMessage().contains("IQLLoss"), u.getMessage());
        assertThrows(IllegalArgumentException.class, () -> setup(1, b -> b.temperature(Double.NaN)));
        assertThrows(IllegalArgumentException.class, () -> setup(1, b -> b.numQvalueNets(0)));
        assertTrue(loss.toString().contains("expectile=0.5"), loss.toString());
    }

    /** A soft update moves the critic targets toward the critics; the actor and V have no copy to move. */
    @Test
    void aSoftUpdateMovesOnlyTheCriticTargets() {
        Setup s = setup(120, b -> b);
        IQLLoss loss = s.loss();
        SoftUpdate updater = SoftUpdate.withTau(loss, 0.5);
        loss.loadTargetParams(IQLLoss.QVALUE, Parameters.fromModules(wrap(s.targets())));
        Tensor online = loss.params(IQLLoss.QVALUE).leaves().values().iterator().next();
        Tensor target = loss.targetParams(IQLLoss.QVALUE).leaves().values().iterator().next();
        double before = online.sub(target).abs().sum().item();
        updater.step();
        assertEquals(0.5 * before, online.sub(target).abs().sum().item(), 1e-12 * before);
    }

    /**
     * Offline data from a noisy expert on a contextual bandit (every transition terminates; the
     * reward is highest at a* = tanh(W s)): the three losses fall together and nothing becomes NaN.
     */
    @Test
    void aShortOfflineTrainingRunLowersTheLossesAndStaysFinite() {
        Setup s = setup(130, b -> b.temperature(3.0).expectile(0.7));
        IQLLoss loss = s.loss();
        SoftUpdate updater = SoftUpdate.withTau(loss, 0.05);
        Adam opt = new Adam(loss.parameters(), 0.01);
        Gen gen = Gen.seeded(131);
        double[][] w = {{0.8, -0.5, 0.3}, {-0.4, 0.2, 0.9}};
        List<double[]> history = new ArrayList<>();
        for (int step = 0; step < 250; step++) {
            int n = 32;
            TensorDict td = TinyIql.continuousBatch(gen, n);
            double[] obs = td.get("observation").toDoubleArray(), a = new double[n * TinyIql.ACT], r = new double[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < TinyIql.ACT; j++) {
                    double best = 0;
                    for (int k = 0; k < TinyIql.OBS; k++) best += w[j][k] * obs[i * TinyIql.OBS + k];
                    best = Math.tanh(best);
                    a[i * TinyIql.ACT + j] = Math.max(-0.95, Math.min(0.95, best + gen.uniform(-0.3, 0.3)));
                    r[i] -= Math.pow(a[i * TinyIql.ACT + j] - best, 2);
                }
            }
            td.set("action", Tensor.of(DType.FLOAT64, a, n, TinyIql.ACT));
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
        assertTrue(last[0] < 0.2 * first[0], "the Q loss falls: " + first[0] + " -> " + last[0]);
        assertTrue(last[1] < first[1] - 0.5, "the data's negative log-likelihood falls: " + first[1] + " -> " + last[1]);
    }

    private static double[] average(List<double[]> rows) {
        double[] out = new double[rows.get(0).length];
        for (double[] r : rows) for (int i = 0; i < r.length; i++) out[i] += r[i] / rows.size();
        return out;
    }

    @Test
    void theActorIsOnlyScoredNotSampledAndTheCallersActionIsKept() {
        IQLLoss loss = setup(140, b -> b).loss();
        TensorDict td = TinyIql.continuousBatch(Gen.seeded(141), 4);
        Tensor action = td.get("action");
        loss.setRandomSource(new ReplayedDraws(List.of()));  // any draw would fail: nothing is sampled
        loss.forward(td);
        assertSame(action, td.get("action"));
        assertFalse(td.contains("loc") || td.contains("scale"), "the actor's intermediate outputs stay in a copy");
        assertFalse(td.get("_log_prob").requiresGrad() || td.get("td_error").requiresGrad(), "written entries are detached");
        assertTrue(loss.actorLoss(td.copy()).loss().requiresGrad() && loss.qvalueLoss(td.copy()).loss().requiresGrad()
                && loss.valueLoss(td.copy()).loss().requiresGrad());
    }
}
