package org.rlgrad.estimators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.BiFunction;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.Parameters;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;

/**
 * The {@code shifted} mode of the estimator modules (spec estimators.md §6.9, §7 M-shifted-*):
 * one value-network call over {@code T + budget} slots. The expected numbers come from the
 * plain mode ({@code shifted=false}) run on the same rollout with the spec's {@code lastvalid}
 * marking, and the expected validity from the spec's slot formulas, computed here per series with
 * plain loops.
 */
class ShiftedModeTest {
    static final int OBS = 3;
    static final Key NEXT_OBS = Key.of("next", "observation");
    static final Key NEXT_REWARD = Key.of("next", "reward");
    static final Key NEXT_DONE = Key.of("next", "done");
    static final Key NEXT_TERMINATED = Key.of("next", "terminated");
    static final Key NEXT_VALUE = Key.of("next", "state_value");

    /**
     * A rollout in the layout the shifted mode assumes: {@code next_obs_t = obs_{t+1}} unless the
     * trajectory ended at t (then the next observation is a state of its own). Arrays are
     * {@code [series][step]}.
     */
    record Rollout(int b, int t, double[][][] obs, double[][][] nextObs, double[][] reward, boolean[][] done, boolean[][] terminated) {
        static Rollout draw(Gen g, int b, int t, double pTerminal, double pTruncation) {
            double[][][] obs = new double[b][t][OBS], nextObs = new double[b][t][OBS];
            double[][] reward = new double[b][t];
            boolean[][] done = new boolean[b][t], terminated = new boolean[b][t];
            for (int i = 0; i < b; i++) {
                fill(g, obs[i][0]);
                for (int s = 0; s < t; s++) {
                    terminated[i][s] = g.chance(pTerminal);
                    done[i][s] = terminated[i][s] || g.chance(pTruncation);
                    reward[i][s] = g.uniform(-2, 2);
                    if (s + 1 < t) fill(g, obs[i][s + 1]);
                    if (s + 1 < t && !done[i][s]) nextObs[i][s] = obs[i][s + 1].clone();
                    else fill(g, nextObs[i][s]);
                }
            }
            return new Rollout(b, t, obs, nextObs, reward, done, terminated);
        }

        private static void fill(Gen g, double[] x) {
            for (int k = 0; k < x.length; k++) x[k] = g.uniform(-2, 2);
        }

        /** The dict {@code [b, t]} (or {@code [t, b]} with the time dim named "time"), float64, with the given flags. */
        TensorDict dict(boolean[][] doneFlags, boolean[][] terminatedFlags, boolean timeFirst) {
            double[] o = new double[b * t * OBS], no = new double[b * t * OBS], r = new double[b * t];
            boolean[] d = new boolean[b * t], tau = new boolean[b * t];
            for (int i = 0; i < b; i++) {
                for (int s = 0; s < t; s++) {
                    int at = i * t + s;
                    System.arraycopy(obs[i][s], 0, o, at * OBS, OBS);
                    System.arraycopy(nextObs[i][s], 0, no, at * OBS, OBS);
                    r[at] = reward[i][s];
                    d[at] = doneFlags[i][s];
                    tau[at] = terminatedFlags[i][s];
                }
            }
            TensorDict td = new TensorDict(b, t);
            td.set("observation", Tensor.of(DType.FLOAT64, o, b, t, OBS));
            td.set(NEXT_OBS, Tensor.of(DType.FLOAT64, no, b, t, OBS));
            td.set(NEXT_REWARD, Tensor.of(DType.FLOAT64, r, b, t, 1));
            td.set(NEXT_DONE, Tensor.of(d, b, t, 1));
            td.set(NEXT_TERMINATED, Tensor.of(tau, b, t, 1));
            if (timeFirst) {
                td = td.transpose(0, 1);
                td.refineNames("time", null);
            }
            return td;
        }

        TensorDict dict(boolean timeFirst) {
            return dict(done, terminated, timeFirst);
        }

        /** Internal truncations of series i: done, not terminated, before the last step. */
        int resets(int i) {
            int n = 0;
            for (int s = 0; s < t - 1; s++) if (done[i][s] && !terminated[i][s]) n++;
            return n;
        }
    }

