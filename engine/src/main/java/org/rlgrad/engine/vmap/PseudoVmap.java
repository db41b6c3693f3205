package org.rlgrad.engine.vmap;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import org.rlgrad.engine.ops.Joining;
import org.rlgrad.engine.ops.Views;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The loop replacement of spec engine.md section 5.4 ("pseudo-vmap"): vmap's calling convention
 * as an explicit loop. Each mapped argument is unbound along its mapped dim, shared arguments are
 * passed unchanged, {@code fn} runs once per entry, and each output is stacked along its out-dim.
 * For functions vmap cannot handle (ops without a batching rule, recurrent modules), and as the
 * reference that vmap is tested against.
 *
 * <p>Randomness: ERROR and DIFFERENT are accepted and draws are not policed; they advance the
 * generator entry after entry, as the reference does. SAME is refused (a loop cannot share draws).
 */
public final class PseudoVmap {
    static final String SAME_REFUSED = "pseudo_vmap only supports 'different' or 'error' randomness modes "
            + "(Randomness.DIFFERENT or Randomness.ERROR), got 'same'; use Vmap.vmap for draws shared by every entry";

    private PseudoVmap() {}

    public static Function<List<Tensor>, List<Tensor>> pseudoVmap(Function<List<Tensor>, List<Tensor>> fn, List<Integer> inDims,
                                                                  List<Integer> outDims, Randomness randomness) {
        if (randomness == Randomness.SAME) throw new IllegalArgumentException(SAME_REFUSED);
        if (randomness == null) throw new IllegalArgumentException("pseudo_vmap: randomness must be ERROR or DIFFERENT, got null");
        List<Integer> in = Vmap.copyAllowingNulls(inDims, "in_dims");
        List<Integer> out = Vmap.copyAllowingNulls(outDims, "out_dims");
        return args -> call(fn, args, in, out);
    }

    public static UnaryOperator<Tensor> pseudoVmap(UnaryOperator<Tensor> fn, int inDim, int outDim, Randomness randomness) {
        Function<List<Tensor>, List<Tensor>> f = pseudoVmap(args -> List.of(fn.apply(args.get(0))), List.of(inDim), List.of(outDim), randomness);
        return x -> f.apply(List.of(x)).get(0);
    }

    private static List<Tensor> call(Function<List<Tensor>, List<Tensor>> fn, List<Tensor> args, List<Integer> inDims, List<Integer> outDims) {
        List<Integer> dims = Vmap.broadcastDims(inDims, args.size(), "in_dims", "arguments");
        int n = VmapLevel.batchSize("pseudo_vmap", args, dims);
        if (n == 0) throw new IllegalArgumentException("pseudo_vmap: the mapped dims have size 0, so there is nothing to stack");
        List<List<Tensor>> perEntry = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            List<Tensor> entry = new ArrayList<>(args.size());
            for (int k = 0; k < args.size(); k++) {
                Integer d = dims.get(k);
                entry.add(d == null ? args.get(k) : Views.select(args.get(k), d, i));
            }
            List<Tensor> outs = fn.apply(Collections.unmodifiableList(entry));
            if (outs == null || outs.isEmpty()) throw new IllegalArgumentException("pseudo_vmap: the function returned no outputs");
            if (!perEntry.isEmpty() && outs.size() != perEntry.get(0).size()) {
                throw new IllegalArgumentException("pseudo_vmap: entry " + i + " returned " + outs.size() + " outputs, entry 0 returned " + perEntry.get(0).size());
            }
            perEntry.add(outs);
        }
        int count = perEntry.get(0).size();
        List<Integer> od = Vmap.broadcastDims(outDims, count, "out_dims", "outputs");
        List<Tensor> result = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            List<Tensor> pieces = new ArrayList<>(n);
            for (List<Tensor> outs : perEntry) pieces.add(outs.get(k));
            result.add(Joining.stack(pieces, od.get(k)));
        }
        return result;
    }
}
