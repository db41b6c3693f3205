package org.rlgrad.testsuite.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.rlgrad.testsuite.parity.OnDevice.on;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.backend.opencl.OpenClDevices;
import org.rlgrad.engine.modules.DistributionFactory;
import org.rlgrad.engine.modules.NormalParamExtractorModule;
import org.rlgrad.engine.modules.ProbabilisticActor;
import org.rlgrad.engine.modules.ProbabilisticTensorDictModule;
import org.rlgrad.engine.modules.QValueActor;
import org.rlgrad.engine.modules.QValueModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorDictSequential;
import org.rlgrad.engine.modules.TensorFunction;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.losses.DiscreteIQLLoss;
import org.rlgrad.losses.IQLLoss;
import org.rlgrad.losses.LossModule;
import org.rlgrad.losses.LossOutputs;
import org.rlgrad.losses.SoftUpdate;

/**
 * CPU-versus-OpenCL parity of IQLLoss and DiscreteIQLLoss: with every tensor made on the device
 * under test (networks, grown critic ensembles, data), one forward and backward give the CPU's
 * losses, metric, written entries ({@code _log_prob}, {@code td_error}) and parameter gradients
 * within float32 tolerance. Skipped without an OpenCL device, except in CI ({@code CI=true}).
 */
class IqlLossesParityTest {
    static final Device OPENCL = Device.opencl(0);
    private static final int B = 16, OBS = 4, ACT = 2, N_ACTIONS = 3;

    @BeforeAll
    static void requireOpenCl() {
        OpenClDevices found = OpenClDevices.system();
        if (found.isAvailable()) return;
        String message = "no OpenCL device: " + found.describe();
        if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(message + " (CI=true: CI installs PoCL, so the parity tests must run)");
        Assumptions.abort(message + " (skipped outside CI; install pocl-opencl-icd to run it)");
    }

    /** Transitions with rewards, terminations (and dones) drawn from {@code g} on the current device. */
    private static TensorDict transitions(Generator g) {
        TensorDict td = new TensorDict(B);
        td.set("observation", g.normal(new int[] {B, OBS}, DType.FLOAT32));
        td.set(Key.of("next", "observation"), g.normal(new int[] {B, OBS}, DType.FLOAT32));
        td.set(Key.of("next", "reward"), g.normal(new int[] {B, 1}, DType.FLOAT32));
        Tensor terminated = g.uniform(new int[] {B, 1}, DType.FLOAT32).lt(0.2);
        td.set(Key.of("next", "done"), terminated);
        td.set(Key.of("next", "terminated"), terminated);
        return td;
    }

    /** Moves the online parameters away from the fresh target copies, then one soft update: targets differ from both. */
    private static void perturbAndSoftUpdate(LossModule loss, Generator g) {
        SoftUpdate updater = SoftUpdate.withTau(loss, 0.3);
        try (GradMode.Scope s = GradMode.noGrad()) {
            for (Tensor p : loss.parameters()) p.addInPlace(g.normal(p.shape(), DType.FLOAT32).mul(0.1), 1.0);
        }
        updater.step();
    }

    /** The losses, entropy, written entries and every parameter's gradient after one forward and backward. */
    private static List<double[]> step(LossModule loss, TensorDict td, Device device) {
        TensorDict out = loss.forward(td);
        Tensor total = LossOutputs.totalLoss(out);
        assertEquals(device, total.device(), "the loss stays on the inputs' device");
        assertEquals(device, td.get("td_error").device(), "so does the priority it writes");
        total.backward();
        List<double[]> result = new ArrayList<>();
        for (String k : List.of("loss_actor", "loss_qvalue", "loss_value", "entropy")) result.add(new double[] {out.get(k).item()});
        result.add(td.get("td_error").toDoubleArray());
        result.add(td.get("_log_prob").toDoubleArray());
        for (Tensor p : loss.parameters()) result.add(p.grad().toDoubleArray());
        return result;
    }

