package org.rlgrad.engine.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/** The autograd API: grad and backward, retained and freed graphs, hooks, grad modes, detach, dtypes. */
class AutogradApiTest {

    private static Tensor leaf(double... v) {
        return Tensor.of(DType.FLOAT64, v, v.length).requiresGrad(true);
    }

    // ------------------------------------------------------------------ backward and grad

    @Test
    void chainRuleThroughBroadcastAndReduction() {
        Tensor w = leaf(1, 2, 3);
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 1, 1, 2, 2, 2}, 2, 3);
        Tensor loss = x.mul(w).sum();
        loss.backward();
        assertArrayEquals(new double[] {3, 3, 3}, w.grad().toDoubleArray(), 0);
        assertEquals(18, loss.item(), 0);
    }

    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        Tensor w = leaf(2);
        w.square().sum().backward();
        w.square().sum().backward();
        assertArrayEquals(new double[] {8}, w.grad().toDoubleArray(), 0);
        w.zeroGrad();
        assertNull(w.grad());
    }

    @Test
    void gradDoesNotTouchGradFields() {
        Tensor w = leaf(1, 2);
        Tensor g = Autograd.grad(w.square().sum(), w);
        assertArrayEquals(new double[] {2, 4}, g.toDoubleArray(), 0);
        assertNull(w.grad());
    }

    @Test
    void gradWithAnUnusedInputThrowsNamingTheInputUnlessAllowed() {
        Tensor used = leaf(1, 2), unused = leaf(5, 6, 7);
        Tensor y = used.exp().sum();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Autograd.grad(List.of(y), List.of(used, unused), null, false, true, false));
        assertTrue(e.getMessage().contains("input 1") && e.getMessage().contains("[3]"), e.getMessage());
        assertTrue(e.getMessage().contains("allowUnused"), e.getMessage());

        List<Tensor> grads = Autograd.grad(List.of(y), List.of(used, unused), null, false, false, true);
        assertArrayEquals(new double[] {Math.exp(1), Math.exp(2)}, grads.get(0).toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {0, 0, 0}, grads.get(1).toDoubleArray(), 0);
        assertArrayEquals(new int[] {3}, grads.get(1).shape());
        assertEquals(DType.FLOAT64, grads.get(1).dtype());
    }

    @Test
    void gradOfAnInputThatDoesNotRequireGradIsRefused() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1}, 1);
        Tensor w = leaf(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Autograd.grad(w.mul(x).sum(), x));
        assertTrue(e.getMessage().contains("input 0") && e.getMessage().contains("does not require grad"), e.getMessage());
    }

    @Test
    void backwardOfATensorWithoutHistoryIsRefused() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> x.sum().backward());
        assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
    }

    @Test
    void anImplicitGradientNeedsAOneElementOutput() {
        Tensor w = leaf(1, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.mul(2).backward());
        assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("gradOutput"), e.getMessage());
        w.mul(2).backward(Tensor.of(DType.FLOAT64, new double[] {1, -1}, 2));
        assertArrayEquals(new double[] {2, -2}, w.grad().toDoubleArray(), 0);
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> w.mul(2).backward(Tensor.of(DType.FLOAT64, new double[] {1, 1, 1}, 3)));
        assertTrue(shape.getMessage().contains("[3]") && shape.getMessage().contains("[2]"), shape.getMessage());
    }

    // ------------------------------------------------------------------ freed and retained graphs

    @Test
    void aSecondBackwardThroughAFreedGraphThrowsMentioningRetainGraph() {
        Tensor w = leaf(1, 2);
        Tensor loss = w.exp().sum();
        loss.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("retainGraph"), e.getMessage());
        assertTrue(e.getMessage().contains("already freed"), e.getMessage());
    }

    @Test
    void retainGraphPermitsASecondBackward() {
        Tensor w = leaf(1, 2);
        Tensor loss = w.exp().sum();
        loss.backward(Tensor.scalar(1, DType.FLOAT64), true);
        loss.backward(Tensor.scalar(1, DType.FLOAT64), true);
        assertArrayEquals(new double[] {2 * Math.exp(1), 2 * Math.exp(2)}, w.grad().toDoubleArray(), 1e-12);
        // grad() with retainGraph = false frees it too.
        Autograd.grad(List.of(loss), List.of(w), null, false, false, false);
        assertThrows(IllegalStateException.class, loss::backward);
    }

    @Test
    void createGraphGivesADifferentiableGradientAndKeepsTheGraph() {
        Tensor x = leaf(3);
        Tensor y = x.pow(3).sum();
        Tensor dy = Autograd.grad(List.of(y), List.of(x), null, true, false, false).get(0);
        assertTrue(dy.requiresGrad());
        assertArrayEquals(new double[] {27}, dy.toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {18}, Autograd.grad(dy.sum(), x).toDoubleArray(), 1e-12);
        // createGraph implies retainGraph: the first graph is still usable.
        assertArrayEquals(new double[] {27}, Autograd.grad(y, x).toDoubleArray(), 1e-12);
        // Without createGraph the gradient is a plain value.
        assertFalse(Autograd.grad(x.pow(3).sum(), x).requiresGrad());
    }

    // ------------------------------------------------------------------ hooks and retained gradients

    @Test
    void hooksModifyTheGradientFlowingIntoATensor() {
        Tensor w = leaf(1, 2);
        w.registerHook(g -> g.mul(10));
        Tensor h = w.mul(3);
        List<double[]> seen = new ArrayList<>();
        h.registerHook(g -> {
            seen.add(g.toDoubleArray());
            return g.add(1); // d loss / d h becomes 1 + 1 = 2
        });
        h.sum().backward();
        assertArrayEquals(new double[] {1, 1}, seen.get(0), 0);
        // dL/dw = 3 * 2, then the leaf's hook multiplies by 10.
        assertArrayEquals(new double[] {60, 60}, w.grad().toDoubleArray(), 0);
    }

    @Test
    void aHookReturningNullLeavesTheGradientAlone() {
        Tensor w = leaf(1, 2);
        AtomicBoolean called = new AtomicBoolean();
        w.registerHook(g -> {
            called.set(true);
            return null;
        });
        w.mul(2).sum().backward();
        assertTrue(called.get());
        assertArrayEquals(new double[] {2, 2}, w.grad().toDoubleArray(), 0);
    }

    @Test
    void hooksNeedATensorThatRequiresGrad() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Tensor.zeros(2).registerHook(g -> g));
        assertTrue(e.getMessage().contains("registerHook"), e.getMessage());
    }

    @Test
    void retainGradKeepsTheGradientOfANonLeaf() {
        Tensor w = leaf(1, 2);
        Tensor h = w.mul(3).retainGrad();
        Tensor other = w.mul(2);
        h.square().sum().add(other.sum()).backward();
        assertArrayEquals(new double[] {6, 12}, h.grad().toDoubleArray(), 0); // 2 h
        assertNull(other.grad(), "a non-leaf keeps no gradient unless asked");
        assertArrayEquals(new double[] {18 + 2, 36 + 2}, w.grad().toDoubleArray(), 0);
        assertFalse(h.isLeaf());
        assertTrue(w.isLeaf());
    }

    // ------------------------------------------------------------------ grad modes

    @Test
    void gradModeScopesNestAndRestore() {
        Tensor w = leaf(1);
        assertTrue(GradMode.isEnabled());
        try (var outer = GradMode.noGrad()) {
            assertFalse(GradMode.isEnabled());
            assertFalse(w.mul(2).requiresGrad());
            try (var inner = GradMode.enableGrad()) {
                assertTrue(GradMode.isEnabled());
                assertTrue(w.mul(2).requiresGrad());
                try (var innermost = GradMode.setEnabled(false)) {
                    assertFalse(w.mul(2).requiresGrad());
                }
                assertTrue(GradMode.isEnabled());
            }
            assertFalse(GradMode.isEnabled());
            try (var same = GradMode.setEnabled(false)) {
                assertFalse(GradMode.isEnabled());
            }
            assertFalse(GradMode.isEnabled());
        }
        assertTrue(GradMode.isEnabled());
        assertTrue(w.mul(2).requiresGrad());
    }

    @Test
    void gradModeIsRestoredWhenTheScopeEndsWithAnException() {
        assertThrows(IllegalStateException.class, () -> {
            try (var scope = GradMode.noGrad()) {
                throw new IllegalStateException("boom");
            }
        });
        assertTrue(GradMode.isEnabled());
    }

    @Test
    void gradModeIsPerThread() throws InterruptedException {
        AtomicBoolean otherThreadSaw = new AtomicBoolean();
        try (var scope = GradMode.noGrad()) {
            Thread t = new Thread(() -> otherThreadSaw.set(GradMode.isEnabled()));
            t.start();
            t.join();
        }
        assertTrue(otherThreadSaw.get(), "a no-grad scope on one thread does not turn recording off on another");
    }

    // ------------------------------------------------------------------ leaves, detach, dtypes

    @Test
    void detachCutsHistoryAndSharesStorage() {
        Tensor w = leaf(1, 2);
        Tensor h = w.mul(2);
        Tensor d = h.detach();
        assertFalse(d.requiresGrad());
        assertTrue(d.isLeaf());
        assertNull(d.gradFn());
        assertSame(h.storage(), d.storage());
        // A loss through the detached value does not reach w.
        Tensor loss = d.mul(w).sum();
        loss.backward();
        assertArrayEquals(new double[] {2, 4}, w.grad().toDoubleArray(), 0); // only the direct path: d
        // The straight-through construct y = sg(a) + (x - sg(x)) has value a and gradient 1.
        Tensor x = leaf(0.3, 0.7);
        Tensor a = Tensor.of(DType.FLOAT64, new double[] {1, 0}, 2);
        Tensor y = a.add(x.sub(x.detach()));
        assertArrayEquals(new double[] {1, 0}, y.toDoubleArray(), 0);
        assertArrayEquals(new double[] {1, 1}, Autograd.grad(y.sum(), x).toDoubleArray(), 0);
    }

    @Test
    void requiresGradOnANonLeafComputedWithoutHistoryMakesANewLeaf() {
        Tensor w = leaf(1, 2);
        Tensor mixed;
        try (var scope = GradMode.noGrad()) {
            mixed = w.mul(0.5);
        }
        assertFalse(mixed.requiresGrad());
        mixed.requiresGrad(true);
        assertTrue(mixed.isLeaf());
        mixed.square().sum().backward();
        assertArrayEquals(new double[] {1, 2}, mixed.grad().toDoubleArray(), 0);
        assertNull(w.grad());
    }

    @Test
    void requiresGradFalseOnANonLeafIsRefused() {
        Tensor h = leaf(1).mul(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> h.requiresGrad(false));
        assertTrue(e.getMessage().contains("'mul'") && e.getMessage().contains("detach()"), e.getMessage());
    }

    @Test
    void requiresGradOnAnIntegerOrBoolTensorIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new long[] {1, 2}, 2).requiresGrad(true));
        assertTrue(e.getMessage().contains("int64") && e.getMessage().contains("floating"), e.getMessage());
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class,
                () -> Tensor.of(new boolean[] {true}, 1).requiresGrad(true));
        assertTrue(b.getMessage().contains("bool"), b.getMessage());
    }

    @Test
    void opsOnIntegerTensorsRecordNothingEvenNextToFloatsThatRequireGrad() {
        Tensor w = leaf(1.5, 2.5);
        Tensor index = Tensor.of(new long[] {1, 0}, 2);
        Tensor floored = w.floor().toLong();
        assertFalse(floored.requiresGrad());
        assertFalse(index.add(floored).requiresGrad());
        assertFalse(w.gt(2).requiresGrad());
    }

    @Test
    void float32PlusFloat64PromotesAndGradientsComeBackInEachInputsDtype() {
        Tensor a = Tensor.of(DType.FLOAT32, new double[] {1, 2}, 2).requiresGrad(true);
        Tensor b = Tensor.of(DType.FLOAT64, new double[] {3, 4}, 2).requiresGrad(true);
        Tensor y = a.mul(b);
        assertEquals(DType.FLOAT64, y.dtype());
        y.sum().backward();
        assertEquals(DType.FLOAT32, a.grad().dtype());
        assertEquals(DType.FLOAT64, b.grad().dtype());
        assertArrayEquals(new double[] {3, 4}, a.grad().toDoubleArray(), 0);
        assertArrayEquals(new double[] {1, 2}, b.grad().toDoubleArray(), 0);
    }

    @Test
    void aZeroDimFloat64DoesNotPromoteAFloat32TensorButGetsItsGradientInFloat64() {
        Tensor a = Tensor.of(DType.FLOAT32, new double[] {1, 2}, 2).requiresGrad(true);
        Tensor s = Tensor.scalar(0.5, DType.FLOAT64).requiresGrad(true);
        Tensor y = a.mul(s);
        assertEquals(DType.FLOAT32, y.dtype(), "a dimensioned operand wins over a 0-dim one of the same category");
        y.sum().backward();
        assertEquals(DType.FLOAT64, s.grad().dtype());
        assertArrayEquals(new int[0], s.grad().shape());
        assertEquals(3, s.grad().item(), 0);
        assertEquals(DType.FLOAT32, a.grad().dtype());
    }

    @Test
    void intAndBoolOperandsArePromotedToTheFloatOperand() {
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2).requiresGrad(true);
        Tensor mask = Tensor.of(new boolean[] {true, false}, 2);
        Tensor y = w.mul(mask.toDouble()).add(Tensor.of(new long[] {3, 4}, 2));
        assertEquals(DType.FLOAT64, y.dtype());
        assertArrayEquals(new double[] {4, 4}, y.toDoubleArray(), 0);
        assertArrayEquals(new double[] {1, 0}, Autograd.grad(y.sum(), w).toDoubleArray(), 0);
    }

    // ------------------------------------------------------------------ anomaly mode

    @Test
    void anomalyModeNamesTheOpThatProducedANonFiniteGradient() {
        Tensor x = leaf(0, 1);
        try (var scope = AnomalyMode.enable()) {
            Tensor loss = x.sqrt().sum();
            AnomalyMode.AnomalyException e = assertThrows(AnomalyMode.AnomalyException.class, loss::backward);
            assertTrue(e.getMessage().contains("'sqrt'"), e.getMessage());
        }
        assertFalse(AnomalyMode.isEnabled());
        // Off, the same backward quietly yields an infinity (as PyTorch does).
        Tensor y = leaf(0, 1);
        y.sqrt().sum().backward();
        assertEquals(Double.POSITIVE_INFINITY, y.grad().toDoubleArray()[0]);
    }

    /**
     * The graph is fixed when an op is recorded, as in PyTorch: a weight held out of the graph for
     * the forward pass (its flag off, then restored before backward) gets no gradient, while an
     * input that required grad throughout gets its own.
     */
    @Test
    void aWeightHeldOutDuringTheForwardPassGetsNoGradient() {
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {2, 3}, 2).requiresGrad(true);
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {5, 7}, 2).requiresGrad(true);
        w.requiresGrad(false);
        Tensor y = x.mul(w).sum();
        w.requiresGrad(true);
        y.backward();
        assertNull(w.grad(), "the held-out weight");
        assertArrayEquals(new double[] {2, 3}, x.grad().toDoubleArray());
        // Once restored, the weight is in the graph of the next forward pass again.
        x.detach().mul(w).sum().backward();
        assertArrayEquals(new double[] {5, 7}, w.grad().toDoubleArray());
    }
}
