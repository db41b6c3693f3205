package org.rlgrad.engine.modules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.rlgrad.engine.backend.MemoryScope;
import org.rlgrad.engine.nn.Ensemble;
import org.rlgrad.engine.nn.Module;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.Device;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.tensordict.TensorDictVmap;
import org.rlgrad.engine.vmap.Randomness;

/**
 * An ensemble of N critics as one TensorDict module (spec engine.md 3.12): one member module (the
 * functional template) and a parameter dict of batch {@code [N]}, evaluated in ONE
 * {@link TensorDictVmap} over the member axis, each entry a {@link TensorDictModuleBase#forwardWith
 * functional call} of the member with its slice of the parameters.
 *
 * <ul>
 *   <li>{@link Layout#SHARED} (pattern "N0"): every member sees the same data; the result has
 *       batch {@code [N, *B]}.</li>
 *   <li>{@link Layout#STACKED} (pattern "00"): the data already has batch {@code [N, *B]};
 *       member {@code k} sees slice {@code k}.</li>
 * </ul>
 * Gradients reach every member's slice of the stacked parameters, as in the loop over members.
 * The input dict is not written to; the result is a new dict holding the inputs (expanded) and
 * the outputs.
 *
 * <p>The stacked tensors are this module's own parameters and buffers (so optimisers, device
 * moves and hold-out see them), registered under the member's dotted names with {@code '/'} in
 * place of {@code '.'} (Module names cannot hold dots); {@link #params()} gives them back as the
 * nested dict. The member's own tensors are never used.
 */
public class EnsembleModule extends TensorDictModuleBase {
    /** How the data relates to the members. */
    public enum Layout {
        /** Data shared by every member (vmap in-dim null): pattern N0. */
        SHARED,
        /** Data stacked on its first batch dim, one slice per member: pattern 00. */
        STACKED
    }

    private final TensorDictModuleBase member;
    private final int size;
    private final List<String> dottedNames;
    private Randomness randomness;

