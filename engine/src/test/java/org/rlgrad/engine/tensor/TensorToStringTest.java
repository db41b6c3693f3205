package org.rlgrad.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code Tensor.toString()} prints like PyTorch: nested brackets, then shape, dtype and grad status. */
class TensorToStringTest {
    @Test
    void nestedBracketsShapeAndDtype() {
        Tensor t = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertEquals("tensor([[1.0, 2.0, 3.0],\n        [4.0, 5.0, 6.0]], shape=[2, 3], dtype=float32)", t.toString());
    }

    @Test
    void eachDtypePrintsItsOwnWay() {
        assertEquals("tensor([0.1, 2.5], shape=[2], dtype=float64)", Tensor.of(DType.FLOAT64, new double[] {0.1, 2.5}, 2).toString());
        assertEquals("tensor([3, -4], shape=[2], dtype=int64)", Tensor.of(new long[] {3, -4}, 2).toString());
        assertEquals("tensor([True, False], shape=[2], dtype=bool)", Tensor.of(new boolean[] {true, false}, 2).toString());
        assertEquals("tensor(7.0, shape=[], dtype=float32)", Tensor.scalar(7).toString());
        assertEquals("tensor([], shape=[0], dtype=float32)", Tensor.zeros(0).toString());
    }

    @Test
    void threeDimsNestThreeDeepWithRowsAligned() {
        Tensor t = Tensor.of(new long[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2);
        assertEquals("tensor([[[1, 2],\n         [3, 4]],\n        [[5, 6],\n         [7, 8]]], shape=[2, 2, 2], dtype=int64)",
                t.toString());
    }

    @Test
    void gradStatusAndTheNameOfTheOpThatMadeIt() {
        Tensor w = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        assertTrue(w.toString().endsWith(", dtype=float32, requires_grad=true)"), w.toString());
        assertTrue(w.mul(w).toString().endsWith(", grad_fn=mul)"), w.mul(w).toString());
        assertTrue(w.exp().sum().toString().endsWith(", grad_fn=sum)"), w.exp().sum().toString());
        assertTrue(w.tanh().toString().contains("grad_fn=tanh"), w.tanh().toString());
        String detached = w.mul(w).detach().toString();
        assertFalse(detached.contains("grad_fn") || detached.contains("requires_grad"), detached);
    }

    @Test
    void largeTensorsAreSummarised() {
        Tensor big = Tensor.arange(0, 5000, 1, DType.FLOAT32);
        String s = big.toString();
        assertTrue(s.startsWith("tensor([0.0, 1.0, 2.0, ..., 4997.0, 4998.0, 4999.0]"), s);
        assertTrue(s.endsWith("shape=[5000], dtype=float32)"), s);
        assertFalse(s.contains("2500.0"), "middle elements are left out: " + s);

        String matrix = Tensor.arange(0, 100 * 100, 1, DType.INT64).reshape(100, 100).toString();
        assertTrue(matrix.contains("..."), matrix);
        assertTrue(matrix.contains("[0, 1, 2, ..., 97, 98, 99]"), "first row summarised: " + matrix);
        assertTrue(matrix.contains("[9900, 9901, 9902, ..., 9997, 9998, 9999]]"), "last row summarised: " + matrix);
        assertFalse(matrix.contains("[5000,"), "middle rows are left out");
        assertTrue(matrix.length() < 1000, "summary stays short: " + matrix.length() + " chars");

        // 1000 elements or fewer print in full.
        String full = Tensor.arange(0, 1000, 1, DType.INT64).toString();
        assertFalse(full.contains("..."));
        assertTrue(full.contains(", 500, "));
    }
}