    /**
     * The spec's count of dropped samples, {@code k = max(0, #resets + 1 − budget)} (§6.9), is
     * exact when every reset comes before the last kept step {@code T − k − 1}; a reset among the
     * last steps drops itself rather than one more step, so in general {@code k} is an upper bound.
     */
    static void assertDropCount(Rollout ro, int i, int budget, int dropped, String what) {
        int k = Math.max(0, ro.resets(i) + 1 - budget);
        assertTrue(dropped <= k, what + ": series " + i + " drops " + dropped + ", at most max(0, resets + 1 - budget) = " + k);
        boolean resetsEarly = true;
        for (int s = Math.max(0, ro.t() - k - 1); s < ro.t() - 1; s++) resetsEarly &= !(ro.done()[i][s] && !ro.terminated()[i][s]);
        if (k == 0 || resetsEarly) assertEquals(k, dropped, what + ": series " + i + " has its resets early, so it drops max(0, resets + 1 - budget)");
    }

    /** valid and lastvalid by the spec's formulas (§6.9), one series at a time. */
    static boolean[][][] layout(Rollout ro, int budget) {
        boolean[][] valid = new boolean[ro.b()][ro.t()], last = new boolean[ro.b()][ro.t()];
        int length = ro.t() + budget;
        for (int i = 0; i < ro.b(); i++) {
            int resetsBefore = 0;
            for (int s = 0; s < ro.t(); s++) {
                int root = s + resetsBefore;
                valid[i][s] = root + 1 < length;
                if (s < ro.t() - 1 && ro.done()[i][s] && !ro.terminated()[i][s]) resetsBefore++;
            }
            for (int s = 0; s < ro.t(); s++) last[i][s] = valid[i][s] && !(s + 1 < ro.t() ? valid[i][s + 1] : true);
        }
        return new boolean[][][] {valid, last};
    }

    /** An estimator kind, built on {@code net} with or without the shifted mode. */
    record Kind(String name, BiFunction<Boolean, Integer, ValueEstimatorBase> build) {}

    static List<Kind> kinds(Linear net) {
        ValueOperator v = new ValueOperator(net);
        return List.of(
                new Kind("GAE sequential", (sh, bu) -> GAE.builder().gamma(0.95).lambda(0.9).valueNetwork(v).shifted(sh).shiftedBudget(bu).build()),
                new Kind("GAE vectorised", (sh, bu) -> GAE.builder().gamma(0.95).lambda(0.9).vectorized(true).valueNetwork(v).shifted(sh).shiftedBudget(bu).build()),
                new Kind("TD(0)", (sh, bu) -> TD0Estimator.builder().gamma(0.9).valueNetwork(v).shifted(sh).shiftedBudget(bu).build()),
                new Kind("TD(1)", (sh, bu) -> TD1Estimator.builder().gamma(0.9).valueNetwork(v).shifted(sh).shiftedBudget(bu).build()),
                new Kind("TD(λ) vectorised", (sh, bu) -> TDLambdaEstimator.builder().gamma(0.9).lambda(0.7).valueNetwork(v).shifted(sh).shiftedBudget(bu).build()),
                new Kind("TD(λ) sequential",
                        (sh, bu) -> TDLambdaEstimator.builder().gamma(0.9).lambda(0.7).vectorized(false).valueNetwork(v).shifted(sh).shiftedBudget(bu).build()));
    }

    static Linear linear(long seed) {
        return new Linear(OBS, 1, true, DType.FLOAT64, new Generator(seed));
    }

    /** {@code x} of a dict laid out {@code [t, b, ...]} back to {@code [b, t, ...]}. */
    static Tensor seriesFirst(Tensor x, boolean timeFirst) {
        return timeFirst ? x.transpose(0, 1) : x;
    }

