package org.rlgrad.engine.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.autograd.Node;
import org.rlgrad.engine.backend.Backend;
import org.rlgrad.engine.backend.MemoryScope;
import org.rlgrad.engine.backend.Storage;
import org.rlgrad.engine.ops.Arithmetic;
import org.rlgrad.engine.ops.Creation;
import org.rlgrad.engine.ops.DeviceTransfer;
import org.rlgrad.engine.ops.Functional;
import org.rlgrad.engine.ops.Indexing;
import org.rlgrad.engine.ops.InPlace;
import org.rlgrad.engine.ops.Joining;
import org.rlgrad.engine.ops.LinearAlgebra;
import org.rlgrad.engine.ops.Pointwise;
import org.rlgrad.engine.ops.Reductions;
import org.rlgrad.engine.ops.Scans;
import org.rlgrad.engine.ops.Views;
import org.rlgrad.engine.vmap.BatchedValue;
import org.rlgrad.engine.vmap.Batching;

/**
 * An n-dimensional array: a strided view of a {@link Storage}, a dtype, and, when it takes part
 * in differentiation, the autograd {@link Node} that produced it.
 *
 * <p>Values are immutable from the point of view of autograd: every op returns a new tensor (views
 * share storage). The only mutations are the explicit in-place methods ({@code copy_}, {@code
 * addInPlace}, ...), meant for optimiser steps and target updates outside the graph; autograd
 * detects when one of them overwrites a tensor it saved for backward.
 *
 * <p>The fluent methods here are thin: each op is defined once, with its gradient, in the
 * {@code org.rlgrad.engine.ops} class named in its Javadoc.
 *
 * <p>Inside a vmapped function a tensor may be <em>batched</em> ({@link #isBatched()}): a logical
 * view, without its batch dim, of a physical tensor that holds every entry. Its shape is the
 * per-entry shape; its memory, strides and offset are unreachable ({@link #storage()} throws
 * "no batching rule"), so an op without a batching rule fails instead of computing on the wrong
 * shape. The {@code org.rlgrad.engine.vmap} package says how ops dispatch to their rules.
 */
public final class Tensor {
    private final Storage storage;
    private final int[] shape;
    private final int[] strides;
    private final int offset;

    // Autograd state. A leaf has no gradFn; a tensor built by a recorded op has one.
    private boolean requiresGrad;
    private Node gradFn;
    private Tensor grad;
    private boolean retainsGrad;
    private List<UnaryOperator<Tensor>> hooks;

    /** Non-null only for a batched tensor inside vmap: what it is a view of. */
    private final BatchedValue batched;

