package org.rlgrad.testsuite.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.testsuite.parity.OnDevice.on;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.InteractionType;
import org.rlgrad.engine.modules.NormalParamExtractorModule;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictSequential;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.losses.ClipPPOLoss;
import org.rlgrad.losses.KLPENPPOLoss;
import org.rlgrad.losses.LossModule;
import org.rlgrad.losses.LossOutputs;
import org.rlgrad.losses.PPOLoss;

/**
 * CPU-versus-OpenCL parity of the PPO losses (issue 9), float32, every tensor on one device:
 * ClipPPOLoss with a Gaussian actor, the advantage computed by GAE inside the loss, normalised, and
 * value clipping; KLPENPPOLoss with a categorical actor against stored logits (β's update included);
 * PPOLoss with a two-head composite actor (an element-wise Normal head over
 * {@code agents/action} and a Categorical head). Every output (losses and metrics, the per-head
 * entropies included) and the gradient of every parameter agree within float32 tolerance. The
 * behaviour policy's draws come from a seeded counter-based generator, the same on both devices.
 * Skipped without an OpenCL device outside CI, as {@link OpenClParityTest}.
 */
class PPOLossesParityTest {
    private static final int B = 8, OBS = 3, ACT = 2, ACTIONS = 4, AGENTS = 3, F0 = 2;

    @BeforeAll
    static void requireOpenCl() {
        OpenClParityTest.requireOpenCl();
    }

    private static MLP mlp(int in, int out, long seed) {
        return MLP.builder(in, out).numCells(6).depth(1).generator(new Generator(seed)).build();
    }

    private static ProbabilisticActor normalActor(long seed) {
        TensorDictSequential params = new TensorDictSequential(
                TensorDictModule.of(mlp(OBS, 2 * ACT, seed), List.of("observation"), List.of("param")),
                TensorDictModule.builder(new NormalParamExtractorModule("biased_softplus_1.0", 1e-4)).inKeys("param").outKeys("loc", "scale").build());
        return new ProbabilisticActor(params, ProbabilisticTensorDictModule.builder().inKeys("loc", "scale").distribution(DistributionFactory.INDEPENDENT_NORMAL)
                .returnLogProb(true));
    }

    private static ProbabilisticActor categoricalActor(long seed) {
        return new ProbabilisticActor(TensorDictModule.of(mlp(OBS, ACTIONS, seed), List.of("observation"), List.of("logits")),
                ProbabilisticTensorDictModule.builder().inKeys("logits").distribution(DistributionFactory.CATEGORICAL).returnLogProb(true));
    }

    private static ProbabilisticActor compositeActor(long seed) {
        Map<String, DistributionFactory> heads = new LinkedHashMap<>();
        heads.put("agents", DistributionFactory.NORMAL);
        heads.put("cat", DistributionFactory.CATEGORICAL);
        TensorDictSequential params = new TensorDictSequential(
                TensorDictModule.of(mlp(OBS, 2 * F0, seed), List.of(Key.of("agents", "observation")), List.of(Key.of("agents", "param"))),
                TensorDictModule.builder(new NormalParamExtractorModule("biased_softplus_1.0", 1e-4)).inKeys(Key.of("agents", "param"))
                        .outKeys(Key.of("params", "agents", "loc"), Key.of("params", "agents", "scale")).build(),
                TensorDictModule.of(mlp(OBS, ACTIONS, seed + 1), List.of("observation"), List.of(Key.of("params", "cat", "logits"))));
        return new ProbabilisticActor(params, ProbabilisticTensorDictModule.builder().inKeys("params")
                .composite(heads, Map.of("agents", Key.of("agents", "action"), "cat", Key.of("action_cat"))).returnLogProb(true));
    }

    private static ValueOperator critic(long seed) {
        return new ValueOperator(mlp(OBS, 1, seed));
    }

