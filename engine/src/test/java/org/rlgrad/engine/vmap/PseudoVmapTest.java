package org.rlgrad.engine.vmap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rlgrad.engine.vmap.VmapCheck.assertAllClose;
import static org.rlgrad.engine.vmap.VmapCheck.assertClose;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.ops.Functional;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.Property;

/** The explicit loop with vmap's calling convention (spec engine.md 5.4). */
class PseudoVmapTest {

    @Test
    void pseudoVmapEqualsVmapOnOpsWithRules() {
        Property.forAll("pseudo_vmap = vmap", 30, g -> {
            int n = g.intIn(1, 4), k = g.intIn(1, 3), m = g.intIn(1, 3);
            Tensor x = g.uniform(new int[] {k, n}, -1, 1);           // mapped along dim 1
            Tensor w = g.uniform(new int[] {n, m, k}, -1, 1);        // mapped along dim 0
            Tensor target = g.uniform(new int[] {m}, -1, 1);         // shared
            boolean shareW = g.bool();
            Tensor wArg = shareW ? w.select(0, 0) : w;
            List<Integer> in = Arrays.asList(1, shareW ? null : 0, null);
            List<Integer> out = List.of(g.intIn(-1, 0), g.intIn(0, 1));
            Function<List<Tensor>, List<Tensor>> f = a -> {
                Tensor q = Functional.linear(a.get(0), a.get(1), null).logSoftmax(-1);
                return List.of(Functional.mseLoss(q, a.get(2), Reduction.MEAN), q.cumsum(0).amax(new int[] {0}, true));
            };
            List<Tensor> args = List.of(x, wArg, target);
            assertAllClose(PseudoVmap.pseudoVmap(f, in, out, Randomness.ERROR).apply(args), Vmap.vmap(f, in, out, Randomness.ERROR).apply(args));
        });
    }

    @Test
    void sameRandomnessIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PseudoVmap.pseudoVmap(x -> x, 0, 0, Randomness.SAME));
        assertTrue(e.getMessage().startsWith("pseudo_vmap only supports 'different' or 'error' randomness modes"), e.getMessage());
    }

    @Test
    void drawsAreNotPolicedAndAdvanceEntryAfterEntry() {
        for (Randomness mode : new Randomness[] {Randomness.ERROR, Randomness.DIFFERENT}) {
            Generator gen = new Generator(4), twin = new Generator(4);
            Tensor out = PseudoVmap.pseudoVmap(v -> v.add(gen.normal(new int[] {2}, DType.FLOAT64)), 0, 0, mode).apply(Tensor.zeros(DType.FLOAT64, 3, 2));
            List<Tensor> rows = new ArrayList<>();
            for (int i = 0; i < 3; i++) rows.add(twin.normal(new int[] {2}, DType.FLOAT64));
            assertClose(Tensor.stack(rows, 0), out, mode.toString());
        }
    }

    @Test
    void sizesMustAgree() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PseudoVmap.pseudoVmap(a -> List.of(a.get(0)),
                List.of(0, 0), List.of(0), Randomness.ERROR).apply(List.of(Tensor.zeros(2), Tensor.zeros(3))));
        assertTrue(e.getMessage().startsWith("pseudo_vmap: expected all mapped arguments to have the same size") && e.getMessage().contains("[2, 3]"),
                e.getMessage());
    }

    @Test
    void itRunsInsideVmap() {
        // The inner loop sees batched entries of the outer vmap: rules still apply per op.
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor out = Vmap.vmap(row -> PseudoVmap.pseudoVmap(v -> v.mul(v), 0, 0, Randomness.ERROR).apply(row)).apply(x);
        assertArrayEquals(new double[] {1, 4, 9, 16, 25, 36}, out.toDoubleArray());
    }
}
