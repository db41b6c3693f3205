package org.rlgrad.testsuite.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.rlgrad.testsuite.parity.OnDevice.on;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.distributions.NormalParamExtractor;
import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.NormalParamExtractorModule;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictSequential;
import org.rlgrad.engine.modules.TensorFunction;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.nn.UnaryModule;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.losses.DreamerActorLoss;
import org.rlgrad.losses.DreamerModelLoss;
import org.rlgrad.losses.DreamerValueLoss;
import org.rlgrad.losses.LossAndData;
import org.rlgrad.losses.LossModule;
import org.rlgrad.losses.LossOutputs;
import org.rlgrad.losses.ModelBasedEnv;

/**
 * CPU-versus-OpenCL parity of the Dreamer losses (issue 9): the world-model loss (per-sample free
 * nats, and the global average with delayed clamping), the value loss on imagined data, and the
 * actor loss imagining through a small differentiable environment (the TD(λ) return along the
 * horizon, and referenceCompat's one-step target). Everything is built, fed and run on one device
 * (float32); the loss entries, the actor's λ-targets and the gradient of every trainable parameter
 * agree within float32 tolerance. The actor's draws come from a seeded counter-based generator,
 * which gives the same numbers on both devices. Skipped without an OpenCL device outside CI, as
 * {@link OpenClParityTest}.
 */
class DreamerLossesParityTest {
    private static final int B = 3, T = 4, S = 2, BELIEF = 2, A = 2, Z = 2, H = 4;
    private static final Key NEXT_REWARD = Key.of("next", "reward");

    @BeforeAll
    static void requireOpenCl() {
        OpenClParityTest.requireOpenCl();
    }

    private static MLP mlp(int in, int out, long seed) {
        return MLP.builder(in, out).numCells(6).depth(1).generator(new Generator(seed)).build();
    }

    private static TensorFunction concatenated(UnaryModule net) {
        return (positional, named) -> net.forward(positional.size() == 1 ? positional.get(0) : Tensor.cat(positional, -1));
    }

    private static TensorFunction gaussian(UnaryModule net, int flatten) {
        NormalParamExtractor extractor = new NormalParamExtractor();
        return (positional, named) -> {
            Tensor x = positional.size() == 1 ? positional.get(0) : Tensor.cat(positional, -1);
            NormalParamExtractor.LocAndScale ls = extractor.apply(net.forward(flatten > 1 ? x.flatten(x.dim() - flatten, x.dim() - 1) : x));
            return List.of(ls.loc(), ls.scale());
        };
    }

    /** The loss entries, then the gradient of every trainable parameter of the loss, as numbers. */
    private static List<double[]> lossAndGrads(LossModule loss, TensorDict out, Device device) {
        Tensor total = LossOutputs.totalLoss(out);
        assertEquals(device, total.device(), "the loss stays on the inputs' device");
        total.backward();
        List<double[]> result = new ArrayList<>();
        for (Key k : LossOutputs.lossKeys(out)) result.add(out.get(k).detach().toDoubleArray());
        for (Tensor p : loss.parameters()) result.add(p.grad() == null ? new double[0] : p.grad().toDoubleArray());
        return result;
    }

    private static void assertSame(List<double[]> cpu, List<double[]> cl, String what) {
        assertEquals(cpu.size(), cl.size(), what);
        for (int i = 0; i < cpu.size(); i++) {
            double scale = 0;
            for (double v : cpu.get(i)) scale = Math.max(scale, Math.abs(v));
            assertArrayEquals(cpu.get(i), cl.get(i), 1e-4 * Math.max(1, scale), what + " entry " + i);
        }
    }

    // ------------------------------------------------------------------ model loss

    private static List<double[]> modelStep(Device device, boolean globalAverage) {
        return on(device, () -> {
            MLP posterior = mlp(4, 2 * Z, 1), prior = mlp(S + A, 2 * Z, 2), decoder = mlp(Z, 4, 3), reward = mlp(Z, 1, 4);
            TensorDictSequential worldModel = new TensorDictSequential(
                    TensorDictModule.builder(posterior, gaussian(posterior, 3)).inKeys(Key.of("next", "pixels"))
                            .outKeys(Key.of("next", "posterior_mean"), Key.of("next", "posterior_std")).build(),
                    TensorDictModule.builder(prior, gaussian(prior, 0)).inKeys("state", "action")
                            .outKeys(Key.of("next", "prior_mean"), Key.of("next", "prior_std")).build(),
                    TensorDictModule.builder(decoder, TensorFunction.of(x -> decoder.forward(x).unflatten(-1, 1, 2, 2)))
                            .inKeys(Key.of("next", "posterior_mean")).outKeys(Key.of("next", "reco_pixels")).build(),
                    TensorDictModule.builder(reward, concatenated(reward)).inKeys(Key.of("next", "posterior_mean")).outKeys(NEXT_REWARD).build());
            DreamerModelLoss loss = DreamerModelLoss.builder(worldModel).freeNats(globalAverage ? 0.05 : 0).globalAverage(globalAverage)
                    .delayedClamp(globalAverage).recoLoss(globalAverage ? "l2" : "smooth_l1").lambdaKl(0.5).build();
            Generator g = new Generator(41);
            TensorDict td = new TensorDict(B, T);
            td.set("state", g.normal(new int[] {B, T, S}, DType.FLOAT32));
            td.set("action", g.uniform(new int[] {B, T, A}, DType.FLOAT32).mul(2).sub(1));
            td.set(Key.of("next", "pixels"), g.normal(new int[] {B, T, 1, 2, 2}, DType.FLOAT32));
            td.set(NEXT_REWARD, g.normal(new int[] {B, T, 1}, DType.FLOAT32));
            return lossAndGrads(loss, loss.forward(td), device);
        });
    }

