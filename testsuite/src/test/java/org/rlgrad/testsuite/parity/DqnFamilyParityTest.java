package org.rlgrad.testsuite.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.rlgrad.testsuite.parity.OnDevice.on;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.backend.opencl.OpenClDevices;
import org.rlgrad.engine.modules.ActionSpace;
import org.rlgrad.engine.modules.DistributionalQValueActor;
import org.rlgrad.engine.modules.DistributionalQValueModule;
import org.rlgrad.engine.modules.TensorDictModule;
import org.rlgrad.engine.modules.TensorFunction;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.losses.DiscreteCQLLoss;
import org.rlgrad.losses.DistributionalDQNLoss;
import org.rlgrad.losses.LossModule;
import org.rlgrad.losses.LossOutputs;
import org.rlgrad.losses.SoftUpdate;

/**
 * CPU-versus-OpenCL parity of the DQN family beyond DQNLoss (which {@link OpenClParityTest}
 * covers): the distributional (C51) loss and discrete CQL in both bootstrap modes, forward and
 * backward with every tensor made on the device, give the CPU's numbers within float32
 * tolerances. Skipped without an OpenCL device, except in CI ({@code CI=true}), which installs PoCL.
 */
class DqnFamilyParityTest {
    private static final Device OPENCL = Device.opencl(0);
    private static final int B = 16, OBS = 4, ACTIONS = 3;
    private static final double[] SUPPORT = {-2, -1, 0, 1, 2};

    @BeforeAll
    static void requireOpenCl() {
        OpenClDevices found = OpenClDevices.system();
        if (found.isAvailable()) return;
        String message = "no OpenCL device: " + found.describe();
        if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(message + " (CI=true: CI installs PoCL, so the parity tests must run)");
        Assumptions.abort(message + " (skipped outside CI; install pocl-opencl-icd to run it)");
    }

    /** Runs {@code body} with new tensors made on {@code device}, then restores the default. */
    /** Moves every online parameter a little and takes one soft step, so the target copy differs from the online network. */
    private static void separateTheTarget(LossModule loss, Generator g) {
        SoftUpdate updater = SoftUpdate.withTau(loss, 0.3);
        try (GradMode.Scope s = GradMode.noGrad()) {
            for (Tensor p : loss.parameters()) p.addInPlace(g.normal(p.shape(), DType.FLOAT32).mul(0.1), 1.0);
        }
        updater.step();
    }

    /** A float32 batch: one-hot actions, rewards partly on the support's lattice (exact projections), some terminal steps. */
    private static TensorDict batch(Generator g) {
        TensorDict td = new TensorDict(B);
        td.set("observation", g.normal(new int[] {B, OBS}, DType.FLOAT32));
        td.set("action", g.uniform(new int[] {B}, DType.FLOAT32).mul(ACTIONS).floor().toLong().oneHot(ACTIONS));
        td.set(Key.of("next", "observation"), g.normal(new int[] {B, OBS}, DType.FLOAT32));
        Tensor lattice = g.uniform(new int[] {B, 1}, DType.FLOAT32).mul(9).floor().sub(4).mul(0.5);
        Tensor onLattice = g.uniform(new int[] {B, 1}, DType.FLOAT32).lt(0.5);
        td.set(Key.of("next", "reward"), Tensor.where(onLattice, lattice, g.normal(new int[] {B, 1}, DType.FLOAT32).mul(1.5)));
        Tensor terminated = g.uniform(new int[] {B, 1}, DType.FLOAT32).lt(0.25);
        td.set(Key.of("next", "done"), terminated);
        td.set(Key.of("next", "terminated"), terminated);
        return td;
    }

    private static List<double[]> gradients(LossModule loss) {
        List<double[]> out = new ArrayList<>();
        for (Tensor p : loss.parameters()) out.add(p.grad().toDoubleArray());
        return out;
    }

