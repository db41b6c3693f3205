package org.rlgrad.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.rlgrad.engine.backend.opencl.ClConformance.assertMatches;
import static org.rlgrad.engine.backend.opencl.ClConformance.onDevice;
import static org.rlgrad.engine.backend.opencl.ClConformance.tolerance;

import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rlgrad.engine.backend.Backend;
import org.rlgrad.engine.backend.Backends;
import org.rlgrad.engine.backend.ScanOp;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/** ClScans (cumsum, cumprod, sortIndices) against the CPU backend. */
class ClScansTest {
    static OpenClBackend cl;
    static final Backend cpu = Backends.cpu();
    static final double NAN = Double.NaN, INF = Double.POSITIVE_INFINITY;

    @BeforeAll
    static void device() {
        ClTestDevice.require();
        cl = OpenClBackend.device(0);
    }

    /** Values whose cumulative products stay small and exact: mostly +-1, some 2, 1/2 and 0. */
    static double[] factors(int n, long seed) {
        double[] q = ClConformance.quarters(n, seed), v = new double[n];
        double[] pick = {1, -1, 2, 0.5, -1, 1, 0, 1};
        for (int i = 0; i < n; i++) v[i] = pick[(int) ((q[i] + 4) * 4) % pick.length];
        return v;
    }

    @Test
    void scansOfEveryDtypeViewAndDimMatchTheCpu() {
        double[][] datasets = {ClConformance.quarters(60, 2), factors(60, 4)};
        for (double[] data : datasets) {
            for (DType t : DType.values()) {
                Tensor host = Tensor.of(t, data, 3, 4, 5), dev = onDevice(host);
                for (ClConformance.View view : ClConformance.VIEWS_345) {
                    Tensor h = view.make().apply(host), d = view.make().apply(dev);
                    for (ScanOp op : ScanOp.values()) {
                        for (int dim = 0; dim < 3; dim++) {
                            assertMatches(cpu.scan(op, h, dim), cl.scan(op, d, dim), tolerance(t),
                                    op + " " + t + " " + view.name() + " dim " + dim);
                        }
                    }
                }
            }
        }
    }

    @Test
    void longRowsScanInChunksAcrossTheWorkGroup() {
        // 5000 elements: 256 work items with 20 each; quarter sums are exact, so even float32 must match.
        double[] sums = ClConformance.quarters(2 * 5000, 13), products = factors(2 * 5000, 17);
        for (DType t : DType.values()) {
            Tensor hs = Tensor.of(t, sums, 2, 5000), hp = Tensor.of(t, products, 2, 5000);
            for (int dim = 0; dim < 2; dim++) {
                assertMatches(cpu.scan(ScanOp.CUMSUM, hs, dim), cl.scan(ScanOp.CUMSUM, onDevice(hs), dim), 0, "cumsum " + t + " dim " + dim);
                assertMatches(cpu.scan(ScanOp.CUMPROD, hp, dim), cl.scan(ScanOp.CUMPROD, onDevice(hp), dim), 0, "cumprod " + t + " dim " + dim);
            }
        }
        // Rows of every length around the chunking's edges.
        for (int len : new int[] {1, 7, 8, 9, 63, 64, 65, 2047, 2049}) {
            Tensor h = Tensor.of(DType.FLOAT64, ClConformance.quarters(len, len), len);
            assertMatches(cpu.scan(ScanOp.CUMSUM, h, 0), cl.scan(ScanOp.CUMSUM, onDevice(h), 0), 0, "cumsum of " + len);
        }
    }

