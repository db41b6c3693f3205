package org.rlgrad.engine.tensordict;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.vmap.Randomness;
import org.rlgrad.engine.vmap.Vmap;
import org.rlgrad.engine.vmap.VmapLevel;

/**
 * vmap over functions whose arguments and results may be {@link Tensor}s or {@link TensorDict}s
 * (spec engine.md section 5.1): the TensorDict overload of {@link Vmap}, on the same
 * {@link VmapLevel}. A dict's in-dim and out-dim are batch dims (negative ones count from the end
 * of the batch size): inside the function the mapped dim is gone from the dict's batch size and
 * from every leaf; each output dict gets the entries' dim back at its out-dim. An output (tensor
 * or leaf) that does not depend on a mapped argument is expanded to the batch size.
 *
 * <p>Ensembles of critics use it with a parameter dict of batch {@code [N]} mapped on dim 0 and
 * the data shared (in-dim null, pattern "N0") or mapped too (pattern "00"); gradients reach each
 * member's slice of the stacked parameters, as in the loop.
 */
public final class TensorDictVmap {
    private TensorDictVmap() {}

    /**
     * The general form: {@code fn} takes and returns lists of Tensors and TensorDicts. {@code inDims}
     * and {@code outDims}: one entry for all or one per argument / output; an in-dim may be null
     * (shared argument), out-dims may not.
     */
    public static Function<List<Object>, List<Object>> vmap(Function<List<Object>, List<Object>> fn, List<Integer> inDims, List<Integer> outDims,
                                                            Randomness randomness) {
        List<Integer> in = copy(inDims, "in_dims");
        List<Integer> out = copy(outDims, "out_dims");
        if (out.contains(null)) throw new IllegalArgumentException("vmap: out_dims must be integers, got " + out);
        return args -> call(fn, args, in, out, randomness);
    }

    /** One argument, one result (each a Tensor or a TensorDict). */
    public static <A, R> Function<A, R> vmap(Function<A, R> fn, int inDim, int outDim, Randomness randomness) {
        Function<List<Object>, List<Object>> f = vmap(args -> List.of(fn.apply(cast(args.get(0)))), List.of(inDim), List.of(outDim), randomness);
        return a -> cast(f.apply(List.of(a)).get(0));
    }

    /** Two arguments (either in-dim may be null, not both), one result: {@code vmap(critic, 0, null, 0, ...)} is pattern N0. */
    public static <A, B, R> BiFunction<A, B, R> vmap(BiFunction<A, B, R> fn, Integer inDim0, Integer inDim1, int outDim, Randomness randomness) {
        Function<List<Object>, List<Object>> f = vmap(args -> List.of(fn.apply(cast(args.get(0)), cast(args.get(1)))),
                Arrays.asList(inDim0, inDim1), List.of(outDim), randomness);
        return (a, b) -> cast(f.apply(Arrays.asList(a, b)).get(0));
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }

    private static List<Object> call(Function<List<Object>, List<Object>> fn, List<Object> args, List<Integer> inDims, List<Integer> outDims,
                                     Randomness randomness) {
        List<Integer> dims = broadcast(inDims, args.size(), "in_dims", "arguments");
        // VmapLevel checks the sizes and words the error; a dict takes part through a stand-in of its batch shape.
        List<Tensor> sizeProbes = new ArrayList<>(args.size());
        for (int i = 0; i < args.size(); i++) {
            Object a = args.get(i);
            switch (a) {
                case Tensor t -> sizeProbes.add(t);
                case TensorDict td -> sizeProbes.add(dims.get(i) == null ? null : Tensor.zeros(DType.BOOL).expand(td.batchSize()));
                case null -> sizeProbes.add(null);
                default -> throw new IllegalArgumentException("vmap: argument " + i + " must be a Tensor or a TensorDict, got " + a.getClass().getSimpleName());
            }
        }
        int n = VmapLevel.batchSize("vmap", sizeProbes, dims);
        List<Object> result = new ArrayList<>();
        try (VmapLevel level = VmapLevel.open(n, randomness)) {
            List<Object> mapped = new ArrayList<>(args.size());
            for (int i = 0; i < args.size(); i++) {
                Integer d = dims.get(i);
                Object a = args.get(i);
                if (d == null) mapped.add(a);
                else if (a instanceof TensorDict td) mapped.add(mapDict(td, d, level));
                else mapped.add(level.mapped((Tensor) a, d));
            }
            List<Object> outputs = fn.apply(Collections.unmodifiableList(mapped));
            if (outputs == null || outputs.isEmpty()) throw new IllegalArgumentException("vmap: the function returned no outputs");
            List<Integer> od = broadcast(outDims, outputs.size(), "out_dims", "outputs");
            for (int k = 0; k < outputs.size(); k++) {
                switch (outputs.get(k)) {
                    case Tensor t -> result.add(level.unmapped(t, od.get(k)));
                    case TensorDict td -> result.add(unmapDict(td, od.get(k), level));
                    case null -> throw new IllegalArgumentException("vmap: the function returned a null output (output " + k + ")");
                    default -> throw new IllegalArgumentException("vmap: output " + k + " must be a Tensor or a TensorDict, got "
                            + outputs.get(k).getClass().getSimpleName());
                }
            }
        }
        return result;
    }

