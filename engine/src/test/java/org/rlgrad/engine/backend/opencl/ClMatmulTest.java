package org.rlgrad.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.backend.cpu.CpuBackend;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.Tensor;

/** The tiled OpenCL matrix product against the CPU backend's, over shapes, views and dtypes. */
class ClMatmulTest {
    static OpenClBackend cl;

    @BeforeAll
    static void device() {
        ClTestDevice.require();
        cl = OpenClBackend.device(0);
    }

    private static final DType[] TYPES = DType.values();

    /** Integer-valued data for int64 and bool (0/1), signed reals for the floats. */
    private static Tensor random(Random rng, DType dtype, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] data = new double[n];
        for (int i = 0; i < n; i++) {
            data[i] = switch (dtype) {
                case FLOAT32, FLOAT64 -> rng.nextGaussian();
                case INT64 -> rng.nextInt(21) - 10;
                case BOOL -> rng.nextInt(4) == 0 ? 1 : 0;
            };
        }
        return Tensor.of(dtype, data, shape);
    }

    /**
     * Multiplies {@code view(a)} and {@code view(b)} on both backends (the views taken of host and
     * device tensors alike) and compares: exactly for int64 and bool, else within {@code tol}
     * times the sum of |a_ip b_pj| of each element (the error bound of a float dot product).
     */
    private static void check(Tensor a, Tensor b, UnaryOperator<Tensor> viewA, UnaryOperator<Tensor> viewB, String what) {
        Tensor ha = viewA.apply(a), hb = viewB.apply(b);
        Tensor da = viewA.apply(a.to(Device.opencl(0))), db = viewB.apply(b.to(Device.opencl(0)));
        Tensor expected = CpuBackend.INSTANCE.matmul(ha, hb);
        Tensor got = cl.matmul(da, db);
        assertEquals(expected.dtype(), got.dtype(), what);
        assertArrayEquals(expected.shape(), got.shape(), what);
        assertTrue(got.isContiguous(), what);
        double[] e = expected.toDoubleArray(), g = got.toDoubleArray();
        if (!a.dtype().isFloating()) {
            assertArrayEquals(e, g, 0, what);
            return;
        }
        double tol = a.dtype() == DType.FLOAT32 ? 1e-5 : 1e-12;
        double[] bound = CpuBackend.INSTANCE.matmul(ha.abs().to(DType.FLOAT64), hb.abs().to(DType.FLOAT64)).toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], g[i], tol * bound[i] + 1e-30, what + " element " + i);
        }
    }

    @Test
    void sizesThatAreNotMultiplesOfTheTileMatchTheCpu() {
        Random rng = new Random(1);
        int[][] nkm = {{1, 1, 1}, {3, 5, 7}, {17, 33, 65}, {64, 64, 64}, {130, 70, 90}, {1, 40, 3}, {33, 1, 17}};
        for (DType t : TYPES) {
            for (int[] s : nkm) {
                check(random(rng, t, s[0], s[1]), random(rng, t, s[1], s[2]), x -> x, x -> x, t + " " + s[0] + "x" + s[1] + "x" + s[2]);
            }
        }
    }

    @Test
    void transposedNarrowedAndFlippedOperandsAreReadThroughTheirStrides() {
        Random rng = new Random(2);
        for (DType t : TYPES) {
            // x W^T as a linear layer computes it: W is [out, in], read transposed without a copy.
            check(random(rng, t, 19, 37), random(rng, t, 23, 37), x -> x, Tensor::mT, t + " x W^T");
            check(random(rng, t, 37, 19), random(rng, t, 23, 37), Tensor::mT, Tensor::mT, t + " A^T B^T");
            // Non-zero offsets and non-unit column strides.
            check(random(rng, t, 20, 30), random(rng, t, 30, 40),
                    x -> x.narrow(0, 3, 15).narrow(1, 2, 25), x -> x.narrow(0, 2, 25).narrow(1, 5, 21), t + " narrowed");
            check(random(rng, t, 9, 12), random(rng, t, 12, 10), x -> x.flip(1), x -> x.flip(0).flip(1), t + " flipped");
        }
    }

    @Test
    void batchesIncludingBroadcastBatchDimsMatchTheCpu() {
        Random rng = new Random(3);
        for (DType t : TYPES) {
            check(random(rng, t, 4, 17, 9), random(rng, t, 4, 9, 21), x -> x, x -> x, t + " bmm");
            check(random(rng, t, 2, 3, 5, 6), random(rng, t, 2, 3, 6, 7), x -> x, x -> x, t + " two batch dims");
            // A weight shared by every batch entry: an expanded (stride-0) batch dim.
            check(random(rng, t, 3, 2, 11, 8), random(rng, t, 8, 5), x -> x,
                    x -> x.unsqueeze(0).unsqueeze(0).expand(3, 2, 8, 5), t + " expanded weight");
            // Batch dims permuted and transposed matrices within them.
            check(random(rng, t, 5, 4, 3, 7), random(rng, t, 5, 4, 6, 7),
                    x -> x.permute(1, 0, 2, 3), x -> x.transpose(0, 1).mT(), t + " permuted batch");
        }
    }

    @Test
    void emptyProductsGiveZerosOrEmptyResults() {
        Random rng = new Random(4);
        for (DType t : TYPES) {
            // k = 0: every element is an empty sum.
            Tensor zero = cl.matmul(random(rng, t, 3, 0).to(Device.opencl(0)), random(rng, t, 0, 4).to(Device.opencl(0)));
            assertArrayEquals(new int[] {3, 4}, zero.shape());
            assertArrayEquals(new double[12], zero.toDoubleArray(), 0, t + " k = 0");
            check(random(rng, t, 2, 5, 0), random(rng, t, 2, 0, 3), x -> x, x -> x, t + " batched k = 0");
            check(random(rng, t, 0, 5), random(rng, t, 5, 3), x -> x, x -> x, t + " n = 0");
            check(random(rng, t, 4, 5), random(rng, t, 5, 0), x -> x, x -> x, t + " m = 0");
            check(random(rng, t, 0, 4, 5), random(rng, t, 0, 5, 3), x -> x, x -> x, t + " no batch entries");
        }
    }

    @Test
    void floatEdgeValuesPropagateAsOnTheCpu() {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor a = Tensor.of(t, new double[] {Double.POSITIVE_INFINITY, 1, 0, 2, Double.NaN, 1, 1e30, -1e30, 3}, 3, 3);
            Tensor b = Tensor.of(t, new double[] {1, 0, 2, 1, 1, 1, 0.5, -1, 1}, 3, 3);
            Tensor expected = CpuBackend.INSTANCE.matmul(a, b);
            Tensor got = cl.matmul(a.to(Device.opencl(0)), b.to(Device.opencl(0)));
            assertArrayEquals(expected.toDoubleArray(), got.toDoubleArray(), 0, t.toString());
        }
    }

    @Test
    void mismatchedOperandsAreRefusedWithBothShapes() {
        Tensor a = Tensor.of(new double[6], 2, 3).to(Device.opencl(0));
        Tensor b = Tensor.of(new double[8], 4, 2).to(Device.opencl(0));
        var e = assertThrows(IllegalArgumentException.class, () -> cl.matmul(a, b));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 2]"), e.getMessage());
    }
}
