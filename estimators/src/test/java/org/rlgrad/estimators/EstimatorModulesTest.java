package org.rlgrad.estimators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.Parameters;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.Dropout;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.nn.Sequential;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.vmap.Randomness;

/**
 * The estimator modules against the functional estimators called directly on the same tensors,
 * with the values computed here from the same Linear (spec estimators.md §6).
 */
class EstimatorModulesTest {
    static final int B = 2, T = 7, OBS = 3;
    static final Key NEXT_OBS = Key.of("next", "observation");
    static final Key NEXT_REWARD = Key.of("next", "reward");
    static final Key NEXT_DONE = Key.of("next", "done");
    static final Key NEXT_TERMINATED = Key.of("next", "terminated");
    static final Key NEXT_VALUE = Key.of("next", "state_value");

    /** A batch [B, T] of transitions with truncations and terminations, float64. */
    static TensorDict trajectories(long seed, int b, int t) {
        Generator g = new Generator(seed);
        TensorDict td = new TensorDict(b, t);
        td.set("observation", g.normal(new int[] {b, t, OBS}, DType.FLOAT64));
        td.set(NEXT_OBS, g.normal(new int[] {b, t, OBS}, DType.FLOAT64));
        td.set(NEXT_REWARD, g.normal(new int[] {b, t, 1}, DType.FLOAT64));
        Tensor terminated = g.uniform(new int[] {b, t, 1}, DType.FLOAT64).lt(0.15);
        Tensor done = g.uniform(new int[] {b, t, 1}, DType.FLOAT64).lt(0.15).logicalOr(terminated);
        td.set(NEXT_DONE, done);
        td.set(NEXT_TERMINATED, terminated);
        return td;
    }

    static Linear linear(long seed) {
        return new Linear(OBS, 1, true, DType.FLOAT64, new Generator(seed));
    }

