package org.rlgrad.engine.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.backend.MemoryScope;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/** What every optimiser shares: groups, zeroGrad, skipped parameters, state and its snapshot, errors, grouping. */
class OptimizerTest {
    private static Tensor param(double... values) {
        return Tensor.of(DType.FLOAT64, values, values.length).requiresGrad(true);
    }

    private static Tensor grad(double... values) {
        return Tensor.of(DType.FLOAT64, values, values.length);
    }

    @Test
    void eachGroupStepsWithItsOwnOptions() {
        Tensor a = param(1, 2), b = param(1, 2);
        SGD sgd = new SGD(List.of(a), 0.1);
        sgd.addParamGroup(List.of(b), new SGD.Options(0.5).withWeightDecay(1));
        a.setGrad(grad(1, -1));
        b.setGrad(grad(1, -1));
        sgd.step();
        assertArrayEquals(new double[] {0.9, 2.1}, a.toDoubleArray(), 1e-15);
        // b: g + λ p = [2, 1]; p - 0.5 [2, 1] = [0, 1.5].
        assertArrayEquals(new double[] {0, 1.5}, b.toDoubleArray(), 1e-15);
        assertEquals(List.of(a, b), sgd.params());
        assertEquals(2, sgd.paramGroups().size());
    }

    @Test
    void changingAGroupsLearningRateTakesEffectAtTheNextStep() {
        Tensor a = param(1);
        SGD sgd = new SGD(List.of(a), 0.1);
        sgd.paramGroups().get(0).setLr(0.25);
        a.setGrad(grad(2));
        sgd.step();
        assertEquals(0.5, a.item(), 1e-15);
    }

    @Test
    void zeroGradSetsToNoneOrToZeros() {
        Tensor a = param(1, 2), b = param(3);
        Adam adam = new Adam(List.of(a, b), 0.1);
        a.setGrad(grad(1, 1));
        adam.zeroGrad();
        assertNull(a.grad());
        assertNull(b.grad(), "a parameter without a gradient stays without");
        a.setGrad(grad(1, 1));
        adam.zeroGrad(false);
        assertArrayEquals(new double[] {0, 0}, a.grad().toDoubleArray(), 0);
        assertEquals(DType.FLOAT64, a.grad().dtype());
        assertNull(b.grad());
    }

    @Test
    void aParameterWithoutAGradientIsSkippedStateAndAll() {
        Tensor a = param(1), b = param(1);
        SGD sgd = new SGD(List.of(a, b), new SGD.Options(0.1).withMomentum(0.9));
        a.setGrad(grad(1));
        sgd.step();
        assertEquals(1, b.item(), 0);
        assertNull(sgd.state(b));
        assertNotNull(sgd.state(a));
    }

    @Test
    void stateMadeInsideAMemoryScopeOutlivesIt() {
        // A training loop opens a scope per step; the moments made in the first must survive it.
        for (Function<List<Tensor>, Optimizer<?>> make : List.<Function<List<Tensor>, Optimizer<?>>>of(
                ps -> new SGD(ps, new SGD.Options(0.1).withMomentum(0.9)),
                ps -> new Adam(ps, new Adam.Options(0.1).withAmsgrad(true)),
                ps -> new AdamW(ps, 0.1),
                ps -> new RMSprop(ps, new RMSprop.Options().withCentered(true).withMomentum(0.9)))) {
            Tensor p = Tensor.of(DType.FLOAT64, Steps.P0.clone(), 4).requiresGrad(true);
            Optimizer<?> opt = make.apply(List.of(p));
            for (double[] g : Steps.GRADS) {
                try (var scope = MemoryScope.open()) {
                    opt.zeroGrad();
                    p.mul(Tensor.of(DType.FLOAT64, g, 4)).sum().backward();
                    opt.step();
                }
            }
            double[][] unscoped = Steps.run(DType.FLOAT64, make);
            assertArrayEquals(unscoped[unscoped.length - 1], p.toDoubleArray(), 0, opt.name());
            for (Tensor buffer : opt.state(p).buffers().values()) buffer.toDoubleArray(); // released memory would throw here
        }
    }

    @Test
    void aSnapshotRestoredIntoAFreshOptimizerContinuesTheSameRun() {
        Function<List<Tensor>, Adam> make = ps -> new Adam(ps, new Adam.Options(0.1).withAmsgrad(true).withBetas(0.9, 0.9));
        double[][] straight = Steps.run(DType.FLOAT64, make::apply);

        Tensor p = Tensor.of(DType.FLOAT64, Steps.P0.clone(), 4).requiresGrad(true);
        Adam first = make.apply(List.of(p));
        p.setGrad(grad(Steps.GRADS[0]));
        first.step();
        OptimizerStateDict<Adam.Options> saved = first.stateDict();
        p.setGrad(grad(Steps.GRADS[1]));
        first.step(); // a later step does not change the snapshot
        assertEquals(1, saved.state().get(0).step());

        Tensor q = Tensor.of(DType.FLOAT64, straight[0].clone(), 4).requiresGrad(true);
        Adam second = new Adam(List.of(q), 0.5);
        second.loadStateDict(saved);
        assertEquals(0.1, second.lr(), 0, "the group's options come from the snapshot");
        for (int t = 1; t < Steps.GRADS.length; t++) {
            q.setGrad(grad(Steps.GRADS[t]));
            second.step();
        }
        assertArrayEquals(straight[straight.length - 1], q.toDoubleArray(), 0);
        assertEquals(3, second.steps(0));
    }

