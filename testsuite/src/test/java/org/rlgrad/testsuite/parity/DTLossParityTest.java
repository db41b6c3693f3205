package org.rlgrad.testsuite.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.rlgrad.testsuite.parity.OnDevice.on;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.modules.Actor;
import org.rlgrad.engine.nn.MLP;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.losses.DTLoss;

/**
 * DTLoss on the OpenCL backend gives the CPU's loss and actor gradients (float32 tolerance), for
 * a {@code [B, T]} batch. Skipped without an OpenCL device outside CI, as {@link OpenClParityTest}.
 */
class DTLossParityTest {
    private static final int B = 4, T = 5, OBS = 3, ACTION = 2;

    @BeforeAll
    static void requireOpenCl() {
        OpenClParityTest.requireOpenCl();
    }

    private static List<double[]> step(Device device, String distance) {
        return on(device, () -> {
            Generator g = new Generator(41);
            MLP mlp = MLP.builder(OBS, ACTION).generator(new Generator(7)).build();
            DTLoss loss = DTLoss.builder(new Actor(mlp)).lossFunction(distance).build();
            TensorDict td = new TensorDict(B, T);
            td.set("observation", g.normal(new int[] {B, T, OBS}, DType.FLOAT32));
            td.set("action", g.uniform(new int[] {B, T, ACTION}, DType.FLOAT32).mul(2).sub(1));
            Tensor l = loss.forward(td).get("loss");
            assertEquals(device, l.device(), "the loss stays on the inputs' device");
            l.backward();
            List<double[]> out = new ArrayList<>();
            out.add(new double[] {l.item()});
            for (Tensor p : loss.parameters()) out.add(p.grad().toDoubleArray());
            return out;
        });
    }

    @Test
    void theLossAndItsGradientsAreTheSameOnBothDevices() {
        for (String distance : List.of("l2", "smooth_l1")) {
            List<double[]> cpu = step(Device.CPU, distance), cl = step(OpenClParityTest.OPENCL, distance);
            assertEquals(cpu.size(), cl.size());
            for (int i = 0; i < cpu.size(); i++) {
                double scale = 0;
                for (double v : cpu.get(i)) scale = Math.max(scale, Math.abs(v));
                assertArrayEquals(cpu.get(i), cl.get(i), 1e-4 * Math.max(1, scale), distance + " entry " + i);
            }
        }
    }
}