    /**
     * Valid entries of {@code got} equal {@code expected} (relative 1e−10); invalid ones are zero.
     * Both are {@code [b, t, 1]}.
     */
    static void assertMaskedEqual(Tensor expected, Tensor got, boolean[][] valid, String what) {
        int b = valid.length, t = valid[0].length;
        assertArrayEquals(new int[] {b, t, 1}, got.shape(), what + ": shape");
        double[] e = expected.toDoubleArray(), g = got.toDoubleArray();
        for (int i = 0; i < b; i++) {
            for (int s = 0; s < t; s++) {
                int at = i * t + s;
                if (valid[i][s]) {
                    assertEquals(e[at], g[at], 1e-10 * (1 + Math.abs(e[at])), what + " at series " + i + ", step " + s + " (valid)");
                } else {
                    assertEquals(0.0, g[at], 0.0, what + " at series " + i + ", step " + s + " (dropped, must be 0)");
                }
            }
        }
    }

    static void assertMaskedEqualWhere(Tensor expected, Tensor got, boolean[][] where, String what) {
        int b = where.length, t = where[0].length;
        double[] e = expected.toDoubleArray(), g = got.toDoubleArray();
        for (int i = 0; i < b; i++) {
            for (int s = 0; s < t; s++) {
                int at = i * t + s;
                if (where[i][s]) assertEquals(e[at], g[at], 1e-10 * (1 + Math.abs(e[at])), what + " at series " + i + ", step " + s);
            }
        }
    }

    @Test
    void dropCountsOfHandMadeSeries() {
        // T = 3, budget 1 (L = 4). Reset at 0: roots 0, 2, 3, one step dropped = max(0, 1 + 1 - 1).
        // Resets at 0 and 1: roots 0, 2, 4; S = [o0, o0', o1, o1'] holds steps 0 and 1 whole, so one step is dropped,
        // not max(0, 2 + 1 - 1) = 2: the reset of the last kept step costs no further step.
        Linear net = linear(1);
        boolean[][][] cases = {{{true, false, false}}, {{true, true, false}}, {{false, false, false}}};
        int[] droppedExpected = {1, 1, 0};
        for (int c = 0; c < cases.length; c++) {
            Rollout ro = Rollout.draw(Gen.seeded(c), 1, 3, 0.0, 0.0);
            for (int s = 0; s < 3; s++) ro.done()[0][s] = cases[c][0][s];
            TensorDict td = ro.dict(false);
            GAE.builder().gamma(0.9).lambda(0.9).valueNetwork(new ValueOperator(net)).shifted(true).build().forward(td);
            boolean[] valid = td.get("shifted_valid").toBooleanArray();
            int dropped = 0;
            for (boolean v : valid) if (!v) dropped++;
            assertEquals(droppedExpected[c], dropped, "case " + c);
            if (c < 2) assertFalse(valid[2], "case " + c + ": the last step is the dropped one");
        }
    }

    // ------------------------------------------------------------------ the guarantee

