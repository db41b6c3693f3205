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
import org.rlgrad.engine.modules.Actor;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.modules.TensorFunction;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.losses.DDPGLoss;
import org.rlgrad.losses.LossModule;
import org.rlgrad.losses.LossOutputs;
import org.rlgrad.losses.SoftUpdate;
import org.rlgrad.losses.TD3BCLoss;
import org.rlgrad.losses.TD3Loss;

/**
 * CPU-versus-OpenCL parity of the deterministic-actor losses (DDPG, TD3, TD3+BC): with identical
 * float32 weights, soft-updated targets, data, priority weights and target noise, forward and
 * backward on the first OpenCL device give the CPU's losses, metrics, priorities and gradients
 * within float32 tolerance; TD3 and TD3+BC both with vmap and with the loop of
 * {@code deactivate_vmap}. Skipped without an OpenCL device, except in CI ({@code CI=true}).
 */
class DeterministicActorLossesParityTest {
    static final Device OPENCL = Device.opencl(0);
    private static final int B = 16, OBS = 4, ACT = 2;

    @BeforeAll
    static void requireOpenCl() {
        OpenClDevices found = OpenClDevices.system();
        if (found.isAvailable()) return;
        String message = "no OpenCL device: " + found.describe();
        if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(message + " (CI=true: CI installs PoCL, so the parity tests must run)");
        Assumptions.abort(message + " (skipped outside CI; install pocl-opencl-icd to run it)");
    }

    /** Runs {@code body} with new tensors made on {@code device}, then restores the default. */
    private static Actor actor(long seed) {
        MLP mlp = MLP.builder(OBS, ACT).numCells(8).depth(1).activateLastLayer(true).generator(new Generator(seed)).build();
        return new Actor(mlp);
    }

    private static ValueOperator critic(long seed) {
        MLP mlp = MLP.builder(OBS + ACT, 1).numCells(8).depth(1).generator(new Generator(seed)).build();
        TensorFunction q = TensorFunction.of((o, a) -> mlp.forward(Tensor.cat(List.of(o, a), -1)));
        return new ValueOperator(mlp, q, List.of("observation", "action"), List.of("state_action_value"));
    }

    /** Moves every parameter off its initial value and soft-updates the targets once, so that targets and online weights differ. */
    private static void perturbAndUpdate(LossModule loss, Generator g) {
        SoftUpdate updater = SoftUpdate.withTau(loss, 0.3);
        try (GradMode.Scope s = GradMode.noGrad()) {
            for (Tensor p : loss.parameters()) p.addInPlace(g.normal(p.shape(), DType.FLOAT32).mul(0.1), 1.0);
        }
        updater.step();
    }

    private static TensorDict batch(Generator g) {
        TensorDict td = new TensorDict(B);
        td.set("observation", g.normal(new int[] {B, OBS}, DType.FLOAT32));
        td.set("action", g.uniform(new int[] {B, ACT}, DType.FLOAT32).mul(2).sub(1));
        td.set("priority_weight", g.uniform(new int[] {B}, DType.FLOAT32).add(0.5));
        td.set(Key.of("next", "observation"), g.normal(new int[] {B, OBS}, DType.FLOAT32));
        td.set(Key.of("next", "reward"), g.normal(new int[] {B, 1}, DType.FLOAT32));
        Tensor terminated = g.uniform(new int[] {B, 1}, DType.FLOAT32).lt(0.2);
        td.set(Key.of("next", "done"), terminated);
        td.set(Key.of("next", "terminated"), terminated);
        return td;
    }

    /** Forward and backward of {@code loss} on {@code td}: every output entry, the priority, then each parameter's gradient. */
    private static List<double[]> step(LossModule loss, TensorDict td, Device device) {
        TensorDict out = loss.forward(td);
        Tensor total = LossOutputs.totalLoss(out);
        assertEquals(device, total.device(), "the loss stays on the inputs' device");
        assertEquals(device, td.get("td_error").device(), "so does the priority it writes");
        total.backward();
        List<double[]> values = new ArrayList<>();
        for (Tensor t : out.leaves().values()) values.add(t.detach().toDoubleArray());
        values.add(td.get("td_error").toDoubleArray());
        for (Tensor p : loss.parameters()) values.add(p.grad().toDoubleArray());
        return values;
    }

    private static List<double[]> ddpgStep(Device device) {
        return on(device, () -> {
            Generator g = new Generator(101);
            DDPGLoss loss = DDPGLoss.builder(actor(1), critic(2)).delayActor(true).lossFunction("smooth_l1").build();
            perturbAndUpdate(loss, g);
            return step(loss, batch(g), device);
        });
    }

    /** TD3 or TD3+BC over critics grown from one module, with per-component tensor bounds. */
    private static List<double[]> td3Step(Device device, boolean behaviourCloning, boolean deactivateVmap) {
        return on(device, () -> {
            Generator g = new Generator(202);
            Tensor low = Tensor.of(new float[] {-0.6f, -1f}, ACT), high = Tensor.of(new float[] {0.8f, 0.4f}, ACT);
            TensorDictModuleBase actor = actor(3), critic = critic(4);
            LossModule loss = behaviourCloning
                    ? TD3BCLoss.builder(actor, critic).bounds(low, high).numQvalueNets(3).generator(new Generator(5)).policyNoise(0.5).deactivateVmap(deactivateVmap)
                            .build()
                    : TD3Loss.builder(actor, critic).bounds(low, high).numQvalueNets(3).generator(new Generator(5)).policyNoise(0.5).deactivateVmap(deactivateVmap)
                            .build();
            perturbAndUpdate(loss, g);
            loss.setRandomSource(new Generator(6));
            return step(loss, batch(g), device);
        });
    }

    private static void assertSame(List<double[]> cpu, List<double[]> cl, String what) {
        assertEquals(cpu.size(), cl.size(), what + ": the number of entries");
        assertTrue(cpu.size() > 4, what + ": outputs, priority and gradients");
        for (int i = 0; i < cpu.size(); i++) {
            double[] a = cpu.get(i), c = cl.get(i);
            assertEquals(a.length, c.length, what + " entry " + i + ": length");
            for (int j = 0; j < a.length; j++) {
                assertEquals(a[j], c[j], 1e-4 * (1 + Math.abs(a[j])), what + " entry " + i + "[" + j + "] (outputs, td_error, then each parameter's gradient)");
            }
        }
    }

    @Test
    void theDdpgLossAndItsGradientsAreTheSameOnBothDevices() {
        assertSame(ddpgStep(Device.CPU), ddpgStep(OPENCL), "DDPG");
    }

    @Test
    void theTd3LossAndItsGradientsAreTheSameOnBothDevicesWithVmapAndWithTheLoop() {
        List<double[]> cpu = td3Step(Device.CPU, false, false);
        assertSame(cpu, td3Step(OPENCL, false, false), "TD3 (vmap)");
        assertSame(cpu, td3Step(OPENCL, false, true), "TD3 (loop)");
    }

    @Test
    void theTd3BcLossAndItsGradientsAreTheSameOnBothDevicesWithVmapAndWithTheLoop() {
        List<double[]> cpu = td3Step(Device.CPU, true, false);
        assertSame(cpu, td3Step(OPENCL, true, false), "TD3+BC (vmap)");
        assertSame(cpu, td3Step(OPENCL, true, true), "TD3+BC (loop)");
    }
}