    @Test
    void theModelLossAndItsGradientsAreTheSameOnBothDevices() {
        for (boolean global : new boolean[] {false, true}) {
            assertSame(modelStep(Device.CPU, global), modelStep(OpenClParityTest.OPENCL, global), "model loss, global_average " + global);
        }
    }

    // ------------------------------------------------------------------ value loss

    private static ValueOperator valueModel(long seed) {
        MLP net = mlp(S + BELIEF, 1, seed);
        return new ValueOperator(net, concatenated(net), List.of("state", "belief"), List.of("state_value"));
    }

    private static List<double[]> valueStep(Device device, String distance) {
        return on(device, () -> {
            DreamerValueLoss loss = DreamerValueLoss.builder(valueModel(5)).valueLoss(distance).gamma(0.9).build();
            Generator g = new Generator(42);
            TensorDict td = new TensorDict(B, H);
            td.set("state", g.normal(new int[] {B, H, S}, DType.FLOAT32));
            td.set("belief", g.normal(new int[] {B, H, BELIEF}, DType.FLOAT32));
            td.set("lambda_target", g.normal(new int[] {B, H, 1}, DType.FLOAT32));
            return lossAndGrads(loss, loss.forward(td), device);
        });
    }

    @Test
    void theValueLossAndItsGradientsAreTheSameOnBothDevices() {
        for (String distance : List.of("l2", "smooth_l1")) {
            assertSame(valueStep(Device.CPU, distance), valueStep(OpenClParityTest.OPENCL, distance), "value loss, " + distance);
        }
    }

    // ------------------------------------------------------------------ actor loss

    private static List<double[]> actorStep(Device device, boolean referenceCompat) {
        return on(device, () -> {
            MLP actorNet = mlp(S + BELIEF, 2 * A, 6);
            ProbabilisticActor actor = new ProbabilisticActor(new TensorDictSequential(
                    TensorDictModule.builder(actorNet, concatenated(actorNet)).inKeys("state", "belief").outKeys("param").build(),
                    TensorDictModule.builder(new NormalParamExtractorModule()).inKeys("param").outKeys("loc", "scale").build()),
                    ProbabilisticTensorDictModule.builder().inKeys("loc", "scale").distribution(DistributionFactory.TANH_NORMAL)
                            .distributionKwargs(Map.of("low", -1.0, "high", 1.0)));
            // s' = s + 0.5 a + 0.1 dyn(s, b, a) [first S outputs], b' = tanh(dyn [last BELIEF outputs]), r = -|s'|² + 0.1 rew(s', b').
            MLP dyn = mlp(S + BELIEF + A, S + BELIEF, 7), rew = mlp(S + BELIEF, 1, 8);
            TensorFunction step = (positional, named) -> {
                Tensor s = positional.get(0), a = positional.get(2);
                Tensor d = dyn.forward(Tensor.cat(positional, -1));
                Tensor s1 = s.add(a.mul(0.5)).add(d.narrow(-1, 0, S).mul(0.1)), b1 = d.narrow(-1, S, BELIEF).tanh();
                Tensor r = s1.square().sum(-1, true).neg().add(rew.forward(Tensor.cat(List.of(s1, b1), -1)).mul(0.1));
                return List.of(s1, b1, r);
            };
            TensorDictModule transition = TensorDictModule.builder(new org.rlgrad.engine.nn.Sequential(dyn, rew), step)
                    .inKeys("state", "belief", "action").outKeys(Key.of("next", "state"), Key.of("next", "belief"), NEXT_REWARD).build();
            DreamerActorLoss loss = DreamerActorLoss.builder(actor, valueModel(9), ModelBasedEnv.of(transition)).imaginationHorizon(H)
                    .referenceCompat(referenceCompat).build();
            loss.makeValueEstimator("TDLambda", Map.of("gamma", 0.9, "lmbda", 0.8));
            loss.setRandomSource(new Generator(43));
            Generator g = new Generator(44);
            TensorDict starts = new TensorDict(B);
            starts.set("state", g.normal(new int[] {B, S}, DType.FLOAT32));
            starts.set("belief", g.normal(new int[] {B, BELIEF}, DType.FLOAT32));
            LossAndData r = loss.forwardWithData(starts);
            List<double[]> out = lossAndGrads(loss, r.losses(), device);
            out.add(r.data().get("lambda_target").toDoubleArray());
            out.add(r.data().get("action").toDoubleArray());
            return out;
        });
    }

    @Test
    void theActorLossItsTargetsAndItsGradientsAreTheSameOnBothDevices() {
        for (boolean compat : new boolean[] {false, true}) {
            assertSame(actorStep(Device.CPU, compat), actorStep(OpenClParityTest.OPENCL, compat), "actor loss, referenceCompat " + compat);
        }
    }
}