    @Test
    void inexactFloatScansOfLongRowsStayWithinTolerance() {
        // The CPU accumulates in double and rounds each prefix; float32 prefixes over 4099 inexact
        // values must stay within 1e-5 of that, for sums and for products near 1.
        double[] v = new double[2 * 4099], nearOne = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = 0.1 + Math.sin(i * 0.7) * 0.05 + (i % 7) * 0.37;
            nearOne[i] = 1 + (v[i] - 1.2) * 1e-4;
        }
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor hs = Tensor.of(t, v, 2, 4099), hp = Tensor.of(t, nearOne, 2, 4099);
            assertMatches(cpu.scan(ScanOp.CUMSUM, hs, 1), cl.scan(ScanOp.CUMSUM, onDevice(hs), 1), tolerance(t), "cumsum " + t);
            assertMatches(cpu.scan(ScanOp.CUMPROD, hp, 1), cl.scan(ScanOp.CUMPROD, onDevice(hp), 1), tolerance(t), "cumprod " + t);
        }
    }

    @Test
    void scansCarryNanInfinitiesAndSignedZerosAsTheCpu() {
        double[] v = {-0.0, -0.0, 1, -1, INF, -INF, 2, NAN, 3, 0.5, -0.0, INF};
        for (DType t : DType.values()) {
            Tensor host = Tensor.of(t, v, 2, 6), dev = onDevice(host);
            for (ScanOp op : ScanOp.values()) {
                for (int dim = 0; dim < 2; dim++) {
                    if (t == DType.INT64 && op == ScanOp.CUMSUM) continue; // Long.MAX_VALUE + Long.MIN_VALUE: the CPU's double sum rounds
                    assertMatches(cpu.scan(op, host, dim), cl.scan(op, dev, dim), 0, op + " " + t + " dim " + dim);
                }
            }
        }
        Tensor empty = Tensor.of(DType.FLOAT32, new double[0], 0, 3);
        assertMatches(cpu.scan(ScanOp.CUMSUM, empty, 0), cl.scan(ScanOp.CUMSUM, onDevice(empty), 0), 0, "empty");
        assertMatches(cpu.scan(ScanOp.CUMPROD, empty, 1), cl.scan(ScanOp.CUMPROD, onDevice(empty), 1), 0, "empty");
    }

    @Test
    void sortIndicesOfEveryDtypeViewAndDimMatchTheCpu() {
        // Quarters in [-4, 4) have many ties, which a stable sort must keep in index order.
        double[] data = ClConformance.quarters(60, 21);
        for (DType t : DType.values()) {
            Tensor host = Tensor.of(t, data, 3, 4, 5), dev = onDevice(host);
            for (ClConformance.View view : ClConformance.VIEWS_345) {
                Tensor h = view.make().apply(host), d = view.make().apply(dev);
                for (int dim = 0; dim < 3; dim++) {
                    for (boolean desc : new boolean[] {false, true}) {
                        assertMatches(cpu.sortIndices(h, dim, desc), cl.sortIndices(d, dim, desc), 0,
                                "sort " + t + " " + view.name() + " dim " + dim + (desc ? " descending" : ""));
                    }
                }
            }
        }
    }

    @Test
    void nanSortsLargestAndNegativeZeroBelowZeroWithStableTies() {
        double[] v = {NAN, 1, -0.0, 0.0, -INF, NAN, 1, INF, -0.0, 0.0, -1, NAN};
        for (DType t : DType.values()) {
            Tensor host = Tensor.of(t, v, v.length), dev = onDevice(host);
            for (boolean desc : new boolean[] {false, true}) {
                assertMatches(cpu.sortIndices(host, 0, desc), cl.sortIndices(dev, 0, desc), 0, "edge sort " + t + (desc ? " descending" : ""));
            }
        }
        Tensor dev = onDevice(Tensor.of(DType.FLOAT64, v, v.length));
        assertArrayEquals(new long[] {4, 10, 2, 8, 3, 9, 1, 6, 7, 0, 5, 11}, cl.sortIndices(dev, 0, false).toLongArray());
        assertArrayEquals(new long[] {0, 5, 11, 7, 1, 6, 3, 9, 2, 8, 10, 4}, cl.sortIndices(dev, 0, true).toLongArray());
        long[] big = {Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE, 0};
        assertArrayEquals(new long[] {2, 3, 1, 0},
                cl.sortIndices(new Tensor(cl.fromLongs(DType.INT64, big), new int[] {4}), 0, false).toLongArray(),
                "int64 keys compare exactly, beyond double's 53 bits");
    }

    @Test
    void longRowsSortLikeTheCpu() {
        double[] v = ClConformance.quarters(3 * 3001, 23);
        for (int i = 0; i < v.length; i += 97) v[i] = NAN;
        for (DType t : new DType[] {DType.FLOAT32, DType.INT64}) {
            Tensor host = Tensor.of(t, v, 3, 3001), dev = onDevice(host);
            for (boolean desc : new boolean[] {false, true}) {
                assertMatches(cpu.sortIndices(host, 1, desc), cl.sortIndices(dev, 1, desc), 0, "long rows " + t + " " + desc);
                assertMatches(cpu.sortIndices(host, 0, desc), cl.sortIndices(dev, 0, desc), 0, "many short rows " + t + " " + desc);
            }
        }
        Tensor empty = Tensor.of(DType.FLOAT32, new double[0], 2, 0);
        for (int dim = 0; dim < 2; dim++) {
            assertMatches(cpu.sortIndices(empty, dim, false), cl.sortIndices(onDevice(empty), dim, false), 0, "empty, dim " + dim);
        }
        Tensor scalar = Tensor.scalar(3);
        assertMatches(cpu.sortIndices(scalar.reshape(1), 0, true), cl.sortIndices(onDevice(scalar).reshape(1), 0, true), 0, "one element");
        assertArrayEquals(new long[] {0}, cl.sortIndices(onDevice(scalar).reshape(1), 0, true).toLongArray(), "a single element");
    }
}
