package org.rlgrad.engine.vmap;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import org.rlgrad.engine.ops.Joining;
import org.rlgrad.engine.ops.Pointwise;
import org.rlgrad.engine.ops.Views;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensor.ValuesAndIndices;

/**
 * The batching rules' building blocks, which the ops call on entry when an argument is batched
 * ({@code if (x.isBatched()) return Batching.perElement(x, Pointwise::exp);}). Each rule works at
 * the innermost vmap level among its arguments: it takes the physical values, moves the batch dim
 * to the front where the op cares about positions, shifts dim arguments by one, calls the
 * ordinary op on the physical values and wraps the result. Gradients therefore come from the
 * ordinary ops' backward, and nested levels compose (the physical values may be batched at an
 * outer level, whose rules run inside the ordinary op).
 */
public final class Batching {
    private Batching() {}

    /** A dim-taking op applied to a physical value: {@code op(value, dim)}. */
    @FunctionalInterface
    public interface AlongDim<R> {
        R apply(Tensor value, int dim);
    }

    /** A reduction applied to a physical value: {@code op(value, dims, keepdim)}. */
    @FunctionalInterface
    public interface Reduce {
        Tensor apply(Tensor value, int[] dims, boolean keepdim);
    }

    // ------------------------------------------------------------------ levels and values

    static Tensor wrap(Tensor physical, int dim, VmapLevel level) {
        return new Tensor(new BatchedValue(physical, dim, level));
    }

    /** The innermost level among the batched arguments (nulls allowed), checked to be still running. */
    static VmapLevel levelOf(Tensor... args) {
        VmapLevel top = null;
        for (Tensor t : args) {
            if (t == null || t.batched() == null) continue;
            VmapLevel l = t.batched().level();
            if (top == null || l.id() > top.id()) top = l;
        }
        if (top == null) throw new IllegalStateException("vmap: internal error: a batching rule ran without a batched argument");
        top.requireOpen();
        return top;
    }

    private static boolean isAt(Tensor t, VmapLevel level) {
        return t != null && t.batched() != null && t.batched().level() == level;
    }

    /** The physical value of {@code t} (batched at its own level) with the batch dim first: {@code [N, *logical]}. */
    private static Tensor batchFirst(Tensor t) {
        BatchedValue b = t.batched();
        return b.dim() == 0 ? b.value() : Views.movedim(b.value(), b.dim(), 0);
    }

    /** {@code t} as a physical {@code [N, *logical]} at {@code level}: an unbatched tensor is expanded (a view). */
    private static Tensor batchFirstExpanded(Tensor t, VmapLevel level) {
        if (isAt(t, level)) return batchFirst(t);
        int[] sizes = new int[t.dim() + 1];
        sizes[0] = level.size();
        System.arraycopy(t.shapeRef(), 0, sizes, 1, t.dim());
        return Views.expand(Views.unsqueeze(t, 0), sizes);
    }

    private static int[] shifted(int[] dims) {
        int[] out = new int[dims.length];
        for (int i = 0; i < dims.length; i++) out[i] = dims[i] + 1;
        return out;
    }

    // ------------------------------------------------------------------ rules

    /**
     * Ops that treat every element alike and keep the positions of the existing dims (element-wise
     * functions, casts, copies, one-hot's new trailing dim): the batch dim stays where it is.
     */
    public static Tensor perElement(Tensor x, UnaryOperator<Tensor> op) {
        BatchedValue b = x.batched();
        b.level().requireOpen();
        return wrap(op.apply(b.value()), b.dim(), b.level());
    }

    /** Ops that treat leading dims as a batch (linear on the last dim): the batch dim goes first. */
    public static Tensor leadingBatch(Tensor x, UnaryOperator<Tensor> op) {
        VmapLevel level = levelOf(x);
        return wrap(op.apply(batchFirst(x)), 0, level);
    }

    /** {@link #broadcasting(Tensor[], boolean, Function)} for two arguments of an arithmetic op. */
    public static Tensor broadcasting(Tensor a, Tensor b, BinaryOperator<Tensor> op) {
        return broadcasting(new Tensor[] {a, b}, true, p -> op.apply(p[0], p[1]));
    }

