package org.rlgrad.engine.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Views share their base's storage, so a write through a view changes the base and the gradient
 * of a view lands in the right elements of the base. In-place writes are checked: to a tensor
 * that autograd saved, at backward (naming the op); to a tensor that requires grad while
 * recording, at once.
 */
class ViewsAndInPlaceTest {

    /** 0 1 2 3 / 4 5 6 7 / 8 9 10 11, float64. */
    private static Tensor base() {
        double[] v = new double[12];
        for (int i = 0; i < 12; i++) v[i] = i;
        return Tensor.of(DType.FLOAT64, v, 3, 4);
    }

    private static void assertWriteThrough(String view, UnaryOperator<Tensor> makeView, double[] expected) {
        Tensor b = base().requiresGrad(true); // a parameter, updated outside the graph
        try (var scope = GradMode.noGrad()) {
            Tensor v = makeView.apply(b);
            assertSame(b.storage(), v.storage(), view + " is a view");
            v.copy_(Tensor.fullLike(v, -1));
        }
        assertArrayEquals(expected, b.toDoubleArray(), 0, view);
    }

    @Test
    void writesThroughAViewChangeTheBase() {
        assertWriteThrough("narrow", t -> t.narrow(1, 1, 2), new double[] {0, -1, -1, 3, 4, -1, -1, 7, 8, -1, -1, 11});
        assertWriteThrough("select", t -> t.select(0, -1), new double[] {0, 1, 2, 3, 4, 5, 6, 7, -1, -1, -1, -1});
        assertWriteThrough("transpose then select", t -> t.transpose(0, 1).select(0, 2), new double[] {0, 1, -1, 3, 4, 5, -1, 7, 8, 9, -1, 11});
        assertWriteThrough("slice with step", t -> t.slice(1, 1, null, 2), new double[] {0, -1, 2, -1, 4, -1, 6, -1, 8, -1, 10, -1});
        assertWriteThrough("view", t -> t.view(2, 6).select(0, 0), new double[] {-1, -1, -1, -1, -1, -1, 6, 7, 8, 9, 10, 11});
        assertWriteThrough("flip then narrow", t -> t.flip(0).narrow(0, 0, 1), new double[] {0, 1, 2, 3, 4, 5, 6, 7, -1, -1, -1, -1});
        assertWriteThrough("unsqueeze and squeeze", t -> t.unsqueeze(0).squeeze(0).select(1, 0), new double[] {-1, 1, 2, 3, -1, 5, 6, 7, -1, 9, 10, 11});
    }

    @Test
    void copyIntoAViewWritesTheSourceElementsInOrder() {
        Tensor b = base();
        b.transpose(0, 1).narrow(0, 0, 2).copy_(Tensor.of(DType.FLOAT64, new double[] {10, 20, 30, 40, 50, 60}, 2, 3));
        // Column 0 gets 10 20 30, column 1 gets 40 50 60.
        assertArrayEquals(new double[] {10, 40, 2, 3, 20, 50, 6, 7, 30, 60, 10, 11}, b.toDoubleArray(), 0);
        // A view of a broadcast source: one row copied into every row.
        Tensor c = base();
        c.narrow(1, 0, 2).copy_(Tensor.of(DType.FLOAT64, new double[] {-1, -2}, 2));
        assertArrayEquals(new double[] {-1, -2, 2, 3, -1, -2, 6, 7, -1, -2, 10, 11}, c.toDoubleArray(), 0);
    }

