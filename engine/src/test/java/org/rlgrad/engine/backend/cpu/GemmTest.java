package org.rlgrad.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The matrix product ({@link Gemm} behind {@code Tensor.matmul}) against a naive triple loop
 * over the logical values, with operands laid out contiguously, transposed, narrowed out of a
 * larger matrix and flipped (negative stride), in float32 and float64, and with batch dims that
 * broadcast.
 */
class GemmTest {
    private static final int[] SIZES = {0, 1, 3, 17, 64, 130};
    private static final DType[] DTYPES = {DType.FLOAT32, DType.FLOAT64};
    private static final String[] LAYOUTS = {"contiguous", "transposed", "narrowed", "flipped"};

    private final Random random = new Random(1234);

    @Test
    void everySizeCombinationMatchesTheNaiveProduct() {
        int checked = 0, layoutPair = 0;
        boolean[][] pairsSeen = new boolean[LAYOUTS.length][LAYOUTS.length];
        for (int n : SIZES) {
            for (int k : SIZES) {
                for (int m : SIZES) {
                    for (DType dtype : DTYPES) {
                        // Each size gets one pair of layouts, cycling, so that all pairs occur many times.
                        int la = layoutPair % LAYOUTS.length, lb = (layoutPair / LAYOUTS.length) % LAYOUTS.length;
                        layoutPair++;
                        pairsSeen[la][lb] = true;
                        checkProduct(n, k, m, dtype, la, lb);
                        checked++;
                    }
                }
            }
        }
        assertEquals(SIZES.length * SIZES.length * SIZES.length * DTYPES.length, checked);
        for (boolean[] row : pairsSeen) for (boolean seen : row) assertTrue(seen, "a layout pair was never tried");
    }

    @Test
    void everyLayoutPairMatchesTheNaiveProduct() {
        int checked = 0;
        for (DType dtype : DTYPES) {
            for (int la = 0; la < LAYOUTS.length; la++) {
                for (int lb = 0; lb < LAYOUTS.length; lb++) {
                    checkProduct(17, 64, 3, dtype, la, lb);
                    checkProduct(1, 130, 17, dtype, la, lb);
                    checked += 2;
                }
            }
        }
        assertEquals(2 * DTYPES.length * LAYOUTS.length * LAYOUTS.length, checked);
    }

    @Test
    void productsLargerThanOneCacheBlock() {
        // Gemm blocks the inner dimension by KC, the rows by MC and the columns by NC: cross each.
        for (DType dtype : DTYPES) {
            checkProduct(3, Gemm.KC + 44, 5, dtype, 0, 0);
            checkProduct(3, 2 * Gemm.KC + 1, 4, dtype, 1, 2);
            checkProduct(Gemm.MC + 17, Gemm.KC + 3, 40, dtype, 3, 1);
            checkProduct(2, 3, Gemm.NC + 6, dtype, 0, 1);
            checkProduct(Gemm.MR + 1, 3, Gemm.NC + 40, dtype, 2, 0);
        }
    }

