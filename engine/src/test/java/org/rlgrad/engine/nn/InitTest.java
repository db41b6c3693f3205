package org.rlgrad.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/** Bounds and moments of the initialisers, gains as torch.nn.init.calculate_gain, orthogonality. */
class InitTest {
    static final DType F64 = DType.FLOAT64;

    static double[] stats(Tensor t) {
        double[] v = t.toDoubleArray();
        double mean = 0, sq = 0, lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            mean += x;
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        mean /= v.length;
        for (double x : v) sq += (x - mean) * (x - mean);
        return new double[] {mean, Math.sqrt(sq / (v.length - 1)), lo, hi};
    }

    @Test
    void gainsAsTorch() {
        assertEquals(1, Init.Nonlinearity.LINEAR.gain(Double.NaN));
        assertEquals(1, Init.Nonlinearity.SIGMOID.gain(Double.NaN));
        assertEquals(5.0 / 3, Init.Nonlinearity.TANH.gain(Double.NaN));
        assertEquals(Math.sqrt(2), Init.Nonlinearity.RELU.gain(Double.NaN));
        assertEquals(Math.sqrt(2 / (1 + 0.01 * 0.01)), Init.Nonlinearity.LEAKY_RELU.gain(Double.NaN));
        assertEquals(Math.sqrt(2 / 6.0), Init.Nonlinearity.LEAKY_RELU.gain(Math.sqrt(5)), 1e-15);
        assertEquals(0.75, Init.Nonlinearity.SELU.gain(Double.NaN));
        assertArrayEquals(new int[] {6 * 5, 4 * 5}, Init.fans(Tensor.zeros(4, 6, 5)));
        assertThrows(IllegalArgumentException.class, () -> Init.fans(Tensor.zeros(3)));
    }

    @Test
    void linearDefaultIsUniformInOneOverSqrtFanIn() {
        Linear l = new Linear(50, 400, true, F64, new Generator(1));
        double b = 1 / Math.sqrt(50);
        double[] w = stats(l.namedParameters().get("weight"));
        assertTrue(w[2] >= -b && w[3] < b && w[2] < -0.99 * b && w[3] > 0.99 * b, java.util.Arrays.toString(w));
        assertEquals(b / Math.sqrt(3), w[1], 0.02 * b);
        double[] bias = stats(l.namedParameters().get("bias"));
        assertTrue(bias[2] >= -b && bias[3] < b);
    }

    @Test
    void xavierAndKaimingMoments() {
        Generator g = new Generator(2);
        Tensor t = Tensor.zeros(F64, 300, 200);
        double xStd = 0.5 * Math.sqrt(2.0 / 500);
        double[] xu = stats(Init.xavierUniform_(t, 0.5, g));
        assertEquals(xStd, xu[1], 0.02 * xStd);
        assertTrue(xu[3] <= Math.sqrt(3) * xStd && xu[2] >= -Math.sqrt(3) * xStd);
        assertEquals(xStd, stats(Init.xavierNormal_(t, 0.5, g))[1], 0.02 * xStd);
        double kIn = Math.sqrt(2) / Math.sqrt(200), kOut = (5.0 / 3) / Math.sqrt(300);
        double[] ku = stats(Init.kaimingUniform_(t, 0, Init.FanMode.FAN_IN, Init.Nonlinearity.RELU, g));
        assertEquals(kIn, ku[1], 0.02 * kIn);
        assertTrue(ku[3] <= Math.sqrt(3) * kIn);
        double[] kn = stats(Init.kaimingNormal_(t, 0, Init.FanMode.FAN_OUT, Init.Nonlinearity.TANH, g));
        assertEquals(kOut, kn[1], 0.02 * kOut);
        assertEquals(0, kn[0], 0.01 * kOut);
        assertArrayEquals(new double[] {2.5, 2.5}, Init.constant_(Tensor.zeros(2), 2.5).toDoubleArray(), 0);
    }

    @Test
    void seededDrawsRepeat() {
        Tensor a = Init.normal_(Tensor.zeros(5), 0, 1, new Generator(4));
        Tensor b = Init.normal_(Tensor.zeros(5), 0, 1, new Generator(4));
        assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0);
    }

    @Test
    void orthogonalHasOrthonormalRowsOrColumns() {
        for (int[] shape : new int[][] {{6, 4}, {4, 6}, {5, 5}, {3, 2, 2}}) {
            Tensor t = Init.orthogonal_(Tensor.zeros(F64, shape), 2.0, new Generator(shape[0] * 10 + shape[1]));
            Tensor m = t.reshape(shape[0], -1);
            boolean rowsOrthonormal = m.size(0) <= m.size(1);
            Tensor gram = rowsOrthonormal ? m.matmul(m.mT()) : m.mT().matmul(m);
            Tensor expected = Tensor.eye(gram.size(0), F64).mul(4.0);
            assertArrayEquals(expected.toDoubleArray(), gram.toDoubleArray(), 1e-12, java.util.Arrays.toString(shape));
        }
    }

    @Test
    void orthogonalIsTheSignCorrectedQOfTheGaussianDraw() {
        // Q diag(sign(diag R)) is the Gram-Schmidt Q: R = Q^T A is upper triangular with a positive diagonal.
        Tensor q = Init.orthogonal_(Tensor.zeros(F64, 5, 3), 1.0, new Generator(12));
        Tensor a = new Generator(12).normal(new int[] {5, 3}, F64);
        double[] r = q.mT().matmul(a).toDoubleArray();
        for (int i = 0; i < 3; i++) {
            assertTrue(r[i * 3 + i] > 0, "diag " + i);
            for (int j = 0; j < i; j++) assertEquals(0, r[i * 3 + j], 1e-12);
        }
    }
}
