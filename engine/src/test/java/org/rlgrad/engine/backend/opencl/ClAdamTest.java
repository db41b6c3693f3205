package org.rlgrad.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.backend.cpu.CpuBackend;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;

/** The fused OpenCL Adam step against the CPU backend's, step after step, bit for bit. */
class ClAdamTest {
    static OpenClBackend cl;

    @BeforeAll
    static void device() {
        ClTestDevice.require();
        cl = OpenClBackend.device(0);
    }

    private static final double LR = 1e-3, B1 = 0.9, B2 = 0.999, EPS = 1e-8;

    private static Tensor random(Random rng, DType dtype, int n, double scale) {
        double[] data = new double[n];
        for (int i = 0; i < n; i++) data[i] = i % 7 == 3 ? 0 : rng.nextGaussian() * scale;
        return Tensor.of(dtype, data, n);
    }

    /** A CPU tensor and its device copy, to be updated side by side. */
    private record Pair(Tensor cpu, Tensor dev) {
        static Pair of(Tensor host) {
            return new Pair(host.contiguous(), host.to(Device.opencl(0)));
        }
    }

    /** Runs {@code steps} Adam steps on both backends (views taken alike) and compares every tensor's whole storage after each. */
    private static void run(DType dtype, int n, int[] shape, UnaryOperator<Tensor> view, UnaryOperator<Tensor> gradView, int steps, String what) {
        Random rng = new Random(n * 31L + steps);
        Pair p = Pair.of(random(rng, dtype, n, 1)), m = Pair.of(random(rng, dtype, n, 0.1)), v = Pair.of(random(rng, dtype, n, 0.01).abs());
        for (int t = 1; t <= steps; t++) {
            Pair g = Pair.of(random(rng, dtype, n, t));
            double stepSize = LR / (1 - Math.pow(B1, t)), bc2Sqrt = Math.sqrt(1 - Math.pow(B2, t));
            int before = p.dev.storage().version();
            Tensor pc = view.apply(p.cpu.reshape(shape)), pd = view.apply(p.dev.reshape(shape));
            assertTrue(CpuBackend.INSTANCE.adam(pc, gradView.apply(g.cpu.reshape(shape)), view.apply(m.cpu.reshape(shape)),
                    view.apply(v.cpu.reshape(shape)), B1, B2, stepSize, bc2Sqrt, EPS), what);
            assertTrue(cl.adam(pd, gradView.apply(g.dev.reshape(shape)), view.apply(m.dev.reshape(shape)),
                    view.apply(v.dev.reshape(shape)), B1, B2, stepSize, bc2Sqrt, EPS), what);
            assertEquals(before + 1, p.dev.storage().version(), what + ": the parameter's version rises");
            String at = what + " step " + t;
            // Whole storages: the views' elements updated alike, the rest untouched on both.
            assertBits(p.cpu, p.dev, at + " param");
            assertBits(m.cpu, m.dev, at + " exp_avg");
            assertBits(v.cpu, v.dev, at + " exp_avg_sq");
        }
    }

    private static void assertBits(Tensor expected, Tensor got, String what) {
        double[] e = expected.toDoubleArray(), g = got.toDoubleArray();
        assertEquals(e.length, g.length, what);
        for (int i = 0; i < e.length; i++) {
            assertEquals(Double.doubleToRawLongBits(e[i]), Double.doubleToRawLongBits(g[i]), what + " element " + i + ": " + e[i] + " vs " + g[i]);
        }
    }

    @Test
    void contiguousStepsMatchTheCpuBitForBit() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            run(t, 1, new int[] {1}, x -> x, x -> x, 3, t + " one element");
            run(t, 1000, new int[] {1000}, x -> x, x -> x, 6, t + " vector");
            run(t, 4097, new int[] {17, 241}, x -> x, x -> x, 4, t + " matrix");
        }
    }

    @Test
    void stridedAndOffsetViewsAreUpdatedInPlace() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            run(t, 120, new int[] {10, 12}, Tensor::mT, Tensor::mT, 3, t + " transposed");
            run(t, 120, new int[] {10, 12}, x -> x.narrow(0, 2, 5).narrow(1, 3, 7), x -> x.narrow(0, 2, 5).narrow(1, 3, 7), 3, t + " narrowed");
            // The gradient may be a broadcast view; only written operands must not repeat elements.
            run(t, 120, new int[] {10, 12}, x -> x.narrow(0, 1, 4), x -> x.narrow(0, 0, 1).expand(4, 12), 3, t + " broadcast grad");
            run(t, 120, new int[] {10, 12}, x -> x.narrow(1, 5, 0), x -> x.narrow(1, 5, 0), 2, t + " empty");
        }
    }

    /** Operand sets that no backend may fuse: p, g, m, v. */
    private static Tensor[][] unfusable(Tensor p, Tensor g, Tensor m, Tensor v) {
        return new Tensor[][] {
            {p.to(DType.INT64), g.to(DType.INT64), m.to(DType.INT64), v.to(DType.INT64)}, // no float dtype
            {p, g.to(DType.FLOAT64), m, v},                                                 // mixed dtypes
            {p, g, m, m},                                                                    // shared moment storage
            {p, p, m, v},                                                                    // gradient aliases the parameter
            {p.narrow(0, 0, 1).expand(4), g, m, v},                                          // broadcast parameter
            {p, g, m.narrow(0, 0, 1).expand(4), v},                                          // broadcast moment
        };
    }

    @Test
    void operandsTheCpuDoesNotFuseAreRefusedWithoutWriting() {
        Tensor p = Tensor.of(new double[] {1, 2, 3, 4}, 4), g = Tensor.of(new double[] {1, 1, 1, 1}, 4);
        Tensor m = Tensor.of(new double[4], 4), v = Tensor.of(new double[4], 4);
        Tensor[][] onCpu = unfusable(p, g, m, v);
        Tensor pd = p.to(Device.opencl(0)), md = m.to(Device.opencl(0)), vd = v.to(Device.opencl(0));
        Tensor[][] onCl = unfusable(pd, g.to(Device.opencl(0)), md, vd);
        for (int c = 0; c < onCl.length; c++) {
            Tensor[] o = onCpu[c], d = onCl[c];
            assertFalse(CpuBackend.INSTANCE.adam(o[0], o[1], o[2], o[3], B1, B2, LR, 1, EPS), "case " + c + " on the cpu");
            int version = d[0].storage().version();
            assertFalse(cl.adam(d[0], d[1], d[2], d[3], B1, B2, LR, 1, EPS), "case " + c);
            assertEquals(version, d[0].storage().version(), "case " + c);
        }
        assertArrayEquals(new double[] {1, 2, 3, 4}, pd.toDoubleArray(), 0);
        assertArrayEquals(new double[4], md.toDoubleArray(), 0);
        assertArrayEquals(new double[4], vd.toDoubleArray(), 0);
    }
}