    @Test
    void validOutputsEqualThePlainModeOnTheMarkedRollout() {
        Property.forAll("shifted = plain mode on the lastvalid-marked rollout", 40, (Gen g) -> {
            int b = g.intIn(1, 3), t = g.chooseInt(1, 2, 5, 9);
            int budget = g.intIn(1, t);
            double pTerminal = g.choose(0.0, 0.15), pTruncation = g.choose(0.0, 0.2, 0.5);
            boolean timeFirst = g.bool();
            g.note("b", b).note("t", t).note("budget", budget).note("pTerminal", pTerminal).note("pTruncation", pTruncation).note("timeFirst", timeFirst);
            Rollout ro = Rollout.draw(g, b, t, pTerminal, pTruncation);
            boolean[][][] lay = layout(ro, budget);
            boolean[][] valid = lay[0], last = lay[1];
            boolean[][] markedDone = new boolean[b][t], markedTerminated = new boolean[b][t];
            for (int i = 0; i < b; i++) {
                for (int s = 0; s < t; s++) {
                    markedDone[i][s] = ro.done()[i][s] || last[i][s];
                    markedTerminated[i][s] = ro.terminated()[i][s] && !last[i][s];
                }
            }
            Linear net = linear(g.intIn(0, 1000));
            for (Kind kind : kinds(net)) {
                TensorDict shifted = ro.dict(timeFirst);
                kind.build().apply(true, budget).forward(shifted);
                TensorDict plain = ro.dict(markedDone, markedTerminated, timeFirst);
                kind.build().apply(false, 1).forward(plain);
                String what = kind.name() + " [" + g.log() + "]";

                Tensor mask = shifted.get("shifted_valid");
                assertArrayEquals(shifted.batchSize(), mask.shape(), what + ": shifted_valid has the dict's batch shape");
                assertEquals(DType.BOOL, mask.dtype(), what + ": shifted_valid is boolean");
                boolean[] got = seriesFirst(mask, timeFirst).contiguous().toBooleanArray();
                for (int i = 0; i < b; i++) {
                    int dropped = 0;
                    boolean seenDropped = false;
                    for (int s = 0; s < t; s++) {
                        boolean v = got[i * t + s];
                        assertEquals(valid[i][s], v, what + ": validity of series " + i + ", step " + s);
                        if (!v) dropped++;
                        assertFalse(seenDropped && v, what + ": the dropped samples of series " + i + " are a suffix");
                        seenDropped |= !v;
                    }
                    assertDropCount(ro, i, budget, dropped, what);
                }
                assertMaskedEqual(seriesFirst(plain.get("advantage"), timeFirst), seriesFirst(shifted.get("advantage"), timeFirst), valid, what + ": advantage");
                assertMaskedEqual(seriesFirst(plain.get("value_target"), timeFirst), seriesFirst(shifted.get("value_target"), timeFirst), valid,
                        what + ": value_target");
                // V written into the dict: the network's value of obs_t at every valid step.
                double[] vPlain = seriesFirst(plain.get("state_value"), timeFirst).contiguous().toDoubleArray();
                double[] vShifted = seriesFirst(shifted.get("state_value"), timeFirst).contiguous().toDoubleArray();
                for (int i = 0; i < b * t; i++) if (got[i]) assertEquals(vPlain[i], vShifted[i], 1e-10 * (1 + Math.abs(vPlain[i])), what + ": V at " + i);
            }
        });
    }

    @Test
    void withOnlyTerminalInternalDonesEverythingIsValidAndEqual() {
        Property.forAll("shifted = plain mode when no truncation is internal", 25, (Gen g) -> {
            int b = g.intIn(1, 3), t = g.chooseInt(1, 3, 8);
            int budget = g.intIn(1, t);
            g.note("b", b).note("t", t).note("budget", budget);
            Rollout ro = Rollout.draw(g, b, t, 0.3, 0.0);
            // The last step may be a truncation (it consumes no slot): flip it now and then.
            for (int i = 0; i < b; i++) if (g.bool()) ro.done()[i][t - 1] = true;
            Linear net = linear(g.intIn(0, 1000));
            boolean[][] all = new boolean[b][t];
            for (boolean[] row : all) java.util.Arrays.fill(row, true);
            for (Kind kind : kinds(net)) {
                TensorDict shifted = ro.dict(false), plain = ro.dict(false);
                kind.build().apply(true, budget).forward(shifted);
                kind.build().apply(false, 1).forward(plain);
                for (boolean v : shifted.get("shifted_valid").toBooleanArray()) assertTrue(v, kind.name() + ": every sample valid [" + g.log() + "]");
                assertMaskedEqual(plain.get("advantage"), shifted.get("advantage"), all, kind.name() + ": advantage [" + g.log() + "]");
                assertMaskedEqual(plain.get("value_target"), shifted.get("value_target"), all, kind.name() + ": value_target [" + g.log() + "]");
                // V' differs where the step is terminal (the fused call reads obs_{t+1} there), which 1 − τ discards.
                boolean[][] notTerminal = new boolean[b][t];
                for (int i = 0; i < b; i++) for (int s = 0; s < t; s++) notTerminal[i][s] = !ro.terminated()[i][s];
                assertMaskedEqualWhere(plain.get(NEXT_VALUE), shifted.get(NEXT_VALUE), notTerminal, kind.name() + ": V' [" + g.log() + "]");
            }
        });
    }

