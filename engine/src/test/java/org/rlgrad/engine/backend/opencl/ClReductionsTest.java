package org.rlgrad.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.engine.backend.opencl.ClConformance.assertMatches;
import static org.rlgrad.engine.backend.opencl.ClConformance.onDevice;
import static org.rlgrad.engine.backend.opencl.ClConformance.tolerance;

import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.backend.Backend;
import org.rlgrad.engine.backend.Backends;
import org.rlgrad.engine.backend.ReduceOp;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/** ClReductions (reduce, argmax/argmin, softmax, log_softmax, logsumexp) against the CPU backend. */
class ClReductionsTest {
    static OpenClBackend cl;
    static final Backend cpu = Backends.cpu();

    static final double NAN = Double.NaN, INF = Double.POSITIVE_INFINITY;
    /** Reductions of every dim set of a rank-3 tensor that matter: one, first, last, several, all, none. */
    static final int[][] DIMS_3 = {{0}, {1}, {2}, {0, 2}, {1, 2}, {0, 1, 2}, {}};

    @BeforeAll
    static void device() {
        ClTestDevice.require();
        cl = OpenClBackend.device(0);
    }

    /** Quarters with NaN, infinities, signed zeros and ties planted at fixed places. */
    static double[] edgy345() {
        double[] v = ClConformance.quarters(60, 7);
        v[3] = NAN;
        v[17] = INF;
        v[18] = -INF;
        v[25] = -0.0;
        v[26] = 0.0;
        v[40] = -INF;
        v[44] = INF;
        v[50] = NAN;
        return v;
    }

    /** Every op over the dim sets of every view of {@code data} as a [3, 4, 5] tensor; {@code exactInt64}: whether int64 sums and products stay below 2^53, where the CPU's double accumulator is exact. */
    private static void checkReduce(double[] data, int[][] dimSets, boolean exactInt64) {
        for (DType t : DType.values()) {
            Tensor host = Tensor.of(t, data, 3, 4, 5);
            Tensor dev = onDevice(host);
            for (ClConformance.View view : ClConformance.VIEWS_345) {
                Tensor h = view.make().apply(host), d = view.make().apply(dev);
                for (ReduceOp op : ReduceOp.values()) {
                    if (t == DType.INT64 && !exactInt64 && (op == ReduceOp.SUM || op == ReduceOp.PROD)) continue;
                    for (int[] dims : dimSets) {
                        for (boolean keep : new boolean[] {false, true}) {
                            String label = op + " " + t + " " + view.name() + " dims " + Arrays.toString(dims) + " keepdim " + keep;
                            // MAX/MIN and integer sums are exact; float sums and products are compared loosely.
                            double tol = op == ReduceOp.MAX || op == ReduceOp.MIN ? 0 : tolerance(t);
                            assertMatches(cpu.reduce(op, h, dims, keep), cl.reduce(op, d, dims, keep), tol, label);
                        }
                    }
                }
            }
        }
    }

    @Test
    void everyReductionOfEveryDtypeAndViewMatchesTheCpu() {
        double[] clean = ClConformance.quarters(60, 3);
        // Products of quarters in [-4, 4) stay exact enough in float32 over a few elements.
        checkReduce(clean, DIMS_3, true);
        // As int64, the infinities become Long.MAX_VALUE and MIN_VALUE, whose sums the CPU rounds.
        checkReduce(edgy345(), DIMS_3, false);
    }