    /** B steps of one trajectory on the default device, acted on by {@code behaviour} (RANDOM, seeded), with an old state value. */
    private static TensorDict batch(ProbabilisticActor behaviour, boolean advantage) {
        Generator g = new Generator(31);
        TensorDict td = new TensorDict(B);
        td.set("observation", g.normal(new int[] {B, OBS}, DType.FLOAT32));
        td.set(Key.of("agents", "observation"), g.normal(new int[] {B, AGENTS, OBS}, DType.FLOAT32));
        td.set("state_value", g.normal(new int[] {B, 1}, DType.FLOAT32));
        td.set(Key.of("next", "observation"), g.normal(new int[] {B, OBS}, DType.FLOAT32));
        td.set(Key.of("next", "reward"), g.normal(new int[] {B, 1}, DType.FLOAT32));
        boolean[] terminated = new boolean[B], done = new boolean[B];
        terminated[3] = done[3] = true;
        done[5] = true;
        td.set(Key.of("next", "terminated"), Tensor.of(terminated, B, 1));
        td.set(Key.of("next", "done"), Tensor.of(done, B, 1));
        if (advantage) {
            td.set("advantage", g.normal(new int[] {B, 1}, DType.FLOAT32));
            td.set("value_target", g.normal(new int[] {B, 1}, DType.FLOAT32));
        }
        behaviour.probabilisticModule().randomSource(new Generator(32));
        try (GradMode.Scope n = GradMode.noGrad(); GradMode.Scope r = InteractionType.set(InteractionType.RANDOM)) {
            behaviour.forward(td);
        }
        return td;
    }

    /** Every output leaf (losses and metrics), then the gradient of every parameter, computed on {@code device}. */
    private static List<double[]> step(Device device, Supplier<LossModule> build, Supplier<ProbabilisticActor> behaviour, boolean advantage) {
        return on(device, () -> {
            LossModule loss = build.get();
            TensorDict td = batch(behaviour.get(), advantage);
            TensorDict out = loss.forward(td);
            Tensor total = LossOutputs.totalLoss(out);
            assertEquals(device, total.device(), "the loss stays on the inputs' device");
            total.backward();
            List<double[]> values = new ArrayList<>();
            for (Tensor t : out.leaves().values()) values.add(t.toDoubleArray());
            for (Tensor p : loss.parameters()) values.add(p.grad().toDoubleArray());
            return values;
        });
    }

    private static void assertSameOnBothDevices(String what, Supplier<LossModule> build, Supplier<ProbabilisticActor> behaviour, boolean advantage) {
        List<double[]> cpu = step(Device.CPU, build, behaviour, advantage), cl = step(OpenClParityTest.OPENCL, build, behaviour, advantage);
        assertEquals(cpu.size(), cl.size(), what);
        assertTrue(cpu.size() > 8, what + ": outputs and gradients");
        for (int i = 0; i < cpu.size(); i++) {
            double[] a = cpu.get(i), c = cl.get(i);
            assertEquals(a.length, c.length, what + " entry " + i + ": length");
            for (int j = 0; j < a.length; j++) {
                assertEquals(a[j], c[j], 1e-4 * (1 + Math.abs(a[j])), what + " entry " + i + "[" + j + "] (output leaves, then gradients)");
            }
        }
    }

    @Test
    void clipPpoWithGaeNormalisationAndValueClippingIsTheSameOnBothDevices() {
        assertSameOnBothDevices("ClipPPO", () -> ClipPPOLoss.builder(normalActor(1), critic(2)).clipEpsilon(0.1, 0.3).clipValue(0.2)
                .normalizeAdvantage(true).build(), () -> normalActor(3), false);
    }

    @Test
    void klPenaltyPpoWithACategoricalActorIsTheSameOnBothDevices() {
        assertSameOnBothDevices("KLPEN", () -> KLPENPPOLoss.builder(categoricalActor(4), critic(5)).beta(0.7).referenceCompat(true).build(),
                () -> categoricalActor(6), true);
    }

    @Test
    void ppoWithATwoHeadCompositeActorIsTheSameOnBothDevices() {
        assertSameOnBothDevices("composite PPO", () -> PPOLoss.builder(compositeActor(7), critic(8)).lossCriticType("l2").build(),
                () -> compositeActor(9), true);
    }
}
