package org.rlgrad.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.backend.Backends;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;

/** The linear recurrence on OpenCL against the CPU backend: both directions, any dim, strided and broadcast operands. */
class ClLinearRecurrenceTest {
    static OpenClBackend cl;

    @BeforeAll
    static void device() {
        ClTestDevice.require();
        cl = OpenClBackend.device(0);
    }

    private static Tensor random(Random r, DType dtype, double scale, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (2 * r.nextDouble() - 1) * scale;
        return Tensor.of(DType.FLOAT64, v, shape).to(dtype);
    }

    @Test
    void matchesTheCpu() {
        Random r = new Random(9);
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = random(r, dtype, 2, 4, 37, 3), a = random(r, dtype, 1, 4, 37, 3);
            Tensor xd = x.to(Device.opencl(0)), ad = a.to(Device.opencl(0));
            for (int dim = 0; dim < 3; dim++) {
                for (boolean reverse : new boolean[] {true, false}) {
                    String what = dtype + " dim " + dim + (reverse ? " reverse" : " forward");
                    assertClose(Backends.cpu().linearRecurrence(x, a, dim, reverse), cl.linearRecurrence(xd, ad, dim, reverse), dtype, what);
                    // A transposed x and a coefficient broadcast along the other dims (stride 0).
                    Tensor xt = x.transpose(0, 2), at = a.select(0, 1).select(1, 2).reshape(1, 37, 1).expand(3, 37, 4);
                    Tensor xtd = xd.transpose(0, 2), atd = ad.select(0, 1).select(1, 2).reshape(1, 37, 1).expand(3, 37, 4);
                    assertClose(Backends.cpu().linearRecurrence(xt, at, 1, reverse), cl.linearRecurrence(xtd, atd, 1, reverse), dtype,
                            what + ", strided and broadcast");
                }
            }
        }
    }

    @Test
    void emptyLinesGiveEmptyResults() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 2, 0).to(Device.opencl(0));
        assertEquals(0, cl.linearRecurrence(x, x, 1, true).numel());
    }

    private static void assertClose(Tensor expected, Tensor got, DType dtype, String what) {
        assertArrayEquals(expected.shape(), got.shape(), what);
        double[] e = expected.toDoubleArray(), g = got.toDoubleArray();
        double tol = dtype == DType.FLOAT32 ? 1e-6 : 1e-13;
        for (int i = 0; i < e.length; i++) assertEquals(e[i], g[i], tol * (1 + Math.abs(e[i])), what + " [" + i + "]");
    }
}
