package org.rlgrad.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.optim.AdamW;
import org.rlgrad.engine.optim.ClipGrad;
import org.rlgrad.engine.optim.Optimizer;
import org.rlgrad.engine.optim.RMSprop;
import org.rlgrad.engine.optim.SGD;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Every optimiser (and norm clipping) on parameters on the OpenCL device against the same run on
 * the CPU, from the same parameters and gradients: the update is composed of tensor ops (or, for
 * Adam, the backend's fused pass) on the parameter's own device, state included.
 */
class OptimParityTest {
    @BeforeAll
    static void device() {
        ClTestDevice.require();
    }

    private static final Device CL = Device.opencl(0);

    private static List<Function<List<Tensor>, Optimizer<?>>> optimizers() {
        return List.of(
                ps -> new SGD(ps, 0.1),
                ps -> new SGD(ps, new SGD.Options(0.05, 0.8, 0, true, 0.2, true)),
                ps -> new SGD(ps, new SGD.Options(0.1).withMomentum(0.9).withDampening(0.3)),
                ps -> new Adam(ps, 0.01),
                ps -> new Adam(ps, new Adam.Options(0.05, 0.8, 0.9, 1e-3, 0.3, true, true)),
                ps -> new AdamW(ps, 0.01),
                ps -> new AdamW(ps, AdamW.defaults(0.05).withAmsgrad(true).withMaximize(true)),
                ps -> new RMSprop(ps, 0.01),
                ps -> new RMSprop(ps, new RMSprop.Options(0.02, 0.8, 1e-4, 0.1, 0.5, true, true)));
    }

    private static double[] random(Random rng, int n, double scale) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = i % 5 == 2 ? 0 : rng.nextGaussian() * scale;
        return d;
    }

    @Test
    void everyOptimizerStepsAlikeOnTheDeviceAndOnTheCpu() {
        int checked = 0;
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double tol = dtype == DType.FLOAT32 ? 2e-5 : 1e-12;
            for (var make : optimizers()) {
                Random rng = new Random(11);
                int[][] shapes = {{3, 5}, {7}, {}};
                List<Tensor> cpu = new ArrayList<>(), dev = new ArrayList<>();
                for (int[] shape : shapes) {
                    int n = 1;
                    for (int s : shape) n *= s;
                    Tensor host = Tensor.of(dtype, random(rng, n, 1), shape);
                    cpu.add(host.clone().requiresGrad(true));
                    dev.add(host.to(CL).requiresGrad(true));
                }
                Optimizer<?> oc = make.apply(cpu), od = make.apply(dev);
                for (int t = 0; t < 4; t++) {
                    oc.zeroGrad();
                    od.zeroGrad();
                    for (int i = 0; i < shapes.length; i++) {
                        if (t == 1 && i == 1) continue; // one parameter skips a step on both
                        Tensor g = Tensor.of(dtype, random(rng, cpu.get(i).numel(), t % 2 == 0 ? 1 : 0.05), shapes[i]);
                        cpu.get(i).setGrad(g);
                        dev.get(i).setGrad(g.to(CL));
                    }
                    oc.step();
                    od.step();
                    for (int i = 0; i < shapes.length; i++) {
                        assertEquals(CL, dev.get(i).device());
                        assertArrayEquals(cpu.get(i).toDoubleArray(), dev.get(i).to(Device.CPU).toDoubleArray(), tol,
                                od + " " + dtype + " parameter " + i + " step " + (t + 1));
                        for (var e : od.state(dev.get(i)).buffers().entrySet()) {
                            assertEquals(CL, e.getValue().device(), od + ": state " + e.getKey() + " lives on the device");
                        }
                    }
                    checked++;
                }
            }
        }
        assertEquals(2 * 9 * 4, checked);
    }

    @Test
    void clipGradNormAgreesAndStaysOnTheDevice() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (double normType : new double[] {1, 2, 3, Double.POSITIVE_INFINITY}) {
                Random rng = new Random(5);
                List<Tensor> cpu = new ArrayList<>(), dev = new ArrayList<>();
                for (int n : new int[] {6, 9}) {
                    Tensor g = Tensor.of(dtype, random(rng, n, 2), n);
                    Tensor pc = Tensor.zeros(dtype, n).requiresGrad(true), pd = Tensor.zeros(dtype, n).to(CL).requiresGrad(true);
                    pc.setGrad(g);
                    pd.setGrad(g.to(CL));
                    cpu.add(pc);
                    dev.add(pd);
                }
                Tensor tc = ClipGrad.clipGradNorm(cpu, 1, normType, true), td = ClipGrad.clipGradNorm(dev, 1, normType, true);
                assertEquals(CL, td.device());
                double tol = dtype == DType.FLOAT32 ? 1e-5 : 1e-12;
                assertEquals(tc.item(), td.to(Device.CPU).item(), tol * tc.item(), dtype + " norm " + normType);
                for (int i = 0; i < 2; i++) {
                    assertEquals(CL, dev.get(i).grad().device());
                    assertArrayEquals(cpu.get(i).grad().toDoubleArray(), dev.get(i).grad().to(Device.CPU).toDoubleArray(), tol);
                }
                assertTrue(tc.item() > 1, "the gradients were large enough to be clipped");
            }
        }
    }
}
