package org.rlgrad.engine.autograd;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.tensor.Tensor;

/**
 * Writes the graph behind a tensor in Graphviz DOT: one box per recorded op (with its output
 * shape), one ellipse per leaf (inputs and parameters), and edges in the direction data flowed
 * in the forward pass. Render with {@code dot -Tpng graph.dot -o graph.png}.
 */
public final class GraphDot {
    private GraphDot() {}

    public static String toDot(Tensor output) {
        return toDot(List.of(output), Map.of());
    }

    /** @param names optional labels for tensors (for example parameter names) */
    public static String toDot(List<Tensor> outputs, Map<Tensor, String> names) {
        Map<Tensor, String> ids = new IdentityHashMap<>();
        StringBuilder sb = new StringBuilder("digraph autograd {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
        ArrayDeque<Tensor> work = new ArrayDeque<>(outputs);
        for (Tensor t : outputs) id(ids, t);
        while (!work.isEmpty()) {
            Tensor t = work.pop();
            String id = ids.get(t);
            String shape = Arrays.toString(t.shapeRef());
            String label = lookup(names, t);
            Node node = t.gradFn();
            if (node == null) {
                sb.append("  ").append(id).append(" [shape=ellipse, label=\"")
                        .append(label == null ? (t.requiresGrad() ? "leaf" : "constant") : escape(label))
                        .append("\\n").append(shape).append(' ').append(t.dtype()).append("\"];\n");
                continue;
            }
            sb.append("  ").append(id).append(" [shape=box, style=rounded, label=\"").append(escape(node.name()))
                    .append(label == null ? "" : " (" + escape(label) + ")")
                    .append("\\n").append(shape).append("\"];\n");
            for (int i = 0; i < node.inputCount(); i++) {
                Tensor in = node.input(i);
                if (in == null) continue;
                boolean fresh = !ids.containsKey(in);
                String inId = id(ids, in);
                sb.append("  ").append(inId).append(" -> ").append(id).append(";\n");
                if (fresh) work.push(in);
            }
        }
        return sb.append("}\n").toString();
    }

    private static String lookup(Map<Tensor, String> names, Tensor t) {
        for (Map.Entry<Tensor, String> e : names.entrySet()) if (e.getKey() == t) return e.getValue();
        return null;
    }

    private static String id(Map<Tensor, String> ids, Tensor t) {
        return ids.computeIfAbsent(t, k -> "t" + ids.size());
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
