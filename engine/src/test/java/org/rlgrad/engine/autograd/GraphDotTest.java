package org.rlgrad.engine.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/** The DOT text of small graphs, parsed back into nodes and edges and checked exactly. */
class GraphDotTest {
    private static final Pattern NODE = Pattern.compile("^\\s*(t\\d+) \\[shape=(box|ellipse)[^\\]]*label=\"((?:[^\"\\\\]|\\\\.)*)\"\\];$");
    private static final Pattern EDGE = Pattern.compile("^\\s*(t\\d+) -> (t\\d+);$");

    /** A parsed DOT graph: id -> (shape, label), and edges as "from -> to" strings. */
    private record Graph(Map<String, String> shapes, Map<String, String> labels, List<String> edges) {
        /** The id of the one node whose label starts with {@code prefix}. */
        String id(String prefix) {
            List<String> found = new ArrayList<>();
            for (var e : labels.entrySet()) if (e.getValue().startsWith(prefix)) found.add(e.getKey());
            assertEquals(1, found.size(), "nodes labelled '" + prefix + "...': " + found + " in " + labels);
            return found.get(0);
        }
    }

    @Test
    void oneBoxPerOpOneEllipsePerLeafAndEdgesInDataFlowDirection() {
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {0.5, -1, 2}, 3).requiresGrad(true);
        Tensor b = Tensor.of(DType.FLOAT64, new double[] {0.1}, 1).requiresGrad(true);
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3}, 3); // data: no grad
        Tensor y = w.mul(x).add(b).tanh().square().sum(); // sum(tanh(w x + b)^2)

        String dot = GraphDot.toDot(List.of(y), Map.of(w, "w", b, "b", x, "x"));
        Graph g = parse(dot);

        // Boxes: exactly the five ops, each with its name and output shape.
        Set<String> boxes = new TreeSet<>();
        for (var e : g.shapes().entrySet()) if (e.getValue().equals("box")) boxes.add(g.labels().get(e.getKey()));
        assertEquals(new TreeSet<>(List.of("mul\\n[3]", "add\\n[3]", "tanh\\n[3]", "square\\n[3]", "sum\\n[]")), boxes, dot);
        // Ellipses: the three leaves, named, with shape and dtype.
        Set<String> ellipses = new TreeSet<>();
        for (var e : g.shapes().entrySet()) if (e.getValue().equals("ellipse")) ellipses.add(g.labels().get(e.getKey()));
        assertEquals(new TreeSet<>(List.of("w\\n[3] float64", "b\\n[1] float64", "x\\n[3] float64")), ellipses, dot);

        String mul = g.id("mul"), add = g.id("add"), tanh = g.id("tanh"), square = g.id("square"), sum = g.id("sum");
        Set<String> expected = new TreeSet<>(List.of(
                g.id("w") + " -> " + mul, g.id("x") + " -> " + mul,
                mul + " -> " + add, g.id("b") + " -> " + add,
                add + " -> " + tanh, tanh + " -> " + square, square + " -> " + sum));
        assertEquals(expected, new TreeSet<>(g.edges()), dot);
        assertEquals(expected.size(), g.edges().size(), "no duplicate edges: " + dot);
        // The output is the first node named.
        assertEquals("t0", sum);
    }

    @Test
    void unnamedLeavesSayWhetherTheyAreParametersOrConstants() {
        Tensor w = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor c = Tensor.of(new double[] {3, 4}, 2);
        String dot = GraphDot.toDot(w.mul(c));
        Graph g = parse(dot);
        assertEquals("ellipse", g.shapes().get(g.id("leaf")));
        assertEquals("ellipse", g.shapes().get(g.id("constant")));
        assertEquals(new TreeSet<>(List.of(g.id("leaf") + " -> t0", g.id("constant") + " -> t0")), new TreeSet<>(g.edges()));
    }

    @Test
    void aSharedSubexpressionAppearsOnce() {
        Tensor a = Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2).requiresGrad(true);
        Tensor h = a.exp();
        Tensor y = h.add(h.sin());
        Graph g = parse(GraphDot.toDot(y));
        String exp = g.id("exp"); // exactly one exp node, though two ops read it
        assertTrue(g.edges().contains(exp + " -> " + g.id("sin")));
        assertTrue(g.edges().contains(exp + " -> " + g.id("add")));
        assertEquals(4, g.shapes().size(), "leaf, exp, sin, add");
    }

    @Test
    void itIsAWellFormedDigraph() {
        Tensor a = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        String dot = GraphDot.toDot(List.of(a.square().sum()), Map.of(a, "the \"a\" vector"));
        assertTrue(dot.startsWith("digraph "), dot);
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < dot.length(); i++) {
            char ch = dot.charAt(i);
            if (ch == '\\' && inString) { i++; continue; }
            if (ch == '"') inString = !inString;
            if (inString) continue;
            if (ch == '{') depth++;
            if (ch == '}') depth--;
            assertTrue(depth >= 0, "'}' before '{' at " + i);
        }
        assertEquals(0, depth, "braces balance");
        assertTrue(!inString, "quotes balance");
        assertTrue(dot.strip().endsWith("}"), dot);
        assertTrue(dot.contains("the \\\"a\\\" vector"), "quotes in names are escaped: " + dot);
        parse(dot); // every line is a header, a node or an edge
    }

    private static Graph parse(String dot) {
        Map<String, String> shapes = new HashMap<>(), labels = new HashMap<>();
        List<String> edges = new ArrayList<>();
        for (String line : dot.split("\n")) {
            Matcher n = NODE.matcher(line), e = EDGE.matcher(line);
            if (n.matches()) {
                assertTrue(shapes.put(n.group(1), n.group(2)) == null, "node " + n.group(1) + " declared twice");
                labels.put(n.group(1), n.group(3));
            } else if (e.matches()) {
                edges.add(e.group(1) + " -> " + e.group(2));
            } else {
                assertTrue(line.startsWith("digraph") || line.equals("}") || line.strip().startsWith("rankdir")
                        || line.strip().startsWith("node ["), "unexpected DOT line: " + line);
            }
        }
        for (String edge : edges) {
            for (String end : edge.split(" -> ")) assertTrue(shapes.containsKey(end), "edge " + edge + " names an undeclared node");
        }
        return new Graph(shapes, labels, edges);
    }
}
