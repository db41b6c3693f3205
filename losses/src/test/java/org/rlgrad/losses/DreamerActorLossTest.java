package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.Module;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;
import org.rlgrad.estimators.Estimates;
import org.rlgrad.estimators.TDLambdaEstimator;

/** Spec losses.md §2.22, DreamerActorLoss; DECISIONS.md rule 3 (the λ-return along the horizon, referenceCompat). */
class DreamerActorLossTest {
    private static final Key NEXT_REWARD = TinyDreamer.NEXT_REWARD;

    private static DreamerActorLoss.Builder builder(TensorDictModuleBase actor, ValueOperator value, TinyDreamer.Env env, int horizon) {
        return DreamerActorLoss.builder(actor, value, env.env()).imaginationHorizon(horizon);
    }

    /** The value model on the imagined next states, {@code [n, h, 1]}. */
    private static Tensor nextValues(ValueOperator value, TensorDict data) {
        return value.forward(data.getTensorDict("next").copy()).get("state_value").detach();
    }

    /** {@code −mean_n Σ_t w_t G_t} in plain arithmetic. */
    private static double actorLoss(double[] g, int n, int h, double gamma, boolean discount) {
        double sum = 0;
        for (int i = 0; i < n; i++) for (int t = 0; t < h; t++) sum += (discount ? Math.pow(gamma, t) : 1) * g[i * h + t];
        return -sum / n;
    }

    /**
     * Issue requirement (a): the target the actor loss writes, and the value loss trains on, is the
     * TD(λ) return of the estimators module on the same imagined trajectory — checked against both
     * the sequential function and the estimator module, called here on the data the loss returned.
     */
    @Test
    void theTargetIsTheTdLambdaReturnAlongTheHorizon() {
        Property.forAll("dreamer lambda return", 12, gen -> {
            long seed = gen.intIn(1, 1000);
            int n = gen.intIn(1, 4), h = gen.intIn(1, 6);
            boolean defaults = gen.chance(0.3);
            double gamma = defaults ? 0.99 : gen.choose(0.99, 0.9, 0.5), lambda = defaults ? 0.95 : gen.choose(0.95, 0.7, 0.0, 1.0);
            boolean discount = gen.bool();
            ValueOperator value = TinyDreamer.value(seed + 1);
            DreamerActorLoss loss = builder(TinyDreamer.actor(seed), value, TinyDreamer.env(seed + 2), h).discountLoss(discount).build();
            loss.setRandomSource(new Generator(seed + 3));
            if (!defaults) loss.makeValueEstimator("TDLambda", Map.of("gamma", gamma, "lmbda", lambda));

            LossAndData r = loss.forwardWithData(TinyDreamer.starts(gen, n));
            TensorDict data = r.data();
            assertArrayEquals(new int[] {n, h}, data.batchSize());
            Tensor reward = data.get(NEXT_REWARD), next = nextValues(value, data);
            Tensor never = Tensor.zeros(DType.BOOL, n, h, 1);
            Tensor sequential = Estimates.tdLambdaReturn(gamma, lambda, next, reward, never);

            TensorDict in = new TensorDict(n, h);
            in.set(NEXT_REWARD, reward);
            in.set(Key.of("next", "state_value"), next);
            in.set(Key.of("next", "done"), never);
            in.set(Key.of("next", "terminated"), never);
            Tensor module = TDLambdaEstimator.builder().gamma(gamma).lambda(lambda).build().valueEstimate(in);

            double[] got = data.get("lambda_target").toDoubleArray();
            assertArrayEquals(sequential.toDoubleArray(), got, 1e-12, "the sequential TD(λ) function");
            assertArrayEquals(module.toDoubleArray(), got, 1e-12, "the TD(λ) estimator module");
            assertEquals(actorLoss(sequential.toDoubleArray(), n, h, gamma, discount), r.losses().get("loss_actor").item(), 1e-12);

            // The value loss regresses on exactly these returns.
            TensorDict independent = data.copy();
            independent.set("lambda_target", sequential);
            double valueLoss = DreamerValueLoss.builder(value).gamma(gamma).discountLoss(discount).build().forward(data).get("loss_value").item();
            assertEquals(DreamerValueLossTest.expected(value, independent, "l2", gamma, discount), valueLoss, 1e-12);
        });
    }

