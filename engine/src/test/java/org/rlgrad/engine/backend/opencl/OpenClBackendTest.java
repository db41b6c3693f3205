package org.rlgrad.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.backend.Backend;
import org.rlgrad.engine.backend.Backends;
import org.rlgrad.engine.backend.MemoryScope;
import org.rlgrad.engine.ops.Functional;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;

/** The OpenCL backend's storage, transfers, copies and fills, and moving tensors between devices. */
class OpenClBackendTest {
    static OpenClBackend cl;

    @BeforeAll
    static void device() {
        ClTestDevice.require();
        cl = OpenClBackend.device(0);
    }

    private static Tensor onCl(double[] data, DType dtype, int... shape) {
        return new Tensor(cl.fromDoubles(dtype, data), shape);
    }

    @Test
    void everyDtypeRoundTripsThroughTheDevice() {
        double[] data = {0, 1.5, -2.25, 7, 0, -1e9};
        for (DType t : DType.values()) {
            double[] expected = Tensor.of(data, 6).to(t).toDoubleArray();
            assertArrayEquals(expected, onCl(data, t, 6).toDoubleArray(), 0, t.toString());
        }
        long[] big = {Long.MAX_VALUE, Long.MIN_VALUE, 3};
        assertArrayEquals(big, cl.toLongs(new Tensor(cl.fromLongs(DType.INT64, big), new int[] {3})));
    }

    @Test
    void copiesOfStridedAndBroadcastViewsMatchTheCpu() {
        double[] data = new double[24];
        for (int i = 0; i < data.length; i++) data[i] = i * 0.5 - 3;
        Tensor host = Tensor.of(data, 2, 3, 4);
        Tensor dev = host.to(Device.opencl(0));
        assertEquals(Device.opencl(0), dev.device());
        Tensor[] hostViews = {host.transpose(0, 2), host.narrow(2, 1, 2), host.select(1, 2).unsqueeze(1).expand(2, 5, 4)};
        Tensor[] devViews = {dev.transpose(0, 2), dev.narrow(2, 1, 2), dev.select(1, 2).unsqueeze(1).expand(2, 5, 4)};
        for (int v = 0; v < hostViews.length; v++) {
            for (DType t : DType.values()) {
                Tensor expected = hostViews[v].to(t).contiguous();
                Tensor got = cl.copy(devViews[v], t);
                assertTrue(got.isContiguous());
                assertArrayEquals(expected.shape(), got.shape());
                assertArrayEquals(expected.toDoubleArray(), got.toDoubleArray(), 0, "view " + v + " as " + t);
            }
        }
    }

    @Test
    void castsFollowTheCpuRules() {
        double[] odd = {Double.NaN, 1e30, -1e30, -2.7, 2.7, 0.0, Double.POSITIVE_INFINITY};
        for (DType from : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (DType to : DType.values()) {
                Tensor host = Tensor.of(odd, odd.length).to(from);
                assertArrayEquals(host.to(to).toDoubleArray(), host.to(Device.opencl(0)).to(to).toDoubleArray(), 0,
                        from + " -> " + to);
            }
        }
    }

    @Test
    void copyIntoWritesOnlyTheView() {
        Tensor dst = onCl(new double[12], DType.FLOAT64, 3, 4);
        Tensor src = onCl(new double[] {1, 2, 3}, DType.FLOAT32, 3, 1);
        cl.copyInto(dst.narrow(1, 1, 2), src);
        assertArrayEquals(new double[] {0, 1, 1, 0, 0, 2, 2, 0, 0, 3, 3, 0}, dst.toDoubleArray());
    }

    @Test
    void fillsAndRanges() {
        for (DType t : DType.values()) {
            assertArrayEquals(new double[] {t == DType.BOOL ? 1 : t == DType.INT64 ? -3 : -3.5, t == DType.BOOL ? 1 : t == DType.INT64 ? -3 : -3.5},
                    cl.full(new int[] {2}, t, -3.5).toDoubleArray(), t.toString());
        }
        assertArrayEquals(Backends.cpu().arange(5, 0.1, 0.2, DType.FLOAT32).toDoubleArray(),
                cl.arange(5, 0.1, 0.2, DType.FLOAT32).toDoubleArray());
        assertArrayEquals(new double[6], new Tensor(cl.allocate(DType.FLOAT32, 6), new int[] {6}).toDoubleArray());
    }

    @Test
    void movingIsDifferentiableAndTheGradientComesHome() {
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 3).toDouble().requiresGrad(true);
        Tensor y = x.to(Device.opencl(0));
        assertSame(y, y.to(Device.opencl(0)));
        y.to(Device.cpu()).mul(Tensor.of(new double[] {4, 5, 6}, 3).toDouble()).sum().backward();
        assertEquals(Device.CPU, x.grad().device());
        assertArrayEquals(new double[] {4, 5, 6}, x.grad().toDoubleArray());
    }

    @Test
    void buffersOfAClosedScopeAreReused() {
        long before = cl.pool().heldBytes();
        try (MemoryScope scope = MemoryScope.open()) {
            onCl(new double[1000], DType.FLOAT32, 1000);
        }
        assertTrue(cl.pool().heldBytes() >= before + 4000);
        Tensor again = onCl(new double[1000], DType.FLOAT32, 1000);
        assertEquals(before, cl.pool().heldBytes());
        assertEquals(0, again.toDoubleArray()[999]);
    }

    /** Data made on the device stays there: a training step copies nothing to or from the host. */
    @Test
    void aTrainingStepOnTheDeviceCopiesNothingToTheHost() {
        Backend previous = Backends.defaultBackend();
        Backends.setDefault(cl);
        try {
            Tensor w1 = Tensor.of(new double[] {0.1, -0.2, 0.3, 0.4, -0.5, 0.6}, 3, 2).requiresGrad(true);
            Tensor b1 = Tensor.of(new double[] {0.01, 0.02, 0.03}, 3).requiresGrad(true);
            Tensor w2 = Tensor.of(new double[] {0.7, -0.8, 0.9}, 1, 3).requiresGrad(true);
            Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2);
            Tensor y = Tensor.of(new double[] {1, 0, 1, 0}, 4, 1);
            Adam adam = new Adam(List.of(w1, b1, w2), 1e-2);
            Runnable step = () -> {
                try (MemoryScope scope = MemoryScope.open()) {
                    adam.zeroGrad();
                    Tensor h = Functional.linear(x, w1, b1).tanh();
                    h.matmul(w2.transpose(0, 1)).sub(y).square().mean().backward();
                    adam.step();
                }
            };
            step.run(); // the first step makes Adam's state
            long before = cl.hostTransfers();
            step.run();
            step.run();
            assertEquals(before, cl.hostTransfers(), "host-device copies in a training step");
            assertEquals(Device.opencl(0), w1.device());
        } finally {
            Backends.setDefault(previous);
        }
    }

    @Test
    void devicesParseAndUnknownOnesAreRefused() {
        assertEquals(Device.opencl(0), Device.parse("opencl"));
        assertEquals(Device.opencl(3), Device.parse("OpenCL:3"));
        assertEquals(Device.CPU, Device.parse("cpu"));
        assertThrows(IllegalArgumentException.class, () -> Device.parse("cuda:0"));
        var e = assertThrows(OpenClUnavailableException.class, () -> Backends.of(Device.opencl(999)));
        assertTrue(e.getMessage().contains(OpenClDevices.system().describe()) || e.getMessage().contains("999"), e.getMessage());
    }
}
