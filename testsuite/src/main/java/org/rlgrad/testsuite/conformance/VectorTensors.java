package org.rlgrad.testsuite.conformance;

import java.util.List;
import java.util.Map;

import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Reads the tensor objects of the vector files, {@code {"dtype", "shape", "data"}}, into rlgrad
 * tensors: {@code float64} as FLOAT64 (data may hold the strings {@code "Infinity"},
 * {@code "-Infinity"} and {@code "NaN"}), {@code int64} as INT64 from exact longs, {@code bool}
 * (written 0/1, or true/false) as BOOL. A malformed tensor is a {@link MalformedCaseException} that
 * says what was wrong.
 */
public final class VectorTensors {
    private VectorTensors() {}

    /** Whether a JSON value looks like a tensor object (has dtype, shape and data). */
    public static boolean isTensor(Object json) {
        return json instanceof Map<?, ?> m && m.containsKey("dtype") && m.containsKey("shape") && m.containsKey("data");
    }

    /** Decodes the tensor object {@code json}; {@code what} names it in errors ("inputs[0]", "expected.grads.input"). */
    public static Tensor decode(Object json, String what) {
        if (!isTensor(json)) throw new MalformedCaseException(what + ": expected a tensor object {dtype, shape, data}, got " + JsonValues.describe(json));
        Map<?, ?> m = (Map<?, ?>) json;
        int[] shape = shape(m.get("shape"), what);
        if (!(m.get("data") instanceof List<?> data)) throw new MalformedCaseException(what + ".data: expected a list, got " + JsonValues.describe(m.get("data")));
        int n = Shape.numel(shape);
        if (data.size() != n) {
            throw new MalformedCaseException(what + ": " + data.size() + " values for shape " + Shape.format(shape) + " (" + n + " elements)");
        }
        Object dtype = m.get("dtype");
        if ("float64".equals(dtype)) {
            double[] values = new double[n];
            for (int i = 0; i < n; i++) values[i] = floatValue(data.get(i), what, i);
            return Tensor.of(DType.FLOAT64, values, shape);
        }
        if ("int64".equals(dtype)) {
            long[] values = new long[n];
            for (int i = 0; i < n; i++) {
                if (!(data.get(i) instanceof Long v)) {
                    throw new MalformedCaseException(what + ".data[" + i + "]: expected an integer for int64, got " + JsonValues.describe(data.get(i)));
                }
                values[i] = v;
            }
            return Tensor.of(values, shape);
        }
        if ("bool".equals(dtype)) {
            boolean[] values = new boolean[n];
            for (int i = 0; i < n; i++) values[i] = boolValue(data.get(i), what, i);
            return Tensor.of(values, shape);
        }
        throw new MalformedCaseException(what + ".dtype: expected \"float64\", \"int64\" or \"bool\", got " + JsonValues.describe(dtype));
    }

    /** A float64 datum: a JSON number, or one of the strings "Infinity", "-Infinity", "NaN". */
    static double floatValue(Object v, String what, int i) {
        if (v instanceof Double d) return d;
        if (v instanceof Long l) return l; // an integral float written without a fraction
        if (v instanceof String s) {
            switch (s) {
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                case "NaN": return Double.NaN;
                default: break;
            }
        }
        throw new MalformedCaseException(what + ".data[" + i + "]: expected a number or \"Infinity\", \"-Infinity\", \"NaN\", got "
                + JsonValues.describe(v));
    }

    private static boolean boolValue(Object v, String what, int i) {
        if (v instanceof Long l && (l == 0 || l == 1)) return l == 1;
        if (v instanceof Boolean b) return b;
        throw new MalformedCaseException(what + ".data[" + i + "]: expected 0 or 1 for bool, got " + JsonValues.describe(v));
    }

    private static int[] shape(Object json, String what) {
        if (!(json instanceof List<?> list)) throw new MalformedCaseException(what + ".shape: expected a list of sizes, got " + JsonValues.describe(json));
        int[] shape = new int[list.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(list.get(i) instanceof Long size) || size < 0 || size > Integer.MAX_VALUE) {
                throw new MalformedCaseException(what + ".shape[" + i + "]: expected a non-negative integer, got " + JsonValues.describe(list.get(i)));
            }
            shape[i] = (int) (long) size;
        }
        return shape;
    }
}
