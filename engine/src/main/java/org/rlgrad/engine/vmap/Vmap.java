package org.rlgrad.engine.vmap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import org.rlgrad.engine.tensor.Tensor;

/**
 * {@code vmap(fn, inDims, outDims, randomness)}: maps {@code fn} over one dim of its arguments
 * (spec engine.md section 5.1). {@code vmap(f)(x)[i] = f(x[i])} along the mapped dim, for a pure
 * function, computed in one pass: inside {@code fn} each mapped argument is a batched tensor of
 * the per-entry shape, and every op runs its batching rule on all entries at once.
 *
 * <ul>
 *   <li>{@code inDims}: one entry per argument, or a single entry for all; an integer (negative
 *       counts from the end) is the mapped dim, null shares the argument with every entry. All
 *       mapped sizes must agree, and at least one argument must be mapped.
 *   <li>{@code outDims}: where the batch dim goes in each output (one entry for all outputs, or
 *       one per output). An output that does not depend on a mapped argument is expanded to the
 *       batch size.
 *   <li>{@code randomness}: see {@link Randomness}; the default is ERROR.
 * </ul>
 *
 * <p>Gradients flow through vmap as through the loop: the batched ops record the ordinary ops on
 * the physical tensors, so each slice of a stacked parameter receives its own entry's gradient.
 * vmap nests. Ops without a batching rule fail with "no batching rule" instead of computing
 * on the wrong shape; {@link PseudoVmap} runs such functions as an explicit loop.
 */
public final class Vmap {
    private Vmap() {}

    /** The general form over lists of tensors. */
    public static Function<List<Tensor>, List<Tensor>> vmap(Function<List<Tensor>, List<Tensor>> fn, List<Integer> inDims,
                                                            List<Integer> outDims, Randomness randomness) {
        List<Integer> in = copyAllowingNulls(inDims, "in_dims");
        List<Integer> out = copyAllowingNulls(outDims, "out_dims");
        if (out.contains(null)) throw new IllegalArgumentException("vmap: out_dims must be integers, got " + out);
        return args -> call(fn, args, in, out, randomness);
    }

    /** One-argument form: in_dim 0, out_dim 0, randomness ERROR. */
    public static UnaryOperator<Tensor> vmap(UnaryOperator<Tensor> fn) {
        return vmap(fn, 0, 0, Randomness.ERROR);
    }

    public static UnaryOperator<Tensor> vmap(UnaryOperator<Tensor> fn, Randomness randomness) {
        return vmap(fn, 0, 0, randomness);
    }

    public static UnaryOperator<Tensor> vmap(UnaryOperator<Tensor> fn, int inDim, int outDim, Randomness randomness) {
        return x -> call(args -> List.of(fn.apply(args.get(0))), List.of(x), List.of(inDim), List.of(outDim), randomness).get(0);
    }

    /** Two-argument form; either in-dim may be null (shared), not both. */
    public static BinaryOperator<Tensor> vmap(BinaryOperator<Tensor> fn, Integer inDim0, Integer inDim1, int outDim, Randomness randomness) {
        List<Integer> in = Arrays.asList(inDim0, inDim1);
        return (a, b) -> call(args -> List.of(fn.apply(args.get(0), args.get(1))), Arrays.asList(a, b), in, List.of(outDim), randomness).get(0);
    }

    /**
     * The one place where arguments are mapped, the function called and the outputs unmapped,
     * through a {@link VmapLevel} (a TensorDict overload goes through the same level calls).
     */
    static List<Tensor> call(Function<List<Tensor>, List<Tensor>> fn, List<Tensor> args, List<Integer> inDims,
                             List<Integer> outDims, Randomness randomness) {
        List<Integer> dims = broadcastDims(inDims, args.size(), "in_dims", "arguments");
        int n = VmapLevel.batchSize("vmap", args, dims);
        List<Tensor> result = new ArrayList<>();
        try (VmapLevel level = VmapLevel.open(n, randomness)) {
            List<Tensor> mapped = new ArrayList<>(args.size());
            for (int i = 0; i < args.size(); i++) mapped.add(dims.get(i) == null ? args.get(i) : level.mapped(args.get(i), dims.get(i)));
            List<Tensor> outputs = fn.apply(Collections.unmodifiableList(mapped));
            if (outputs == null || outputs.isEmpty()) throw new IllegalArgumentException("vmap: the function returned no outputs");
            List<Integer> od = broadcastDims(outDims, outputs.size(), "out_dims", "outputs");
            for (int k = 0; k < outputs.size(); k++) result.add(level.unmapped(outputs.get(k), od.get(k)));
        }
        return result;
    }

    /** One entry for all, or one per item. */
    static List<Integer> broadcastDims(List<Integer> dims, int count, String what, String items) {
        if (dims.size() == count) return dims;
        if (dims.size() == 1) return Collections.nCopies(count, dims.get(0));
        throw new IllegalArgumentException("vmap: " + dims.size() + " " + what + " given for " + count + " " + items
                + " (give one for all, or one per item)");
    }

    static List<Integer> copyAllowingNulls(List<Integer> dims, String what) {
        if (dims == null || dims.isEmpty()) throw new IllegalArgumentException("vmap: " + what + " must have at least one entry");
        return Collections.unmodifiableList(new ArrayList<>(dims));
    }
}