    @Test
    void vtraceKeepsTheGuaranteeToo() {
        Linear net = linear(31);
        Linear policy = new Linear(OBS, 2, true, DType.FLOAT64, new Generator(32));
        org.rlgrad.engine.modules.ProbabilisticActor actor = new org.rlgrad.engine.modules.ProbabilisticActor(
                org.rlgrad.engine.modules.TensorDictModule.of(policy, List.of("observation"), List.of("logits")),
                org.rlgrad.engine.modules.ProbabilisticTensorDictModule.builder().inKeys("logits")
                        .distribution(org.rlgrad.engine.modules.DistributionFactory.CATEGORICAL));
        Rollout ro = Rollout.draw(Gen.seeded(37), 3, 9, 0.1, 0.35);
        int budget = 2;
        boolean[][][] lay = layout(ro, budget);
        boolean[][] markedDone = new boolean[ro.b()][ro.t()], markedTerminated = new boolean[ro.b()][ro.t()];
        int dropped = 0;
        for (int i = 0; i < ro.b(); i++) {
            for (int s = 0; s < ro.t(); s++) {
                markedDone[i][s] = ro.done()[i][s] || lay[1][i][s];
                markedTerminated[i][s] = ro.terminated()[i][s] && !lay[1][i][s];
                if (!lay[0][i][s]) dropped++;
            }
        }
        assertTrue(dropped > 0, "the rollout drops samples");
        Tensor action = new Generator(3).randint(0, 2, ro.b(), ro.t());
        Tensor logMu = new Generator(4).uniform(new int[] {ro.b(), ro.t()}, DType.FLOAT64).log();
        TensorDict shifted = ro.dict(false), plain = ro.dict(markedDone, markedTerminated, false);
        for (TensorDict td : List.of(shifted, plain)) td.set("action", action).set("action_log_prob", logMu);
        VTrace.builder().gamma(0.9).valueNetwork(new ValueOperator(net)).actorNetwork(actor).shifted(true).shiftedBudget(budget).build().forward(shifted);
        VTrace.builder().gamma(0.9).valueNetwork(new ValueOperator(net)).actorNetwork(actor).build().forward(plain);
        assertMaskedEqual(plain.get("value_target"), shifted.get("value_target"), lay[0], "V-trace vs");
        // The advantage reads vs_{t+1} even across a truncation (VTraceRecursion, spec §8 item 6); at a last valid step
        // that is the vs of a dropped step, whose V the fused call never computed. Everywhere else it is as in the plain mode.
        boolean[][] beforeLast = new boolean[ro.b()][ro.t()];
        for (int i = 0; i < ro.b(); i++) for (int s = 0; s < ro.t(); s++) beforeLast[i][s] = lay[0][i][s] && !lay[1][i][s];
        assertMaskedEqualWhere(plain.get("advantage"), shifted.get("advantage"), beforeLast, "V-trace advantage");
    }

    // ------------------------------------------------------------------ one call

    @Test
    void theValueNetworkIsCalledExactlyOnce() {
        Linear net = linear(3);
        int[] calls = {0};
        ValueOperator counting = new ValueOperator(net, (positional, named) -> {
            calls[0]++;
            return net.forward(positional.get(0));
        }, List.of("observation"), null);
        Rollout ro = Rollout.draw(Gen.seeded(5), 3, 8, 0.1, 0.3);
        List<ValueEstimatorBase> estimators = List.of(GAE.builder().gamma(0.9).lambda(0.9).valueNetwork(counting).shifted(true).shiftedBudget(3).build(),
                TD0Estimator.builder().gamma(0.9).valueNetwork(counting).shifted(true).build(),
                TD1Estimator.builder().gamma(0.9).valueNetwork(counting).shifted(true).build(),
                TDLambdaEstimator.builder().gamma(0.9).lambda(0.5).valueNetwork(counting).shifted(true).deactivateVmap(true).build());
        for (ValueEstimatorBase est : estimators) {
            calls[0] = 0;
            TensorDict td = ro.dict(false);
            est.forward(td);
            assertEquals(1, calls[0], est.getClass().getSimpleName() + ": one network call");
            // And it gave the Linear's own value of obs_t at every kept step.
            Tensor v;
            try (GradMode.Scope s = GradMode.noGrad()) {
                v = net.forward(td.get("observation"));
            }
            double[] expected = v.toDoubleArray(), got = td.get("state_value").toDoubleArray();
            boolean[] valid = td.get("shifted_valid").toBooleanArray();
            for (int i = 0; i < valid.length; i++) if (valid[i]) assertEquals(expected[i], got[i], 1e-12, "V = net(obs) at " + i);
        }
        // The plain mode under the loop form of vmap calls it once per stacked slot: the counter can tell.
        calls[0] = 0;
        TDLambdaEstimator.builder().gamma(0.9).lambda(0.5).valueNetwork(counting).deactivateVmap(true).build().forward(ro.dict(false));
        assertEquals(2, calls[0], "the plain mode's loop form calls current and next separately");
    }