    @Test
    void longRowsUseWholeWorkGroupsAndStayExact() {
        // Quarters sum exactly in float32, so even a tree of 256 partial sums must equal the CPU.
        double[] v = ClConformance.quarters(3 * 5000, 11);
        for (DType t : DType.values()) {
            Tensor host = Tensor.of(t, v, 3, 5000), dev = onDevice(host);
            for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MAX, ReduceOp.MIN, ReduceOp.ANY, ReduceOp.ALL}) {
                for (int[] dims : new int[][] {{1}, {0}, {0, 1}}) {
                    assertMatches(cpu.reduce(op, host, dims, false), cl.reduce(op, dev, dims, false), 0, op + " " + t + " " + Arrays.toString(dims));
                }
            }
            for (boolean max : new boolean[] {true, false}) {
                assertMatches(cpu.argReduce(max, host, 1, false), cl.argReduce(max, dev, 1, false), 0, "arg " + max + " " + t);
                assertMatches(cpu.argReduce(max, host, 0, true), cl.argReduce(max, dev, 0, true), 0, "arg dim 0 " + max + " " + t);
            }
        }
    }

    @Test
    void inexactFloatSumsAndProductsStayWithinTolerance() {
        // Values that round in float32, summed over long rows both along memory and across it
        // (where the CPU accumulates in double): the tree order must stay within 1e-5.
        double[] v = new double[4 * 4099];
        for (int i = 0; i < v.length; i++) v[i] = 0.1 + Math.sin(i * 0.7) * 0.05 + (i % 7) * 0.37;
        double[] nearOne = new double[v.length];
        for (int i = 0; i < v.length; i++) nearOne[i] = 1 + (v[i] - 1.2) * 1e-4;
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor host = Tensor.of(t, v, 4, 4099), dev = onDevice(host);
            Tensor hostNear = Tensor.of(t, nearOne, 4, 4099), devNear = onDevice(hostNear);
            for (int[] dims : new int[][] {{1}, {0}, {0, 1}}) {
                assertMatches(cpu.reduce(ReduceOp.SUM, host, dims, false), cl.reduce(ReduceOp.SUM, dev, dims, false), tolerance(t),
                        "sum " + t + " " + Arrays.toString(dims));
                assertMatches(cpu.reduce(ReduceOp.PROD, hostNear, dims, false), cl.reduce(ReduceOp.PROD, devNear, dims, false),
                        tolerance(t), "prod " + t + " " + Arrays.toString(dims));
            }
            assertMatches(cpu.reduce(ReduceOp.SUM, host.transpose(0, 1), new int[] {0}, true),
                    cl.reduce(ReduceOp.SUM, dev.transpose(0, 1), new int[] {0}, true), tolerance(t), "sum of a transposed view " + t);
        }
    }

    @Test
    void maxAndMinFollowJavaOnNanAndSignedZeros() {
        double[] v = {-0.0, 0.0, 0.0, -0.0, -0.0, -0.0, NAN, 1, 2, -INF, -INF, -INF, 3, NAN, -INF, INF, INF, 5};
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor host = Tensor.of(t, v, 6, 3), dev = onDevice(host);
            for (ReduceOp op : ReduceOp.values()) {
                assertMatches(cpu.reduce(op, host, new int[] {1}, false), cl.reduce(op, dev, new int[] {1}, false), 0, op + " " + t);
            }
            Tensor max = cl.reduce(ReduceOp.MAX, dev, new int[] {1}, false), min = cl.reduce(ReduceOp.MIN, dev, new int[] {1}, false);
            assertEquals(0.0, max.toDoubleArray()[0]);
            assertTrue(Double.doubleToLongBits(min.toDoubleArray()[1]) == Double.doubleToLongBits(-0.0), "min(0, -0) is -0");
            assertTrue(Double.isNaN(max.toDoubleArray()[2]) && Double.isNaN(min.toDoubleArray()[4]), "NaN propagates");
            assertEquals(-INF, max.toDoubleArray()[3]);
        }
        long[] big = {Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, 3};
        Tensor longs = new Tensor(cl.fromLongs(DType.INT64, big), new int[] {4});
        assertEquals(Long.MAX_VALUE, cl.reduce(ReduceOp.MAX, longs, new int[] {0}, false).toLongArray()[0]);
        assertEquals(Long.MIN_VALUE, cl.reduce(ReduceOp.MIN, longs, new int[] {0}, false).toLongArray()[0]);
    }

    @Test
    void emptyInputsGiveIdentitiesOrTheCpuError() {
        for (DType t : DType.values()) {
            Tensor host = Tensor.of(t, new double[0], 3, 0, 2), dev = onDevice(host);
            for (ReduceOp op : ReduceOp.values()) {
                for (int[] dims : new int[][] {{1}, {0, 1}, {0}, {0, 1, 2}}) {
                    String label = op + " " + t + " " + Arrays.toString(dims);
                    boolean empty = dims.length == 1 && dims[0] == 0; // the result itself has no element
                    if ((op == ReduceOp.MAX || op == ReduceOp.MIN) && !empty) {
                        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cpu.reduce(op, host, dims, false));
                        IllegalArgumentException g = assertThrows(IllegalArgumentException.class, () -> cl.reduce(op, dev, dims, false));
                        assertEquals(e.getMessage(), g.getMessage(), label);
                    } else {
                        assertMatches(cpu.reduce(op, host, dims, true), cl.reduce(op, dev, dims, true), 0, label);
                    }
                }
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cpu.argReduce(true, host, 1, false));
            IllegalArgumentException g = assertThrows(IllegalArgumentException.class, () -> cl.argReduce(true, dev, 1, false));
            assertEquals(e.getMessage(), g.getMessage());
            assertMatches(cpu.argReduce(false, host, 2, true), cl.argReduce(false, dev, 2, true), 0, "argmin over a full dim of an empty tensor");
        }
    }

    @Test
    void scalarsReduceToThemselves() {
        for (DType t : DType.values()) {
            Tensor host = Tensor.scalar(-2.5, t), dev = onDevice(host);
            for (ReduceOp op : ReduceOp.values()) {
                assertMatches(cpu.reduce(op, host, new int[0], false), cl.reduce(op, dev, new int[0], false), 0, op + " " + t);
            }
        }
    }

    @Test
    void argReduceFindsTheFirstExtremeWithNanWinning() {
        double[] v = {
            1, 3, 3, 0, // tied maxima
            NAN, 2, NAN, -1, // first NaN wins both ways
            -INF, -INF, -INF, -INF, // all ties: index 0
            -0.0, 0.0, 0.0, -0.0, // signed zeros are equal
            5, 1, 5, NAN};
        for (DType t : DType.values()) {
            Tensor host = Tensor.of(t, v, 5, 4), dev = onDevice(host);
            for (ClConformance.View view : java.util.List.of(new ClConformance.View("rows", x -> x), new ClConformance.View("columns", x -> x.transpose(0, 1)),
                    new ClConformance.View("offset", x -> x.narrow(0, 1, 4)), new ClConformance.View("broadcast", x -> x.select(0, 4).unsqueeze(0).expand(3, 4)))) {
                Tensor h = view.make().apply(host), d = view.make().apply(dev);
                for (boolean max : new boolean[] {true, false}) {
                    for (int dim = 0; dim < 2; dim++) {
                        for (boolean keep : new boolean[] {false, true}) {
                            assertMatches(cpu.argReduce(max, h, dim, keep), cl.argReduce(max, d, dim, keep), 0,
                                    (max ? "argmax " : "argmin ") + t + " " + view.name() + " dim " + dim + " keepdim " + keep);
                        }
                    }
                }
            }
        }
        Tensor dev = onDevice(Tensor.of(DType.FLOAT64, v, 5, 4));
        assertEquals(1, cl.argReduce(true, dev, 0, false).toLongArray()[0], "the NaN in column 0 beats 5");
        long[] rowMax = cl.argReduce(true, dev, 1, false).toLongArray();
        assertEquals(1, rowMax[0], "the first of two tied maxima");
        assertEquals(0, rowMax[3], "-0.0 and +0.0 tie, so the first wins");
        assertEquals(0, cl.argReduce(false, dev, 1, false).toLongArray()[2], "a row of -inf");
        assertEquals(0, cl.argReduce(true, dev, 1, false).toLongArray()[1], "the first NaN of row 1");
    }

    @Test
    void softmaxAndLogSoftmaxMatchTheCpuAlongEveryDim() {
        double[] v = ClConformance.quarters(60, 5);
        for (int i = 0; i < v.length; i++) v[i] *= 7.5; // large enough that an unshifted exp would overflow float32 rows
        double[][] edgeRows = {{-INF, -INF, -INF, -INF, -INF}, {INF, 1, 2, 3, 4}, {NAN, 0, 1, 2, 3}, {-INF, 0, 0, -0.0, 80}};
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor host = Tensor.of(t, v, 3, 4, 5), dev = onDevice(host);
            for (ClConformance.View view : ClConformance.VIEWS_345) {
                Tensor h = view.make().apply(host), d = view.make().apply(dev);
                for (int dim = 0; dim < 3; dim++) {
                    for (boolean log : new boolean[] {false, true}) {
                        String label = (log ? "log_softmax " : "softmax ") + t + " " + view.name() + " dim " + dim;
                        assertMatches(cpu.softmax(h, dim, log), cl.softmax(d, dim, log), tolerance(t), label);
                    }
                    for (boolean keep : new boolean[] {false, true}) {
                        assertMatches(cpu.logSumExp(h, dim, keep), cl.logSumExp(d, dim, keep), tolerance(t),
                                "logsumexp " + t + " " + view.name() + " dim " + dim + " keepdim " + keep);
                    }
                }
            }
            for (double[] row : edgeRows) {
                Tensor hr = Tensor.of(t, row, 1, 5), dr = onDevice(hr);
                for (boolean log : new boolean[] {false, true}) {
                    assertMatches(cpu.softmax(hr, 1, log), cl.softmax(dr, 1, log), tolerance(t), "softmax " + log + " " + Arrays.toString(row));
                }
                assertMatches(cpu.logSumExp(hr, 1, false), cl.logSumExp(dr, 1, false), tolerance(t), "logsumexp " + Arrays.toString(row));
            }
            Tensor allNegInf = onDevice(Tensor.of(t, edgeRows[0], 1, 5));
            assertTrue(Double.isNaN(cl.softmax(allNegInf, 1, false).toDoubleArray()[0]), "a row of -inf gives NaN");
            assertEquals(-INF, cl.logSumExp(allNegInf, 1, false).toDoubleArray()[0]);
        }
    }

    @Test
    void softmaxOfLongAndEmptyRows() {
        double[] v = ClConformance.quarters(2 * 3000, 9);
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor host = Tensor.of(t, v, 2, 3000), dev = onDevice(host);
            assertMatches(cpu.softmax(host, 1, false), cl.softmax(dev, 1, false), tolerance(t), "softmax long rows " + t);
            assertMatches(cpu.softmax(host, 1, true), cl.softmax(dev, 1, true), tolerance(t), "log_softmax long rows " + t);
            assertMatches(cpu.logSumExp(host, 1, true), cl.logSumExp(dev, 1, true), tolerance(t), "logsumexp long rows " + t);
            Tensor emptyHost = Tensor.of(t, new double[0], 3, 0), emptyDev = onDevice(emptyHost);
            assertMatches(cpu.logSumExp(emptyHost, 1, false), cl.logSumExp(emptyDev, 1, false), 0, "logsumexp of empty rows is -inf");
            assertMatches(cpu.softmax(emptyHost, 1, true), cl.softmax(emptyDev, 1, true), 0, "softmax of empty rows");
            assertMatches(cpu.logSumExp(emptyHost, 0, true), cl.logSumExp(emptyDev, 0, true), 0, "logsumexp with no rows");
        }
        Tensor ints = onDevice(Tensor.of(DType.INT64, new double[] {1, 2}, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cl.softmax(ints, 0, false));
        assertTrue(e.getMessage().contains("expected a float tensor, got int64"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> cl.logSumExp(ints, 0, false));
    }
}
