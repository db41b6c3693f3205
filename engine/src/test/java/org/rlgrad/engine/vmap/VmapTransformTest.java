package org.rlgrad.engine.vmap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.engine.vmap.VmapCheck.assertClose;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.ops.Functional;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.Property;

/** The transform itself: nesting, gradients, shared arguments, in/out dims, and its errors. */
class VmapTransformTest {

    /** A small computation that uses broadcasting, a product, a reduction and a view: one entry's work. */
    private static Tensor member(Tensor x, Tensor w) {
        return w.matmul(x).tanh().add(x.sum().mul(0.5)).softmax(-1).mul(w.sum(-1)).flatten();
    }

    @Test
    void nestedVmapEqualsTheDoubleLoop() {
        Property.forAll("nested vmap = double loop", 30, g -> {
            int n1 = g.intIn(1, 3), n2 = g.intIn(1, 3), k = g.intIn(1, 3), m = g.intIn(1, 3);
            g.note("N1", n1).note("N2", n2);
            Tensor xs = g.uniform(new int[] {n1, n2, k}, -1, 1).requiresGrad(true); // x[i][j]
            Tensor ws = g.uniform(new int[] {n1, m, k}, -1, 1).requiresGrad(true);  // w[i], shared by the inner level
            boolean innerMapsW = g.bool();
            Tensor ws2 = g.uniform(new int[] {n1, n2, m, k}, -1, 1).requiresGrad(true);
            int outer = g.intIn(0, 1), inner = g.intIn(-2, 1);
            g.note("outer out_dim", outer).note("inner out_dim", inner).note("inner maps w", innerMapsW);
            // Outer entry i sees xs[i] ([n2, k]) and w[i]; the inner level maps xs[i] along dim 0 and, optionally, w[i] too.
            Function<List<Tensor>, List<Tensor>> innerFn = a -> List.of(member(a.get(0), a.get(1)));
            Function<List<Tensor>, List<Tensor>> outerFn = a -> Vmap.vmap(innerFn, Arrays.asList(0, innerMapsW ? 0 : null), List.of(inner),
                    Randomness.ERROR).apply(List.of(a.get(0), a.get(1)));
            Tensor w = innerMapsW ? ws2 : ws;
            Tensor actual = Vmap.vmap(outerFn, List.of(0), List.of(outer), Randomness.ERROR).apply(List.of(xs, w)).get(0);
            List<Tensor> rows = new ArrayList<>();
            for (int i = 0; i < n1; i++) {
                List<Tensor> cols = new ArrayList<>();
                for (int j = 0; j < n2; j++) cols.add(member(xs.select(0, i).select(0, j), innerMapsW ? ws2.select(0, i).select(0, j) : ws.select(0, i)));
                rows.add(Tensor.stack(cols, inner));
            }
            Tensor expected = Tensor.stack(rows, outer);
            assertClose(expected, actual, "nested result");
            // Gradients through both levels equal the double loop's.
            Tensor weights = g.uniform(expected.shape(), -1, 1);
            List<Tensor> leaves = List.of(xs, w);
            List<Tensor> loopGrads = Autograd.grad(List.of(expected.mul(weights).sum()), leaves, null, false, false, false);
            List<Tensor> vmapGrads = Autograd.grad(List.of(actual.mul(weights).sum()), leaves, null, false, false, false);
            for (int i = 0; i < 2; i++) assertClose(loopGrads.get(i), vmapGrads.get(i), "gradient of argument " + i);
        });
    }

