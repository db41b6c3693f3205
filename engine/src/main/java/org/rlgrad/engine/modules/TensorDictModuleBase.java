package org.rlgrad.engine.modules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.rlgrad.engine.nn.Module;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.KeywordDispatch;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * The contract of every TensorDict module (spec engine.md 3.1): ordered in-keys and out-keys, a
 * parameter tree (it is an nn {@link Module}, so parameters, buffers, train/eval, device moves and
 * hold-out come from there), and {@link #forward(TensorDict)}, which by default writes its outputs
 * into the input dict and returns it.
 *
 * <p>{@link #forward} applies the scoped {@link SkipExisting} rule once, for every kind of module,
 * and then runs {@link #compute}; subclasses implement {@link #compute}.
 */
public abstract class TensorDictModuleBase extends Module {
    /** The keys read, in order. */
    public abstract List<Key> inKeys();

    /** The keys written, in order ({@code "_"} marks a discarded output). */
    public abstract List<Key> outKeys();

    /** The module's work on {@code td}; called by {@link #forward} unless skip-existing applies. */
    protected abstract TensorDict compute(TensorDict td);

    /**
     * Runs the module on {@code td}. While {@link SkipExisting} is on, a module whose (kept)
     * out-keys are all present in {@code td}, none of them an in-key, returns {@code td} unchanged.
     */
    public final TensorDict forward(TensorDict td) {
        Objects.requireNonNull(td, () -> getClass().getSimpleName() + ".forward: expected a TensorDict, got null");
        if (SkipExisting.isOn() && outputsAlreadyPresent(td)) return td;
        return compute(td);
    }

    private boolean outputsAlreadyPresent(TensorDict td) {
        List<Key> outs = new ArrayList<>(outKeys());
        outs.remove(Keys.DISCARD);
        if (outs.isEmpty()) return false;
        for (Key k : outs) if (!td.contains(k) || inKeys().contains(k)) return false;
        return true;
    }

    /**
     * Keyword dispatch (spec 2.10): positional tensors fill the in-keys in order, keyword tensors
     * the in-key whose joined name ({@code next_obs} for {@code ("next", "obs")}) they carry; the
     * dict has batch size {@code []}. Returns the out-keys' values in order ({@code "_"} skipped).
     */
    public final List<Tensor> call(List<Tensor> positional, Map<String, Tensor> keywords) {
        TensorDict td = KeywordDispatch.build(getClass().getSimpleName(), inKeys(), positional, keywords, KeywordDispatch.BatchRule.EMPTY);
        TensorDict out = forward(td);
        List<Key> keep = new ArrayList<>(outKeys());
        keep.remove(Keys.DISCARD);
        return KeywordDispatch.outputs(out, keep);
    }

    /** {@link #call(List, Map)} with positional tensors only. */
    public final List<Tensor> call(Tensor... positional) {
        return call(Arrays.asList(positional), Map.of());
    }

    /**
     * A functional call (spec 2.8): {@link #forward} evaluated with the tensors of {@code params}
     * (a dict as {@link Parameters#fromModule} builds it: nested keys along the dotted paths) in
     * place of this module's own, so that gradients reach {@code params} and not the module.
     * Every parameter must be given; buffers not given are the module's own.
     */
    public final TensorDict forwardWith(TensorDict params, TensorDict td) {
        return functionalCall(Parameters.toMap(params), () -> forward(td));
    }
}