    @Test
    void aSnapshotOfAnotherLayoutIsRefused() {
        Tensor a = param(1, 2), b = param(3);
        Adam two = new Adam(List.of(a, b), 0.1);
        a.setGrad(grad(1, 1));
        two.step();
        var dict = two.stateDict();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(param(1, 2)), 0.1).loadStateDict(dict));
        assertTrue(e.getMessage().contains("2 parameters in the dict, expected 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(param(1, 2, 3), param(3)), 0.1).loadStateDict(dict));
        assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("[3]"), e.getMessage());
    }

    @Test
    void stepWithAClosureRecordsTheLossThenSteps() {
        Tensor p = param(1, 2);
        SGD sgd = new SGD(List.of(p), 0.1);
        try (var off = org.rlgrad.engine.autograd.GradMode.noGrad()) {
            Tensor loss = sgd.step(() -> {
                sgd.zeroGrad();
                Tensor l = p.square().sum();
                l.backward();
                return l;
            });
            assertEquals(5, loss.item(), 0);
        }
        // d/dp sum(p²) = 2p: p - 0.1 · 2p = 0.8 p.
        assertArrayEquals(new double[] {0.8, 1.6}, p.toDoubleArray(), 1e-15);
    }

    @Test
    void badParametersAndGradientsAreRejectedWithTheReason() {
        Tensor p = param(1, 2);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(Tensor.zeros(2)), 0.1)).getMessage()
                .contains("does not require grad"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(p, p), 0.1)).getMessage().contains("more than once"));
        SGD sgd = new SGD(List.of(p), 0.1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> sgd.addParamGroup(List.of(p), new SGD.Options(1))).getMessage()
                .contains("already in group 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(p.mul(2)), 0.1)).getMessage().contains("not a leaf"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SGD(List.<Tensor>of(), 0.1)).getMessage().contains("empty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(Tensor.of(new long[] {1}, 1)), 0.1)).getMessage()
                .contains("floating"));
        p.setGrad(grad(1, 2, 3));
        IllegalStateException e = assertThrows(IllegalStateException.class, sgd::step);
        assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("[2]"), e.getMessage());
        p.setGrad(Tensor.of(DType.FLOAT32, new double[] {1, 2}, 2));
        e = assertThrows(IllegalStateException.class, sgd::step);
        assertTrue(e.getMessage().contains("float32") && e.getMessage().contains("float64"), e.getMessage());
    }

    @Test
    void groupOptimizersConcatenatesTheGroupsWithTheirOptionsAndStartsAfresh() {
        Tensor a = param(1), b = param(1), c = param(1);
        SGD first = new SGD(List.of(a), new SGD.Options(0.1).withMomentum(0.9));
        SGD second = new SGD(List.of(b, c), 0.5);
        a.setGrad(grad(1));
        first.step(); // state that the grouped optimiser does not carry
        Optimizer<SGD.Options> both = GroupOptimizers.of(first, null, second);
        assertInstanceOf(SGD.class, both);
        assertEquals(List.of(a, b, c), both.params());
        assertEquals(List.of(0.1, 0.5), both.paramGroups().stream().map(ParamGroup::lr).toList());
        assertNull(both.state(a));
        for (Tensor p : List.of(a, b, c)) p.setGrad(grad(1));
        both.step();
        // a: first momentum step of the new optimiser, b = g: 0.9 - 0.1; b, c: 1 - 0.5.
        assertArrayEquals(new double[] {0.8, 0.5, 0.5}, new double[] {a.item(), b.item(), c.item()}, 1e-15);
        both.zeroGrad();
        assertTrue(a.grad() == null && b.grad() == null && c.grad() == null);
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void groupOptimizersRefusesMixedClassesAndNothing() {
        Optimizer sgd = new SGD(List.of(param(1)), 0.1);
        Optimizer adam = new Adam(List.of(param(1)), 0.1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GroupOptimizers.of(sgd, adam));
        assertTrue(e.getMessage().contains("SGD and Adam"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GroupOptimizers.of((Optimizer) null));
        Optimizer<Adam.Options> adamW = GroupOptimizers.of(new AdamW(List.of(param(1)), 0.1), new AdamW(List.of(param(2)), 0.2));
        assertInstanceOf(AdamW.class, adamW);
        assertFalse(adamW.paramGroups().isEmpty());
    }
}
