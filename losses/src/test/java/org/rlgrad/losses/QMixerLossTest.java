package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.Parameters;
import org.rlgrad.engine.modules.QValueActor;
import org.rlgrad.engine.modules.QValueModule;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.nn.Mixer;
import org.rlgrad.engine.nn.QMixer;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.nn.Tanh;
import org.rlgrad.engine.nn.VDNMixer;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;
import org.rlgrad.estimators.ValueEstimators;

/** Spec losses.md §2.23. */
class QMixerLossTest {
    private static final int AGENTS = 3, OBS = 3, HIDDEN = 5, ACTIONS = 4, STATE = 4, EMBED = 3;
    private static final Key AGENT_OBS = Key.of("agents", "observation"), AGENT_ACTION = Key.of("agents", "action");

    private static Sequential localNet(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(OBS, HIDDEN, true, DType.FLOAT64, g), new Tanh(), new Linear(HIDDEN, ACTIONS, true, DType.FLOAT64, g));
    }

    /** The local Q-value actor over the agents' observations (TorchRL's multi-agent keys). */
    private static QValueActor local(Sequential net, String space) {
        return new QValueActor(net, List.of(AGENT_OBS), QValueModule.builder(space).actionValueKey(Key.of("agents", "action_value"))
                .outKeys(AGENT_ACTION, Key.of("agents", "action_value"), Key.of("agents", "chosen_action_value")).build());
    }

    private static Mixer mixer(boolean qmix, long seed) {
        return qmix ? new QMixer(new int[] {STATE}, EMBED, AGENTS, DType.FLOAT64, new Generator(seed)) : new VDNMixer(AGENTS);
    }

    private static QMixerLoss loss(Sequential net, Mixer mixer, String space, String distance) {
        return QMixerLoss.builder(local(net, space), mixer).actionSpace(space).lossFunction(distance).build();
    }

    /** {@code b} transitions of the agents: one-hot ([b, n, nA]) or categorical ([b, n]) int64 actions, a global state, rewards in [-3, 3]. */
    private static TensorDict batch(Gen gen, int b, boolean categorical) {
        TensorDict agents = new TensorDict(b, AGENTS);
        agents.set("observation", gen.uniform(new int[] {b, AGENTS, OBS}, -1, 1));
        Tensor index = gen.indices(new int[] {b, AGENTS}, ACTIONS);
        agents.set("action", categorical ? index : index.oneHot(ACTIONS));
        TensorDict nextAgents = new TensorDict(b, AGENTS);
        nextAgents.set("observation", gen.uniform(new int[] {b, AGENTS, OBS}, -1, 1));
        TensorDict next = new TensorDict(b);
        next.set("agents", nextAgents);
        next.set("state", gen.uniform(new int[] {b, STATE}, -1, 1));
        next.set("reward", gen.uniform(new int[] {b, 1}, -3, 3));
        Tensor terminated = gen.bools(new int[] {b, 1}, 0.3);
        next.set("terminated", terminated);
        next.set("done", terminated.logicalOr(gen.bools(new int[] {b, 1}, 0.2)));
        TensorDict td = new TensorDict(b);
        td.set("agents", agents);
        td.set("state", gen.uniform(new int[] {b, STATE}, -1, 1));
        td.set("next", next);
        return td;
    }

    /** Loads the values of {@code net} and {@code mixer} into the loss's target trees. */
    private static void loadTargets(QMixerLoss loss, Sequential net, Mixer mixer, String space) {
        loss.loadTargetParams(QMixerLoss.LOCAL_VALUE_NETWORK, Parameters.fromModule(local(net, space)));
        loss.loadTargetParams(QMixerLoss.MIXER_NETWORK, Parameters.fromModule(QMixerLoss.mixerModule(mixer, "x", "state", "y")));
    }

    private static Tensor mix(Mixer m, Tensor q, Tensor state) {
        return m.needsState() ? m.forward(q.unsqueeze(-1), state) : m.forward(q.unsqueeze(-1));
    }

    /** Q_tot [b] and the TD(0) target y [b] of spec §2.23, from the networks themselves. */
    private static Tensor[] byHand(TensorDict td, Sequential net, Mixer m, Sequential targetNet, Mixer targetMixer, boolean categorical, double gamma) {
        try (GradMode.Scope g = GradMode.noGrad()) {
            Tensor qs = net.forward(td.get(AGENT_OBS));
            Tensor a = td.get(AGENT_ACTION);
            Tensor chosen = categorical ? qs.gather(-1, a.unsqueeze(-1)).squeeze(-1) : qs.mul(a.to(DType.FLOAT64)).sum(-1);
            Tensor qTot = mix(m, chosen, td.get("state")).squeeze(-1);
            Tensor greedy = targetNet.forward(td.get(Key.of("next", "agents", "observation"))).amax(new int[] {-1}, false);
            Tensor next = mix(targetMixer, greedy, td.get(Key.of("next", "state"))).squeeze(-1);
            Tensor notTerminated = td.get(Key.of("next", "terminated")).squeeze(-1).logicalNot().to(DType.FLOAT64);
            Tensor y = td.get(Key.of("next", "reward")).squeeze(-1).add(next.mul(notTerminated).mul(gamma));
            return new Tensor[] {qTot, y};
        }
    }

    @Test
    void matchesTheTd0FormulaComputedFromTheNetworks() {
        Property.forAll("qmixer formula", 24, gen -> {
            boolean qmix = gen.bool(), categorical = gen.bool();
            String space = categorical ? "categorical" : "one_hot";
            String distance = gen.oneOf("l2", "smooth_l1", "l1");
            double gamma = gen.choose(0.99, 0.5);
            Sequential net = localNet(gen.intIn(0, 1000)), targetNet = localNet(gen.intIn(1001, 2000));
            Mixer m = mixer(qmix, gen.intIn(0, 1000)), targetMixer = mixer(qmix, gen.intIn(1001, 2000));
            QMixerLoss loss = loss(net, m, space, distance);
            loss.makeValueEstimator(ValueEstimators.TD0, Map.of("gamma", gamma));
            loadTargets(loss, targetNet, targetMixer, space);
            TensorDict td = batch(gen, gen.intIn(1, 6), categorical);
            double got = loss.forward(td).get("loss").item();

            Tensor[] want = byHand(td, net, m, targetNet, targetMixer, categorical, gamma);
            Tensor delta = want[0].sub(want[1]);
            assertEquals(Distance.parse(distance).apply(want[0], want[1]).mean().item(), got, 1e-12);
            Tensor priority = td.get("td_error");
            assertArrayEquals(new int[] {want[0].size(0), 1}, priority.shapeRef());
            assertArrayEquals(delta.square().toDoubleArray(), priority.toDoubleArray(), 1e-12);
        });
    }

    @Test
    void theDistanceOptionIsApplied() {
        Sequential net = localNet(1);
        Mixer m = mixer(true, 2);
        TensorDict td = batch(Gen.seeded(3), 8, false);
        double l2 = loss(net, m, "one_hot", "l2").forward(td).get("loss").item();
        double huber = loss(net, m, "one_hot", "smooth_l1").forward(td.copy()).get("loss").item();
        Tensor delta = td.get("td_error").sqrt();
        assertEquals(td.get("td_error").mean().item(), l2, 1e-12);
        assertEquals(Tensor.where(delta.lt(1.0), delta.square().mul(0.5), delta.sub(0.5)).mean().item(), huber, 1e-12);
        assertNotEquals(l2, huber);
    }

    @Test
    void gradientsReachExactlyTheOnlineLocalNetworkAndMixerAndNeverTheTargets() {
        Sequential net = localNet(1);
        QMixer m = (QMixer) mixer(true, 2);
        QMixerLoss loss = loss(net, m, "one_hot", "l2");
        SoftUpdate.of(loss, 0.9, null);
        loadTargets(loss, localNet(3), mixer(true, 4), "one_hot");
        TensorDict td = batch(Gen.seeded(5), 6, false);
        LossOutputs.totalLoss(loss.forward(td)).backward();

        List<Tensor> online = new ArrayList<>(net.parameters());
        online.addAll(m.parameters());
        assertEquals(online.size(), loss.parameters().size());
        for (Tensor p : online) {
            assertTrue(loss.parameters().stream().anyMatch(q -> q == p), "the loss trains the networks' own tensors");
            assertNotNull(p.grad(), "every online parameter receives a gradient");
            assertTrue(p.grad().abs().sum().item() > 0);
        }
        for (String name : List.of(QMixerLoss.LOCAL_VALUE_NETWORK, QMixerLoss.MIXER_NETWORK)) {
            assertTrue(loss.hasDelayedTarget(name));
            for (Tensor t : loss.targetParams(name).leaves().values()) {
                assertFalse(t.requiresGrad());
                assertNull(t.grad());
                assertTrue(loss.parameters().stream().noneMatch(q -> q.storage() == t.storage()), "the target is a copy, not the online tensor");
            }
        }
        assertFalse(td.get("td_error").requiresGrad(), "the priority is detached");
        assertFalse(td.contains(Key.of("agents", "action_value")), "the networks run on a copy of the caller's dict");
    }

    /** delayValue(false): the target is the online network itself (detached), so moving the online weights moves the target. */
    @Test
    void withoutDelayedCopiesTheOnlineNetworksGiveTheTarget() {
        Sequential net = localNet(6);
        Mixer m = mixer(true, 7);
        QMixerLoss delayed = loss(net, m, "one_hot", "l2");
        QMixerLoss live = QMixerLoss.builder(local(net, "one_hot"), m).delayValue(false).build();
        assertFalse(live.hasDelayedTarget(QMixerLoss.LOCAL_VALUE_NETWORK));
        assertFalse(live.hasDelayedTarget(QMixerLoss.MIXER_NETWORK));
        try (GradMode.Scope g = GradMode.noGrad()) {
            for (Tensor p : live.parameters()) p.addInPlace(p.mul(0.3), 1.0);
        }
        TensorDict td = batch(Gen.seeded(8), 5, false);
        double gotLive = live.forward(td.copy()).get("loss").item(), gotDelayed = delayed.forward(td.copy()).get("loss").item();
        Tensor[] want = byHand(td, net, m, net, m, false, 0.99);
        assertEquals(want[0].sub(want[1]).square().mean().item(), gotLive, 1e-12);
        assertNotEquals(gotLive, gotDelayed, 1e-6);
    }

    @Test
    void keysCanBeRenamedEndToEndAndAMissingInputIsNamed() {
        Sequential net = localNet(9);
        QMixer m = (QMixer) mixer(true, 10);
        Gen gen = Gen.seeded(11);
        TensorDict td = batch(gen, 5, false);
        double plain = loss(net, m, "one_hot", "l2").forward(td.copy()).get("loss").item();

        Key act = Key.of("agents", "act"), values = Key.of("agents", "qs"), chosen = Key.of("agents", "q_chosen");
        QValueActor renamedLocal = new QValueActor(net, List.of(AGENT_OBS), QValueModule.builder("one_hot").actionValueKey(values).outKeys(act, values, chosen).build());
        TensorDictModuleBase renamedMixer = QMixerLoss.mixerModule(m, chosen, "global_state", "q_tot");
        QMixerLoss loss = QMixerLoss.builder(renamedLocal, renamedMixer).build();
        loss.setKeys(Map.of("action", act, "action_value", values, "local_value", chosen, "global_value", "q_tot", "reward", "rew", "terminated", "term",
                "priority", "prio"));
        TensorDict renamed = rename(td);
        assertEquals(plain, loss.forward(renamed).get("loss").item(), 1e-12);
        assertTrue(renamed.contains("prio"));
        assertFalse(renamed.contains("td_error"));

        TensorDict missing = rename(td);
        missing.remove(act);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loss.forward(missing));
        assertTrue(e.getMessage().contains("act"), e.getMessage());
    }

    private static TensorDict rename(TensorDict td) {
        TensorDict out = td.copy();
        out.set(Key.of("agents", "act"), out.get(AGENT_ACTION));
        out.remove(AGENT_ACTION);
        out.set("global_state", out.get("state"));
        out.set(Key.of("next", "global_state"), out.get(Key.of("next", "state")));
        out.set(Key.of("next", "rew"), out.get(Key.of("next", "reward")));
        out.set(Key.of("next", "term"), out.get(Key.of("next", "terminated")));
        out.remove("state");
        out.remove(Key.of("next", "state"));
        out.remove(Key.of("next", "reward"));
        out.remove(Key.of("next", "terminated"));
        return out;
    }

    /** A raw mixer is wrapped with the default keys at construction: renaming local_value afterwards must not let it mix the greedy values. */
    @Test
    void aMixerThatDoesNotReadTheLocalValueKeyIsAnError() {
        QMixerLoss loss = loss(localNet(1), mixer(false, 2), "one_hot", "l2");
        loss.setKeys("local_value", Key.of("agents", "q_chosen"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> loss.forward(batch(Gen.seeded(3), 4, false)));
        assertTrue(e.getMessage().contains("q_chosen"), e.getMessage());
    }

    @Test
    void aQmixMixerWithoutItsStateIsAnErrorNamingTheKey() {
        QMixerLoss loss = loss(localNet(1), mixer(true, 2), "one_hot", "l2");
        TensorDict td = batch(Gen.seeded(3), 4, false);
        td.remove("state");
        RuntimeException e = assertThrows(RuntimeException.class, () -> loss.forward(td));
        String all = e.getMessage() + (e.getCause() == null ? "" : " " + e.getCause().getMessage());
        assertTrue(all.contains("state"), all);
    }

    @Test
    void meanLossIgnoresTheOrderOfSamples() {
        Property.forAll("qmixer order", 10, gen -> {
            boolean qmix = gen.bool();
            QMixerLoss loss = loss(localNet(gen.intIn(0, 100)), mixer(qmix, gen.intIn(0, 100)), "one_hot", "smooth_l1");
            loadTargets(loss, localNet(gen.intIn(101, 200)), mixer(qmix, gen.intIn(101, 200)), "one_hot");
            int b = gen.intIn(2, 6);
            TensorDict td = batch(gen, b, false);
            TensorDict shuffled = td.index(Tensor.of(Arrays.stream(gen.permutation(b)).asLongStream().toArray(), b));
            assertEquals(loss.forward(td).get("loss").item(), loss.forward(shuffled).get("loss").item(), 1e-13);
        });
    }

    /** Spec §4 item 14 (kept, DECISIONS rule 1): always a plain mean; masks are not read, and another reduction is refused rather than ignored. */
    @Test
    void theLossIsAlwaysAPlainMean() {
        QMixerLoss loss = loss(localNet(1), mixer(false, 2), "one_hot", "l2");
        TensorDict td = batch(Gen.seeded(3), 6, false);
        double plain = loss.forward(td.copy()).get("loss").item();
        TensorDict masked = td.copy();
        masked.set("shifted_valid", Tensor.of(new boolean[] {true, false, true, false, false, true}, 6));
        assertEquals(plain, loss.forward(masked).get("loss").item(), 0.0);
        loss.setReduction(org.rlgrad.engine.tensor.Reduction.SUM);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> loss.forward(td.copy()));
        assertTrue(e.getMessage().contains("mean"), e.getMessage());
    }

    @Test
    void estimatorsAreTheTdFamilyOverTheLocalNetworkThenTheMixer() {
        QMixerLoss loss = loss(localNet(1), mixer(true, 2), "one_hot", "l2");
        assertEquals(ValueEstimators.TD0, loss.valueEstimatorType());
        loss.makeValueEstimator("td1");
        assertEquals(ValueEstimators.TD1, loss.valueEstimatorType());
        assertThrows(UnsupportedOperationException.class, () -> loss.makeValueEstimator("gae"));
        assertEquals(List.of(loss.localValueNetwork(), loss.mixerNetwork()), loss.globalValueNetwork().sequence());
        assertEquals(Key.of("chosen_action_value"), loss.valueEstimator().tensorKeys().value());
        QMixerLoss renamed = QMixerLoss.builder(local(localNet(1), "one_hot"), QMixerLoss.mixerModule(mixer(false, 2), Key.of("agents", "chosen_action_value"),
                null, "q_tot")).build();
        renamed.setKeys("global_value", "q_tot");
        assertEquals(Key.of("q_tot"), renamed.valueEstimator().tensorKeys().value(), "global_value is the estimator's value key");
    }

    /**
     * A one-step cooperative matrix game (the episode ends after the joint action): two agents
     * with three actions each, reward {@code u1[a1] + u2[a2] + 0.3·[a1 = a2]}. QMIX fits the
     * joint values; the loss falls and every agent's greedy action is its part of the best joint action.
     */
    @Test
    void qmixLearnsACooperativeMatrixGame() {
        int n = 2, actions = 3, b = actions * actions;
        double[] u1 = {0, 1, 0.2}, u2 = {0.5, 0, 1.2};
        long[] joint = new long[b * n];
        double[] reward = new double[b];
        for (int i = 0; i < actions; i++) {
            for (int j = 0; j < actions; j++) {
                int row = i * actions + j;
                joint[row * n] = i;
                joint[row * n + 1] = j;
                reward[row] = u1[i] + u2[j] + (i == j ? 0.3 : 0);
            }
        }
        // Each agent observes its own id, one-hot; the state is constant.
        double[] ids = new double[b * n * n];
        for (int row = 0; row < b; row++) for (int a = 0; a < n; a++) ids[(row * n + a) * n + a] = 1;
        TensorDict agents = new TensorDict(b, n);
        agents.set("observation", Tensor.of(ids, b, n, n).to(DType.FLOAT64));
        agents.set("action", Tensor.of(joint, b, n).oneHot(actions));
        TensorDict next = new TensorDict(b);
        next.set("agents", agents.copy());
        next.set("state", Tensor.ones(DType.FLOAT64, b, 2));
        next.set("reward", Tensor.of(reward, b, 1).to(DType.FLOAT64));
        next.set("terminated", Tensor.of(new boolean[b], b, 1).logicalNot());
        next.set("done", next.get("terminated"));
        TensorDict td = new TensorDict(b);
        td.set("agents", agents);
        td.set("state", Tensor.ones(DType.FLOAT64, b, 2));
        td.set("next", next);

        Generator g = new Generator(21);
        Sequential net = new Sequential(new Linear(n, 16, true, DType.FLOAT64, g), new Tanh(), new Linear(16, actions, true, DType.FLOAT64, g));
        QMixer m = new QMixer(new int[] {2}, 8, n, DType.FLOAT64, g);
        QValueActor localActor = new QValueActor(net, List.of(AGENT_OBS), QValueModule.builder("one_hot").actionValueKey(Key.of("agents", "action_value"))
                .outKeys(AGENT_ACTION, Key.of("agents", "action_value"), Key.of("agents", "chosen_action_value")).build());
        QMixerLoss loss = QMixerLoss.builder(localActor, m).build();
        SoftUpdate updater = SoftUpdate.withTau(loss, 0.05);
        Adam opt = new Adam(loss.parameters(), 0.01);
        double first = Double.NaN, last = Double.NaN;
        for (int step = 0; step < 300; step++) {
            opt.zeroGrad();
            Tensor l = loss.forward(td.copy()).get("loss");
            l.backward();
            opt.step();
            updater.step();
            if (step == 0) first = l.item();
            last = l.item();
            assertTrue(Double.isFinite(last), "step " + step);
            for (Tensor p : loss.parameters()) assertTrue(p.isFinite().all().item() != 0, "step " + step);
        }
        assertTrue(last < 0.05 * first, first + " -> " + last);
        Tensor q;
        try (GradMode.Scope s = GradMode.noGrad()) {
            q = net.forward(Tensor.eye(n, DType.FLOAT64));
        }
        assertArrayEquals(new long[] {1, 2}, q.argmax(-1, false).toLongArray(), "the greedy joint action is the best one, (1, 2)");
    }

    @Test
    void describesItself() {
        QMixerLoss loss = loss(localNet(1), mixer(false, 2), "categorical", "smooth_l1");
        assertTrue(loss.toString().contains("smooth_l1") && loss.toString().contains("CATEGORICAL"), loss.toString());
        assertEquals(List.of("advantage", "value_target", "local_value", "global_value", "action_value", "action", "priority", "reward", "done",
                "terminated"), QMixerLoss.keyNames());
    }
}
