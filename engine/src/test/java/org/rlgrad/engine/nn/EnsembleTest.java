package org.rlgrad.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.vmap.Randomness;

/** An ensemble evaluated by one vmap equals the loop over members, gradients included. */
class EnsembleTest {
    static final DType F64 = DType.FLOAT64;

    static MLP net(long seed) {
        return MLP.builder(3, 2).numCells(5).depth(2).activation(ReLU::new).layerNorm(true).dtype(F64).generator(new Generator(seed)).build();
    }

    @Test
    void sharedDataN0EqualsTheLoopWithGradients() {
        MLP module = net(1);
        List<MLP> members = List.of(net(2), net(3), net(4));
        Map<String, Tensor> stacked = Ensemble.stackModules(members);
        assertArrayEquals(new int[] {3, 5, 3}, stacked.get("0.weight").shape());
        Tensor x = new Generator(9).normal(new int[] {4, 3}, F64);
        Tensor y = Ensemble.call(module, stacked, x, null, Randomness.ERROR);
        assertArrayEquals(new int[] {3, 4, 2}, y.shape());
        y.square().sum().backward();
        for (int i = 0; i < 3; i++) {
            MLP m = members.get(i);
            Tensor yi = m.forward(x);
            assertArrayEquals(yi.toDoubleArray(), y.select(0, i).toDoubleArray(), 1e-12);
            yi.square().sum().backward();
            for (Map.Entry<String, Tensor> p : m.namedParameters().entrySet()) {
                assertArrayEquals(p.getValue().grad().toDoubleArray(), stacked.get(p.getKey()).grad().select(0, i).toDoubleArray(), 1e-12, p.getKey());
            }
        }
        for (Tensor p : module.parameters()) assertEquals(null, p.grad(), "the module's own parameters get nothing");
    }

    @Test
    void stackedData00EqualsTheLoop() {
        MLP module = net(1);
        Map<String, Tensor> stacked = Ensemble.expand(module, 2, new Generator(5));
        Tensor x = new Generator(10).normal(new int[] {2, 4, 3}, F64);
        Tensor y = Ensemble.call(module, stacked, x, 0, Randomness.ERROR);
        for (int i = 0; i < 2; i++) {
            Tensor xi = x.select(0, i);
            Tensor yi = module.functionalCall(Ensemble.member(stacked, i), () -> module.forward(xi));
            assertArrayEquals(yi.toDoubleArray(), y.select(0, i).toDoubleArray(), 1e-12);
        }
    }

    @Test
    void expandDrawsBetweenEachParametersMinAndMaxAndCopiesBuffers() {
        BatchNorm1d bn = new BatchNorm1d(3, 1e-5, 0.1, true, true, F64);
        Init.uniform_(bn.namedParameters().get("weight"), 2, 3, new Generator(1));
        Map<String, Tensor> e = Ensemble.expand(bn, 4, new Generator(2));
        Tensor w = bn.namedParameters().get("weight");
        double lo = w.min().item(), hi = w.max().item();
        for (double v : e.get("weight").toDoubleArray()) assertTrue(v >= lo && v <= hi, v + " not in [" + lo + ", " + hi + "]");
        assertTrue(e.get("weight").requiresGrad());
        assertArrayEquals(new int[] {4, 3}, e.get("running_var").shape());
        assertArrayEquals(new double[12], e.get("running_mean").toDoubleArray(), 0);
        assertTrue(!e.get("running_mean").requiresGrad());
        // The eval-mode network runs with stacked buffers.
        bn.eval();
        Tensor y = Ensemble.call(bn, e, Tensor.ones(F64, 2, 3), null, Randomness.ERROR);
        assertArrayEquals(new int[] {4, 2, 3}, y.shape());
    }

    @Test
    void stackRejectsMismatchedMembers() {
        var e = assertThrows(IllegalArgumentException.class, () -> Ensemble.stack(List.of(net(1).stateDict(), new Linear(3, 2).stateDict())));
        assertTrue(e.getMessage().contains("member 1 has keys"), e.getMessage());
    }

    @Test
    void dropoutInsideTheEnsembleDrawsPerMemberUnderDifferent() {
        MLP module = MLP.builder(2, 2).numCells(64).depth(1).dropout(0.5).dtype(F64).generator(new Generator(3)).build();
        List<Map<String, Tensor>> same = new ArrayList<>();
        for (int i = 0; i < 2; i++) same.add(module.stateDict());
        Map<String, Tensor> stacked = Ensemble.stack(same);
        Tensor y = Ensemble.call(module, stacked, Tensor.ones(F64, 1, 2), null, Randomness.DIFFERENT);
        assertTrue(!java.util.Arrays.equals(y.select(0, 0).toDoubleArray(), y.select(0, 1).toDoubleArray()), "independent masks");
        Tensor s = Ensemble.call(module, stacked, Tensor.ones(F64, 1, 2), null, Randomness.SAME);
        assertArrayEquals(s.select(0, 0).toDoubleArray(), s.select(0, 1).toDoubleArray(), 0, "one shared mask");
        assertThrows(RuntimeException.class, () -> Ensemble.call(module, stacked, Tensor.ones(F64, 1, 2), null, Randomness.ERROR));
    }
}
