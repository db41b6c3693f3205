package org.rlgrad.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/** {@link Scans#linearRecurrence} against the recurrence written as plain loops. */
class LinearRecurrenceTest {
    /** y along the last dim of [rows, len] row-major data, by the definition. */
    private static double[] loops(double[] x, double[] a, int rows, int len, boolean reverse) {
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double carry = 0;
            for (int k = 0; k < len; k++) {
                int i = r * len + (reverse ? len - 1 - k : k);
                carry = x[i] + a[i] * carry;
                y[i] = carry;
            }
        }
        return y;
    }

    @Test
    void matchesTheRecurrenceInBothDirectionsAlongAnyDim() {
        Random random = new Random(5);
        int rows = 3, len = 7;
        double[] x = new double[rows * len], a = new double[rows * len];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextGaussian();
            a[i] = random.nextDouble() * 2 - 1;
        }
        for (boolean reverse : new boolean[] {true, false}) {
            double[] expected = loops(x, a, rows, len, reverse);
            Tensor xt = Tensor.of(DType.FLOAT64, x, rows, len), at = Tensor.of(DType.FLOAT64, a, rows, len);
            assertArrayEquals(expected, Scans.linearRecurrence(xt, at, 1, reverse).toDoubleArray(), 1e-15);
            // The same lines laid along dim 0 of the transposed (strided) views.
            Tensor yt = Scans.linearRecurrence(xt.transpose(0, 1), at.transpose(0, 1), 0, reverse);
            assertArrayEquals(expected, yt.transpose(0, 1).contiguous().toDoubleArray(), 1e-15);
        }
    }

    @Test
    void aScalarCoefficientBroadcastsAndGivesADiscountedSum() {
        // y_t = sum_{k >= t} 0.5^(k - t) x_k: [1, 2, 4] -> [3, 4, 4].
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2, 4}, 3);
        Tensor y = Scans.linearRecurrence(x, Tensor.scalar(0.5, DType.FLOAT64), 0, true);
        assertArrayEquals(new double[] {1 + 1 + 1, 2 + 2, 4}, y.toDoubleArray(), 0);
    }

    @Test
    void refusesIntegersAndTreatsAScalarAsOneStep() {
        assertThrows(IllegalArgumentException.class,
                () -> Scans.linearRecurrence(Tensor.of(new long[] {1, 2}, 2), Tensor.of(new double[] {1, 2}, 2), 0, true));
        Tensor y = Scans.linearRecurrence(Tensor.scalar(3), Tensor.scalar(0.5), 0, false);
        assertArrayEquals(new int[0], y.shape());
        assertArrayEquals(new double[] {3}, y.toDoubleArray(), 0);
    }
}
