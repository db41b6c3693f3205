package org.rlgrad.engine.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.rlgrad.engine.tensor.Tensor;

/**
 * Reverse-mode automatic differentiation.
 *
 * <p>Ops call {@link #record} to attach a {@link Node} to their output. {@link #backward} and
 * {@link #grad} walk the graph from the outputs back to the inputs in reverse topological order:
 * a tensor's gradient is complete once every op that consumed it has passed its share back, and
 * only then is it handed to the op that produced it (the chain rule, one vector-Jacobian product
 * per op). Backward formulas are Tensor ops, so running them with recording on
 * ({@code createGraph}) builds the graph of the gradient itself, and gradients of gradients follow.
 */
public final class Autograd {
    private Autograd() {}

    /**
     * Attaches history to a freshly computed {@code output} when recording is on and some input
     * requires grad; returns {@code output}.
     *
     * @param saved the tensors {@code backward} reads (it captures them); if one is modified in
     *              place before backward runs, backward fails instead of using the new values
     */
    public static Tensor record(String op, Tensor output, Tensor[] inputs, Tensor[] saved, Backward backward) {
        if (!GradMode.isEnabled()) return output;
        boolean any = false;
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                any = true;
                break;
            }
        }
        if (!any) return output;
        if (!output.dtype().isFloating()) return output;
        StackTraceElement[] where = AnomalyMode.isEnabled() ? new Throwable().getStackTrace() : null;
        output.attachGradFn(new Node(op, inputs, saved, backward, output, where));
        return output;
    }

    /** Shorthand for {@link #record} with nothing saved but what the closure captures from its inputs. */
    public static Tensor record(String op, Tensor output, Tensor[] inputs, Backward backward) {
        return record(op, output, inputs, new Tensor[0], backward);
    }

    /**
     * Accumulates d(output)/d(leaf) into every leaf's {@code grad}, weighting by
     * {@code gradOutput} (required unless the output has one element).
     */
    public static void backward(Tensor output, Tensor gradOutput, boolean retainGraph) {
        backward(List.of(output), gradOutput == null ? null : Collections.singletonList(gradOutput), retainGraph, false);
    }

    /** Backward from several outputs at once; {@code createGraph} keeps the gradients differentiable. */
    public static void backward(List<Tensor> outputs, List<Tensor> gradOutputs, boolean retainGraph, boolean createGraph) {
        for (Tensor o : outputs) {
            if (!o.requiresGrad()) {
                throw new IllegalStateException("backward: output of shape " + Arrays.toString(o.shapeRef())
                        + " does not require grad and has no history (was it computed under noGrad, or from detached values?)");
            }
        }
        run(outputs, gradOutputs, null, retainGraph || createGraph, createGraph);
    }

    /**
     * The gradients of {@code outputs} (weighted by {@code gradOutputs}) with respect to
     * {@code inputs}, without touching any {@code grad} field.
     *
     * @param createGraph  record the backward computation, so the result can be differentiated
     * @param retainGraph  keep the graph for another pass (implied by createGraph)
     * @param allowUnused  when false, an input the outputs do not depend on is an error; when
     *                     true it gets a tensor of zeros
     */
    public static List<Tensor> grad(List<Tensor> outputs, List<Tensor> inputs, List<Tensor> gradOutputs,
                                    boolean createGraph, boolean retainGraph, boolean allowUnused) {
        for (int i = 0; i < inputs.size(); i++) {
            if (!inputs.get(i).requiresGrad()) {
                throw new IllegalArgumentException("grad: input " + i + " of shape " + Arrays.toString(inputs.get(i).shapeRef())
                        + " does not require grad");
            }
        }
        for (Tensor o : outputs) {
            if (!o.requiresGrad()) {
                throw new IllegalStateException("grad: an output of shape " + Arrays.toString(o.shapeRef()) + " does not require grad");
            }
        }
        Map<Tensor, Tensor> found = run(outputs, gradOutputs, inputs, retainGraph || createGraph, createGraph);
        List<Tensor> result = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            Tensor g = found.get(inputs.get(i));
            if (g == null) {
                if (!allowUnused) {
                    throw new IllegalArgumentException("grad: input " + i + " of shape " + Arrays.toString(inputs.get(i).shapeRef())
                            + " was not used to compute the outputs; pass allowUnused=true to get zeros for it");
                }
                g = Tensor.zerosLike(inputs.get(i));
            }
            result.add(g);
        }
        return result;
    }

    /** {@link #grad} for one output and one input, without createGraph. */
    public static Tensor grad(Tensor output, Tensor input) {
        return grad(List.of(output), List.of(input), null, false, false, false).get(0);
    }

    private static Map<Tensor, Tensor> run(List<Tensor> outputs, List<Tensor> gradOutputs, List<Tensor> wanted,
                                           boolean retainGraph, boolean createGraph) {
        Set<Tensor> wantedSet = Collections.newSetFromMap(new IdentityHashMap<>());
        if (wanted != null) wantedSet.addAll(wanted);
        List<Tensor> order = topologicalOrder(outputs);
        // For grad(), only tensors on a path to a wanted input need their gradient.
        Set<Tensor> needed = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Tensor t : order) {
            if (wanted == null || wantedSet.contains(t)) {
                needed.add(t);
                continue;
            }
            Node node = t.gradFn();
            if (node == null) continue;
            for (int i = 0; i < node.inputCount(); i++) {
                if (node.input(i) != null && needed.contains(node.input(i))) {
                    needed.add(t);
                    break;
                }
            }
        }

        Map<Tensor, Tensor> pending = new IdentityHashMap<>();
        try (GradMode.Scope scope = GradMode.setEnabled(createGraph)) {
            for (int i = 0; i < outputs.size(); i++) {
                Tensor out = outputs.get(i);
                Tensor g = gradOutputs == null || gradOutputs.get(i) == null ? implicitGrad(out) : gradOutputs.get(i);
                if (!Arrays.equals(g.shapeRef(), out.shapeRef())) {
                    throw new IllegalArgumentException("backward: gradient of shape " + Arrays.toString(g.shapeRef())
                            + " given for an output of shape " + Arrays.toString(out.shapeRef()));
                }
                accumulate(pending, out, g);
            }
            Map<Tensor, Tensor> found = new IdentityHashMap<>();
            for (int k = order.size() - 1; k >= 0; k--) {
                Tensor t = order.get(k);
                Tensor g = pending.remove(t);
                if (g == null || !needed.contains(t)) continue;
                for (UnaryOperator<Tensor> hook : t.hooks()) {
                    Tensor replaced = hook.apply(g);
                    if (replaced != null) g = replaced;
                }
                if (wanted != null) {
                    if (wantedSet.contains(t)) found.put(t, g);
                } else if (t.isLeaf() || t.retainsGrad()) {
                    // Stored contiguous (a transposed weight's gradient arrives as a transposed
                    // view), as PyTorch's AccumulateGrad does: optimisers then stream over it.
                    Tensor stored = (createGraph ? g : g.detach()).contiguous();
                    t.setGrad(t.grad() == null ? stored : t.grad().add(stored));
                }
                Node node = t.gradFn();
                if (node == null) continue;
                Tensor[] grads = node.runBackward(g);
                if (AnomalyMode.isEnabled()) checkFinite(node, grads);
                for (int i = 0; i < node.inputCount(); i++) {
                    Tensor in = node.input(i);
                    if (in == null || grads[i] == null || !node.needsGrad(i) || !needed.contains(in)) continue;
                    Tensor gi = grads[i];
                    if (!Arrays.equals(gi.shapeRef(), in.shapeRef())) {
                        throw new IllegalStateException("autograd: backward of '" + node.name() + "' returned a gradient of shape "
                                + Arrays.toString(gi.shapeRef()) + " for input " + i + " of shape " + Arrays.toString(in.shapeRef()));
                    }
                    if (gi.dtype() != in.dtype()) gi = gi.to(in.dtype());
                    accumulate(pending, in, gi);
                }
                if (!retainGraph) node.release();
            }
            return found;
        }
    }

    private static Tensor implicitGrad(Tensor out) {
        if (out.numel() != 1) {
            throw new IllegalArgumentException("backward: a gradient can be implied only for a one-element output; got shape "
                    + Arrays.toString(out.shapeRef()) + ", pass gradOutput");
        }
        return Tensor.onesLike(out);
    }

    private static void accumulate(Map<Tensor, Tensor> pending, Tensor t, Tensor g) {
        Tensor previous = pending.get(t);
        pending.put(t, previous == null ? g : previous.add(g));
    }

    /** Tensors reachable from {@code outputs}, each after all the tensors it was computed from. */
    private static List<Tensor> topologicalOrder(List<Tensor> outputs) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object[]> stack = new ArrayDeque<>(); // {tensor, next input index}
        for (Tensor root : outputs) {
            if (!visited.add(root)) continue;
            stack.push(new Object[] {root, 0});
            while (!stack.isEmpty()) {
                Object[] frame = stack.peek();
                Tensor t = (Tensor) frame[0];
                int next = (Integer) frame[1];
                Node node = t.gradFn();
                if (node != null && next < node.inputCount()) {
                    frame[1] = next + 1;
                    Tensor in = node.input(next);
                    if (in != null && node.needsGrad(next) && visited.add(in)) stack.push(new Object[] {in, 0});
                } else {
                    stack.pop();
                    order.add(t);
                }
            }
        }
        return order;
    }

    private static boolean isEngineInternal(String className) {
        return className.startsWith("org.rlgrad.engine.autograd.") || className.startsWith("org.rlgrad.engine.ops.")
                || className.startsWith("org.rlgrad.engine.tensor.");
    }

    private static void checkFinite(Node node, Tensor[] grads) {
        for (int i = 0; i < grads.length; i++) {
            if (grads[i] == null || !grads[i].dtype().isFloating()) continue;
            for (double v : grads[i].toDoubleArray()) {
                if (!Double.isFinite(v)) {
                    StringBuilder where = new StringBuilder();
                    StackTraceElement[] site = node.createdAt();
                    if (site != null) {
                        for (StackTraceElement e : site) {
                            if (isEngineInternal(e.getClassName())) continue;
                            where.append("\n    at ").append(e);
                            if (where.length() > 600) break;
                        }
                    }
                    throw new AnomalyMode.AnomalyException("anomaly: backward of '" + node.name() + "' produced "
                            + (Double.isNaN(v) ? "NaN" : "an infinity") + " in the gradient of its input " + i
                            + "; the op was created" + (where.length() == 0 ? " (site unknown)" : ":" + where));
                }
            }
        }
    }
}