    @Test
    void aTensorOfTheOuterLevelMeetsOneOfTheInnerLevel() {
        Tensor a = Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2);          // outer entries
        Tensor b = Tensor.of(DType.FLOAT64, new double[] {10, 20, 30}, 3);    // inner entries
        Tensor table = Vmap.vmap((BinaryOperator<Tensor>) (x, y) -> Vmap.vmap((UnaryOperator<Tensor>) z -> z.mul(x).add(z.mul(0).add(y.sum())))
                .apply(y), 0, 0, 0, Randomness.ERROR).apply(a, Tensor.stack(List.of(b, b), 0));
        // entry (i, j) = b[j] * a[i] + sum(b) = b[j] a[i] + 60, computed here by hand.
        assertArrayEquals(new double[] {70, 80, 90, 80, 100, 120}, table.toDoubleArray());
        assertArrayEquals(new int[] {2, 3}, table.shapeRef());
    }

    @Test
    void eachSliceOfStackedParametersGetsItsOwnMembersGradient() {
        Property.forAll("ensemble gradients", 20, g -> {
            int members = g.intIn(1, 4), batch = g.intIn(1, 3), in = g.intIn(1, 3), hidden = g.intIn(1, 3);
            boolean dataMapped = g.bool(); // pattern 00 (data stacked per member) or N0 (data shared)
            g.note("members", members).note("data mapped", dataMapped);
            Tensor w1 = g.uniform(new int[] {members, hidden, in}, -1, 1).requiresGrad(true);
            Tensor b1 = g.uniform(new int[] {members, hidden}, -1, 1).requiresGrad(true);
            Tensor w2 = g.uniform(new int[] {members, 1, hidden}, -1, 1).requiresGrad(true);
            Tensor x = (dataMapped ? g.uniform(new int[] {members, batch, in}, -1, 1) : g.uniform(new int[] {batch, in}, -1, 1)).requiresGrad(true);
            Function<List<Tensor>, List<Tensor>> critic = a -> List.of(
                    Functional.linear(Functional.linear(a.get(0), a.get(1), a.get(2)).relu(), a.get(3), null).squeeze(-1));
            Tensor q = Vmap.vmap(critic, Arrays.asList(dataMapped ? 0 : null, 0, 0, 0), List.of(0), Randomness.ERROR)
                    .apply(List.of(x, w1, b1, w2)).get(0); // [members, batch]
            Tensor target = g.uniform(new int[] {members, batch}, -1, 1);
            Tensor loss = q.sub(target).square().mean();
            List<Tensor> grads = Autograd.grad(List.of(loss), List.of(w1, b1, w2, x), null, false, false, false);
            // Independently: each member's own parameters as separate leaves, its own loss term.
            Tensor xGrad = null;
            for (int i = 0; i < members; i++) {
                Tensor w1i = w1.select(0, i).detach().clone().requiresGrad(true), b1i = b1.select(0, i).detach().clone().requiresGrad(true);
                Tensor w2i = w2.select(0, i).detach().clone().requiresGrad(true);
                Tensor xi = (dataMapped ? x.select(0, i) : x).detach().clone().requiresGrad(true);
                Tensor qi = Functional.linear(Functional.linear(xi, w1i, b1i).relu(), w2i, null).squeeze(-1);
                Tensor li = qi.sub(target.select(0, i)).square().sum().div(members * batch);
                List<Tensor> gi = Autograd.grad(List.of(li), List.of(w1i, b1i, w2i, xi), null, false, false, false);
                assertClose(gi.get(0), grads.get(0).select(0, i), "member " + i + " w1");
                assertClose(gi.get(1), grads.get(1).select(0, i), "member " + i + " b1");
                assertClose(gi.get(2), grads.get(2).select(0, i), "member " + i + " w2");
                if (dataMapped) assertClose(gi.get(3), grads.get(3).select(0, i), "member " + i + " x");
                else xGrad = xGrad == null ? gi.get(3) : xGrad.add(gi.get(3));
            }
            if (!dataMapped) assertClose(xGrad, grads.get(3), "shared data: the sum over members");
        });
    }

    @Test
    void sharedArgumentsAndOutputsThatIgnoreTheMappedOnesAreExpanded() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor shared = Tensor.of(DType.FLOAT64, new double[] {10, 20}, 2);
        List<Tensor> out = Vmap.vmap(a -> List.of(a.get(0).add(a.get(1)), a.get(1).mul(2), Tensor.ones(2)),
                Arrays.asList(1, null), List.of(0, 1, -1), Randomness.ERROR).apply(List.of(x, shared));
        // Entry j is column j of x (in_dim 1), [j + 1, j + 4]; plus the shared [10, 20]; stacked along out_dim 0.
        assertArrayEquals(new double[] {11, 24, 12, 25, 13, 26}, out.get(0).toDoubleArray());
        assertArrayEquals(new int[] {3, 2}, out.get(0).shapeRef());
        // Does not depend on x: expanded over the 3 entries at out_dim 1.
        assertArrayEquals(new int[] {2, 3}, out.get(1).shapeRef());
        assertArrayEquals(new double[] {20, 20, 20, 40, 40, 40}, out.get(1).toDoubleArray());
        assertArrayEquals(new int[] {2, 3}, out.get(2).shapeRef());
        for (Tensor o : out) assertFalse(o.isBatched());
    }

    @Test
    void mappedSizesMustAgreeAndTheErrorListsThem() {
        Tensor a = Tensor.zeros(3, 2), b = Tensor.zeros(2, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Vmap.vmap(x -> List.of(x.get(0)), List.of(0, 1), List.of(0), Randomness.ERROR).apply(List.of(a, b)));
        assertTrue(e.getMessage().contains("got sizes [3, 4]"), e.getMessage());
        assertTrue(e.getMessage().contains("argument 0 of shape [3, 2] along dim 0: 3") && e.getMessage().contains("argument 1 of shape [2, 4] along dim 1: 4"),
                e.getMessage());
    }

    @Test
    void argumentErrorsSayWhatWasExpected() {
        Tensor a = Tensor.zeros(3, 2);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Vmap.vmap(x -> List.of(x.get(0)), Arrays.asList((Integer) null), List.of(0), Randomness.ERROR).apply(List.of(a)))
                .getMessage().contains("at least one argument must be mapped"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Vmap.vmap(x -> x, 2, 0, Randomness.ERROR).apply(a))
                .getMessage().contains("in_dim 2 of argument 0 is out of range for its shape [3, 2]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Vmap.vmap(x -> x.sum(), 0, 1, Randomness.ERROR).apply(a))
                .getMessage().contains("out_dim 1 is out of range for an output of rank 1"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Vmap.vmap(x -> List.of(x.get(0)), List.of(0, 0, 0), List.of(0), Randomness.ERROR).apply(List.of(a, a)))
                .getMessage().contains("3 in_dims given for 2 arguments"));
        // Logical shapes in op errors, as the loop would report them.
        IllegalArgumentException add = assertThrows(IllegalArgumentException.class, () -> Vmap.vmap(x -> x.add(Tensor.zeros(3))).apply(a));
        assertTrue(add.getMessage().contains("add: shapes [2] and [3] do not broadcast"), add.getMessage());
        IllegalArgumentException matmul = assertThrows(IllegalArgumentException.class,
                () -> Vmap.vmap(x -> x.reshape(2, 1, 1).matmul(Tensor.zeros(3, 1, 1))).apply(Tensor.zeros(4, 2)));
        assertTrue(matmul.getMessage().contains("matmul: the batch dims of shapes [2, 1, 1] and [3, 1, 1] do not broadcast"), matmul.getMessage());
    }

    @Test
    void dataDependentCallsFailWithNoBatchingRule() {
        Tensor a = Tensor.of(new double[] {1, 2, 3}, 3);
        IllegalStateException item = assertThrows(IllegalStateException.class, () -> Vmap.vmap(x -> Tensor.scalar(x.item())).apply(a));
        assertTrue(item.getMessage().startsWith("vmap: no batching rule for 'Tensor.item'; use PseudoVmap"), item.getMessage());
        IllegalStateException grad = assertThrows(IllegalStateException.class, () -> Vmap.vmap(x -> x.requiresGrad(true)).apply(a));
        assertTrue(grad.getMessage().startsWith("vmap: no batching rule for 'Tensor.requiresGrad'"), grad.getMessage());
    }

    @Test
    void aBatchedTensorThatEscapesItsVmapFailsWhenUsed() {
        Tensor[] kept = new Tensor[1];
        Vmap.vmap(x -> {
            kept[0] = x;
            return x.exp();
        }).apply(Tensor.zeros(2, 3));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> kept[0].add(1));
        assertTrue(e.getMessage().contains("was used after that vmap returned"), e.getMessage());
        assertTrue(kept[0].toString().startsWith("BatchedTensor(logical shape [3]"), kept[0].toString());
    }

    @Test
    void otherArgumentKindsGoThroughVmapLevel() {
        // What a TensorDict overload does with its leaves: check sizes, open a level, map, call, unmap.
        Tensor obs = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3, 4, 5, 6}, 3, 2), reward = Tensor.of(DType.FLOAT64, new double[] {10, 20, 30}, 3);
        List<Tensor> leaves = List.of(obs, reward);
        int n = VmapLevel.batchSize("vmap", leaves, List.of(0, 0));
        Tensor out;
        try (VmapLevel level = VmapLevel.open(n, Randomness.ERROR)) {
            Tensor o = level.mapped(obs, 0), r = level.mapped(reward, -1);
            assertArrayEquals(new int[] {2}, o.shapeRef());
            out = level.unmapped(o.sum().add(r), 0);
        }
        assertArrayEquals(new double[] {13, 27, 41}, out.toDoubleArray());
    }

    @Test
    void ordinaryTensorsStayOrdinary() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2);
        assertFalse(x.isBatched());
        assertFalse(x.add(x).isBatched());
        assertEquals(null, x.batched());
        Gen g = Gen.seeded(3);
        assertFalse(g.uniform(new int[] {2}, 0, 1).exp().isBatched());
    }
}
