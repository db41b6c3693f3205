package org.rlgrad.estimators;

import java.util.ArrayList;
import java.util.List;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/** Argument checks shared by the estimators (spec estimators.md §1.1, §2, §5). */
final class Operands {
    static final String SHAPE_MESSAGE = "All input tensors (value, reward and done states) must share a unique shape.";

    private Operands() {}

    /** Names and tensors alternate: {@code "reward", reward, "done", done, ...}; null tensors are skipped. */
    static void requireSameShape(String fn, Object... namesAndTensors) {
        int[] first = null;
        boolean same = true;
        List<String> got = new ArrayList<>();
        for (int i = 0; i < namesAndTensors.length; i += 2) {
            Tensor t = (Tensor) namesAndTensors[i + 1];
            if (t == null) continue;
            got.add(namesAndTensors[i] + " " + Shape.format(t.shapeRef()));
            if (first == null) first = t.shapeRef();
            else if (!java.util.Arrays.equals(first, t.shapeRef())) same = false;
        }
        if (!same) throw new IllegalArgumentException(SHAPE_MESSAGE + " " + fn + " got " + String.join(", ", got) + ".");
    }

    static Coefficient requiredCoefficient(String fn, String name, Coefficient c) {
        if (c == null) throw new IllegalArgumentException(fn + ": " + name + " is required, got null");
        return c;
    }

    static Tensor required(String fn, String name, Tensor t) {
        if (t == null) throw new IllegalArgumentException(fn + ": " + name + " is required, got null");
        return t;
    }

    /** Values and rewards: floating point, all of the first one's dtype (the dtype the estimator computes in). */
    static DType requireFloating(String fn, Object... namesAndTensors) {
        DType dtype = null;
        String firstName = null;
        for (int i = 0; i < namesAndTensors.length; i += 2) {
            String name = (String) namesAndTensors[i];
            Tensor t = required(fn, name, (Tensor) namesAndTensors[i + 1]);
            if (!t.dtype().isFloating()) {
                throw new IllegalArgumentException(fn + ": " + name + " must be a floating-point tensor, got " + t.dtype());
            }
            if (dtype == null) {
                dtype = t.dtype();
                firstName = name;
            } else if (t.dtype() != dtype) {
                throw new IllegalArgumentException(fn + ": " + name + " must have the dtype of " + firstName + " (" + dtype + "), got " + t.dtype());
            }
        }
        return dtype;
    }

    /** done and terminated are flags: bool tensors, never numbers that would be read as weights. */
    static Tensor requireBool(String fn, String name, Tensor t) {
        required(fn, name, t);
        if (t.dtype() != DType.BOOL) throw new IllegalArgumentException(fn + ": " + name + " must be a bool tensor, got " + t.dtype());
        return t;
    }

    static void rejectOption(String fn, String option, Object value) {
        if (value != null) throw new IllegalArgumentException(fn + " takes no " + option + " argument, got " + value);
    }

    /** A bool flag as 0/1 numbers of the data's dtype (spec §1.5: flags are multiplied in). */
    static Tensor asNumbers(Tensor flag, DType dtype) {
        return flag.to(dtype);
    }

    static Tensor not(Tensor flag, DType dtype) {
        return flag.logicalNot().to(dtype);
    }

    /**
     * A coefficient in the canonical layout: a rank-0 tensor of the data's dtype and device when
     * it is single (a number or one element), otherwise the tensor broadcast to the data's shape
     * (error naming the argument if it cannot be) and moved like the data.
     */
    static Tensor coefficient(String fn, String name, Coefficient c, Tensor data, TimeAxis axis) {
        Tensor single = single(fn, name, c, data);
        if (single != null) return single;
        Tensor t = ((Coefficient.OfTensor) c).tensor();
        return axis.canonical(broadcastToData(fn, name, onDataDeviceAndDtype(fn, name, t, data), data));
    }

    /** A single coefficient as a rank-0 tensor of the data's dtype and device; null if it has several elements. */
    static Tensor single(String fn, String name, Coefficient c, Tensor data) {
        if (c == null) throw new IllegalArgumentException(fn + ": " + name + " is required, got null");
        return switch (c) {
            case Coefficient.Number n -> data.newScalar(n.value(), data.dtype());
            case Coefficient.OfTensor ot -> ot.tensor().numel() == 1
                    ? onDataDeviceAndDtype(fn, name, ot.tensor(), data).reshape()
                    : null;
        };
    }

    /** A tensor argument that need not have the data's shape (broadcast), moved like the data. */
    static Tensor broadcastOperand(String fn, String name, Tensor t, Tensor data, TimeAxis axis) {
        return axis.canonical(broadcastToData(fn, name, t, data));
    }

    private static Tensor onDataDeviceAndDtype(String fn, String name, Tensor t, Tensor data) {
        if (!t.dtype().isFloating()) throw new IllegalArgumentException(fn + ": " + name + " must be a number or a floating-point tensor, got " + t.dtype());
        Tensor moved = t.device().equals(data.device()) ? t : t.to(data.device());
        return moved.dtype() == data.dtype() ? moved : moved.to(data.dtype());
    }

    private static Tensor broadcastToData(String fn, String name, Tensor t, Tensor data) {
        int[] target = data.shapeRef();
        if (java.util.Arrays.equals(t.shapeRef(), target)) return t;
        boolean ok = t.dim() <= target.length;
        for (int i = 1; ok && i <= t.dim(); i++) {
            int s = t.size(t.dim() - i);
            ok = s == 1 || s == target[target.length - i];
        }
        if (!ok) {
            throw new IllegalArgumentException(fn + ": " + name + " must be a number, a one-element tensor or a tensor broadcastable to the data's shape "
                    + Shape.format(target) + ", got " + Shape.format(t.shapeRef()));
        }
        return t.expand(target);
    }
}