    static Tensor valueOf(Linear net, Tensor obs) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            return net.forward(obs);
        }
    }

    static void assertClose(Tensor expected, Tensor actual, double tol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), tol, what);
    }

    static void assertMentions(Throwable e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "expected the message to mention '" + p + "', got: " + e.getMessage());
    }

    // ------------------------------------------------------------------ each module equals its functional

    @Test
    void td0WithAValueNetworkEqualsTheFunctionalAndWritesTheValues() {
        Linear net = linear(1);
        TensorDict td = trajectories(10, B, T);
        TD0Estimator est = TD0Estimator.builder().gamma(0.9).valueNetwork(new ValueOperator(net)).build();
        est.forward(td);
        Tensor v = valueOf(net, td.get("observation")), vn = valueOf(net, td.get(NEXT_OBS));
        Tensor target = Estimates.td0Return(0.9, vn, td.get(NEXT_REWARD), td.get(NEXT_TERMINATED));
        assertClose(target, td.get("value_target"), 1e-12, "value_target");
        assertClose(target.sub(v), td.get("advantage"), 1e-12, "advantage");
        assertClose(v, td.get("state_value"), 1e-12, "V written");
        assertClose(vn, td.get(NEXT_VALUE), 1e-12, "V' written");
    }

    @Test
    void td1AndTdLambdaWithoutANetworkReadTheValues() {
        TensorDict td = trajectories(11, B, T);
        Generator g = new Generator(5);
        Tensor v = g.normal(new int[] {B, T, 1}, DType.FLOAT64), vn = g.normal(new int[] {B, T, 1}, DType.FLOAT64);
        td.set("state_value", v);
        td.set(NEXT_VALUE, vn);
        EstimatorOptions opt = EstimatorOptions.defaults().withTerminated(td.get(NEXT_TERMINATED)).withTimeDim(1);
        Tensor r = td.get(NEXT_REWARD), d = td.get(NEXT_DONE);

        TD1Estimator.builder().gamma(0.95).build().forward(td);
        Tensor td1 = Estimates.vecTd1Return(Coefficient.of(0.95), vn, r, d, opt);
        assertClose(td1, td.get("value_target"), 1e-12, "TD(1) target");
        assertClose(td1.sub(v), td.get("advantage"), 1e-12, "TD(1) advantage");

        for (boolean vectorized : new boolean[] {true, false}) {
            TDLambdaEstimator.builder().gamma(0.95).lambda(0.7).vectorized(vectorized).build().forward(td);
            Tensor lam = Estimates.tdLambdaReturn(Coefficient.of(0.95), Coefficient.of(0.7), vn, r, d, opt);
            assertClose(lam, td.get("value_target"), 1e-10, "TD(λ) target, vectorized=" + vectorized);
            assertClose(lam.sub(v), td.get("advantage"), 1e-10, "TD(λ) advantage, vectorized=" + vectorized);
        }
    }

    @Test
    void gaeSequentialAndVectorisedEqualTheFunctional() {
        Linear net = linear(2);
        for (Boolean vectorized : new Boolean[] {null, false, true}) {
            TensorDict td = trajectories(12, B, T);
            GAE.builder().gamma(0.99).lambda(0.9).vectorized(vectorized).valueNetwork(new ValueOperator(net)).build().forward(td);
            Tensor v = valueOf(net, td.get("observation")), vn = valueOf(net, td.get(NEXT_OBS));
            AdvantageAndTarget expected = Estimates.generalizedAdvantageEstimate(Coefficient.of(0.99), Coefficient.of(0.9), v, vn,
                    td.get(NEXT_REWARD), td.get(NEXT_DONE), EstimatorOptions.defaults().withTerminated(td.get(NEXT_TERMINATED)));
            assertClose(expected.advantage(), td.get("advantage"), 1e-10, "advantage, vectorized=" + vectorized);
            assertClose(expected.valueTarget(), td.get("value_target"), 1e-10, "value_target, vectorized=" + vectorized);
        }
    }

    @Test
    void terminatedFallsBackToDone() {
        TensorDict td = trajectories(13, B, T);
        td.remove(NEXT_TERMINATED);
        Linear net = linear(3);
        TD0Estimator.builder().gamma(0.9).valueNetwork(new ValueOperator(net)).build().forward(td);
        Tensor vn = valueOf(net, td.get(NEXT_OBS));
        assertClose(Estimates.td0Return(0.9, vn, td.get(NEXT_REWARD), td.get(NEXT_DONE)), td.get("value_target"), 1e-12, "every done terminal");
    }

    @Test
    void averageGaeStandardisesTheAdvantageButNotTheTarget() {
        Linear net = linear(4);
        TensorDict plain = trajectories(14, B, T), averaged = trajectories(14, B, T);
        GAE.builder().gamma(0.9).lambda(0.9).valueNetwork(new ValueOperator(net)).build().forward(plain);
        GAE.builder().gamma(0.9).lambda(0.9).averageGae(true).valueNetwork(new ValueOperator(net)).build().forward(averaged);
        Tensor a = plain.get("advantage");
        assertClose(a.sub(a.mean()).div(a.std()), averaged.get("advantage"), 1e-12, "(A - mean) / std");
        assertClose(plain.get("value_target"), averaged.get("value_target"), 0, "target computed before standardising");
    }

    @Test
    void averageRewardsStandardisesAndWritesTheRewardsBack() {
        TensorDict td = trajectories(15, B, T);
        Tensor r = td.get(NEXT_REWARD);
        Linear net = linear(5);
        TDLambdaEstimator.builder().gamma(0.9).lambda(0.8).averageRewards(true).valueNetwork(new ValueOperator(net)).build().forward(td);
        Tensor standardised = r.sub(r.mean()).div(r.std());
        assertClose(standardised, td.get(NEXT_REWARD), 1e-12, "written back");
        Tensor vn = valueOf(net, td.get(NEXT_OBS));
        Tensor expected = Estimates.vecTdLambdaReturn(Coefficient.of(0.9), Coefficient.of(0.8), vn, standardised, td.get(NEXT_DONE),
                EstimatorOptions.defaults().withTerminated(td.get(NEXT_TERMINATED)).withTimeDim(1));
        assertClose(expected, td.get("value_target"), 1e-12, "the option takes effect for TD(λ) (DECISIONS.md rule 4)");
    }

    // ------------------------------------------------------------------ steps_to_next_obs, time axis, keywords

    @Test
    void stepsToNextObsRaisesGammaPerStep() {
        TensorDict td = trajectories(16, B, T);
        double[] n = new double[B * T];
        for (int i = 0; i < n.length; i++) n[i] = 1 + i % 3;
        td.set("steps_to_next_obs", Tensor.of(DType.FLOAT64, n, B, T, 1).toLong());
        Linear net = linear(6);
        TD0Estimator.builder().gamma(0.9).valueNetwork(new ValueOperator(net)).build().forward(td);
        double[] gn = new double[n.length];
        for (int i = 0; i < n.length; i++) gn[i] = Math.pow(0.9, n[i]);
        Tensor expected = Estimates.td0Return(Coefficient.of(Tensor.of(DType.FLOAT64, gn, B, T, 1)), valueOf(net, td.get(NEXT_OBS)),
                td.get(NEXT_REWARD), td.get(NEXT_TERMINATED));
        assertClose(expected, td.get("value_target"), 1e-12, "γ^n");
    }

    @Test
    void timeDimMayBeFirstOrNamed() {
        Linear net = linear(7);
        TensorDict byDefault = trajectories(17, B, T);
        GAE.builder().gamma(0.9).lambda(0.8).valueNetwork(new ValueOperator(net)).build().forward(byDefault);
        // Time first: the transposed dict with time_dim = 0 gives the transposed result.
        TensorDict transposed = trajectories(17, B, T).transpose(0, 1);
        GAE.builder().gamma(0.9).lambda(0.8).timeDim(0).valueNetwork(new ValueOperator(net)).build().forward(transposed);
        assertClose(byDefault.get("advantage"), transposed.get("advantage").transpose(0, 1), 1e-12, "time_dim=0 on the transposed dict");
        // Named "time" in first position, no time_dim given.
        TensorDict named = trajectories(17, B, T).transpose(0, 1);
        named.refineNames("time", null);
        GAE.builder().gamma(0.9).lambda(0.8).valueNetwork(new ValueOperator(net)).build().forward(named);
        assertClose(byDefault.get("advantage"), named.get("advantage").transpose(0, 1), 1e-12, "the dim named time");
        // A call's time_dim overrides the constructor's.
        TensorDict overridden = trajectories(17, B, T);
        GAE.builder().gamma(0.9).lambda(0.8).timeDim(0).valueNetwork(new ValueOperator(net)).build().forward(overridden, null, null, 1);
        assertClose(byDefault.get("advantage"), overridden.get("advantage"), 1e-12, "call time_dim=1");
        // The batch axis taken as time gives something else: the test can fail.
        TensorDict wrong = trajectories(17, B, T);
        GAE.builder().gamma(0.9).lambda(0.8).timeDim(0).valueNetwork(new ValueOperator(net)).build().forward(wrong);
        assertFalse(java.util.Arrays.equals(byDefault.get("advantage").toDoubleArray(), wrong.get("advantage").toDoubleArray()));
    }

    @Test
    void keywordFormReturnsAdvantageAndTarget() {
        Linear net = linear(8);
        GAE gae = GAE.builder().gamma(0.9).lambda(0.8).valueNetwork(new ValueOperator(net)).build();
        assertEquals(List.of(Key.of("observation"), NEXT_REWARD, NEXT_DONE, NEXT_TERMINATED, NEXT_OBS), gae.inKeys());
        assertEquals(List.of(Key.of("advantage"), Key.of("value_target")), gae.outKeys());
        TensorDict td = trajectories(18, 1, 10);
        Map<String, Tensor> kw = new LinkedHashMap<>();
        kw.put("observation", td.get("observation"));
        kw.put("next_observation", td.get(NEXT_OBS));
        kw.put("next_reward", td.get(NEXT_REWARD));
        kw.put("next_done", td.get(NEXT_DONE));
        kw.put("next_terminated", td.get(NEXT_TERMINATED));
        AdvantageAndTarget out = gae.call(kw);
        assertArrayEquals(new int[] {1, 10, 1}, out.advantage().shape());
        gae.forward(td);
        assertClose(td.get("advantage"), out.advantage(), 0, "advantage");
        assertClose(td.get("value_target"), out.valueTarget(), 0, "value_target");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> gae.call(Map.of("obs", td.get("observation")))), "obs", "next_reward");
    }

    // ------------------------------------------------------------------ gradients

    @Test
    void differentiableOutputsReachRewardsAndCurrentInputsButNeverTheNetworkOrTheNextState() {
        Linear net = linear(9);
        TensorDict td = trajectories(19, B, T);
        Tensor r = td.get(NEXT_REWARD).requiresGrad(true), obs = td.get("observation").requiresGrad(true), nobs = td.get(NEXT_OBS).requiresGrad(true);
        td.set(NEXT_REWARD, r).set("observation", obs).set(NEXT_OBS, nobs);
        GAE.builder().gamma(0.9).lambda(0.9).differentiable(true).valueNetwork(new ValueOperator(net)).build().forward(td);
        td.get("advantage").sum().backward();
        assertNotNull(r.grad(), "rewards get a gradient");
        assertTrue(r.grad().abs().sum().item() > 0, "a non-zero one");
        assertNotNull(obs.grad(), "network inputs at the current state get one (through V)");
        assertTrue(nobs.grad() == null || nobs.grad().abs().sum().item() == 0, "V' is detached");
        assertNull(net.weight().grad(), "the held-out network gets none");
        assertTrue(net.weight().requiresGrad(), "and its parameters are given back afterwards");
    }

    @Test
    void nonDifferentiableOutputsAreLeaves() {
        Linear net = linear(10);
        TensorDict td = trajectories(20, B, T);
        td.set(NEXT_REWARD, td.get(NEXT_REWARD).requiresGrad(true));
        TD1Estimator.builder().gamma(0.9).valueNetwork(new ValueOperator(net)).build().forward(td);
        assertFalse(td.get("advantage").requiresGrad());
        assertTrue(td.get("advantage").isLeaf());
    }

    @Test
    void valuesPassedInTheDictCarryTheirGradientOnlyWhenAsked() {
        Linear critic = linear(11);
        for (boolean differentiable : new boolean[] {true, false}) {
            critic.zeroGrad();
            TensorDict td = trajectories(21, B, T);
            td.set("state_value", critic.forward(td.get("observation")));
            td.set(NEXT_VALUE, valueOf(critic, td.get(NEXT_OBS)));
            TensorDict out = TDLambdaEstimator.builder().gamma(0.9).lambda(0.9).differentiable(differentiable).build().forward(td);
            if (differentiable) {
                out.get("advantage").square().sum().backward();
                assertTrue(critic.weight().grad().abs().sum().item() > 0, "the critic learns from A = G - V(s)");
            } else {
                assertFalse(out.get("advantage").requiresGrad(), "nothing recorded");
            }
        }
    }

    // ------------------------------------------------------------------ params, chunks, skip-existing, randomness

    @Test
    void paramsAndTargetParamsReplaceTheNetworksOwn() {
        Linear net = linear(12), other = linear(13), target = linear(14);
        TensorDict td = trajectories(22, B, T);
        GAE gae = GAE.builder().gamma(0.9).lambda(0.9).vectorized(true).valueNetwork(new ValueOperator(net)).build();
        TensorDict params = prefixed(Parameters.fromModule(other)), targetParams = prefixed(Parameters.fromModule(target));
        gae.forward(td, params, targetParams);
        Tensor v = valueOf(other, td.get("observation")), vn = valueOf(target, td.get(NEXT_OBS));
        AdvantageAndTarget expected = Estimates.vecGeneralizedAdvantageEstimate(Coefficient.of(0.9), Coefficient.of(0.9), v, vn,
                td.get(NEXT_REWARD), td.get(NEXT_DONE), EstimatorOptions.defaults().withTerminated(td.get(NEXT_TERMINATED)));
        assertClose(expected.advantage(), td.get("advantage"), 1e-12, "V from params, V' from target params");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> gae.forward(trajectories(22, B, T), null, targetParams)),
                "params and next_params must be either both provided or not.");
    }

    /** The Linear's parameters as the ValueOperator names them (its network is the child "module"). */
    private static TensorDict prefixed(TensorDict linearParams) {
        TensorDict td = new TensorDict();
        td.set("module", linearParams);
        return td;
    }

    @Test
    void chunkingNeverChangesTheResults() {
        Linear net = linear(15);
        TensorDict reference = trajectories(23, 4, 5);
        TD1Estimator.builder().gamma(0.9).valueNetwork(new ValueOperator(net)).build().forward(reference);
        for (TD1Estimator est : List.of(
                TD1Estimator.builder().gamma(0.9).valueNetwork(new ValueOperator(net)).valueChunkSize(3).build(),
                TD1Estimator.builder().gamma(0.9).valueNetwork(new ValueOperator(net)).numChunks(3).valueChunkDim(1).build(),
                TD1Estimator.builder().gamma(0.9).valueNetwork(new ValueOperator(net)).numChunk(2).deactivateVmap(true).build())) {
            TensorDict td = trajectories(23, 4, 5);
            est.forward(td);
            assertClose(reference.get("value_target"), td.get("value_target"), 1e-12, "chunks " + est.valueChunks());
        }
        assertArrayEquals(new int[] {2, 2, 1}, new ValueChunks(null, 3, 1).sizes(5));
        assertArrayEquals(new int[] {3, 2}, new ValueChunks(3, null, 0).sizes(5));
        assertArrayEquals(new int[] {0}, new ValueChunks(null, 3, 0).sizes(0), "an empty dim is one chunk");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> TD1Estimator.builder().gamma(0.9).valueChunkSize(2).numChunks(2).build()),
                "value_chunk_size and num_chunks cannot both be set");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> TD1Estimator.builder().gamma(0.9).numChunks(2).numChunk(3).build()),
                "num_chunks and num_chunk cannot both be set to different values.");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> TD1Estimator.builder().gamma(0.9).valueChunkSize(0).build()), "value_chunk_size");
        TD1Estimator badDim = TD1Estimator.builder().gamma(0.9).valueNetwork(new ValueOperator(net)).numChunks(2).valueChunkDim(2).build();
        assertMentions(assertThrows(IllegalArgumentException.class, () -> badDim.forward(trajectories(23, 4, 5))), "value_chunk_dim=2");
    }

    @Test
    void skipExistingKeepsValuesAlreadyInTheDict() {
        Linear zeros = linear(16);
        try (GradMode.Scope s = GradMode.noGrad()) {
            zeros.weight().zero_();
            zeros.bias().zero_();
        }
        for (Boolean skip : new Boolean[] {true, false, null}) {
            TensorDict td = trajectories(24, B, T);
            td.set("state_value", Tensor.zerosLike(td.get(NEXT_REWARD)).add(1));
            td.set(NEXT_VALUE, Tensor.zerosLike(td.get(NEXT_REWARD)).add(1));
            TD0Estimator.builder().gamma(0.9).skipExisting(skip).valueNetwork(new ValueOperator(zeros)).build().forward(td);
            double expected = Boolean.TRUE.equals(skip) ? 1 : 0;
            assertArrayEquals(Tensor.zerosLike(td.get(NEXT_REWARD)).add(expected).toDoubleArray(), td.get("state_value").toDoubleArray(), 0,
                    "skip_existing=" + skip);
        }
    }

    @Test
    void randomnessIsDifferentWithDropoutElseError() {
        assertEquals(Randomness.ERROR, TD0Estimator.builder().gamma(0.9).valueNetwork(new ValueOperator(linear(1))).build().vmapRandomness());
        Sequential withDropout = new Sequential(linear(1), new Dropout(0.5));
        TD0Estimator est = TD0Estimator.builder().gamma(0.9).valueNetwork(new ValueOperator(withDropout)).build();
        assertEquals(Randomness.DIFFERENT, est.vmapRandomness());
        assertEquals(Randomness.SAME, est.setVmapRandomness(Randomness.SAME).vmapRandomness());
    }

    @Test
    void nanNextObservationsAreReplacedBeforeTheNetworkRuns() {
        Linear net = linear(17);
        TensorDict td = trajectories(25, 1, T);
        boolean[] term = new boolean[T];
        term[T - 1] = true;
        td.set(NEXT_DONE, Tensor.of(term, 1, T, 1));
        td.set(NEXT_TERMINATED, Tensor.of(term, 1, T, 1));
        double[] nobs = td.get(NEXT_OBS).toDoubleArray();
        for (int k = 0; k < OBS; k++) nobs[(T - 1) * OBS + k] = Double.NaN;
        td.set(NEXT_OBS, Tensor.of(DType.FLOAT64, nobs, 1, T, OBS));
        GAE.builder().gamma(0.9).lambda(0.9).valueNetwork(new ValueOperator(net)).build().forward(td);
        double[] target = td.get("value_target").toDoubleArray(), adv = td.get("advantage").toDoubleArray();
        for (double x : target) assertTrue(Double.isFinite(x), "finite targets");
        double r = td.get(NEXT_REWARD).toDoubleArray()[T - 1], v = valueOf(net, td.get("observation")).toDoubleArray()[T - 1];
        assertEquals(r, target[T - 1], 1e-12, "terminal target = r");
        assertEquals(r - v, adv[T - 1], 1e-12, "terminal advantage = r - V");
        assertTrue(Double.isNaN(td.get(NEXT_OBS).toDoubleArray()[(T - 1) * OBS]), "the caller's next observation is left as it was");
    }

    // ------------------------------------------------------------------ keys and errors

    @Test
    void setKeysRenamesEveryEntryEndToEnd() {
        Linear net = linear(18);
        TensorDict td = trajectories(26, B, T);
        TensorDict renamed = new TensorDict(B, T);
        renamed.set("obs", td.get("observation"));
        renamed.set(Key.of("next", "obs"), td.get(NEXT_OBS));
        renamed.set(Key.of("next", "r"), td.get(NEXT_REWARD));
        renamed.set(Key.of("next", "d"), td.get(NEXT_DONE));
        renamed.set(Key.of("next", "t"), td.get(NEXT_TERMINATED));
        TD1Estimator est = TD1Estimator.builder().gamma(0.9).valueNetwork(new ValueOperator(net, List.of("obs"), List.of("v"))).build();
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("value", "v");
        keys.put("reward", "r");
        keys.put("done", new Object[] {"d"});
        keys.put("terminated", Key.of("t"));
        keys.put("advantage", "adv");
        keys.put("value_target", "vt");
        est.setKeys(keys);
        est.forward(renamed);
        TD1Estimator.builder().gamma(0.9).valueNetwork(new ValueOperator(net)).build().forward(td);
        assertClose(td.get("advantage"), renamed.get("adv"), 0, "advantage under its new key");
        assertClose(td.get("value_target"), renamed.get("vt"), 0, "value_target under its new key");
        assertTrue(renamed.contains(Key.of("next", "v")), "V' written under the value key");
        est.setKeys("advantage", "adv2");
        assertEquals(Key.of("vt"), est.tensorKeys().valueTarget(), "keys set earlier persist");

        assertMentions(assertThrows(IllegalArgumentException.class, () -> est.setKeys("nonsense", "x")),
                "nonsense is not an accepted tensordict key for advantages", "value_target");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> est.setKeys("value", null)), "tensordict keys cannot be None");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> est.setKeys("value", "w")), "value key '\"w\"' not found in value network out_keys");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> est.setKeys("reward", 3)), "expected a string");
    }

    @Test
    void errorsSayWhatWasExpectedAndWhatCame() {
        TensorDict td = trajectories(27, B, T);
        td.remove(NEXT_REWARD);
        Linear net = linear(19);
        TD0Estimator est = TD0Estimator.builder().gamma(0.9).valueNetwork(new ValueOperator(net)).build();
        assertMentions(assertThrows(RuntimeException.class, () -> est.forward(td)), "reward", "done");
        TensorDict noValues = trajectories(27, B, T);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> GAE.builder().gamma(0.9).lambda(0.9).build().forward(noValues)),
                "The tensor with key \"state_value\" is missing, and no value network was provided", "observation");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> est.forward(new TensorDict())),
                "Expected input tensordict to have at least one dimension(s), got tensordict.batch_size = []");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> TD0Estimator.builder().build()), "gamma is required");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> GAE.builder().gamma(0.9).build()), "lmbda is required");
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> GAE.builder().gamma(0.9).lambda(0.9).timeDim(5).valueNetwork(new ValueOperator(net)).build().forward(trajectories(27, B, T))),
                "time_dim=5", "[2, 7]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> VTrace.builder().gamma(Tensor.vector(0.9, 0.8)).build()),
                "Per-value gamma is not supported yet. Gamma must be a scalar.");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> VTrace.builder().gamma(0.9).build()), "actor_network is required");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> VTrace.builder().deactivateVmap(true)), "deactivate_vmap");
    }

    // ------------------------------------------------------------------ V-trace and multi-agent GAE

    @Test
    void vtraceScoresTheStoredActionUnderTheActor() {
        Linear net = linear(20);
        Linear policy = new Linear(OBS, 2, true, DType.FLOAT64, new Generator(21));
        ProbabilisticActor actor = new ProbabilisticActor(TensorDictModule.of(policy, List.of("observation"), List.of("logits")),
                ProbabilisticTensorDictModule.builder().inKeys("logits").distribution(DistributionFactory.CATEGORICAL));
        TensorDict td = trajectories(28, B, T);
        td.set("action", new Generator(3).randint(0, 2, B, T));
        Tensor logMu = new Generator(4).uniform(new int[] {B, T}, DType.FLOAT64).log();
        td.set("action_log_prob", logMu);
        VTrace vt = VTrace.builder().gamma(0.9).valueNetwork(new ValueOperator(net)).actorNetwork(actor).build();
        assertEquals(Key.of("action_log_prob"), vt.inKeys().get(vt.inKeys().size() - 1));
        vt.forward(td);
        Tensor logPi;
        try (GradMode.Scope s = GradMode.noGrad()) {
            logPi = policy.forward(td.get("observation")).logSoftmax(-1).gather(-1, td.get("action").unsqueeze(-1));
        }
        VTraceResult expected = Estimates.vtraceAdvantage(Coefficient.of(0.9), logPi, logMu.unsqueeze(-1), valueOf(net, td.get("observation")),
                valueOf(net, td.get(NEXT_OBS)), td.get(NEXT_REWARD), td.get(NEXT_DONE),
                EstimatorOptions.defaults().withTerminated(td.get(NEXT_TERMINATED)).withTimeDim(1));
        assertClose(expected.vs(), td.get("value_target"), 1e-12, "vs");
        assertClose(expected.advantage(), td.get("advantage"), 1e-12, "advantage");
    }

    @Test
    void multiAgentGaeBroadcastsTheTeamRewardToEveryAgent() {
        int agents = 3;
        TensorDict td = trajectories(29, B, T);
        Tensor v = new Generator(6).normal(new int[] {B, T, agents, 1}, DType.FLOAT64), vn = new Generator(7).normal(new int[] {B, T, agents, 1}, DType.FLOAT64);
        td.set("state_value", v);
        td.set(NEXT_VALUE, vn);
        MultiAgentGAE.multiAgentBuilder().gamma(0.9).lambda(0.8).build().forward(td);
        int[] full = {B, T, agents, 1};
        AdvantageAndTarget expected = Estimates.generalizedAdvantageEstimate(Coefficient.of(0.9), Coefficient.of(0.8), v, vn,
                td.get(NEXT_REWARD).unsqueeze(-2).expand(full), td.get(NEXT_DONE).unsqueeze(-2).expand(full),
                EstimatorOptions.defaults().withTerminated(td.get(NEXT_TERMINATED).unsqueeze(-2).expand(full)).withTimeDim(1));
        assertClose(expected.advantage(), td.get("advantage"), 1e-12, "per-agent advantage");
        TensorDict bad = trajectories(29, B, T);
        bad.set("state_value", v.unsqueeze(-1));
        bad.set(NEXT_VALUE, vn.unsqueeze(-1));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> MultiAgentGAE.multiAgentBuilder().gamma(0.9).lambda(0.8).build().forward(bad)),
                "MultiAgentGAE: expected reward of rank 5");
    }
}