    // ------------------------------------------------------------------ options and errors

    @Test
    void optionsDefaultAndBudgetIsValidated() {
        GAE plain = GAE.builder().gamma(0.9).lambda(0.9).build();
        assertFalse(plain.shifted());
        assertEquals(1, plain.shiftedBudget());
        TD1Estimator on = TD1Estimator.builder().gamma(0.9).shifted(true).shiftedBudget(4).build();
        assertTrue(on.shifted());
        assertEquals(4, on.shiftedBudget());
        for (int bad : new int[] {0, -2}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TD0Estimator.builder().gamma(0.9).shiftedBudget(bad));
            assertTrue(e.getMessage().contains("shifted_budget") && e.getMessage().contains("got " + bad), e.getMessage());
        }
    }

    /**
     * rlgrad's choice for spec §8 item 9 (DECISIONS.md is silent): the reference fails every call
     * with params in the shifted mode; rlgrad fails only params AND a distinct targetParams.
     */
    @Test
    void paramsAloneRunTheFusedCallButADistinctTargetIsAnError() {
        Linear net = linear(12), other = linear(13), target = linear(14);
        Rollout ro = Rollout.draw(Gen.seeded(7), 2, 6, 0.1, 0.3);
        GAE gae = GAE.builder().gamma(0.9).lambda(0.9).valueNetwork(new ValueOperator(net)).shifted(true).shiftedBudget(2).build();
        TensorDict params = prefixed(Parameters.fromModule(other)), targetParams = prefixed(Parameters.fromModule(target));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gae.forward(ro.dict(false), params, targetParams));
        assertTrue(e.getMessage().contains("the value at t and t+1 cannot be retrieved in a single call when both params and next params are passed."),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> gae.forward(ro.dict(false), null, targetParams));
        assertTrue(e.getMessage().contains("params and next_params must be either both provided or not."), e.getMessage());

        TensorDict withParams = ro.dict(false), same = ro.dict(false), reference = ro.dict(false);
        gae.forward(withParams, params, null);
        gae.forward(same, params, params);
        GAE.builder().gamma(0.9).lambda(0.9).valueNetwork(new ValueOperator(other)).shifted(true).shiftedBudget(2).build().forward(reference);
        assertArrayEquals(reference.get("advantage").toDoubleArray(), withParams.get("advantage").toDoubleArray(), 1e-12, "params stand for the network's own");
        assertArrayEquals(reference.get("advantage").toDoubleArray(), same.get("advantage").toDoubleArray(), 1e-12, "the same dict twice is one set");
        TensorDict own = ro.dict(false);
        gae.forward(own);
        assertFalse(java.util.Arrays.equals(own.get("advantage").toDoubleArray(), withParams.get("advantage").toDoubleArray()), "the params took effect");
    }

    private static TensorDict prefixed(TensorDict linearParams) {
        TensorDict td = new TensorDict();
        td.set("module", linearParams);
        return td;
    }

    // ------------------------------------------------------------------ gradients, skip-existing, chunks

    @Test
    void nonDifferentiableOutputsAreLeavesAndDifferentiableOnesReachTheRewards() {
        Linear net = linear(20);
        Rollout ro = Rollout.draw(Gen.seeded(9), 2, 7, 0.1, 0.3);
        TensorDict td = ro.dict(false);
        td.set(NEXT_REWARD, td.get(NEXT_REWARD).requiresGrad(true));
        GAE.builder().gamma(0.9).lambda(0.9).valueNetwork(new ValueOperator(net)).shifted(true).build().forward(td);
        assertFalse(td.get("advantage").requiresGrad(), "differentiable=false: nothing recorded");
        assertTrue(td.get("advantage").isLeaf());
        assertTrue(td.get("value_target").isLeaf());

        TensorDict d = ro.dict(false);
        Tensor r = d.get(NEXT_REWARD).requiresGrad(true), obs = d.get("observation").requiresGrad(true);
        d.set(NEXT_REWARD, r).set("observation", obs);
        GAE.builder().gamma(0.9).lambda(0.9).differentiable(true).valueNetwork(new ValueOperator(net)).shifted(true).shiftedBudget(2).build().forward(d);
        d.get("advantage").sum().backward();
        assertNotNull(r.grad(), "rewards get a gradient");
        assertTrue(r.grad().abs().sum().item() > 0, "a non-zero one");
        assertNotNull(obs.grad(), "current observations get one through V (gathered from the fused call)");
        assertNull(net.weight().grad(), "the held-out network gets none");
        assertTrue(net.weight().requiresGrad(), "and its parameters are given back afterwards");
    }

    @Test
    void skipExistingKeepsValuesAlreadyInTheDict() {
        Linear zeros = linear(16);
        try (GradMode.Scope s = GradMode.noGrad()) {
            zeros.weight().zero_();
            zeros.bias().zero_();
        }
        Rollout ro = Rollout.draw(Gen.seeded(11), 2, 7, 0.1, 0.3);
        for (Boolean skip : new Boolean[] {true, false, null}) {
            for (boolean withNetwork : new boolean[] {true, false}) {
                if (!withNetwork && !Boolean.TRUE.equals(skip)) continue;
                TensorDict td = ro.dict(false);
                td.set("state_value", Tensor.zerosLike(td.get(NEXT_REWARD)).add(1));
                td.set(NEXT_VALUE, Tensor.zerosLike(td.get(NEXT_REWARD)).add(1));
                TD0Estimator.builder().gamma(0.9).skipExisting(skip).valueNetwork(withNetwork ? new ValueOperator(zeros) : null).shifted(true).build()
                        .forward(td);
                double expected = Boolean.TRUE.equals(skip) ? 1 : 0;
                String what = "skip_existing=" + skip + (withNetwork ? "" : ", no network");
                assertArrayEquals(Tensor.zerosLike(td.get(NEXT_REWARD)).add(expected).toDoubleArray(), td.get("state_value").toDoubleArray(), 0, what);
                assertArrayEquals(Tensor.zerosLike(td.get(NEXT_REWARD)).add(expected).toDoubleArray(), td.get(NEXT_VALUE).toDoubleArray(), 0, what + " (V')");
            }
        }
    }

    @Test
    void chunkingTheFusedCallNeverChangesTheResults() {
        Linear net = linear(15);
        Rollout ro = Rollout.draw(Gen.seeded(13), 4, 5, 0.1, 0.3);
        TensorDict reference = ro.dict(false);
        TD1Estimator.builder().gamma(0.9).valueNetwork(new ValueOperator(net)).shifted(true).shiftedBudget(2).build().forward(reference);
        for (TD1Estimator est : List.of(
                TD1Estimator.builder().gamma(0.9).valueNetwork(new ValueOperator(net)).shifted(true).shiftedBudget(2).valueChunkSize(3).build(),
                TD1Estimator.builder().gamma(0.9).valueNetwork(new ValueOperator(net)).shifted(true).shiftedBudget(2).numChunks(3).valueChunkDim(1).build())) {
            TensorDict td = ro.dict(false);
            est.forward(td);
            assertArrayEquals(reference.get("value_target").toDoubleArray(), td.get("value_target").toDoubleArray(), 1e-12, "chunks " + est.valueChunks());
        }
    }

    // ------------------------------------------------------------------ average_gae, NaN next states, stale masks

    @Test
    void averageGaeTakesMaskedStatisticsOverTheValidEntries() {
        Linear net = linear(21);
        Rollout ro = Rollout.draw(Gen.seeded(17), 3, 8, 0.1, 0.4);
        int budget = 1;
        boolean[][][] lay = layout(ro, budget);
        boolean[][] valid = lay[0];
        int dropped = 0;
        for (boolean[] row : valid) for (boolean v : row) if (!v) dropped++;
        assertTrue(dropped > 0, "the rollout drops something, so the masked statistics differ from the plain ones");
        TensorDict raw = ro.dict(false), averaged = ro.dict(false);
        GAE.builder().gamma(0.9).lambda(0.9).valueNetwork(new ValueOperator(net)).shifted(true).shiftedBudget(budget).build().forward(raw);
        GAE.builder().gamma(0.9).lambda(0.9).valueNetwork(new ValueOperator(net)).shifted(true).shiftedBudget(budget).averageGae(true).build()
                .forward(averaged);
        double[] a = raw.get("advantage").toDoubleArray();
        double sum = 0, n = 0;
        for (int i = 0; i < a.length; i++) if (valid[i / ro.t()][i % ro.t()]) { sum += a[i]; n++; }
        double mean = sum / n, sq = 0;
        for (int i = 0; i < a.length; i++) if (valid[i / ro.t()][i % ro.t()]) sq += (a[i] - mean) * (a[i] - mean);
        double std = Math.sqrt(sq / n); // biased (spec §6.10)
        double[] expected = new double[a.length];
        for (int i = 0; i < a.length; i++) expected[i] = (a[i] - mean) / Math.max(std, 1e-4);
        assertMaskedEqual(Tensor.of(DType.FLOAT64, expected, ro.b(), ro.t(), 1), averaged.get("advantage"), valid, "standardised advantage");
        double[] got = averaged.get("advantage").toDoubleArray();
        double validSum = 0;
        for (int i = 0; i < got.length; i++) if (valid[i / ro.t()][i % ro.t()]) validSum += got[i];
        assertEquals(0, validSum / n, 1e-12, "mean over the valid entries is 0");
        assertArrayEquals(raw.get("value_target").toDoubleArray(), averaged.get("value_target").toDoubleArray(), 0, "the target is not standardised");
    }

    @Test
    void nanNextObservationAtTheFinalTerminalStepGivesFiniteOutputs() {
        Linear net = linear(17);
        Rollout ro = Rollout.draw(Gen.seeded(19), 1, 6, 0.0, 0.0);
        ro.done()[0][5] = true;
        ro.terminated()[0][5] = true;
        java.util.Arrays.fill(ro.nextObs()[0][5], Double.NaN);
        TensorDict td = ro.dict(false);
        GAE.builder().gamma(0.9).lambda(0.9).valueNetwork(new ValueOperator(net)).shifted(true).build().forward(td);
        double[] target = td.get("value_target").toDoubleArray(), adv = td.get("advantage").toDoubleArray();
        for (int s = 0; s < 6; s++) assertTrue(Double.isFinite(target[s]) && Double.isFinite(adv[s]), "finite at step " + s);
        double v;
        try (GradMode.Scope s = GradMode.noGrad()) {
            v = net.forward(td.get("observation")).toDoubleArray()[5];
        }
        assertEquals(ro.reward()[0][5], target[5], 1e-12, "terminal target = r");
        assertEquals(ro.reward()[0][5] - v, adv[5], 1e-12, "terminal advantage = r - V");
    }

    @Test
    void aSecondCallLeavesNoStaleMask() {
        Linear net = linear(23);
        GAE gae = GAE.builder().gamma(0.9).lambda(0.9).valueNetwork(new ValueOperator(net)).shifted(true).build();
        Rollout many = Rollout.draw(Gen.seeded(29), 2, 6, 0.0, 0.6), none = Rollout.draw(Gen.seeded(31), 2, 6, 0.0, 0.0);
        TensorDict first = many.dict(false);
        gae.forward(first);
        boolean anyDropped = false;
        for (boolean v : first.get("shifted_valid").toBooleanArray()) anyDropped |= !v;
        assertTrue(anyDropped, "the first rollout drops samples");
        TensorDict second = none.dict(false);
        gae.forward(second);
        for (boolean v : second.get("shifted_valid").toBooleanArray()) assertTrue(v, "the second keeps everything");
    }
}