    /**
     * @param member  the functional template (its own tensors are not used)
     * @param stacked dotted name → tensor of leading dim N, for every parameter and buffer of the member
     */
    public EnsembleModule(TensorDictModuleBase member, Map<String, Tensor> stacked, Randomness randomness) {
        this.member = Objects.requireNonNull(member, "EnsembleModule: member is null");
        this.randomness = Objects.requireNonNull(randomness, "EnsembleModule: randomness is null");
        if (stacked.isEmpty()) throw new IllegalArgumentException("EnsembleModule: expected stacked parameters, got none (a module without parameters needs no ensemble)");
        int n = -1;
        Set<String> params = member.namedParameters().keySet();
        this.dottedNames = List.copyOf(stacked.keySet());
        for (Map.Entry<String, Tensor> e : stacked.entrySet()) {
            Tensor t = e.getValue();
            if (t.dim() == 0 || (n >= 0 && t.size(0) != n)) {
                throw new IllegalArgumentException("EnsembleModule: expected every stacked tensor to have the same leading (member) dim"
                        + (n >= 0 ? " " + n : "") + ", got '" + e.getKey() + "' of shape " + Arrays.toString(t.shapeRef()));
            }
            n = t.size(0);
            String local = e.getKey().replace('.', '/');
            if (params.contains(e.getKey()) && t.requiresGrad()) registerParameter(local, t);
            else registerBuffer(local, t);
        }
        List<String> missing = new ArrayList<>();
        for (String p : params) if (!stacked.containsKey(p)) missing.add(p);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("EnsembleModule: the stacked tensors lack the member's parameter(s) " + missing + "; given " + stacked.keySet());
        }
        this.size = n;
    }

    /**
     * N members grown from one module, as losses build critic ensembles ({@code expand_dim = N}):
     * each parameter re-drawn N times uniformly between its minimum and maximum, buffers copied;
     * parameters that are the very tensors in {@code compareAgainst} (shared with an actor) become
     * an expanded, detached, non-trainable view instead (see {@link Ensemble#expand}).
     */
    public static EnsembleModule expand(TensorDictModuleBase member, int n, Generator generator, List<Tensor> compareAgainst, Randomness randomness) {
        LinkedHashMap<String, Tensor> stacked = Ensemble.expand(member, n, generator);
        Set<Tensor> shared = Collections.newSetFromMap(new IdentityHashMap<>());
        if (compareAgainst != null) shared.addAll(compareAgainst);
        for (Map.Entry<String, Tensor> e : member.namedParameters().entrySet()) {
            if (!shared.contains(e.getValue())) continue;
            Tensor p = e.getValue();
            int[] shape = new int[p.dim() + 1];
            shape[0] = n;
            System.arraycopy(p.shapeRef(), 0, shape, 1, p.dim());
            stacked.put(e.getKey(), MemoryScope.persist(p.detach().unsqueeze(0).expand(shape)));
        }
        return new EnsembleModule(member, stacked, randomness);
    }

    /** The ensemble of {@code members}' current parameters (stacked copies); the first is the functional template. */
    public static EnsembleModule fromModules(List<? extends TensorDictModuleBase> members, Randomness randomness) {
        if (members.isEmpty()) throw new IllegalArgumentException("EnsembleModule.fromModules: expected at least one member, got none");
        return new EnsembleModule(members.get(0), Ensemble.stackModules(members), randomness);
    }

    /** The number of members N. */
    public int size() { return size; }

    public TensorDictModuleBase member() { return member; }

    public Randomness randomness() { return randomness; }

    /** Changes the vmap randomness (DIFFERENT for members with dropout). */
    public EnsembleModule randomness(Randomness randomness) {
        this.randomness = Objects.requireNonNull(randomness);
        return this;
    }

    /** The stacked tensors as a dict of batch {@code [N]} keyed by the member's paths (the module's own tensors: gradients reach them). */
    public TensorDict params() {
        LinkedHashMap<String, Tensor> own = new LinkedHashMap<>(namedParameters());
        own.putAll(namedBuffers());
        TensorDict td = new TensorDict(size);
        for (String dotted : dottedNames) td.set(Key.parse(dotted, "."), own.get(dotted.replace('.', '/')));
        return td;
    }

    /** Member {@code i}'s parameters (views of slice i: gradients reach the stacked tensors). */
    public TensorDict memberParams(int i) {
        return params().index(i);
    }

    @Override
    public List<Key> inKeys() { return member.inKeys(); }

    @Override
    public List<Key> outKeys() { return member.outKeys(); }

    /** {@link Layout#SHARED}: every member on the same data. */
    @Override
    protected TensorDict compute(TensorDict td) {
        return forward(td, Layout.SHARED);
    }

    /** The members on {@code td} in one vmap: batch {@code [N, *B]} out. */
    public TensorDict forward(TensorDict td, Layout layout) {
        return forwardWith(params(), td, layout, false);
    }

    /**
     * The members on {@code td} with the stacked parameters {@code params} (batch {@code [N]}, keys
     * as {@link #params()}: a target copy, or detached parameters) in place of the module's own.
     * {@code loop}: unbind the members and call them one after another, stacking the results (a
     * loss's {@code deactivate_vmap}); it refuses SAME randomness, and gives vmap's numbers when
     * nothing random runs.
     */
    public TensorDict forwardWith(TensorDict params, TensorDict td, Layout layout, boolean loop) {
        if (layout == Layout.STACKED && (td.batchDims() == 0 || td.batchSize()[0] != size)) {
            throw new IllegalArgumentException("EnsembleModule: the STACKED layout (pattern 00) expects data of batch [" + size + ", ...], got batch "
                    + Arrays.toString(td.batchSize()));
        }
        if (params.batchDims() == 0 || params.batchSize()[0] != size) {
            throw new IllegalArgumentException("EnsembleModule: expected parameters of batch [" + size + "], got batch " + Arrays.toString(params.batchSize()));
        }
        java.util.function.Function<List<Object>, List<Object>> body = args -> {
            TensorDict p = (TensorDict) args.get(0), d = ((TensorDict) args.get(1)).copy();
            return List.<Object>of(member.forwardWith(p, d));
        };
        List<Integer> inDims = Arrays.asList(0, layout == Layout.SHARED ? null : 0);
        var call = loop ? TensorDictVmap.pseudoVmap(body, inDims, List.of(0), randomness) : TensorDictVmap.vmap(body, inDims, List.of(0), randomness);
        return (TensorDict) call.apply(Arrays.asList(params, td)).get(0);
    }

    @Override
    public Module train(boolean mode) {
        super.train(mode);
        member.train(mode);
        return this;
    }

    @Override
    public Module to(Device device) {
        super.to(device);
        member.to(device);
        return this;
    }

    @Override
    public Module to(DType dtype) {
        super.to(dtype);
        member.to(dtype);
        return this;
    }

    @Override
    protected String extraRepr() {
        return "members=" + size + ", in_keys=" + inKeys() + ", out_keys=" + outKeys();
    }

}