    /** Issue requirement (b): referenceCompat(true) gives the reference's one-step target r_t + γ v(s_{t+1}). */
    @Test
    void referenceCompatReproducesTheOneStepTarget() {
        int n = 3, h = 5;
        double gamma = 0.9;
        ValueOperator value = TinyDreamer.value(11);
        TinyDreamer.Env env = TinyDreamer.env(12);
        TensorDict starts = TinyDreamer.starts(Gen.seeded(13), n);
        DreamerActorLoss compat = builder(TinyDreamer.actor(10), value, env, h).referenceCompat(true).build();
        compat.makeValueEstimator("TDLambda", Map.of("gamma", gamma, "lmbda", 0.95)).setRandomSource(new Generator(14));
        LossAndData r = compat.forwardWithData(starts);

        double[] rew = r.data().get(NEXT_REWARD).toDoubleArray(), next = nextValues(value, r.data()).toDoubleArray();
        double[] oneStep = new double[rew.length];
        for (int i = 0; i < rew.length; i++) oneStep[i] = rew[i] + gamma * next[i];
        assertArrayEquals(oneStep, r.data().get("lambda_target").toDoubleArray(), 1e-12);
        assertEquals(actorLoss(oneStep, n, h, gamma, true), r.losses().get("loss_actor").item(), 1e-12);

        // Same draws, same trajectories; without the option the target differs (λ > 0, H > 1).
        DreamerActorLoss fixed = builder(TinyDreamer.actor(10), value, env, h).build();
        fixed.makeValueEstimator("TDLambda", Map.of("gamma", gamma, "lmbda", 0.95)).setRandomSource(new Generator(14));
        LossAndData d = fixed.forwardWithData(starts);
        assertArrayEquals(rew, d.data().get(NEXT_REWARD).toDoubleArray(), 0, "the same imagined rewards");
        double[] lambdaReturn = d.data().get("lambda_target").toDoubleArray();
        double gap = 0;
        for (int i = 0; i < oneStep.length; i++) gap = Math.max(gap, Math.abs(lambdaReturn[i] - oneStep[i]));
        assertTrue(gap > 1e-3, "the λ-return is not the one-step target: max gap " + gap);

        // TD(0), a supported estimator, is the one-step target by definition.
        DreamerActorLoss td0 = builder(TinyDreamer.actor(10), value, env, h).build();
        td0.makeValueEstimator("td0", Map.of("gamma", gamma)).setRandomSource(new Generator(14));
        assertArrayEquals(oneStep, td0.forwardWithData(starts).data().get("lambda_target").toDoubleArray(), 1e-12);
        assertThrows(UnsupportedOperationException.class, () -> td0.makeValueEstimator("gae"));
    }

    @Test
    void gradientReachesTheActorOnlyAndEveryDrawComesFromTheLossSource() {
        var actor = TinyDreamer.actor(20);
        ValueOperator value = TinyDreamer.value(21);
        TinyDreamer.Env env = TinyDreamer.env(22);
        DreamerActorLoss loss = builder(actor, value, env, 4).build();
        loss.setRandomSource(new Generator(23));
        TensorDict starts = TinyDreamer.starts(Gen.seeded(24), 3);
        Tensor state = starts.get("state").clone().requiresGrad(true);
        starts.set("state", state);

        long globalBefore = Generator.global().offset();
        loss.forward(starts).get("loss_actor").backward();
        assertEquals(globalBefore, Generator.global().offset(), "no draw from the global generator");

        for (Tensor p : actor.parameters()) assertTrue(p.grad() != null && p.grad().abs().sum().item() > 0, "the actor trains");
        for (Tensor p : env.parts().parameters()) {
            assertNull(p.grad(), "the environment is held out");
            assertTrue(p.requiresGrad(), "and its flags are restored");
        }
        for (Tensor p : value.parameters()) {
            assertNull(p.grad(), "the value model is held out");
            assertTrue(p.requiresGrad());
        }
        assertNull(state.grad(), "the start state is detached");
        assertEquals(actor.parameters().size(), loss.parameters().size());
        for (int i = 0; i < actor.parameters().size(); i++) assertSame(actor.parameters().get(i), loss.parameters().get(i));

        loss.setRandomSource(new Generator(23));
        DreamerActorLoss again = builder(actor, value, env, 4).build();
        again.setRandomSource(new Generator(23));
        assertEquals(loss.forward(starts).get("loss_actor").item(), again.forward(starts).get("loss_actor").item(), 0, "replayable from the source");
        loss.setRandomSource(new Generator(23));
        again.setRandomSource(new Generator(99));
        assertTrue(Math.abs(loss.forward(starts).get("loss_actor").item() - again.forward(starts).get("loss_actor").item()) > 1e-9);
    }