    /** For backends and view ops: a view of {@code storage}. The caller guarantees the view is in bounds. */
    public Tensor(Storage storage, int[] shape, int[] strides, int offset) {
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("shape " + Shape.format(shape) + " and strides " + Shape.format(strides) + " differ in rank");
        }
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.batched = null;
    }

    /**
     * For vmap: the logical view of {@code batched.value()} without its batch dim. It shares the
     * value's dtype and backend; it has no strides of its own.
     */
    public Tensor(BatchedValue batched) {
        Tensor value = batched.value();
        int[] s = new int[value.shape.length - 1];
        for (int i = 0, k = 0; i < value.shape.length; i++) if (i != batched.dim()) s[k++] = value.shape[i];
        this.storage = value.storage;
        this.shape = s;
        this.strides = null;
        this.offset = 0;
        this.batched = batched;
    }

    /** For backends: a contiguous tensor over the whole of {@code storage}. */
    public Tensor(Storage storage, int[] shape) {
        this(storage, shape, Shape.contiguousStrides(shape), 0);
    }

    // ------------------------------------------------------------------ metadata

    /** The memory; a batched tensor's is unreachable (only batching rules may see the physical value). */
    public Storage storage() {
        if (batched != null) throw Batching.noRule("the memory");
        return storage;
    }

    public Backend backend() { return storage.backend(); }
    public Device device() { return storage.backend().device(); }
    public DType dtype() { return storage.dtype(); }
    public int[] shape() { return shape.clone(); }
    public int[] strides() { return stridesRef().clone(); }
    public int offset() {
        if (batched != null) throw Batching.noRule("the offset");
        return offset;
    }
    public int dim() { return shape.length; }
    public int numel() { return Shape.numel(shape); }

    /** Size of a dim; negative dims count from the end. */
    public int size(int dim) {
        return shape[Shape.normalizeDim("size", dim, shape.length)];
    }

    /** Whether the elements are laid out row-major without gaps (broadcast views are not; empty tensors are). */
    public boolean isContiguous() {
        if (batched != null) throw Batching.noRule("the layout");
        if (numel() == 0) return true; // as in PyTorch; Shape.contiguousStrides gives empty tensors non-zero strides
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    /** Internal, unchecked access to the shape array for ops and backends (do not modify). */
    public int[] shapeRef() { return shape; }

    /** Internal, unchecked access to the strides array for ops and backends (do not modify). */
    public int[] stridesRef() {
        if (batched != null) throw Batching.noRule("the strides");
        return strides;
    }

    // ------------------------------------------------------------------ vmap

    /** Whether this is a batched tensor seen inside vmap (a field read: ops test it on entry). */
    public boolean isBatched() { return batched != null; }

    /** For batching rules: the physical value, its batch dim and its vmap level; null when not batched. */
    public BatchedValue batched() { return batched; }

    // ------------------------------------------------------------------ autograd

    public boolean requiresGrad() { return batched == null ? requiresGrad : batched.value().requiresGrad(); }

    /**
     * Marks this tensor as one whose gradient is wanted. On a leaf it makes a parameter; on a
     * non-leaf that does not require grad (for example a value computed under no-grad) it makes
     * the tensor a new leaf, as GAIL's gradient penalty does with interpolated inputs.
     */
    public Tensor requiresGrad(boolean flag) {
        if (batched != null) throw Batching.noRule("the autograd state");
        if (flag && !dtype().isFloating()) {
            throw new IllegalArgumentException("requiresGrad: only floating tensors can require gradients, got " + dtype());
        }
        if (!flag && gradFn != null) {
            throw new IllegalStateException("requiresGrad(false): this tensor was produced by '" + gradFn.name()
                    + "' and is part of a graph; use detach() to get a tensor without history");
        }
        this.requiresGrad = flag;
        return this;
    }

    public boolean isLeaf() { return gradFn == null; }
    public Node gradFn() {
        if (batched != null) throw Batching.noRule("the autograd history");
        return gradFn;
    }
    public Tensor grad() {
        if (batched != null) throw Batching.noRule("the gradient");
        return grad;
    }
    /** Sets the gradient, which outlives any {@link MemoryScope} it was computed in. */
    public void setGrad(Tensor g) { this.grad = g == null ? null : MemoryScope.persist(g); }
    public void zeroGrad() { this.grad = null; }

    /** Keep the gradient of this non-leaf in {@link #grad()} after backward. */
    public Tensor retainGrad() {
        if (batched != null) throw Batching.noRule("the autograd state");
        this.retainsGrad = true;
        return this;
    }

    public boolean retainsGrad() { return retainsGrad; }

    /**
     * Registers a hook that sees (and may replace) the gradient flowing into this tensor during
     * backward, before it reaches the tensor's producer or its {@code grad} field.
     */
    public Tensor registerHook(UnaryOperator<Tensor> hook) {
        if (batched != null) throw Batching.noRule("the autograd state");
        if (!requiresGrad) throw new IllegalStateException("registerHook: the tensor does not require grad");
        if (hooks == null) hooks = new ArrayList<>();
        hooks.add(hook);
        return this;
    }

    public List<UnaryOperator<Tensor>> hooks() { return hooks == null ? List.of() : hooks; }

    /** Called by {@link Autograd#record} on a freshly made output. */
    public void attachGradFn(Node node) {
        if (batched != null) throw Batching.noRule("the autograd history");
        this.gradFn = node;
        this.requiresGrad = true;
    }

    /** Same values, no history; shares storage. */
    public Tensor detach() {
        if (batched != null) return Batching.perElement(this, Tensor::detach);
        return new Tensor(storage, shape, strides, offset);
    }

    /** Runs backward from a scalar (or with an explicit upstream gradient). */
    public void backward() { Autograd.backward(this, null, false); }
    public void backward(Tensor gradOutput) { Autograd.backward(this, gradOutput, false); }
    public void backward(Tensor gradOutput, boolean retainGraph) { Autograd.backward(this, gradOutput, retainGraph); }

    // ------------------------------------------------------------------ creation (Creation)

    public static Tensor zeros(int... shape) { return Creation.full(shape, 0, DType.FLOAT32); }
    public static Tensor zeros(DType dtype, int... shape) { return Creation.full(shape, 0, dtype); }
    public static Tensor ones(int... shape) { return Creation.full(shape, 1, DType.FLOAT32); }
    public static Tensor ones(DType dtype, int... shape) { return Creation.full(shape, 1, dtype); }
    public static Tensor full(int[] shape, double value) { return Creation.full(shape, value, DType.FLOAT32); }
    public static Tensor full(int[] shape, double value, DType dtype) { return Creation.full(shape, value, dtype); }
    public static Tensor scalar(double value) { return Creation.full(new int[0], value, DType.FLOAT32); }
    public static Tensor scalar(double value, DType dtype) { return Creation.full(new int[0], value, dtype); }
    public static Tensor arange(int end) { return Creation.arange(0, end, 1, DType.INT64); }
    public static Tensor arange(double start, double end, double step, DType dtype) { return Creation.arange(start, end, step, dtype); }
    public static Tensor linspace(double start, double end, int steps, DType dtype) { return Creation.linspace(start, end, steps, dtype); }
    public static Tensor eye(int n, DType dtype) { return Creation.eye(n, dtype); }
    /** A float32 tensor of the given shape from row-major data. */
    public static Tensor of(double[] data, int... shape) { return Creation.fromDoubles(data, shape, DType.FLOAT32); }
    public static Tensor of(DType dtype, double[] data, int... shape) { return Creation.fromDoubles(data, shape, dtype); }
    public static Tensor of(float[] data, int... shape) { return Creation.fromFloats(data, shape); }
    public static Tensor of(long[] data, int... shape) { return Creation.fromLongs(data, shape); }
    public static Tensor of(boolean[] data, int... shape) { return Creation.fromBooleans(data, shape); }
    /** A 1-d float32 vector. */
    public static Tensor vector(double... data) { return Creation.fromDoubles(data, new int[] {data.length}, DType.FLOAT32); }
    public static Tensor zerosLike(Tensor t) { return Creation.full(t.shape, 0, t.dtype(), t.backend()); }
    public static Tensor onesLike(Tensor t) { return Creation.full(t.shape, 1, t.dtype(), t.backend()); }
    public static Tensor fullLike(Tensor t, double value) { return Creation.full(t.shape, value, t.dtype(), t.backend()); }
    /** A 0-d tensor of {@code value} on this tensor's device (torch's {@code new_tensor}). */
    public Tensor newScalar(double value, DType dtype) { return Creation.full(new int[0], value, dtype, backend()); }
    /** Zeros of {@code shape} on this tensor's device (torch's {@code new_zeros}). */
    public Tensor newZeros(DType dtype, int... shape) { return Creation.full(shape, 0, dtype, backend()); }
    /** {@code value} everywhere in {@code shape}, on this tensor's device (torch's {@code new_full}). */
    public Tensor newFull(int[] shape, double value, DType dtype) { return Creation.full(shape, value, dtype, backend()); }

    // ------------------------------------------------------------------ conversion

    /** Row-major elements as doubles. */
    public double[] toDoubleArray() { return backend().toDoubles(this); }
    public float[] toFloatArray() {
        double[] d = toDoubleArray();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
    public long[] toLongArray() { return backend().toLongs(this); }
    public boolean[] toBooleanArray() {
        long[] l = toLongArray();
        boolean[] b = new boolean[l.length];
        for (int i = 0; i < l.length; i++) b[i] = l[i] != 0;
        return b;
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) throw new IllegalStateException("item: expected a tensor with one element, got shape " + Shape.format(shape));
        return toDoubleArray()[0];
    }

    public long longItem() {
        if (numel() != 1) throw new IllegalStateException("longItem: expected a tensor with one element, got shape " + Shape.format(shape));
        return toLongArray()[0];
    }

    /** A cast that keeps the graph (float to float), or a plain conversion. */
    public Tensor to(DType dtype) { return Pointwise.cast(this, dtype); }
    /** This tensor on {@code device} (itself when already there); differentiable. */
    public Tensor to(Device device) { return DeviceTransfer.to(this, device); }
    public Tensor toFloat() { return to(DType.FLOAT32); }
    public Tensor toDouble() { return to(DType.FLOAT64); }
    public Tensor toLong() { return to(DType.INT64); }
    public Tensor toBool() { return to(DType.BOOL); }

    // ------------------------------------------------------------------ element-wise (Pointwise)

    public Tensor neg() { return Pointwise.neg(this); }
    public Tensor abs() { return Pointwise.abs(this); }
    public Tensor sign() { return Pointwise.sign(this); }
    public Tensor exp() { return Pointwise.exp(this); }
    public Tensor expm1() { return Pointwise.expm1(this); }
    public Tensor log() { return Pointwise.log(this); }
    public Tensor log1p() { return Pointwise.log1p(this); }
    public Tensor sqrt() { return Pointwise.sqrt(this); }
    public Tensor rsqrt() { return Pointwise.rsqrt(this); }
    public Tensor sin() { return Pointwise.sin(this); }
    public Tensor cos() { return Pointwise.cos(this); }
    public Tensor tanh() { return Pointwise.tanh(this); }
    public Tensor atanh() { return Pointwise.atanh(this); }
    public Tensor sigmoid() { return Pointwise.sigmoid(this); }
    public Tensor logSigmoid() { return Pointwise.logSigmoid(this); }
    public Tensor relu() { return Pointwise.relu(this); }
    public Tensor elu(double alpha) { return Pointwise.elu(this, alpha); }
    public Tensor leakyRelu(double negativeSlope) { return Pointwise.leakyRelu(this, negativeSlope); }
    public Tensor softplus() { return Pointwise.softplus(this, 1, 20); }
    public Tensor softplus(double beta, double threshold) { return Pointwise.softplus(this, beta, threshold); }
    public Tensor silu() { return Pointwise.silu(this); }
    public Tensor gelu(boolean tanhApproximation) { return Pointwise.gelu(this, tanhApproximation); }
    public Tensor erf() { return Pointwise.erf(this); }
    public Tensor erfinv() { return Pointwise.erfinv(this); }
    public Tensor floor() { return Pointwise.floor(this); }
    public Tensor ceil() { return Pointwise.ceil(this); }
    public Tensor round() { return Pointwise.round(this); }
    public Tensor trunc() { return Pointwise.trunc(this); }
    public Tensor reciprocal() { return Pointwise.reciprocal(this); }
    public Tensor square() { return Pointwise.square(this); }
    public Tensor lgamma() { return Pointwise.lgamma(this); }
    public Tensor digamma() { return Pointwise.digamma(this); }
    public Tensor pow(double exponent) { return Pointwise.pow(this, exponent); }
    /** {@code base ^ this}, e.g. {@code gamma ^ steps}. */
    public Tensor rpow(double base) { return Pointwise.rpow(base, this); }
    public Tensor clamp(double min, double max) { return Pointwise.clamp(this, min, max); }
    public Tensor clampMin(double min) { return Pointwise.clamp(this, min, Double.NaN); }
    public Tensor clampMax(double max) { return Pointwise.clamp(this, Double.NaN, max); }
    public Tensor logicalNot() { return Pointwise.logicalNot(this); }
    public Tensor isNan() { return Pointwise.isNan(this); }
    public Tensor isInf() { return Pointwise.isInf(this); }
    public Tensor isFinite() { return Pointwise.isFinite(this); }

    // ------------------------------------------------------------------ binary (Arithmetic)

    public Tensor add(Tensor other) { return Arithmetic.add(this, other); }
    public Tensor add(Tensor other, double alpha) { return Arithmetic.add(this, other, alpha); }
    public Tensor add(double s) { return Arithmetic.affine(this, 1, s); }
    public Tensor sub(Tensor other) { return Arithmetic.sub(this, other); }
    public Tensor sub(double s) { return Arithmetic.affine(this, 1, -s); }
    /** {@code s - this}. */
    public Tensor rsub(double s) { return Arithmetic.affine(this, -1, s); }
    public Tensor mul(Tensor other) { return Arithmetic.mul(this, other); }
    public Tensor mul(double s) { return Arithmetic.affine(this, s, 0); }
    public Tensor div(Tensor other) { return Arithmetic.div(this, other); }
    public Tensor div(double s) { return Arithmetic.affine(this, 1 / s, 0); }
    /** {@code s / this}. */
    public Tensor rdiv(double s) { return Arithmetic.rdiv(s, this); }
    public Tensor pow(Tensor exponent) { return Arithmetic.pow(this, exponent); }
    public Tensor maximum(Tensor other) { return Arithmetic.maximum(this, other); }
    public Tensor minimum(Tensor other) { return Arithmetic.minimum(this, other); }
    public Tensor clamp(Tensor min, Tensor max) { return Arithmetic.clamp(this, min, max); }
    public Tensor lerp(Tensor end, Tensor weight) { return Arithmetic.lerp(this, end, weight); }
    public Tensor lerp(Tensor end, double weight) { return Arithmetic.lerp(this, end, weight); }
    public Tensor eq(Tensor o) { return Arithmetic.eq(this, o); }
    public Tensor ne(Tensor o) { return Arithmetic.ne(this, o); }
    public Tensor lt(Tensor o) { return Arithmetic.lt(this, o); }
    public Tensor le(Tensor o) { return Arithmetic.le(this, o); }
    public Tensor gt(Tensor o) { return Arithmetic.gt(this, o); }
    public Tensor ge(Tensor o) { return Arithmetic.ge(this, o); }
    public Tensor eq(double s) { return Arithmetic.eq(this, scalarLike(s)); }
    public Tensor ne(double s) { return Arithmetic.ne(this, scalarLike(s)); }
    public Tensor lt(double s) { return Arithmetic.lt(this, scalarLike(s)); }
    public Tensor le(double s) { return Arithmetic.le(this, scalarLike(s)); }
    public Tensor gt(double s) { return Arithmetic.gt(this, scalarLike(s)); }
    public Tensor ge(double s) { return Arithmetic.ge(this, scalarLike(s)); }
    public Tensor logicalAnd(Tensor o) { return Arithmetic.logicalAnd(this, o); }
    public Tensor logicalOr(Tensor o) { return Arithmetic.logicalOr(this, o); }
    public Tensor logicalXor(Tensor o) { return Arithmetic.logicalXor(this, o); }
    /** {@code cond ? this : other}. */
    public Tensor where(Tensor cond, Tensor other) { return Arithmetic.where(cond, this, other); }
    public static Tensor where(Tensor cond, Tensor a, Tensor b) { return Arithmetic.where(cond, a, b); }
    public static Tensor where(Tensor cond, Tensor a, double b) { return Arithmetic.where(cond, a, b); }
    public static Tensor where(Tensor cond, double a, Tensor b) { return Arithmetic.where(cond, a, b); }
    public Tensor maskedFill(Tensor mask, double value) { return Arithmetic.maskedFill(this, mask, value); }

    /** A 0-dim tensor of this tensor's dtype (weak scalar: it never promotes this tensor). */
    private Tensor scalarLike(double s) {
        return Creation.full(new int[0], s, DType.promoteWithScalar(dtype()), backend());
    }

    // ------------------------------------------------------------------ reductions (Reductions)

    public Tensor sum() { return Reductions.sum(this, null, false); }
    public Tensor sum(int dim) { return Reductions.sum(this, new int[] {dim}, false); }
    public Tensor sum(int dim, boolean keepdim) { return Reductions.sum(this, new int[] {dim}, keepdim); }
    public Tensor sum(int[] dims, boolean keepdim) { return Reductions.sum(this, dims, keepdim); }
    public Tensor mean() { return Reductions.mean(this, null, false); }
    public Tensor mean(int dim) { return Reductions.mean(this, new int[] {dim}, false); }
    public Tensor mean(int dim, boolean keepdim) { return Reductions.mean(this, new int[] {dim}, keepdim); }
    public Tensor mean(int[] dims, boolean keepdim) { return Reductions.mean(this, dims, keepdim); }
    public Tensor prod() { return Reductions.prod(this, null, false); }
    public Tensor prod(int dim, boolean keepdim) { return Reductions.prod(this, new int[] {dim}, keepdim); }
    public Tensor amax(int[] dims, boolean keepdim) { return Reductions.amax(this, dims, keepdim); }
    public Tensor amin(int[] dims, boolean keepdim) { return Reductions.amin(this, dims, keepdim); }
    public Tensor amax(int dim) { return Reductions.amax(this, new int[] {dim}, false); }
    public Tensor amin(int dim) { return Reductions.amin(this, new int[] {dim}, false); }
    /** Max over all elements; ties share the gradient evenly. */
    public Tensor max() { return Reductions.amax(this, null, false); }
    public Tensor min() { return Reductions.amin(this, null, false); }
    /** Values and first indices of the maxima along a dim. */
    public ValuesAndIndices max(int dim, boolean keepdim) { return Reductions.maxDim(this, dim, keepdim); }
    public ValuesAndIndices min(int dim, boolean keepdim) { return Reductions.minDim(this, dim, keepdim); }
    public Tensor argmax() { return Reductions.argmax(this.reshape(-1), 0, false); }
    public Tensor argmax(int dim, boolean keepdim) { return Reductions.argmax(this, dim, keepdim); }
    public Tensor argmin() { return Reductions.argmin(this.reshape(-1), 0, false); }
    public Tensor argmin(int dim, boolean keepdim) { return Reductions.argmin(this, dim, keepdim); }
    /** Unbiased variance over all elements. */
    public Tensor var() { return Reductions.var(this, null, 1, false); }
    public Tensor var(int[] dims, double correction, boolean keepdim) { return Reductions.var(this, dims, correction, keepdim); }
    public Tensor std() { return Reductions.std(this, null, 1, false); }
    public Tensor std(int[] dims, double correction, boolean keepdim) { return Reductions.std(this, dims, correction, keepdim); }
    /** L2 norm of all elements. */
    public Tensor norm() { return Reductions.norm(this, 2, null, false); }
    public Tensor norm(double p, int[] dims, boolean keepdim) { return Reductions.norm(this, p, dims, keepdim); }
    public Tensor logsumexp(int[] dims, boolean keepdim) { return Reductions.logsumexp(this, dims, keepdim); }
    public Tensor logsumexp(int dim) { return Reductions.logsumexp(this, new int[] {dim}, false); }
    public Tensor all() { return Reductions.all(this, null, false); }
    public Tensor all(int dim, boolean keepdim) { return Reductions.all(this, new int[] {dim}, keepdim); }
    public Tensor any() { return Reductions.any(this, null, false); }
    public Tensor any(int dim, boolean keepdim) { return Reductions.any(this, new int[] {dim}, keepdim); }
    public Tensor softmax(int dim) { return Reductions.softmax(this, dim); }
    public Tensor logSoftmax(int dim) { return Reductions.logSoftmax(this, dim); }
    public Tensor cumsum(int dim) { return Scans.cumsum(this, dim); }
    public Tensor cumprod(int dim) { return Scans.cumprod(this, dim); }

    // ------------------------------------------------------------------ views (Views)

    public Tensor reshape(int... shape) { return Views.reshape(this, shape); }
    /** Like reshape, but refuses to copy: the tensor's strides must allow the new shape. */
    public Tensor view(int... shape) { return Views.view(this, shape); }
    public Tensor transpose(int dim0, int dim1) { return Views.transpose(this, dim0, dim1); }
    /** Transpose of the last two dims. */
    public Tensor mT() { return Views.transpose(this, -2, -1); }
    public Tensor permute(int... dims) { return Views.permute(this, dims); }
    public Tensor movedim(int source, int destination) { return Views.movedim(this, source, destination); }
    public Tensor movedim(int[] source, int[] destination) { return Views.movedim(this, source, destination); }
    public Tensor expand(int... sizes) { return Views.expand(this, sizes); }
    public Tensor expandAs(Tensor other) { return Views.expand(this, other.shape); }
    public Tensor squeeze() { return Views.squeeze(this); }
    public Tensor squeeze(int dim) { return Views.squeeze(this, dim); }
    public Tensor unsqueeze(int dim) { return Views.unsqueeze(this, dim); }
    public Tensor narrow(int dim, int start, int length) { return Views.narrow(this, dim, start, length); }
    /** Python slice {@code start:end:step} along {@code dim}; null bounds mean the defaults. */
    public Tensor slice(int dim, Integer start, Integer end, int step) { return Views.slice(this, dim, start, end, step); }
    public Tensor select(int dim, int index) { return Views.select(this, dim, index); }
    public Tensor flatten() { return Views.flatten(this, 0, -1); }
    public Tensor flatten(int startDim, int endDim) { return Views.flatten(this, startDim, endDim); }
    public Tensor unflatten(int dim, int... sizes) { return Views.unflatten(this, dim, sizes); }
    public Tensor contiguous() { return Views.contiguous(this); }
    public Tensor clone() { return Views.cloneTensor(this); }

    // ------------------------------------------------------------------ joining and reordering (Joining)

    public static Tensor cat(List<Tensor> tensors, int dim) { return Joining.cat(tensors, dim); }
    public static Tensor stack(List<Tensor> tensors, int dim) { return Joining.stack(tensors, dim); }
    public List<Tensor> split(int size, int dim) { return Joining.split(this, size, dim); }
    public List<Tensor> split(int[] sizes, int dim) { return Joining.split(this, sizes, dim); }
    public List<Tensor> chunk(int chunks, int dim) { return Joining.chunk(this, chunks, dim); }
    public List<Tensor> tensorSplit(int sections, int dim) { return Joining.tensorSplit(this, sections, dim); }
    public List<Tensor> unbind(int dim) { return Joining.unbind(this, dim); }
    public Tensor flip(int... dims) { return Joining.flip(this, dims); }
    public Tensor roll(int[] shifts, int[] dims) { return Joining.roll(this, shifts, dims); }
    public Tensor repeat(int... repeats) { return Joining.repeat(this, repeats); }
    public Tensor repeatInterleave(int repeats, int dim) { return Joining.repeatInterleave(this, repeats, dim); }
    /** Constant padding of the last dim: {@code left} and {@code right} new entries. */
    public Tensor pad(int left, int right, double value) { return Joining.pad(this, left, right, value); }
    public Tensor triu(int diagonal) { return Joining.triu(this, diagonal); }
    public Tensor tril(int diagonal) { return Joining.tril(this, diagonal); }

    // ------------------------------------------------------------------ indexing (Indexing)

    public Tensor gather(int dim, Tensor index) { return Indexing.gather(this, dim, index); }
    public Tensor scatter(int dim, Tensor index, Tensor src) { return Indexing.scatter(this, dim, index, src); }
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) { return Indexing.scatterAdd(this, dim, index, src); }
    public Tensor indexSelect(int dim, Tensor index) { return Indexing.indexSelect(this, dim, index); }
    public Tensor indexAdd(int dim, Tensor index, Tensor source) { return Indexing.indexAdd(this, dim, index, source); }
    public Tensor takeAlongDim(Tensor indices, int dim) { return Indexing.takeAlongDim(this, indices, dim); }
    public Tensor maskedSelect(Tensor mask) { return Indexing.maskedSelect(this, mask); }
    public Tensor maskedScatter(Tensor mask, Tensor source) { return Indexing.maskedScatter(this, mask, source); }
    public Tensor nonzero() { return Indexing.nonzero(this); }
    public Tensor oneHot(int numClasses) { return Indexing.oneHot(this, numClasses); }
    public ValuesAndIndices sort(int dim, boolean descending) { return Indexing.sort(this, dim, descending); }
    public Tensor argsort(int dim, boolean descending) { return Indexing.argsort(this, dim, descending); }
    public ValuesAndIndices topk(int k, int dim, boolean largest) { return Indexing.topk(this, k, dim, largest); }

    // ------------------------------------------------------------------ linear algebra (LinearAlgebra)

    public Tensor matmul(Tensor other) { return LinearAlgebra.matmul(this, other); }
    public Tensor bmm(Tensor other) { return LinearAlgebra.bmm(this, other); }

    // ------------------------------------------------------------------ losses and nn functions (Functional)

    public Tensor mseLoss(Tensor target, Reduction reduction) { return Functional.mseLoss(this, target, reduction); }
    public Tensor l1Loss(Tensor target, Reduction reduction) { return Functional.l1Loss(this, target, reduction); }
    public Tensor smoothL1Loss(Tensor target, Reduction reduction, double beta) { return Functional.smoothL1Loss(this, target, reduction, beta); }
    public Tensor huberLoss(Tensor target, Reduction reduction, double delta) { return Functional.huberLoss(this, target, reduction, delta); }

    // ------------------------------------------------------------------ in-place, outside the graph (InPlace)

    /** Overwrites this tensor's elements with {@code src} (broadcast, cast). */
    public Tensor copy_(Tensor src) { return InPlace.copy(this, src); }
    /** {@code this += alpha * other}, in place. */
    public Tensor addInPlace(Tensor other, double alpha) { return InPlace.add(this, other, alpha); }
    public Tensor mulInPlace(double s) { return InPlace.mul(this, s); }
    public Tensor fill_(double value) { return InPlace.fill(this, value); }
    public Tensor zero_() { return InPlace.fill(this, 0); }
    /** {@code this += weight * (end - this)}, in place (soft target updates). */
    public Tensor lerpInPlace(Tensor end, double weight) { return InPlace.lerp(this, end, weight); }

    // ------------------------------------------------------------------ printing

    @Override
    public String toString() {
        if (batched != null) return "BatchedTensor(logical shape " + Shape.format(shape) + ", " + batched + ")";
        return TensorFormat.format(this);
    }
}
