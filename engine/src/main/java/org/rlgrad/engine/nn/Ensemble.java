package org.rlgrad.engine.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.backend.MemoryScope;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.vmap.Randomness;
import org.rlgrad.engine.vmap.Vmap;

/**
 * Ensembles of one network (spec engine.md 2.8 and 3.12): N members' parameters stacked into
 * tensors of leading dim N, and the network evaluated once for all members by vmapping a
 * {@link Module#functionalCall} over that dim. Gradients reach each member's slice of the stacked
 * tensors, as they would in the loop over members.
 *
 * <p>Parameter sets are plain maps from dotted names ({@link Module#stateDict} keys) to tensors,
 * so that a TensorDict of batch [N] can be passed as its flattened leaves.
 */
public final class Ensemble {
    private Ensemble() {}

    /**
     * Stacks N parameter maps with the same keys and shapes into fresh leaves of shape [N, ...]
     * (TensorDict's {@code stack([p1, ..., pN])}); a key requires grad when it does in any member.
     */
    public static LinkedHashMap<String, Tensor> stack(List<? extends Map<String, Tensor>> members) {
        if (members.isEmpty()) throw new IllegalArgumentException("Ensemble.stack: no members");
        Map<String, Tensor> first = members.get(0);
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        for (String key : first.keySet()) {
            List<Tensor> slices = new ArrayList<>();
            boolean grad = false;
            for (int i = 0; i < members.size(); i++) {
                Tensor t = members.get(i).get(key);
                if (t == null || members.get(i).size() != first.size()) {
                    throw new IllegalArgumentException("Ensemble.stack: member " + i + " has keys " + members.get(i).keySet()
                            + ", member 0 has " + first.keySet());
                }
                if (!Arrays.equals(t.shapeRef(), first.get(key).shapeRef())) {
                    throw new IllegalArgumentException("Ensemble.stack: '" + key + "' has shape " + Shape.format(t.shapeRef()) + " in member " + i
                            + " and " + Shape.format(first.get(key).shapeRef()) + " in member 0");
                }
                grad |= t.requiresGrad();
                slices.add(t.detach());
            }
            Tensor stacked = MemoryScope.persist(Tensor.stack(slices, 0).contiguous());
            out.put(key, grad ? stacked.requiresGrad(true) : stacked);
        }
        return out;
    }

    /** The stacked parameters of {@code modules} (TensorDict's {@code from_modules}): parameters and buffers. */
    public static LinkedHashMap<String, Tensor> stackModules(List<? extends Module> modules) {
        List<Map<String, Tensor>> members = new ArrayList<>();
        for (Module m : modules) {
            LinkedHashMap<String, Tensor> p = m.stateDict();
            for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) p.put(e.getKey(), e.getValue());
            members.add(p);
        }
        return stack(members);
    }

    /**
     * N independent members grown from one module, as TorchRL's loss modules build critic
     * ensembles ({@code expand_dim = N}, spec 3.12): each parameter becomes N copies drawn
     * uniformly between that parameter's current minimum and maximum, requiring grad; each buffer
     * becomes N copies of its value.
     */
    public static LinkedHashMap<String, Tensor> expand(Module module, int n, Generator generator) {
        if (n <= 0) throw new IllegalArgumentException("Ensemble.expand: the number of members must be positive, got " + n);
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        Map<String, Tensor> params = module.namedParameters();
        try (var scope = GradMode.noGrad()) {
            for (Map.Entry<String, Tensor> e : module.stateDict().entrySet()) {
                Tensor t = e.getValue();
                int[] shape = new int[t.dim() + 1];
                shape[0] = n;
                System.arraycopy(t.shapeRef(), 0, shape, 1, t.dim());
                Tensor copies;
                if (params.containsKey(e.getKey()) && t.numel() > 0) {
                    double lo = t.min().item(), hi = t.max().item();
                    copies = generator.uniform(shape, lo, hi, t.dtype()).to(t.device()).requiresGrad(true);
                } else {
                    copies = t.unsqueeze(0).expand(shape).contiguous();
                    if (params.containsKey(e.getKey())) copies.requiresGrad(true);
                }
                out.put(e.getKey(), MemoryScope.persist(copies));
            }
        }
        return out;
    }

    /** Member {@code i}'s tensors: views of slice i of each stacked tensor (they carry gradient to it). */
    public static LinkedHashMap<String, Tensor> member(Map<String, Tensor> stacked, int i) {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : stacked.entrySet()) out.put(e.getKey(), e.getValue().select(0, i));
        return out;
    }

    /**
     * Evaluates {@code body} (which runs {@code module}) once per member, in one vmap over dim 0 of
     * the stacked tensors. {@code inputDims} gives each input's mapped dim, or null for an input
     * shared by every member (pattern N0: outputs [N, *B, ...]; pattern 00: inputs stacked
     * [N, *B, ...] mapped on 0). Every output gets the member dim first.
     */
    public static List<Tensor> call(Module module, Map<String, Tensor> stacked, Function<List<Tensor>, List<Tensor>> body,
                                    List<Tensor> inputs, List<Integer> inputDims, Randomness randomness) {
        if (inputDims.size() != inputs.size()) {
            throw new IllegalArgumentException("Ensemble.call: " + inputs.size() + " inputs but " + inputDims.size() + " input dims");
        }
        List<String> keys = new ArrayList<>(stacked.keySet());
        List<Tensor> args = new ArrayList<>(stacked.values());
        args.addAll(inputs);
        List<Integer> dims = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) dims.add(0);
        dims.addAll(inputDims);
        return Vmap.vmap(xs -> {
            LinkedHashMap<String, Tensor> params = new LinkedHashMap<>();
            for (int i = 0; i < keys.size(); i++) params.put(keys.get(i), xs.get(i));
            return module.functionalCall(params, () -> body.apply(xs.subList(keys.size(), xs.size())));
        }, dims, List.of(0), randomness).apply(args);
    }

    /** {@link #call} of a one-input module: {@code inputDim} null shares the input (N0), 0 maps it (00). */
    public static Tensor call(UnaryModule module, Map<String, Tensor> stacked, Tensor input, Integer inputDim, Randomness randomness) {
        List<Integer> dims = new ArrayList<>();
        dims.add(inputDim);
        return call(module, stacked, xs -> List.of(module.forward(xs.get(0))), List.of(input), dims, randomness).get(0);
    }
}