    /**
     * Broadcasting ops (binary arithmetic, comparisons, where, clamp with tensor bounds, matmul's
     * batch dims). Batched arguments get their batch dim first and unit dims after it up to the
     * largest logical rank, so that the per-entry dims line up from the right as they do in the
     * loop; unbatched arguments broadcast against them unchanged. Null arguments stay null.
     *
     * <p>{@code promotes}: the result dtype follows PyTorch's promotion, where a 0-dim operand does
     * not promote a dimensioned one of its category, and a batched 0-dim operand is physically
     * 1-dim. So the dtype the loop computes in is worked out from the logical operands; a batched
     * 0-dim float32 operand that should be widened is cast up first (exact), and a float64 result
     * that the loop would have rounded to float32 is rounded after the op, as the loop's kernel
     * rounds its output (not its input).
     */
    public static Tensor broadcasting(Tensor[] args, boolean promotes, Function<Tensor[], Tensor> op) {
        VmapLevel level = levelOf(args);
        DType target = promotes ? loopDtype(args) : null;
        int rank = 0;
        for (Tensor t : args) if (t != null) rank = Math.max(rank, t.dim());
        Tensor[] physical = new Tensor[args.length];
        for (int i = 0; i < args.length; i++) {
            Tensor t = args[i];
            if (!isAt(t, level)) {
                physical[i] = t;
                continue;
            }
            if (target != null && t.dim() == 0 && t.dtype() == DType.FLOAT32 && target == DType.FLOAT64) t = Pointwise.cast(t, target);
            Tensor p = batchFirst(t);
            for (int k = t.dim(); k < rank; k++) p = Views.unsqueeze(p, 1);
            physical[i] = p;
        }
        Tensor result = op.apply(physical);
        if (target != null && result.dtype().isFloating() && target.isFloating() && result.dtype() != target) result = Pointwise.cast(result, target);
        return wrap(result, 0, level);
    }

    /** The dtype the loop's op computes in, when a batched 0-dim operand makes it differ from the physical op's; else null. */
    private static DType loopDtype(Tensor[] args) {
        DType dimensioned = null, scalar = null;
        boolean batchedScalar = false;
        for (Tensor t : args) {
            if (t == null) continue;
            if (t.dim() == 0) {
                scalar = scalar == null ? t.dtype() : DType.max(scalar, t.dtype());
                batchedScalar |= t.isBatched();
            } else {
                dimensioned = dimensioned == null ? t.dtype() : DType.max(dimensioned, t.dtype());
            }
        }
        if (!batchedScalar) return null;
        return dimensioned == null || category(scalar) > category(dimensioned) ? scalar : dimensioned;
    }

    private static int category(DType t) {
        return t == DType.BOOL ? 0 : t == DType.INT64 ? 1 : 2;
    }

    /**
     * Reductions over normalised logical dims (sorted; every dim when the caller asked for all):
     * the batch dim goes first and is never reduced. A 0-dim entry reduces over nothing, which
     * the ops cannot say (an empty dim list means all dims), so it reduces over a unit dim instead.
     */
    public static Tensor reduction(Tensor x, int[] dims, boolean keepdim, Reduce op) {
        VmapLevel level = levelOf(x);
        Tensor p = batchFirst(x);
        if (dims.length == 0) return wrap(op.apply(Views.unsqueeze(p, 1), new int[] {1}, false), 0, level);
        return wrap(op.apply(p, shifted(dims), keepdim), 0, level);
    }

    /** Ops along one normalised logical dim of an entry of rank 1 or more: the batch dim goes first. */
    public static Tensor alongDim(Tensor x, int dim, AlongDim<Tensor> op) {
        VmapLevel level = levelOf(x);
        return wrap(op.apply(batchFirst(x), dim + 1), 0, level);
    }

    /** {@link #alongDim} for ops returning values and indices. */
    public static ValuesAndIndices alongDimPair(Tensor x, int dim, AlongDim<ValuesAndIndices> op) {
        VmapLevel level = levelOf(x);
        ValuesAndIndices r = op.apply(batchFirst(x), dim + 1);
        return new ValuesAndIndices(wrap(r.values(), 0, level), wrap(r.indices(), 0, level));
    }

    /** Ops along several normalised logical dims (flip): the batch dim goes first. */
    public static Tensor alongDims(Tensor x, int[] dims, BiFunction<Tensor, int[], Tensor> op) {
        VmapLevel level = levelOf(x);
        return wrap(op.apply(batchFirst(x), shifted(dims)), 0, level);
    }