    @Test
    void theDataIsTheDetachedImaginedTrajectory() {
        DreamerActorLoss loss = builder(TinyDreamer.actor(30), TinyDreamer.value(31), TinyDreamer.env(32), 3).build();
        loss.setRandomSource(new Generator(33));
        TensorDict starts = TinyDreamer.starts(Gen.seeded(34), 2);
        TensorDict data = loss.forwardWithData(starts).data();
        for (Map.Entry<Key, Tensor> e : data.leaves().entrySet()) assertFalse(e.getValue().requiresGrad(), e.getKey() + " is detached");
        assertArrayEquals(starts.get("state").toDoubleArray(), data.get("state").select(1, 0).toDoubleArray(), 0, "step 0 starts from the given state");
        assertArrayEquals(data.get(TinyDreamer.NEXT_STATE).select(1, 0).toDoubleArray(), data.get("state").select(1, 1).toDoubleArray(), 0,
                "step t+1 starts where step t ended");
        assertArrayEquals(new int[] {2, 3, TinyDreamer.A}, data.get("action").shapeRef());
        assertFalse(starts.contains("action"), "the caller's dict is untouched");
    }

    @Test
    void withoutDiscountEveryStepCountsTheSame() {
        ValueOperator value = TinyDreamer.value(41);
        TinyDreamer.Env env = TinyDreamer.env(42);
        TensorDict starts = TinyDreamer.starts(Gen.seeded(43), 3);
        DreamerActorLoss flat = builder(TinyDreamer.deterministicActor(40), value, env, 4).discountLoss(false).build();
        flat.makeValueEstimator("TDLambda", Map.of("gamma", 0.5));
        LossAndData r = flat.forwardWithData(starts);
        assertEquals(actorLoss(r.data().get("lambda_target").toDoubleArray(), 3, 4, 0.5, false), r.losses().get("loss_actor").item(), 1e-12);
        DreamerActorLoss discounted = builder(TinyDreamer.deterministicActor(40), value, env, 4).build();
        discounted.makeValueEstimator("TDLambda", Map.of("gamma", 0.5));
        assertTrue(Math.abs(discounted.forward(starts).get("loss_actor").item() - r.losses().get("loss_actor").item()) > 1e-6);
    }

