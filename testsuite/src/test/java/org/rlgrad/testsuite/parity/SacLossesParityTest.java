package org.rlgrad.testsuite.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.rlgrad.testsuite.parity.OnDevice.on;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

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
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.losses.DiscreteSACLoss;
import org.rlgrad.losses.LossModule;
import org.rlgrad.losses.LossOutputs;
import org.rlgrad.losses.SACLoss;
import org.rlgrad.losses.SoftUpdate;

/**
 * CPU-versus-OpenCL parity of the SAC losses (issue 8): SACLoss version 2 (with priority weights
 * and skipped done states), version 1 (chunked critics, value network) and DiscreteSACLoss, each
 * built, fed and run with every tensor on one device (float32). The losses, the priority they
 * write and the gradient of every trainable parameter (log α included) agree within float32
 * tolerance. The actor's draws come from a seeded counter-based generator, which gives the same
 * numbers on both devices.
 *
 * <p>Without an OpenCL device the tests are skipped, except in CI ({@code CI=true}).
 */
class SacLossesParityTest {
    private static final Device OPENCL = Device.opencl(0);
    private static final int B = 8, OBS = 4, ACT = 2, ACTIONS = 3;

    @BeforeAll
    static void requireOpenCl() {
        OpenClDevices found = OpenClDevices.system();
        if (found.isAvailable()) return;
        String message = "no OpenCL device: " + found.describe();
        if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(message + " (CI=true: CI installs PoCL, so the parity tests must run)");
        Assumptions.abort(message + " (skipped outside CI; install pocl-opencl-icd to run it)");
    }

    private static MLP mlp(int in, int out, long seed) {
        return MLP.builder(in, out).numCells(6).depth(1).generator(new Generator(seed)).build();
    }

    private static ProbabilisticActor tanhNormalActor() {
        TensorDictSequential params = new TensorDictSequential(
                TensorDictModule.of(mlp(OBS, 2 * ACT, 1), List.of("observation"), List.of("param")),
                TensorDictModule.builder(new NormalParamExtractorModule("biased_softplus_1.0", 1e-4)).inKeys("param").outKeys("loc", "scale").build());
        return new ProbabilisticActor(params, ProbabilisticTensorDictModule.builder().inKeys("loc", "scale").distribution(DistributionFactory.TANH_NORMAL)
                .distributionKwargs(Map.of("low", -1.0, "high", 1.0)).returnLogProb(true));
    }