    /** Ops taking a resolved logical shape (reshape, view, expand): the physical shape is {@code [N, *shape]}. */
    public static Tensor reshaped(Tensor x, int[] shape, BiFunction<Tensor, int[], Tensor> op) {
        VmapLevel level = levelOf(x);
        int[] full = new int[shape.length + 1];
        full[0] = level.size();
        System.arraycopy(shape, 0, full, 1, shape.length);
        return wrap(op.apply(batchFirst(x), full), 0, level);
    }

    /** expand to a resolved logical shape that may add leading dims: unit dims go after the batch dim first. */
    public static Tensor expanded(Tensor x, int[] shape) {
        VmapLevel level = levelOf(x);
        Tensor p = batchFirst(x);
        for (int k = x.dim(); k < shape.length; k++) p = Views.unsqueeze(p, 1);
        int[] full = new int[shape.length + 1];
        full[0] = level.size();
        System.arraycopy(shape, 0, full, 1, shape.length);
        return wrap(Views.expand(p, full), 0, level);
    }

    /** permute by a normalised logical permutation: the batch dim stays first. */
    public static Tensor permuted(Tensor x, int[] perm) {
        VmapLevel level = levelOf(x);
        int[] full = new int[perm.length + 1];
        for (int i = 0; i < perm.length; i++) full[i + 1] = perm[i] + 1;
        return wrap(Views.permute(batchFirst(x), full), 0, level);
    }

    /** cat along a normalised logical dim: unbatched pieces are expanded over the batch. */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        VmapLevel level = levelOf(tensors.toArray(new Tensor[0]));
        List<Tensor> physical = new ArrayList<>(tensors.size());
        for (Tensor t : tensors) physical.add(batchFirstExpanded(t, level));
        return wrap(Joining.cat(physical, dim + 1), 0, level);
    }

    /**
     * Index ops whose arguments must agree dim by dim (gather, scatter, scatter_add): every
     * argument gets the batch dim first, unbatched ones expanded over it, and the dim shifts by one.
     */
    public static Tensor indexed(Tensor[] args, int dim, BiFunction<Tensor[], Integer, Tensor> op) {
        VmapLevel level = levelOf(args);
        Tensor[] physical = new Tensor[args.length];
        for (int i = 0; i < args.length; i++) physical[i] = batchFirstExpanded(args[i], level);
        return wrap(op.apply(physical, dim + 1), 0, level);
    }

    // ------------------------------------------------------------------ the safety net

    /**
     * The error for an op that met a batched tensor without a batching rule: it reached
     * {@code what} (the memory, the strides, ...) of the batched tensor, which only rules may see.
     * The op is named from the call stack: the innermost public method of the ops, random or
     * distributions packages, else the outermost {@code Tensor} method the caller called.
     */
    public static IllegalStateException noRule(String what) {
        return new IllegalStateException("vmap: no batching rule for '" + opOnStack() + "'; use PseudoVmap (an explicit loop over the entries) "
                + "for this function, or call the op outside the vmapped function (it reached " + what + " of a batched tensor, which only batching rules may see)");
    }

    private static final List<String> OP_PACKAGES = List.of("org.rlgrad.engine.ops", "org.rlgrad.engine.random", "org.rlgrad.engine.distributions");

    private static String opOnStack() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> {
            String outermostTensorMethod = null;
            for (StackWalker.StackFrame f : (Iterable<StackWalker.StackFrame>) frames::iterator) {
                Class<?> c = f.getDeclaringClass();
                if (OP_PACKAGES.contains(c.getPackageName()) && isPublic(c, f)) return c.getSimpleName() + "." + f.getMethodName();
                if (c == Tensor.class && isPublic(c, f)) outermostTensorMethod = "Tensor." + f.getMethodName();
            }
            return outermostTensorMethod == null ? "unknown op" : outermostTensorMethod;
        });
    }

    private static boolean isPublic(Class<?> c, StackWalker.StackFrame f) {
        if (!Modifier.isPublic(c.getModifiers())) return false;
        try {
            Method m = c.getDeclaredMethod(f.getMethodName(), f.getMethodType().parameterArray());
            return Modifier.isPublic(m.getModifiers()) && !m.isSynthetic();
        } catch (NoSuchMethodException | RuntimeException e) {
            return false; // constructors, lambdas
        }
    }
}
