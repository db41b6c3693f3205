package org.rlgrad.engine.vmap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.Gen;

/**
 * The reference every batching rule is checked against: the loop. Given stacked arguments
 * ({@code [N, *entry shape]}), it picks at random which arguments are mapped (at least one) and
 * which are shared (entry 0 is passed to every call), moves each mapped argument's batch dim to a
 * random in-dim (positive or negative), picks a random out-dim per output, and asserts that
 * {@code vmap(f, inDims, outDims)} equals {@code stack_i f(x[i])} in shape, dtype and values.
 */
final class VmapCheck {
    private VmapCheck() {}

    /** Float results may differ in the last bits where a kernel sums in another order (matmul's blocking). */
    static final double TOLERANCE = 1e-12;

    /**
     * Also checks gradients: the floating stacked arguments become leaves, and the gradient of a
     * fixed random weighting of the float outputs must be the same through vmap as through the
     * loop (each slice of a stacked argument gets its own entry's gradient; a shared argument
     * gets the sum over entries).
     */
    static void assertVmapEqualsLoop(Gen g, Function<List<Tensor>, List<Tensor>> f, Tensor... stacked) {
        assertVmapEqualsLoop(g, f, TOLERANCE, stacked);
    }

    /** {@code gradientTolerance}: where the loop's backward runs partly in float32, the gradients agree to float32 precision only. */
    static void assertVmapEqualsLoop(Gen g, Function<List<Tensor>, List<Tensor>> f, double gradientTolerance, Tensor... stacked) {
        List<Tensor> leaves = new ArrayList<>();
        for (Tensor t : stacked) if (t.dtype().isFloating()) leaves.add(t.requiresGrad(true));
        int k = stacked.length;
        List<Integer> inDims = new ArrayList<>();
        List<Tensor> args = new ArrayList<>();
        int forced = g.intIn(0, k - 1);
        for (int i = 0; i < k; i++) {
            boolean mapped = i == forced || g.bool();
            if (!mapped) {
                inDims.add(null);
                args.add(stacked[i].select(0, 0));
                continue;
            }
            int r = stacked[i].dim();
            int d = g.intIn(0, r - 1);
            args.add(stacked[i].movedim(0, d));
            inDims.add(g.bool() ? d : d - r);
        }
        g.note("in_dims", inDims);
        List<List<Tensor>> perEntry = loopEntries(f, args, inDims);
        List<Integer> outDims = new ArrayList<>();
        for (Tensor o : perEntry.get(0)) {
            int rank = o.dim() + 1;
            int d = g.intIn(0, rank - 1);
            outDims.add(g.bool() ? d : d - rank);
        }
        g.note("out_dims", outDims);
        List<Tensor> expected = stackOutputs(perEntry, outDims);
        List<Tensor> actual = Vmap.vmap(f, inDims, outDims, Randomness.ERROR).apply(args);
        assertAllClose(expected, actual);
        assertSameGradients(g, leaves, expected, actual, gradientTolerance);
    }

    private static void assertSameGradients(Gen g, List<Tensor> leaves, List<Tensor> expected, List<Tensor> actual, double tolerance) {
        if (leaves.isEmpty()) return;
        Tensor lossLoop = null, lossVmap = null;
        for (int k = 0; k < expected.size(); k++) {
            Tensor e = expected.get(k), a = actual.get(k);
            if (!e.dtype().isFloating() || !e.requiresGrad()) continue;
            Tensor w = g.uniform(e.shape(), -1, 1).to(e.dtype());
            lossLoop = lossLoop == null ? e.mul(w).sum() : lossLoop.add(e.mul(w).sum());
            lossVmap = lossVmap == null ? a.mul(w).sum() : lossVmap.add(a.mul(w).sum());
        }
        if (lossLoop == null) return;
        List<Tensor> gl = Autograd.grad(List.of(lossLoop), leaves, null, false, true, true); // the arguments' movedim is shared
        List<Tensor> gv = Autograd.grad(List.of(lossVmap), leaves, null, false, false, true);
        for (int i = 0; i < leaves.size(); i++) assertClose(gl.get(i), gv.get(i), "gradient of argument " + i, tolerance);
    }

    static List<List<Tensor>> loopEntries(Function<List<Tensor>, List<Tensor>> f, List<Tensor> args, List<Integer> inDims) {
        int n = -1;
        for (int i = 0; i < args.size(); i++) if (inDims.get(i) != null) n = args.get(i).size(inDims.get(i));
        List<List<Tensor>> perEntry = new ArrayList<>();
        for (int e = 0; e < n; e++) {
            List<Tensor> entry = new ArrayList<>();
            for (int i = 0; i < args.size(); i++) entry.add(inDims.get(i) == null ? args.get(i) : args.get(i).select(inDims.get(i), e));
            perEntry.add(f.apply(entry));
        }
        return perEntry;
    }

    static List<Tensor> stackOutputs(List<List<Tensor>> perEntry, List<Integer> outDims) {
        List<Tensor> out = new ArrayList<>();
        for (int k = 0; k < perEntry.get(0).size(); k++) {
            List<Tensor> pieces = new ArrayList<>();
            for (List<Tensor> e : perEntry) pieces.add(e.get(k));
            out.add(Tensor.stack(pieces, outDims.get(k)));
        }
        return out;
    }

    static void assertAllClose(List<Tensor> expected, List<Tensor> actual) {
        assertEquals(expected.size(), actual.size(), "number of outputs");
        for (int k = 0; k < expected.size(); k++) assertClose(expected.get(k), actual.get(k), "output " + k);
    }

    static void assertClose(Tensor expected, Tensor actual, String what) {
        assertClose(expected, actual, what, TOLERANCE);
    }

    static void assertClose(Tensor expected, Tensor actual, String what, double tolerance) {
        assertFalse(actual.isBatched(), what + " is still batched");
        assertArrayEquals(expected.shapeRef(), actual.shapeRef(),
                what + ": shape " + Shape.format(actual.shapeRef()) + ", loop gives " + Shape.format(expected.shapeRef()));
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        if (!expected.dtype().isFloating()) {
            assertArrayEquals(expected.toLongArray(), actual.toLongArray(), what + ": values");
            return;
        }
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            boolean same = Double.compare(e[i], a[i]) == 0 || Math.abs(e[i] - a[i]) <= tolerance * Math.max(1, Math.abs(e[i]));
            if (!same) throw new AssertionError(what + ": element " + i + " is " + a[i] + ", the loop gives " + e[i]);
        }
    }

    /** {@code [n, *shape]} uniform in [lo, hi). */
    static Tensor stacked(Gen g, int n, int[] shape, double lo, double hi) {
        return g.uniform(Shape.concat(new int[] {n}, shape), lo, hi);
    }

    static int batch(Gen g) {
        int n = g.intIn(1, 4);
        g.note("N", n);
        return n;
    }
}