    @Test
    void batchDimsBroadcast() {
        for (DType dtype : DTYPES) {
            // [2, 1, n, k] x [3, k, m] -> [2, 3, n, m]
            double[][][][] a = randomBatch(new int[] {2, 1}, 4, 5);
            double[][][][] b = randomBatch(new int[] {1, 3}, 5, 6);
            Tensor ta = tensor(a, dtype, 2, 1, 4, 5);
            Tensor tb = tensor(b, dtype, 1, 3, 5, 6).squeeze(0);
            Tensor c = ta.matmul(tb);
            assertArrayEquals(new int[] {2, 3, 4, 6}, c.shape());
            double[] got = c.toDoubleArray();
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    assertMatrix(naive(a[i][0], b[0][j]), slice(got, (i * 3 + j) * 24, 4, 6), a[i][0], b[0][j], dtype, "batch " + i + "," + j);
                }
            }
            // A plain matrix against a batch: [n, k] x [4, k, m] -> [4, n, m]; and an expanded batch (stride 0).
            double[][] single = randomMatrix(3, 5);
            Tensor batchB = tensor(b, dtype, 1, 3, 5, 6).squeeze(0);
            Tensor c2 = Tensor.of(dtype, flat(single), 3, 5).matmul(batchB);
            assertArrayEquals(new int[] {3, 3, 6}, c2.shape());
            Tensor c3 = Tensor.of(dtype, flat(single), 3, 5).expand(3, 3, 5).matmul(batchB);
            for (int j = 0; j < 3; j++) {
                assertMatrix(naive(single, b[0][j]), slice(c2.toDoubleArray(), j * 18, 3, 6), single, b[0][j], dtype, "matrix x batch " + j);
                assertMatrix(naive(single, b[0][j]), slice(c3.toDoubleArray(), j * 18, 3, 6), single, b[0][j], dtype, "expanded batch " + j);
            }
            // Batch dims that are themselves a permuted view: [3, 2, n, k] read as [2, 3, n, k].
            Tensor permuted = tensor(transposeBatch(a[0][0], 6), dtype, 6, 1, 4, 5).reshape(3, 2, 4, 5).transpose(0, 1);
            Tensor c4 = permuted.matmul(tb.unsqueeze(0).expand(2, 3, 5, 6));
            assertArrayEquals(new int[] {2, 3, 4, 6}, c4.shape());
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    assertMatrix(naive(a[0][0], b[0][j]), slice(c4.toDoubleArray(), (i * 3 + j) * 24, 4, 6), a[0][0], b[0][j], dtype,
                            "permuted batch " + i + "," + j);
                }
            }
        }
    }

    @Test
    void vectorsFollowTorchMatmulRules() {
        double[][] m = randomMatrix(3, 4);
        double[] v = {1, -2, 0.5, 3};
        double[] w = {2, 0, -1};
        Tensor tm = Tensor.of(DType.FLOAT64, flat(m), 3, 4);
        Tensor tv = Tensor.of(DType.FLOAT64, v, 4);
        Tensor tw = Tensor.of(DType.FLOAT64, w, 3);
        double[] mv = new double[3], wm = new double[4];
        for (int i = 0; i < 3; i++) for (int p = 0; p < 4; p++) {
            mv[i] += m[i][p] * v[p];
            wm[p] += w[i] * m[i][p];
        }
        assertArrayEquals(new int[] {3}, tm.matmul(tv).shape());
        assertArrayEquals(mv, tm.matmul(tv).toDoubleArray(), 1e-14);
        assertArrayEquals(new int[] {4}, tw.matmul(tm).shape());
        assertArrayEquals(wm, tw.matmul(tm).toDoubleArray(), 1e-14);
        Tensor dot = tv.matmul(tv);
        assertEquals(0, dot.dim());
        assertEquals(1 + 4 + 0.25 + 9, dot.item(), 1e-14);
    }

    @Test
    void anEmptyInnerDimensionGivesZeros() {
        // sum over an empty p is 0, as in torch: [3, 0] x [0, 4] is a [3, 4] matrix of zeros.
        for (DType dtype : DTYPES) {
            Tensor a = Tensor.zeros(dtype, 3, 0).requiresGrad(true), b = Tensor.zeros(dtype, 0, 4).requiresGrad(true);
            Tensor c = a.matmul(b);
            assertArrayEquals(new int[] {3, 4}, c.shape());
            assertArrayEquals(new double[12], c.toDoubleArray(), 0);
            c.sum().backward();
            assertArrayEquals(new int[] {3, 0}, a.grad().shape());
            assertArrayEquals(new int[] {0, 4}, b.grad().shape());
            assertArrayEquals(new double[10], Tensor.ones(dtype, 2, 5, 0).matmul(Tensor.ones(dtype, 0, 1)).toDoubleArray(), 0);
        }
    }

    @Test
    void misalignedShapesAreRejectedWithBothShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(3, 4).matmul(Tensor.zeros(5, 2)));
        assertEquals("matmul: shapes [3, 4] and [5, 2] do not align (4 != 5)", e.getMessage());
    }

    // ------------------------------------------------------------------ helpers

    private void checkProduct(int n, int k, int m, DType dtype, int layoutA, int layoutB) {
        double[][] a = randomMatrix(n, k), b = randomMatrix(k, m);
        Tensor ta = laidOut(a, n, k, dtype, layoutA), tb = laidOut(b, k, m, dtype, layoutB);
        Tensor c = ta.matmul(tb);
        String what = dtype + " [" + n + "x" + k + "] (" + LAYOUTS[layoutA] + ") x [" + k + "x" + m + "] (" + LAYOUTS[layoutB] + ")";
        assertArrayEquals(new int[] {n, m}, c.shape(), what);
        assertEquals(dtype, c.dtype(), what);
        assertMatrix(naive(a, b, m), c.toDoubleArray(), a, b, dtype, what);
    }

    /** The logical matrix {@code v} as a view of the requested layout. */
    private Tensor laidOut(double[][] v, int rows, int cols, DType dtype, int layout) {
        return switch (layout) {
            case 0 -> Tensor.of(dtype, flat(v), rows, cols);
            case 1 -> {
                double[] t = new double[rows * cols]; // stored as [cols, rows], read through mT()
                for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = v[r][c];
                Tensor stored = Tensor.of(dtype, t, cols, rows);
                yield stored.mT();
            }
            case 2 -> {
                double[] big = new double[(rows + 2) * (cols + 3)];
                java.util.Arrays.fill(big, Double.NaN); // anything read outside the view poisons the result
                for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) big[(r + 1) * (cols + 3) + c + 2] = v[r][c];
                yield Tensor.of(dtype, big, rows + 2, cols + 3).narrow(0, 1, rows).narrow(1, 2, cols);
            }
            case 3 -> {
                double[] rev = new double[rows * cols]; // rows stored in reverse, read through flip(0)
                for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) rev[(rows - 1 - r) * cols + c] = v[r][c];
                yield Tensor.of(dtype, rev, rows, cols).flip(0);
            }
            default -> throw new IllegalArgumentException("layout " + layout);
        };
    }

    private static double[][] naive(double[][] a, double[][] b) {
        return naive(a, b, b[0].length);
    }

    private static double[][] naive(double[][] a, double[][] b, int m) {
        int n = a.length, k = b.length;
        double[][] c = new double[n][m];
        for (int i = 0; i < n; i++) for (int j = 0; j < m; j++) {
            double s = 0;
            for (int p = 0; p < k; p++) s += a[i][p] * b[p][j];
            c[i][j] = s;
        }
        return c;
    }

    /** Element (i, j) within k roundings of the operands' dtype, relative to sum_p |a_ip b_pj|. */
    private static void assertMatrix(double[][] expected, double[] actual, double[][] a, double[][] b, DType dtype, String what) {
        int n = a.length, k = b.length;
        int m = n == 0 ? 0 : expected[0].length;
        assertEquals((long) n * m, actual.length, what + ": element count");
        double eps = dtype == DType.FLOAT32 ? 0x1p-23 : 0x1p-52;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double scale = 0;
                for (int p = 0; p < k; p++) scale += Math.abs(a[i][p] * b[p][j]);
                double tol = (k + 2) * eps * scale;
                double got = actual[i * m + j];
                if (!(Math.abs(got - expected[i][j]) <= tol)) {
                    throw new AssertionError(what + ": C[" + i + "][" + j + "] = " + got + ", expected " + expected[i][j] + " +- " + tol);
                }
            }
        }
    }

    private double[][] randomMatrix(int rows, int cols) {
        double[][] v = new double[rows][cols];
        for (double[] row : v) for (int c = 0; c < cols; c++) row[c] = (float) random.nextGaussian(); // exact in float32 too
        return v;
    }

    private double[][][][] randomBatch(int[] batch, int rows, int cols) {
        double[][][][] v = new double[batch[0]][batch[1]][][];
        for (int i = 0; i < batch[0]; i++) for (int j = 0; j < batch[1]; j++) v[i][j] = randomMatrix(rows, cols);
        return v;
    }

    private static double[] flat(double[][] v) {
        int cols = v.length == 0 ? 0 : v[0].length;
        double[] f = new double[v.length * cols];
        for (int r = 0; r < v.length; r++) System.arraycopy(v[r], 0, f, r * cols, cols);
        return f;
    }

    private static Tensor tensor(double[][][][] v, DType dtype, int... shape) {
        int rows = v[0][0].length, cols = v[0][0][0].length;
        double[] f = new double[v.length * v[0].length * rows * cols];
        int pos = 0;
        for (double[][][] outer : v) for (double[][] mat : outer) for (double[] row : mat) for (double x : row) f[pos++] = x;
        return Tensor.of(dtype, f, shape);
    }

    /** Six copies of one matrix, as a [6][1] batch: the permuted-batch case reads the same matrix everywhere. */
    private static double[][][][] transposeBatch(double[][] mat, int copies) {
        double[][][][] v = new double[copies][1][][];
        for (int i = 0; i < copies; i++) v[i][0] = mat;
        return v;
    }

    private static double[] slice(double[] v, int from, int rows, int cols) {
        return java.util.Arrays.copyOfRange(v, from, from + rows * cols);
    }
}
