package org.rlgrad.testsuite.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.backend.Backend;
import org.rlgrad.engine.backend.Backends;
import org.rlgrad.engine.modules.DistributionFactory;
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
import org.rlgrad.losses.A2CLoss;
import org.rlgrad.losses.LossModule;
import org.rlgrad.losses.LossOutputs;
import org.rlgrad.losses.ReinforceLoss;

/**
 * CPU-versus-OpenCL parity of A2CLoss and ReinforceLoss: with every tensor made on the device under
 * test (networks, trajectory), one forward and backward give the CPU's losses, metrics, the entries
 * written into the batch and every parameter's gradient within float32 tolerance. The advantage
 * is computed on the fly by GAE (the estimator runs on the device too); A2C is checked with a
 * Normal policy and value clipping, a Categorical policy, and a TanhNormal policy whose
 * Monte-Carlo entropy draws from a seeded generator (the same stream on both backends); REINFORCE
 * in both scoring modes. Skipped without an OpenCL device outside CI, as {@link OpenClParityTest}.
 */
class A2CReinforceParityTest {
    private static final int T = 12, OBS = 3, ACT = 2, N_ACTIONS = 4;

    @BeforeAll
    static void requireOpenCl() {
        OpenClParityTest.requireOpenCl();
    }

    private static <R> R on(Device device, Supplier<R> body) {
        Backend previous = Backends.defaultBackend();
        Backends.setDefault(device);
        try {
            return body.get();
        } finally {
            Backends.setDefault(previous);
        }
    }

    private enum Policy { NORMAL, TANH_NORMAL, CATEGORICAL }

    private static ProbabilisticActor actor(Policy policy) {
        if (policy == Policy.CATEGORICAL) {
            MLP net = MLP.builder(OBS, N_ACTIONS).generator(new Generator(1)).build();
            return new ProbabilisticActor(TensorDictModule.builder(net).inKeys("observation").outKeys("logits").build(),
                    ProbabilisticTensorDictModule.builder().inKeys("logits").distribution(DistributionFactory.CATEGORICAL).returnLogProb(true));
        }
        MLP net = MLP.builder(OBS, 2 * ACT).generator(new Generator(1)).build();
        TensorDictSequential params = new TensorDictSequential(
                TensorDictModule.builder(net).inKeys("observation").outKeys("param").build(),
                TensorDictModule.builder(new NormalParamExtractorModule("biased_softplus_1.0", 1e-4)).inKeys("param").outKeys("loc", "scale").build());
        boolean tanh = policy == Policy.TANH_NORMAL;
        return new ProbabilisticActor(params, ProbabilisticTensorDictModule.builder().inKeys("loc", "scale")
                .distribution(tanh ? DistributionFactory.TANH_NORMAL : DistributionFactory.INDEPENDENT_NORMAL)
                .distributionKwargs(tanh ? Map.of("low", -1.0, "high", 1.0) : Map.of()).returnLogProb(true));
    }

    private static ValueOperator critic() {
        return new ValueOperator(MLP.builder(OBS, 1).generator(new Generator(2)).build());
    }

    /** One trajectory of T steps (the batch dim is time), with stored actions, log-probabilities and values, no advantage. */
    private static TensorDict trajectory(Policy policy) {
        Generator g = new Generator(41);
        TensorDict td = new TensorDict(T);
        td.set("observation", g.normal(new int[] {T, OBS}, DType.FLOAT32));
        td.set("action", policy == Policy.CATEGORICAL ? g.uniform(new int[] {T}, DType.FLOAT32).mul(N_ACTIONS).floor().toLong()
                : g.uniform(new int[] {T, ACT}, DType.FLOAT32).mul(1.8).sub(0.9));
        td.set("action_log_prob", g.normal(new int[] {T}, DType.FLOAT32));
        td.set("state_value", g.normal(new int[] {T, 1}, DType.FLOAT32).mul(0.3));
        td.set(Key.of("next", "observation"), g.normal(new int[] {T, OBS}, DType.FLOAT32));
        td.set(Key.of("next", "reward"), g.normal(new int[] {T, 1}, DType.FLOAT32));
        Tensor terminated = g.uniform(new int[] {T, 1}, DType.FLOAT32).lt(0.15);
        td.set(Key.of("next", "terminated"), terminated);
        td.set(Key.of("next", "done"), terminated.logicalOr(g.uniform(new int[] {T, 1}, DType.FLOAT32).lt(0.15)));
        return td;
    }

    /** Every output entry, the given written entries and every parameter's gradient, after one forward and backward. */
    private static List<double[]> step(LossModule loss, TensorDict td, Device device, List<String> written) {
        assertEquals(device, td.get("observation").device(), "the data is made on the device under test");
        TensorDict out = loss.forward(td);
        Tensor total = LossOutputs.totalLoss(out);
        assertEquals(device, total.device(), "the loss stays on the inputs' device");
        total.backward();
        List<double[]> result = new ArrayList<>();
        for (Key k : out.keys()) result.add(out.get(k).toDoubleArray());
        for (String w : written) {
            Tensor t = td.get(Key.parse(w, "/"));
            assertEquals(device, t.device(), w + " is written on the device");
            result.add(t.to(DType.FLOAT32).toDoubleArray());
        }
        for (Tensor p : loss.parameters()) result.add(p.grad().toDoubleArray());
        return result;
    }

    private static List<double[]> a2cStep(Device device, Policy policy) {
        return on(device, () -> {
            A2CLoss loss = A2CLoss.builder(actor(policy), critic()).samplesMcEntropy(3).lossCriticType(policy == Policy.NORMAL ? "l2" : "smooth_l1")
                    .clipValue(policy == Policy.NORMAL ? 0.1 : null).build();
            loss.setRandomSource(new Generator(7));
            return step(loss, trajectory(policy), device, List.of());
        });
    }

    private static List<double[]> reinforceStep(Device device, Policy policy, boolean compat) {
        return on(device, () -> {
            ReinforceLoss loss = ReinforceLoss.builder(actor(policy), critic()).referenceCompat(compat).clipValue(0.2).build();
            return step(loss, trajectory(policy), device, List.of("advantage", "value_target", "next/state_value", "action", "action_log_prob"));
        });
    }

    private static void assertSame(List<double[]> cpu, List<double[]> cl, String what) {
        assertEquals(cpu.size(), cl.size(), what);
        assertTrue(cpu.size() > 4, what + ": outputs and gradients");
        for (int i = 0; i < cpu.size(); i++) {
            double[] a = cpu.get(i), c = cl.get(i);
            assertEquals(a.length, c.length, what + " entry " + i + ": length");
            for (int j = 0; j < a.length; j++) assertEquals(a[j], c[j], 1e-4 * (1 + Math.abs(a[j])), what + " entry " + i + "[" + j + "]");
        }
    }

    @Test
    void theA2cLossesAndGradientsAreTheSameOnBothDevices() {
        for (Policy p : Policy.values()) assertSame(a2cStep(Device.CPU, p), a2cStep(OpenClParityTest.OPENCL, p), "A2C " + p);
    }

    @Test
    void theReinforceLossesAndGradientsAreTheSameOnBothDevices() {
        for (Policy p : List.of(Policy.NORMAL, Policy.CATEGORICAL)) {
            for (boolean compat : new boolean[] {false, true}) {
                assertSame(reinforceStep(Device.CPU, p, compat), reinforceStep(OpenClParityTest.OPENCL, p, compat), "REINFORCE " + p + " compat=" + compat);
            }
        }
    }
}
