package org.rlgrad.engine.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.ops.Functional;
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Tensor;

/** What a scope releases, what it keeps, and the errors a released tensor gives. */
class MemoryScopeTest {
    private static final Tensor A = Tensor.vector(1, 2, 3);

    @Test
    void aTensorMadeInAClosedScopeFailsOnItsNextUseNamingTheScope() {
        Tensor y;
        try (var scope = MemoryScope.open()) {
            y = A.add(A);
            assertArrayEquals(new double[] {2, 4, 6}, y.toDoubleArray());
        }
        assertTrue(y.storage().isReleased());
        var e = assertThrows(IllegalStateException.class, y::toDoubleArray);
        assertTrue(e.getMessage().contains("MemoryScope"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> y.mul(2));
        assertThrows(IllegalStateException.class, () -> y.reshape(3, 1).sum());
    }

    @Test
    void tensorsMadeBeforeTheScopeAreUntouched() {
        Tensor before = A.mul(2);
        try (var scope = MemoryScope.open()) {
            before.add(1);
        }
        assertArrayEquals(new double[] {2, 4, 6}, before.toDoubleArray());
        assertEquals(false, before.storage().isReleased());
    }

    @Test
    void keepHandsATensorToTheEnclosingScopeAndPersistToNone() {
        Tensor kept, persisted, keptOnce;
        try (var outer = MemoryScope.open()) {
            try (var inner = MemoryScope.open()) {
                kept = inner.keep(A.add(1));
                keptOnce = inner.keep(A.add(2));
                persisted = MemoryScope.persist(A.add(3));
            }
            assertArrayEquals(new double[] {2, 3, 4}, kept.toDoubleArray());
            outer.keep(kept);
        }
        assertArrayEquals(new double[] {2, 3, 4}, kept.toDoubleArray());
        assertArrayEquals(new double[] {4, 5, 6}, persisted.toDoubleArray());
        assertThrows(IllegalStateException.class, keptOnce::toDoubleArray);
    }

    @Test
    void keepingAViewKeepsTheStorageItShares() {
        Tensor view;
        try (var scope = MemoryScope.open()) {
            Tensor wide = A.reshape(3, 1).add(Tensor.vector(0, 10));
            view = scope.keep(wide.transpose(0, 1));
        }
        assertArrayEquals(new double[] {1, 2, 3, 11, 12, 13}, view.contiguous().toDoubleArray());
    }

    @Test
    void backwardAfterTheScopeClosedNamesTheScope() {
        Tensor w = Tensor.vector(0.5, -1, 2).requiresGrad(true);
        Tensor loss;
        try (var scope = MemoryScope.open()) {
            loss = scope.keep(w.exp().sum());
        }
        var e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("MemoryScope"), e.getMessage());
    }

    @Test
    void gradientsAndAdamStateOutliveTheStepScopeAndTrainingMatchesTheUnscopedRun() {
        double[] scoped = train(true), plain = train(false);
        assertArrayEquals(plain, scoped);
    }

    private static double[] train(boolean scoped) {
        Tensor w = Tensor.of(new double[] {0.3, -0.2, 0.1, 0.4, -0.5, 0.6}, 2, 3).requiresGrad(true);
        Tensor b = Tensor.vector(0.1, -0.1).requiresGrad(true);
        Tensor x = Tensor.of(new double[] {1, 2, 3, -1, 0, 1, 2, -2, 0.5, 0, 0, 1}, 4, 3);
        Tensor target = Tensor.of(new double[] {1, 0, 0, 1, -1, 1, 0.5, 0.5}, 4, 2);
        Adam adam = new Adam(List.of(w, b), 0.05);
        for (int step = 0; step < 5; step++) {
            MemoryScope scope = scoped ? MemoryScope.open() : null;
            adam.zeroGrad();
            Tensor loss = Functional.mseLoss(Functional.linear(x, w, b).tanh(), target, Reduction.MEAN);
            loss.backward();
            adam.step();
            if (scope != null) scope.close();
            // The gradient and Adam's state are readable after the scope.
            w.grad().toDoubleArray();
            adam.expAvgSq(0).toDoubleArray();
        }
        return Tensor.cat(List.of(w.detach().reshape(-1), b.detach()), 0).toDoubleArray();
    }

    @Test
    void scopesCloseInnermostFirstOnTheirOwnThread() throws Exception {
        MemoryScope outer = MemoryScope.open();
        MemoryScope inner = MemoryScope.open();
        var e = assertThrows(IllegalStateException.class, outer::close);
        assertTrue(e.getMessage().contains("innermost"), e.getMessage());
        inner.close();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                outer.close();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        other.start();
        other.join();
        assertTrue(failure.get() instanceof IllegalStateException, String.valueOf(failure.get()));
        outer.close();
        outer.close(); // a second close is a no-op
        assertNull(MemoryScope.current());
        assertThrows(IllegalStateException.class, () -> outer.keep(A));
    }

    @Test
    void anExceptionInsideTheScopeStillClosesIt() {
        assertThrows(IllegalArgumentException.class, () -> {
            try (var scope = MemoryScope.open()) {
                A.matmul(Tensor.zeros(DType.FLOAT32, 4, 2));
            }
        });
        assertNull(MemoryScope.current());
    }

    @Test
    void currentIsTheInnermostOpenScope() {
        try (var outer = MemoryScope.open()) {
            assertSame(outer, MemoryScope.current());
            try (var inner = MemoryScope.open()) {
                assertSame(inner, MemoryScope.current());
            }
            assertSame(outer, MemoryScope.current());
        }
    }
}