    @Test
    void gradientsOfViewsLandInTheRightElementsOfTheBase() {
        Tensor b = base().requiresGrad(true);
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3}, 3);
        // Column 2 (a transposed select), times w; plus twice the last row's first two entries.
        Tensor loss = b.transpose(0, 1).select(0, 2).mul(w).sum().add(b.select(0, -1).narrow(0, 0, 2).sum().mul(2));
        loss.backward();
        assertArrayEquals(new double[] {0, 0, 1, 0, 0, 0, 2, 0, 2, 2, 3, 0}, b.grad().toDoubleArray(), 0);
    }

    @Test
    void overlappingViewsAccumulateTheirGradients() {
        Tensor b = base().requiresGrad(true);
        Tensor loss = b.narrow(1, 0, 3).sum().add(b.narrow(1, 1, 3).sum()).add(b.expand(2, 3, 4).sum());
        loss.backward();
        assertArrayEquals(new double[] {3, 4, 4, 3, 3, 4, 4, 3, 3, 4, 4, 3}, b.grad().toDoubleArray(), 0);
    }

    @Test
    void anInPlaceWriteToASavedOutputIsDetectedAtBackward() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2).requiresGrad(true);
        Tensor e = x.exp(); // exp saves its output
        Tensor loss = e.sum();
        e.detach().fill_(0); // the detached tensor shares e's storage
        IllegalStateException err = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(err.getMessage().contains("'exp'"), err.getMessage());
        assertTrue(err.getMessage().contains("modified in place"), err.getMessage());
        assertTrue(err.getMessage().contains("[2]"), err.getMessage());
    }

    @Test
    void anOptimizerStepBeforeBackwardIsDetected() {
        // w is saved by mul; stepping it (outside the graph, as an optimiser does) before backward is a bug.
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2).requiresGrad(true);
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {3, 4}, 2);
        Tensor loss = w.mul(x).sum();
        try (var scope = GradMode.noGrad()) {
            w.addInPlace(Tensor.onesLike(w), -0.1);
        }
        IllegalStateException err = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(err.getMessage().contains("'mul'") && err.getMessage().contains("modified in place"), err.getMessage());
    }

    @Test
    void aWriteThroughAViewOfASavedTensorIsDetected() {
        // The saved tensor and the written view share a storage; the version counter is the storage's.
        Tensor c = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3, 4}, 2, 2);
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {1, 1, 1, 1}, 2, 2).requiresGrad(true);
        Tensor loss = w.mul(c).sum();
        c.transpose(0, 1).select(0, 1).copy_(Tensor.zeros(DType.FLOAT64, 2));
        IllegalStateException err = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(err.getMessage().contains("'mul'"), err.getMessage());
    }

    @Test
    void aWriteToATensorThatWasNotSavedIsHarmless() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2).requiresGrad(true);
        Tensor other = Tensor.of(DType.FLOAT64, new double[] {5, 6}, 2);
        Tensor loss = x.add(other).sum(); // add saves nothing
        other.fill_(0);
        loss.backward();
        assertArrayEquals(new double[] {1, 1}, x.grad().toDoubleArray(), 0);
    }

    @Test
    void inPlaceWritesToATensorThatRequiresGradAreRefusedWhileRecording() {
        List<Consumer<Tensor>> writes = List.of(
                t -> t.copy_(Tensor.zerosLike(t)), t -> t.fill_(1), t -> t.zero_(), t -> t.addInPlace(Tensor.onesLike(t), 1),
                t -> t.mulInPlace(2), t -> t.lerpInPlace(Tensor.onesLike(t), 0.5));
        List<String> names = List.of("copy_", "fill_", "fill_", "add_", "mul_", "lerp_");
        for (int i = 0; i < writes.size(); i++) {
            Tensor w = Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2).requiresGrad(true);
            Consumer<Tensor> write = writes.get(i);
            IllegalStateException err = assertThrows(IllegalStateException.class, () -> write.accept(w));
            assertTrue(err.getMessage().startsWith(names.get(i) + ":"), err.getMessage());
            assertTrue(err.getMessage().contains("GradMode.noGrad()"), err.getMessage());
            assertArrayEquals(new double[] {1, 2}, w.toDoubleArray(), 0, "a refused write changes nothing");
            // A view of it made while recording requires grad too, so it is refused as well.
            assertThrows(IllegalStateException.class, () -> write.accept(w.narrow(0, 0, 1)));
            // Outside the graph the same write goes through.
            try (var scope = GradMode.noGrad()) {
                write.accept(w);
            }
        }
    }

    @Test
    void inPlaceUpdatesOfParametersUnderNoGradKeepThemLeaves() {
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2).requiresGrad(true);
        Tensor target = Tensor.of(DType.FLOAT64, new double[] {3, 6}, 2);
        try (var scope = GradMode.noGrad()) {
            w.lerpInPlace(target, 0.5); // soft target update: w + 0.5 (target - w)
            w.mulInPlace(2);
        }
        assertArrayEquals(new double[] {4, 8}, w.toDoubleArray(), 0);
        assertTrue(w.isLeaf() && w.requiresGrad());
        w.square().sum().backward();
        assertArrayEquals(new double[] {8, 16}, w.grad().toDoubleArray(), 0);
        assertFalse(w.grad().requiresGrad());
    }
}