    /** The dict as the function sees it: batch dim {@code dim} gone from its batch size and from every leaf. */
    private static TensorDict mapDict(TensorDict td, int dim, VmapLevel level) {
        int d = dim < 0 ? dim + td.batchDims() : dim;
        return td.mapBatch(TensorDict.remove(td.batchSize(), d), TensorDict.remove(td.namesOrNulls(), d), leaf -> level.mapped(leaf, d));
    }

    /** An output dict as the caller sees it: the entries' dim inserted at batch dim {@code outDim}. */
    private static TensorDict unmapDict(TensorDict td, int outDim, VmapLevel level) {
        int rank = td.batchDims() + 1;
        if (outDim < -rank || outDim >= rank) {
            throw new IllegalArgumentException("vmap: out_dim " + outDim + " is out of range for an output TensorDict of batch size "
                    + Shape.format(td.batchSize()) + " plus the mapped dim (expected " + (-rank) + " to " + (rank - 1) + ")");
        }
        int d = outDim < 0 ? outDim + rank : outDim;
        return td.mapBatch(TensorDict.insert(td.batchSize(), d, level.size()), TensorDict.insert(td.namesOrNulls(), d, null),
                leaf -> level.unmapped(leaf, d));
    }

    /**
     * The loop form (spec 5.4) with the same calling convention: every mapped argument unbound
     * along its mapped dim, {@code fn} called once per entry, each output stacked at its out-dim.
     * For functions vmap cannot batch, and as vmap's reference in tests. SAME randomness is refused.
     */
    public static Function<List<Object>, List<Object>> pseudoVmap(Function<List<Object>, List<Object>> fn, List<Integer> inDims,
                                                                  List<Integer> outDims, Randomness randomness) {
        if (randomness != Randomness.ERROR && randomness != Randomness.DIFFERENT) {
            throw new IllegalArgumentException("pseudo_vmap only supports 'different' or 'error' randomness modes (Randomness.DIFFERENT or "
                    + "Randomness.ERROR), got " + randomness);
        }
        List<Integer> in = copy(inDims, "in_dims");
        List<Integer> out = copy(outDims, "out_dims");
        return args -> {
            List<Integer> dims = broadcast(in, args.size(), "in_dims", "arguments");
            int n = -1;
            for (int i = 0; i < args.size(); i++) {
                if (dims.get(i) == null) continue;
                int s = args.get(i) instanceof TensorDict td ? td.batchSize()[norm(dims.get(i), td.batchDims())]
                        : ((Tensor) args.get(i)).size(dims.get(i));
                if (n >= 0 && s != n) throw new IllegalArgumentException("pseudo_vmap: mapped arguments have sizes " + n + " and " + s + " along their mapped dims");
                n = s;
            }
            if (n <= 0) throw new IllegalArgumentException("pseudo_vmap: expected at least one mapped argument of non-zero size");
            List<List<Object>> perEntry = new ArrayList<>();
            for (int e = 0; e < n; e++) {
                List<Object> entry = new ArrayList<>();
                for (int i = 0; i < args.size(); i++) {
                    Integer d = dims.get(i);
                    Object a = args.get(i);
                    entry.add(d == null ? a : a instanceof TensorDict td ? td.index(d, e) : ((Tensor) a).select(d, e));
                }
                perEntry.add(fn.apply(Collections.unmodifiableList(entry)));
            }
            int count = perEntry.get(0).size();
            List<Integer> od = broadcast(out, count, "out_dims", "outputs");
            List<Object> result = new ArrayList<>();
            for (int k = 0; k < count; k++) {
                if (perEntry.get(0).get(k) instanceof TensorDict) {
                    List<TensorDict> pieces = new ArrayList<>();
                    for (List<Object> o : perEntry) pieces.add((TensorDict) o.get(k));
                    result.add(TensorDict.stack(pieces, od.get(k)));
                } else {
                    List<Tensor> pieces = new ArrayList<>();
                    for (List<Object> o : perEntry) pieces.add((Tensor) o.get(k));
                    result.add(Tensor.stack(pieces, od.get(k)));
                }
            }
            return result;
        };
    }

    private static int norm(int d, int rank) {
        return d < 0 ? d + rank : d;
    }

    private static List<Integer> broadcast(List<Integer> dims, int count, String what, String items) {
        if (dims.size() == count) return dims;
        if (dims.size() == 1) return Collections.nCopies(count, dims.get(0));
        throw new IllegalArgumentException("vmap: " + dims.size() + " " + what + " given for " + count + " " + items + " (give one for all, or one per item)");
    }

    private static List<Integer> copy(List<Integer> dims, String what) {
        if (dims == null || dims.isEmpty()) throw new IllegalArgumentException("vmap: " + what + " must have at least one entry");
        return Collections.unmodifiableList(new ArrayList<>(dims));
    }
}