    private static List<ValueOperator> critics() {
        List<ValueOperator> out = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            MLP net = mlp(OBS + ACT, 1, 10 + k);
            out.add(new ValueOperator(net, (positional, named) -> net.forward(Tensor.cat(positional, -1)), List.of("observation", "action"),
                    List.of("state_action_value")));
        }
        return out;
    }

    /** A batch of B transitions on the default device; done rows 1 and 5 are not terminated (a truncation). */
    private static TensorDict batch(boolean discrete) {
        Generator g = new Generator(31);
        TensorDict td = new TensorDict(B);
        td.set("observation", g.normal(new int[] {B, OBS}, DType.FLOAT32));
        td.set("action", discrete ? g.uniform(new int[] {B}, DType.FLOAT32).mul(ACTIONS).floor().toLong().oneHot(ACTIONS)
                : g.uniform(new int[] {B, ACT}, DType.FLOAT32).mul(1.8).sub(0.9));
        td.set("priority_weight", g.uniform(new int[] {B}, DType.FLOAT32).add(0.5));
        td.set(Key.of("next", "observation"), g.normal(new int[] {B, OBS}, DType.FLOAT32));
        td.set(Key.of("next", "reward"), g.normal(new int[] {B, 1}, DType.FLOAT32));
        boolean[] terminated = new boolean[B], done = new boolean[B];
        terminated[3] = done[3] = true;
        done[1] = done[5] = true;
        td.set(Key.of("next", "terminated"), Tensor.of(terminated, B, 1));
        td.set(Key.of("next", "done"), Tensor.of(done, B, 1));
        return td;
    }

    /** Targets one soft step away from the online networks, so that reading the wrong tree shows. */
    private static void moveTargets(LossModule loss) {
        SoftUpdate updater = SoftUpdate.withTau(loss, 0.3);
        Generator g = new Generator(5);
        try (GradMode.Scope s = GradMode.noGrad()) {
            for (Tensor p : loss.parameters()) if (p.dim() > 0) p.addInPlace(g.normal(p.shape(), DType.FLOAT32).mul(0.1), 1.0);
        }
        updater.step();
    }

    /** Every loss entry, the priority written into the batch, then the gradient of every parameter, all computed on {@code device}. */
    private static List<double[]> step(Device device, Supplier<LossModule> build, boolean discrete) {
        return on(device, () -> {
            LossModule loss = build.get();
            moveTargets(loss);
            TensorDict td = batch(discrete);
            TensorDict out = loss.forward(td);
            Tensor total = LossOutputs.totalLoss(out);
            assertEquals(device, total.device(), "the loss stays on the inputs' device");
            assertEquals(device, td.get("td_error").device(), "so does the priority it writes");
            total.backward();
            List<double[]> values = new ArrayList<>();
            for (Key k : LossOutputs.lossKeys(out)) values.add(out.get(k).toDoubleArray());
            values.add(out.get("alpha").toDoubleArray());
            values.add(out.get("entropy").toDoubleArray());
            values.add(td.get("td_error").toDoubleArray());
            for (Tensor p : loss.parameters()) values.add(p.grad().toDoubleArray());
            return values;
        });
    }

    private static void assertSameOnBothDevices(String what, Supplier<LossModule> build, boolean discrete) {
        List<double[]> cpu = step(Device.CPU, build, discrete), cl = step(OPENCL, build, discrete);
        assertEquals(cpu.size(), cl.size(), what);
        assertTrue(cpu.size() > 6, what + ": losses, metrics, td_error and gradients");
        for (int i = 0; i < cpu.size(); i++) {
            double[] a = cpu.get(i), c = cl.get(i);
            assertEquals(a.length, c.length, what + " entry " + i + ": length");
            for (int j = 0; j < a.length; j++) {
                assertEquals(a[j], c[j], 1e-4 * (1 + Math.abs(a[j])), what + " entry " + i + "[" + j + "] (losses, alpha, entropy, td_error, then gradients)");
            }
        }
    }

    @Test
    void sacVersion2AndItsGradientsAreTheSameOnBothDevices() {
        assertSameOnBothDevices("SAC v2", () -> SACLoss.builder(tanhNormalActor(), critics()).alphaInit(0.7).skipDoneStates(true).build()
                .setRandomSource(new Generator(77)), false);
    }

    @Test
    void sacVersion1AndItsGradientsAreTheSameOnBothDevices() {
        assertSameOnBothDevices("SAC v1", () -> SACLoss.builder(tanhNormalActor(), critics()).valueNetwork(new ValueOperator(mlp(OBS, 1, 20)))
                .lossFunction("l2").alphaInit(1.3).build().setRandomSource(new Generator(78)), false);
    }

    @Test
    void discreteSacAndItsGradientsAreTheSameOnBothDevices() {
        assertSameOnBothDevices("discrete SAC", () -> {
            ProbabilisticActor actor = new ProbabilisticActor(TensorDictModule.of(mlp(OBS, ACTIONS, 2), List.of("observation"), List.of("logits")),
                    ProbabilisticTensorDictModule.builder().inKeys("logits").distribution(DistributionFactory.ONE_HOT_CATEGORICAL).returnLogProb(true));
            List<QValueActor> qs = List.of(new QValueActor(mlp(OBS, ACTIONS, 12), List.of("observation"), QValueModule.builder("one_hot").build()),
                    new QValueActor(mlp(OBS, ACTIONS, 13), List.of("observation"), QValueModule.builder("one_hot").build()));
            return DiscreteSACLoss.builder(actor, qs).actionSpace("one_hot").numActions(ACTIONS).alphaInit(0.6).skipDoneStates(true).build();
        }, true);
    }
}
