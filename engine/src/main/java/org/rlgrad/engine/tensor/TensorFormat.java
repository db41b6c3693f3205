package org.rlgrad.engine.tensor;

/** Renders a tensor the way PyTorch prints one: nested brackets, then dtype, device and grad status. */
final class TensorFormat {
    private static final int MAX_ELEMENTS = 1000;
    private static final int EDGE_ITEMS = 3;

    private TensorFormat() {}

    static String format(Tensor t) {
        StringBuilder sb = new StringBuilder("tensor(");
        int[] shape = t.shapeRef();
        boolean summarize = t.numel() > MAX_ELEMENTS;
        double[] values = t.toDoubleArray();
        appendLevel(sb, values, shape, 0, 0, t.dtype(), summarize, 8);
        sb.append(", shape=").append(Shape.format(shape)).append(", dtype=").append(t.dtype());
        if (!t.device().equals(Device.CPU)) sb.append(", device=").append(t.device());
        if (t.gradFn() != null) sb.append(", grad_fn=").append(t.gradFn().name());
        else if (t.requiresGrad()) sb.append(", requires_grad=true");
        return sb.append(')').toString();
    }

    private static int appendLevel(StringBuilder sb, double[] v, int[] shape, int dim, int pos, DType dtype, boolean summarize, int indent) {
        if (dim == shape.length) {
            sb.append(formatValue(v[pos], dtype));
            return pos + 1;
        }
        int n = shape[dim];
        int block = 1;
        for (int d = dim + 1; d < shape.length; d++) block *= shape[d];
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (summarize && n > 2 * EDGE_ITEMS && i == EDGE_ITEMS) {
                sb.append("...");
                i = n - EDGE_ITEMS - 1;
                sb.append(dim == shape.length - 1 ? ", " : ",\n" + " ".repeat(indent + dim));
                continue;
            }
            appendLevel(sb, v, shape, dim + 1, pos + i * block, dtype, summarize, indent);
            if (i < n - 1) sb.append(dim == shape.length - 1 ? ", " : ",\n" + " ".repeat(indent + dim));
        }
        sb.append(']');
        return pos + n * block;
    }

    private static String formatValue(double x, DType dtype) {
        return switch (dtype) {
            case BOOL -> x != 0 ? "True" : "False";
            case INT64 -> Long.toString((long) x);
            case FLOAT32 -> Float.toString((float) x);
            case FLOAT64 -> Double.toString(x);
        };
    }
}
