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

/** OpenCL gather and scatter against the CPU backend: exact values, every dtype, views, repeats, errors. */
class ClIndexingTest {
    static OpenClBackend cl;

    @BeforeAll
    static void device() {
        ClTestDevice.require();
        cl = OpenClBackend.device(0);
    }

    private static Tensor values(Random rng, DType dtype, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] data = new double[n];
        for (int i = 0; i < n; i++) {
            data[i] = switch (dtype) {
                case FLOAT32, FLOAT64 -> rng.nextGaussian() * Math.pow(10, rng.nextInt(9) - 4);
                case INT64 -> rng.nextInt(2001) - 1000;
                case BOOL -> rng.nextInt(3) == 0 ? 1 : 0;
            };
        }
        return Tensor.of(dtype, data, shape);
    }

    private static Tensor indices(Random rng, int bound, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        long[] data = new long[n];
        for (int i = 0; i < n; i++) data[i] = rng.nextInt(bound);
        return Tensor.of(data, shape);
    }

    private static Tensor dev(Tensor t) {
        return t.to(Device.opencl(0));
    }

    private static void assertSame(Tensor expected, Tensor got, String what) {
        assertEquals(expected.dtype(), got.dtype(), what);
        assertArrayEquals(expected.shape(), got.shape(), what);
        assertTrue(got.isContiguous(), what);
        // Gather and scatter compute nothing (or the one rounding the CPU does): bit-exact.
        assertArrayEquals(expected.toDoubleArray(), got.toDoubleArray(), 0, what);
    }

    private static void checkGather(Tensor x, int dim, Tensor index, UnaryOperator<Tensor> viewX, UnaryOperator<Tensor> viewI, String what) {
        Tensor expected = CpuBackend.INSTANCE.gather(viewX.apply(x), dim, viewI.apply(index));
        assertSame(expected, cl.gather(viewX.apply(dev(x)), dim, viewI.apply(dev(index))), what);
    }

    private static void checkScatter(Tensor base, int dim, Tensor index, Tensor src, boolean accumulate,
                                     UnaryOperator<Tensor> viewB, UnaryOperator<Tensor> viewI, UnaryOperator<Tensor> viewS, String what) {
        Tensor expected = CpuBackend.INSTANCE.scatter(viewB.apply(base), dim, viewI.apply(index), viewS.apply(src), accumulate);
        Tensor got = cl.scatter(viewB.apply(dev(base)), dim, viewI.apply(dev(index)), viewS.apply(dev(src)), accumulate);
        assertSame(expected, got, what + (accumulate ? " (accumulate)" : ""));
    }

    @Test
    void gatherMatchesTheCpuAlongEveryDimForEveryDtype() {
        Random rng = new Random(1);
        for (DType t : DType.values()) {
            Tensor x = values(rng, t, 5, 6, 7);
            for (int dim = 0; dim < 3; dim++) {
                int[] shape = {4, 5, 6};
                shape[dim] = 9; // longer than x along dim: indices repeat
                checkGather(x, dim, indices(rng, x.shapeRef()[dim], shape), v -> v, v -> v, t + " dim " + dim);
            }
        }
    }

    @Test
    void gatherReadsStridedBroadcastAndOffsetViews() {
        Random rng = new Random(2);
        for (DType t : DType.values()) {
            Tensor x = values(rng, t, 6, 8);
            checkGather(x, 1, indices(rng, 6, 8, 5), Tensor::mT, v -> v, t + " transposed x");
            checkGather(x, 0, indices(rng, 4, 3, 6), v -> v.narrow(0, 1, 4).narrow(1, 2, 6), v -> v, t + " narrowed x");
            checkGather(x, 0, indices(rng, 6, 7, 3), v -> v, Tensor::mT, t + " transposed index");
            checkGather(x, 1, indices(rng, 8, 1, 4), v -> v, v -> v.expand(5, 4), t + " broadcast index");
            checkGather(x, 1, indices(rng, 8, 6, 10), v -> v, v -> v.narrow(1, 3, 5).flip(0), t + " flipped index");
            checkGather(x, 1, indices(rng, 8, 6, 0), v -> v, v -> v, t + " empty index");
        }
    }

    @Test
    void scatterMatchesTheCpuWithRepeatedIndices() {
        Random rng = new Random(3);
        for (DType t : DType.values()) {
            for (boolean acc : new boolean[] {false, true}) {
                for (int dim = 0; dim < 3; dim++) {
                    Tensor base = values(rng, t, 4, 5, 6);
                    int[] shape = {3, 4, 5};
                    shape[dim] = 11; // more entries than base has along dim: many repeats
                    Tensor index = indices(rng, base.shapeRef()[dim], shape);
                    checkScatter(base, dim, index, values(rng, t, shape), acc, v -> v, v -> v, v -> v, t + " dim " + dim);
                }
            }
        }
    }

    @Test
    void scatterReadsStridedBroadcastAndOffsetViews() {
        Random rng = new Random(4);
        for (DType t : DType.values()) {
            for (boolean acc : new boolean[] {false, true}) {
                Tensor base = values(rng, t, 7, 5);
                checkScatter(base, 0, indices(rng, 5, 4, 6), values(rng, t, 8, 9), acc,
                        Tensor::mT, Tensor::mT, v -> v.narrow(0, 2, 6).narrow(1, 1, 4).mT(), t + " transposed");
                checkScatter(base, 1, indices(rng, 5, 1, 8), values(rng, t, 1, 1), acc,
                        v -> v, v -> v.expand(6, 8), v -> v.expand(6, 8), t + " broadcast index and src");
                checkScatter(base, 1, indices(rng, 4, 7, 3), values(rng, t, 7, 3), acc,
                        v -> v.narrow(1, 1, 4).flip(0), v -> v, v -> v.flip(1), t + " offset base");
                checkScatter(base, 0, indices(rng, 7, 0, 5), values(rng, t, 0, 5), acc, v -> v, v -> v, v -> v, t + " empty index");
            }
        }
    }

    @Test
    void repeatedFloatWritesKeepTheCpuOrder() {
        // Sums whose value depends on the order of the additions, and writes where the last must win.
        double[] src = {1e8, 1, -1e8, 1, 3, 0.5, 1e-3, -7};
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor base = Tensor.of(t, new double[] {0.25, 0.5}, 2);
            Tensor index = Tensor.of(new long[] {0, 0, 0, 0, 1, 1, 0, 1}, 8);
            Tensor s = Tensor.of(t, src, 8);
            for (boolean acc : new boolean[] {false, true}) {
                checkScatter(base, 0, index, s, acc, v -> v, v -> v, v -> v, t + " order");
            }
        }
        Tensor last = cl.scatter(dev(Tensor.of(new double[] {0, 0}, 2)), 0, dev(Tensor.of(new long[] {1, 1, 1}, 3)),
                dev(Tensor.of(new double[] {5, 6, 7}, 3)), false);
        assertArrayEquals(new double[] {0, 7}, last.toDoubleArray());
    }

    @Test
    void edgeValuesAreCopiedBitForBit() {
        double[] odd = {Double.NaN, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, -Double.MAX_VALUE};
        Tensor index = Tensor.of(new long[] {5, 4, 3, 2, 1, 0, 1}, 7);
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = Tensor.of(t, odd, 6);
            checkGather(x, 0, index, v -> v, v -> v, t + " edge gather");
            double[] got = cl.gather(dev(x), 0, dev(index)).toDoubleArray();
            assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(got[4]), "-0 keeps its sign");
        }
        // int64 beyond 2^53 moves exactly.
        long[] big = {Long.MAX_VALUE, Long.MIN_VALUE, (1L << 53) + 1};
        Tensor xb = Tensor.of(big, 3);
        Tensor g = cl.gather(dev(xb), 0, dev(Tensor.of(new long[] {2, 0, 1}, 3)));
        assertArrayEquals(new long[] {big[2], big[0], big[1]}, g.toLongArray());
    }

    @Test
    void outOfRangeIndicesThrowTheCpuException() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        // Several bad indices: both backends must name the first in row-major order.
        long[][] bad = {{0, 3, 1, 0, -1, 2}, {0, 1, 2, -2, 0, 9}, {7, 1, 2, 0, 0, 0}};
        for (long[] idx : bad) {
            Tensor index = Tensor.of(idx, 2, 3);
            var cpu = assertThrows(IndexOutOfBoundsException.class, () -> CpuBackend.INSTANCE.gather(x, 1, index));
            var got = assertThrows(IndexOutOfBoundsException.class, () -> cl.gather(dev(x), 1, dev(index)));
            assertEquals(cpu.getMessage(), got.getMessage());
            for (boolean acc : new boolean[] {false, true}) {
                var cpuS = assertThrows(IndexOutOfBoundsException.class, () -> CpuBackend.INSTANCE.scatter(x, 1, index, x, acc));
                var gotS = assertThrows(IndexOutOfBoundsException.class, () -> cl.scatter(dev(x), 1, dev(index), dev(x), acc));
                assertEquals(cpuS.getMessage(), gotS.getMessage());
            }
        }
        // Along dim 0 the lines are columns: the first bad index in row-major order is not the first of a line.
        Tensor index = Tensor.of(new long[] {0, 0, 5, 2, 0, 0}, 2, 3);
        var cpuS = assertThrows(IndexOutOfBoundsException.class, () -> CpuBackend.INSTANCE.scatter(x, 0, index, x, false));
        var gotS = assertThrows(IndexOutOfBoundsException.class, () -> cl.scatter(dev(x), 0, dev(index), dev(x), false));
        assertEquals(cpuS.getMessage(), gotS.getMessage());
    }
}