    @Test
    void keysCanBeRenamedAndAMissingInputIsNamed() {
        TinyDreamer.Env env = TinyDreamer.env(52);
        TensorDict starts = TinyDreamer.starts(Gen.seeded(53), 2);
        DreamerActorLoss plain = builder(TinyDreamer.deterministicActor(50), TinyDreamer.value(51), env, 3).build();
        LossAndData p = plain.forwardWithData(starts);

        DreamerActorLoss renamed = builder(TinyDreamer.deterministicActor(50), TinyDreamer.value(51, "v"), env, 3).build();
        renamed.setKeys(Map.of("value", "v", "lambda_target", "g"));
        LossAndData r = renamed.forwardWithData(starts);
        assertEquals(p.losses().get("loss_actor").item(), r.losses().get("loss_actor").item(), 1e-14);
        assertArrayEquals(p.data().get("lambda_target").toDoubleArray(), r.data().get("g").toDoubleArray(), 1e-14);

        DreamerActorLoss wrongValue = builder(TinyDreamer.deterministicActor(50), TinyDreamer.value(51), env, 3).build();
        wrongValue.setKeys("value", "v");
        IllegalArgumentException v = assertThrows(IllegalArgumentException.class, () -> wrongValue.forward(starts));
        assertTrue(v.getMessage().contains("no entry \"v\""), v.getMessage());

        TensorDict noBelief = starts.copy();
        noBelief.remove("belief");
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class, () -> plain.forward(noBelief));
        assertTrue(b.getMessage().contains("no entry \"belief\""), b.getMessage());
        ModelBasedEnv forgetful = new ModelBasedEnv() {
            @Override
            public List<? extends Module> modules() { return List.of(env.transition()); }

            @Override
            public TensorDict step(TensorDict td, RandomSource random) {
                TensorDict next = env.env().step(td, random);
                next.remove("belief");
                return next;
            }
        };
        DreamerActorLoss broken = DreamerActorLoss.builder(TinyDreamer.deterministicActor(50), TinyDreamer.value(51), forgetful).build();
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class, () -> broken.forward(starts));
        assertTrue(s.getMessage().contains("step returned no next \"belief\""), s.getMessage());

        IllegalArgumentException h = assertThrows(IllegalArgumentException.class,
                () -> builder(TinyDreamer.deterministicActor(50), TinyDreamer.value(51), env, 0).build());
        assertTrue(h.getMessage().contains("imagination_horizon"), h.getMessage());
    }

    @Test
    void theLossIgnoresTheOrderOfStartStates() {
        Property.forAll("dreamer actor order", 8, gen -> {
            long seed = gen.intIn(1, 100);
            DreamerActorLoss loss = builder(TinyDreamer.deterministicActor(seed), TinyDreamer.value(seed + 1), TinyDreamer.env(seed + 2), gen.intIn(1, 4))
                    .discountLoss(gen.bool()).build();
            int n = gen.intIn(2, 6);
            TensorDict starts = TinyDreamer.starts(gen, n);
            TensorDict shuffled = starts.index(Tensor.of(Arrays.stream(gen.permutation(n)).asLongStream().toArray(), n));
            assertEquals(loss.forward(starts).get("loss_actor").item(), loss.forward(shuffled).get("loss_actor").item(), 1e-12);
        });
    }

    /** Issue requirement (c): on a differentiable imagined environment that rewards the origin, the actor learns to steer there. */
    @Test
    void trainingTheActorRaisesTheImaginedReturnAndStaysFinite() {
        var actor = TinyDreamer.actor(60);
        ValueOperator value = TinyDreamer.value(61);
        TinyDreamer.Env env = TinyDreamer.env(62);
        DreamerActorLoss loss = builder(actor, value, env, 5).build();
        loss.setRandomSource(new Generator(63));
        TensorDict starts = TinyDreamer.starts(Gen.seeded(64), 16);
        List<Tensor> envParams = env.parts().parameters().stream().map(Tensor::clone).toList();
        Adam opt = new Adam(loss.parameters(), 0.02);
        double first = 0, last = 0;
        int steps = 150, window = 15;
        for (int step = 0; step < steps; step++) {
            opt.zeroGrad();
            Tensor l = loss.forward(starts).get("loss_actor");
            l.backward();
            opt.step();
            assertTrue(Double.isFinite(l.item()), "step " + step);
            if (step < window) first += l.item() / window;
            if (step >= steps - window) last += l.item() / window;
        }
        assertTrue(last < first - 0.2 * Math.abs(first), "the imagined return rises: loss " + first + " -> " + last);
        for (int i = 0; i < envParams.size(); i++) {
            assertArrayEquals(envParams.get(i).toDoubleArray(), env.parts().parameters().get(i).toDoubleArray(), 0, "the environment is not trained");
        }
    }
}
