package org.rlgrad.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

class MovedimTest {
    private static Tensor iota(int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = i;
        return Tensor.of(DType.FLOAT64, d, shape);
    }

    @Test
    void listFormMatchesPyTorch() {
        // torch.movedim(x of [2, 3, 4, 5], (0, 1), (2, 0)).shape == [3, 4, 2, 5]
        Tensor y = iota(2, 3, 4, 5).movedim(new int[] {0, 1}, new int[] {2, 0});
        assertArrayEquals(new int[] {3, 4, 2, 5}, y.shape());
        assertArrayEquals(iota(2, 3, 4, 5).permute(1, 2, 0, 3).toDoubleArray(), y.toDoubleArray());
        // Negative dims: (-1,) -> (0,) is the one-dim form.
        assertArrayEquals(iota(2, 3, 4).movedim(-1, 0).toDoubleArray(), iota(2, 3, 4).movedim(new int[] {-1}, new int[] {0}).toDoubleArray());
    }

    @Test
    void gradientIsTheInverseMove() {
        Tensor x = iota(2, 3, 4).requiresGrad(true);
        Tensor y = x.movedim(new int[] {2, 0}, new int[] {0, 1});
        Tensor g = Autograd.grad(java.util.List.of(y), java.util.List.of(x), java.util.List.of(iota(y.shape())), false, false, false).get(0);
        assertArrayEquals(iota(y.shape()).movedim(new int[] {0, 1}, new int[] {2, 0}).toDoubleArray(), g.toDoubleArray());
    }

    @Test
    void rejectsRepeatsAndLengthMismatch() {
        assertThrows(IllegalArgumentException.class, () -> iota(2, 3).movedim(new int[] {0, 0}, new int[] {0, 1}));
        assertThrows(IllegalArgumentException.class, () -> iota(2, 3).movedim(new int[] {0}, new int[] {0, 1}));
    }
}