    /** IQLLoss: TanhNormal actor, two critics grown from one module (drawn from a seeded generator), V; the critics in one vmap. */
    private static List<double[]> iqlStep(Device device) {
        return on(device, () -> {
            Generator g = new Generator(41);
            MLP actorNet = MLP.builder(OBS, 2 * ACT).generator(new Generator(1)).build();
            MLP criticNet = MLP.builder(OBS + ACT, 1).generator(new Generator(2)).build();
            MLP valueNet = MLP.builder(OBS, 1).generator(new Generator(3)).build();
            TensorDictSequential params = new TensorDictSequential(
                    TensorDictModule.builder(actorNet).inKeys("observation").outKeys("param").build(),
                    TensorDictModule.builder(new NormalParamExtractorModule("biased_softplus_1.0", 1e-4)).inKeys("param").outKeys("loc", "scale").build());
            ProbabilisticActor actor = new ProbabilisticActor(params, ProbabilisticTensorDictModule.builder().inKeys("loc", "scale")
                    .distribution(DistributionFactory.TANH_NORMAL).distributionKwargs(Map.of("low", -1.0, "high", 1.0)));
            TensorFunction cat = (positional, named) -> criticNet.forward(Tensor.cat(positional, -1));
            ValueOperator critic = new ValueOperator(criticNet, cat, List.of("observation", "action"), List.of("state_action_value"));
            IQLLoss loss = IQLLoss.builder(actor, critic, new ValueOperator(valueNet)).temperature(3.0).expectile(0.7).lossFunction("smooth_l1")
                    .generator(new Generator(4)).build();
            perturbAndSoftUpdate(loss, g);
            TensorDict td = transitions(g);
            td.set("action", g.uniform(new int[] {B, ACT}, DType.FLOAT32).mul(1.8).sub(0.9));
            assertEquals(device, td.get("action").device(), "the data is made on the device under test");
            return step(loss, td, device);
        });
    }

    /** DiscreteIQLLoss with categorical actions (index gather over the ensemble) and Q-value actor critics. */
    private static List<double[]> discreteIqlStep(Device device) {
        return on(device, () -> {
            Generator g = new Generator(43);
            MLP actorNet = MLP.builder(OBS, N_ACTIONS).generator(new Generator(5)).build();
            MLP valueNet = MLP.builder(OBS, 1).generator(new Generator(6)).build();
            ProbabilisticActor actor = new ProbabilisticActor(TensorDictModule.builder(actorNet).inKeys("observation").outKeys("logits").build(),
                    ProbabilisticTensorDictModule.builder().inKeys("logits").distribution(DistributionFactory.CATEGORICAL));
            List<QValueActor> critics = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                critics.add(new QValueActor(MLP.builder(OBS, N_ACTIONS).generator(new Generator(7 + k)).build(),
                        QValueModule.builder("categorical").actionValueKey("state_action_value").build()));
            }
            DiscreteIQLLoss loss = DiscreteIQLLoss.builder(actor, critics, new ValueOperator(valueNet)).actionSpace("categorical").temperature(2.0)
                    .expectile(0.8).lossFunction("l2").build();
            perturbAndSoftUpdate(loss, g);
            TensorDict td = transitions(g);
            td.set("action", g.uniform(new int[] {B}, DType.FLOAT32).mul(N_ACTIONS).floor().toLong());
            return step(loss, td, device);
        });
    }

    private static void assertSameNumbers(List<double[]> cpu, List<double[]> cl) {
        assertEquals(cpu.size(), cl.size());
        assertTrue(cpu.size() > 6, "losses, entropy, td_error, _log_prob and at least one gradient");
        for (int i = 0; i < cpu.size(); i++) {
            double[] a = cpu.get(i), c = cl.get(i);
            assertEquals(a.length, c.length, "entry " + i + ": length");
            for (int j = 0; j < a.length; j++) {
                assertEquals(a[j], c[j], 1e-4 * (1 + Math.abs(a[j])),
                        "entry " + i + "[" + j + "] (loss_actor, loss_qvalue, loss_value, entropy, td_error, _log_prob, then each parameter's gradient)");
            }
        }
    }

    @Test
    void theIqlLossAndItsGradientsAreTheSameOnBothDevices() {
        assertSameNumbers(iqlStep(Device.CPU), iqlStep(OPENCL));
    }

    @Test
    void theDiscreteIqlLossAndItsGradientsAreTheSameOnBothDevices() {
        assertSameNumbers(discreteIqlStep(Device.CPU), discreteIqlStep(OPENCL));
    }
}