    /** C51 with priority weights and n-step discounts: the loss, the td_error it writes and every online gradient. */
    private static List<double[]> distributionalStep(Device device) {
        return on(device, () -> {
            Generator g = new Generator(41);
            int atoms = SUPPORT.length;
            MLP mlp = MLP.builder(OBS, atoms * ACTIONS).generator(new Generator(5)).build();
            TensorDictModule logits = TensorDictModule.builder(mlp, TensorFunction.of(x -> mlp.forward(x).unflatten(-1, atoms, ACTIONS)))
                    .inKeys("observation").outKeys("action_value").build();
            DistributionalQValueActor actor = new DistributionalQValueActor(logits,
                    DistributionalQValueModule.builder(ActionSpace.ONE_HOT, Tensor.of(DType.FLOAT32, SUPPORT, atoms)).build(), true);
            DistributionalDQNLoss loss = DistributionalDQNLoss.builder(actor, 0.9).build();
            separateTheTarget(loss, g);
            TensorDict td = batch(g);
            td.set("priority_weight", g.uniform(new int[] {B}, DType.FLOAT32).add(0.5));
            td.set("steps_to_next_obs", g.uniform(new int[] {B, 1}, DType.FLOAT32).mul(3).floor().add(1).toLong());
            Tensor total = LossOutputs.totalLoss(loss.forward(td));
            assertEquals(device, total.device(), "the loss stays on the inputs' device");
            assertEquals(device, td.get("td_error").device(), "so does the priority it writes");
            total.backward();
            List<double[]> out = new ArrayList<>();
            out.add(new double[] {total.item()});
            out.add(td.get("td_error").toDoubleArray());
            out.addAll(gradients(loss));
            return out;
        });
    }

    /** Discrete CQL (smooth l1): both losses, the metrics, the td_error and pred_val it writes, every online gradient. */
    private static List<double[]> discreteCqlStep(Device device, boolean referenceCompat) {
        return on(device, () -> {
            Generator g = new Generator(43);
            MLP mlp = MLP.builder(OBS, ACTIONS).generator(new Generator(7)).build();
            DiscreteCQLLoss loss = DiscreteCQLLoss.builder(mlp).actionSpace(ActionSpace.ONE_HOT).lossFunction("smooth_l1").referenceCompat(referenceCompat).build();
            separateTheTarget(loss, g);
            TensorDict td = batch(g);
            TensorDict result = loss.forward(td);
            Tensor total = LossOutputs.totalLoss(result);
            assertEquals(device, total.device(), "the loss stays on the inputs' device");
            assertEquals(device, td.get("pred_val").device(), "so do the entries it writes");
            total.backward();
            List<double[]> out = new ArrayList<>();
            for (String k : List.of("loss_qvalue", "loss_cql", "td_error", "pred_value", "target_value")) out.add(result.get(k).detach().toDoubleArray());
            out.add(td.get("td_error").toDoubleArray());
            out.add(td.get("pred_val").detach().toDoubleArray());
            out.addAll(gradients(loss));
            return out;
        });
    }

    private static void assertSame(List<double[]> cpu, List<double[]> cl, String what) {
        assertEquals(cpu.size(), cl.size());
        for (int i = 0; i < cpu.size(); i++) {
            double[] a = cpu.get(i), c = cl.get(i);
            assertEquals(a.length, c.length, what + " entry " + i + ": length");
            for (int j = 0; j < a.length; j++) assertEquals(a[j], c[j], 1e-4 * (1 + Math.abs(a[j])), what + " entry " + i + "[" + j + "]");
        }
    }

    @Test
    void theDistributionalDqnLossAndItsGradientsAreTheSameOnBothDevices() {
        List<double[]> cpu = distributionalStep(Device.CPU);
        assertTrue(cpu.size() > 2, "loss, td_error and at least one gradient");
        assertSame(cpu, distributionalStep(OPENCL), "C51 (loss, td_error, then each parameter's gradient)");
    }

    @Test
    void theDiscreteCqlLossAndItsGradientsAreTheSameOnBothDevicesInBothBootstrapModes() {
        for (boolean compat : new boolean[] {false, true}) {
            List<double[]> cpu = discreteCqlStep(Device.CPU, compat);
            assertTrue(cpu.size() > 7, "losses, metrics, written entries and at least one gradient");
            assertSame(cpu, discreteCqlStep(OPENCL, compat), "discrete CQL, referenceCompat=" + compat);
        }
        double yTarget = discreteCqlStep(Device.CPU, false).get(4)[0], yOnline = discreteCqlStep(Device.CPU, true).get(4)[0];
        assertTrue(Math.abs(yTarget - yOnline) > 1e-4, "the two modes bootstrap from different networks here: " + yTarget + " vs " + yOnline);
    }
}
