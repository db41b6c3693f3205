package org.rlgrad.estimators;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Function;

import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.tensordict.TensorDictVmap;
import org.rlgrad.engine.vmap.Randomness;

/**
 * How an estimator evaluates its value network on the current and the next states (spec
 * estimators.md §6.6): once, over the two stacked along a new leading axis, under vmap (or its
 * loop form), so that a network holding per-call state (dropout draws, recurrent resets) sees the
 * two as separate entries; with {@code params}, slot 0 runs with {@code params} and slot 1 with
 * {@code targetParams}. Returns {@code [V, V']}; the caller writes and detaches them.
 *
 * @param network the value network
 * @param valueKey where the network writes the value
 * @param deactivateVmap run the loop form of vmap instead of vmap (spec engine.md §5.4)
 * @param randomness the vmap randomness mode
 * @param chunks how to split the calls along a batch dim
 */
record ValueNetworkCall(TensorDictModuleBase network, Key valueKey, boolean deactivateVmap, Randomness randomness, ValueChunks chunks) {
    private static final Key NEXT = Key.of("next");
    private static final Key IS_INIT = Key.of("is_init");

    /** {@code [V, V']} on {@code td}; {@code params} and {@code targetParams} are both null or both given. */
    Tensor[] currentAndNext(TensorDict td, TensorDict params, TensorDict targetParams) {
        if ((params == null) != (targetParams == null)) throw new IllegalArgumentException("params and next_params must be either both provided or not.");
        TensorDict data = sanitiseNextInputs(td);
        LinkedHashSet<Key> keys = new LinkedHashSet<>(network.inKeys());
        TensorDict nextAll = data.getTensorDict(NEXT);
        // The value key takes part only where both sides hold it (then skip-existing may reuse it); the stack needs equal keys.
        if (data.contains(valueKey) && nextAll.contains(valueKey)) keys.add(valueKey);
        TensorDict root = data.select(keys, false);
        TensorDict next = nextAll.select(keys, false);
        if (root.contains(IS_INIT)) {
            // A recurrent network must not chain two trajectories: the next state starts one wherever the current one does.
            Tensor rootInit = root.get(IS_INIT);
            Tensor nextInit = next.get(IS_INIT, null);
            next.set(IS_INIT, nextInit == null ? rootInit : nextInit.logicalOr(rootInit));
        }
        if (!chunks.isActive()) return pair(root, next, params, targetParams);
        int dim = chunks.resolveDim(root.batchDims());
        int[] sizes = chunks.sizes(root.batchSize()[dim]);
        List<TensorDict> rootChunks = root.split(sizes, dim), nextChunks = next.split(sizes, dim);
        List<Tensor> values = new ArrayList<>(), nextValues = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            if (params == null) {
                values.add(plain(rootChunks.get(i)));
                nextValues.add(plain(nextChunks.get(i)));
            } else {
                Tensor[] v = pair(rootChunks.get(i), nextChunks.get(i), params, targetParams);
                values.add(v[0]);
                nextValues.add(v[1]);
            }
        }
        return new Tensor[] {Tensor.cat(values, dim), Tensor.cat(nextValues, dim)};
    }

    /**
     * {@code [V, V']} from one network call on the fused sequence of the {@code shifted} mode
     * (spec §6.9), with {@code params} bound if given; no vmap, since there is a single call. The
     * chunk options split that call along {@code value_chunk_dim} of the sequence.
     */
    Tensor[] fused(TensorDict td, ShiftedSlots slots, TensorDict params) {
        TensorDict data = sanitiseNextInputs(td);
        LinkedHashSet<Key> keys = new LinkedHashSet<>(network.inKeys());
        // As in currentAndNext: the value key takes part where both sides hold it, so that skip-existing can keep it.
        if (data.contains(valueKey) && data.contains(valueKey.prepend("next"))) keys.add(valueKey);
        TensorDict seq = slots.sequence(data, keys);
        Tensor out;
        if (!chunks.isActive()) {
            out = single(seq, params);
        } else {
            int dim = chunks.resolveDim(seq.batchDims());
            int[] sizes = chunks.sizes(seq.batchSize()[dim]);
            List<Tensor> parts = new ArrayList<>();
            for (TensorDict part : seq.split(sizes, dim)) parts.add(single(part, params));
            out = Tensor.cat(parts, dim);
        }
        return new Tensor[] {slots.atRoot(out), slots.atNext(out)};
    }

    private Tensor single(TensorDict seq, TensorDict params) {
        return (params == null ? network.forward(seq.copy()) : network.forwardWith(params, seq.copy())).get(valueKey);
    }

    /** V' alone, on the next view of {@code td} (spec §6.6, last paragraph), with {@code targetParams} bound if given. */
    Tensor next(TensorDict td, TensorDict targetParams) {
        TensorDict view = sanitiseNextInputs(td).nextView();
        TensorDict out = targetParams == null ? network.forward(view) : network.forwardWith(targetParams, view);
        return out.get(valueKey);
    }

    /** V alone, on the current state. */
    Tensor current(TensorDict td) {
        return plain(td);
    }

    private Tensor plain(TensorDict td) {
        return network.forward(td.copy()).get(valueKey);
    }

    private Tensor[] pair(TensorDict root, TensorDict next, TensorDict params, TensorDict targetParams) {
        TensorDict stacked = TensorDict.stack(List.of(root, next), 0);
        TensorDict out;
        if (params == null) {
            Function<List<Object>, List<Object>> call = map(args -> List.<Object>of(network.forward(((TensorDict) args.get(0)).copy())), List.of(0));
            out = (TensorDict) call.apply(List.of(stacked)).get(0);
        } else {
            TensorDict both = TensorDict.stack(List.of(params, targetParams), 0);
            Function<List<Object>, List<Object>> call = map(
                    args -> List.<Object>of(network.forwardWith((TensorDict) args.get(0), ((TensorDict) args.get(1)).copy())), Arrays.asList(0, 0));
            out = (TensorDict) call.apply(List.of(both, stacked)).get(0);
        }
        Tensor v = out.get(valueKey);
        return new Tensor[] {v.select(0, 0), v.select(0, 1)};
    }

    private Function<List<Object>, List<Object>> map(Function<List<Object>, List<Object>> fn, List<Integer> inDims) {
        return deactivateVmap ? TensorDictVmap.pseudoVmap(fn, inDims, List.of(0), randomness) : TensorDictVmap.vmap(fn, inDims, List.of(0), randomness);
    }

    /**
     * NaN next inputs replaced by the current ones at the same positions (spec §6.6 item 1):
     * compact storage writes NaN for next observations at trajectory ends; at terminated steps the
     * substitute is discarded by {@code 1 − τ}, at truncations it is an approximate bootstrap.
     * Returns {@code td} itself when nothing needs replacing, else a shallow copy.
     */
    TensorDict sanitiseNextInputs(TensorDict td) {
        TensorDict out = td;
        for (Key k : network.inKeys()) {
            Tensor root = td.get(k, null);
            Key nk = k.prepend("next");
            Tensor next = td.contains(NEXT) ? td.get(nk, null) : null;
            if (root == null || next == null || !root.dtype().isFloating() || !Arrays.equals(root.shapeRef(), next.shapeRef())) continue;
            Tensor nan = next.isNan();
            if (!nan.any().toBooleanArray()[0]) continue;
            if (out == td) out = td.copy();
            out.set(nk, Tensor.where(nan, root, next));
        }
        return out;
    }
}
