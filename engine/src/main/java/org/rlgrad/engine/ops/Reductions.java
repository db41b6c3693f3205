package org.rlgrad.engine.ops;

import static org.rlgrad.engine.ops.OpSupport.expandBack;
import static org.rlgrad.engine.ops.OpSupport.grads;
import static org.rlgrad.engine.ops.OpSupport.inputs;

import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.backend.ReduceOp;
import org.rlgrad.engine.backend.UnaryOp;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensor.ValuesAndIndices;
import org.rlgrad.engine.vmap.Batching;

/**
 * Reductions over dims ({@code null} dims means all of them), softmax and its relatives. The
 * gradient of a reduction broadcasts the incoming gradient back over the reduced dims.
 */
public final class Reductions {
    private Reductions() {}

    public static Tensor sum(Tensor x, int[] dims, boolean keepdim) {
        int[] d = Shape.normalizeDims("sum", dims, x.dim());
        if (x.isBatched()) return Batching.reduction(x, d, keepdim, Reductions::sum);
        Tensor y = x.backend().reduce(ReduceOp.SUM, x, d, keepdim);
        return Autograd.record("sum", y, inputs(x), g -> grads(expandBack(g, x.shapeRef(), d, keepdim)));
    }

    /** Mean over dims; over an empty dim it is NaN (0/0), as in PyTorch. Integers are averaged as float32. */
    public static Tensor mean(Tensor x, int[] dims, boolean keepdim) {
        int[] d = Shape.normalizeDims("mean", dims, x.dim());
        if (x.isBatched()) return Batching.reduction(x, d, keepdim, Reductions::mean);
        Tensor in = x.dtype().isFloating() ? x : x.to(DType.FLOAT32);
        double count = count(x.shapeRef(), d);
        Tensor s = in.backend().reduce(ReduceOp.SUM, in, d, keepdim);
        Tensor y = s.backend().unary(UnaryOp.AFFINE, s, 1 / count, 0);
        return Autograd.record("mean", y, inputs(x), g -> grads(expandBack(g, x.shapeRef(), d, keepdim).div(count)));
    }

    private static double count(int[] shape, int[] dims) {
        double n = 1;
        for (int d : dims) n *= shape[d];
        return n;
    }

    /**
     * Product over dims. The gradient of each element is the product of the others, computed from
     * exclusive prefix and suffix products along a flattened view, so zeros are handled exactly.
     */
    public static Tensor prod(Tensor x, int[] dims, boolean keepdim) {
        int[] d = Shape.normalizeDims("prod", dims, x.dim());
        if (x.isBatched()) return Batching.reduction(x, d, keepdim, Reductions::prod);
        Tensor y = x.backend().reduce(ReduceOp.PROD, x, d, keepdim);
        return Autograd.record("prod", y, inputs(x), new Tensor[] {x}, g -> {
            // Move the reduced dims last and flatten them into one, so "the others" is one line.
            int[] keptAndReduced = keptThenReduced(x.dim(), d);
            Tensor moved = x.permute(keptAndReduced);
            int[] movedShape = moved.shapeRef();
            int kept = x.dim() - d.length;
            int[] flatShape = new int[kept + 1];
            System.arraycopy(movedShape, 0, flatShape, 0, kept);
            flatShape[kept] = (int) count(x.shapeRef(), d);
            Tensor lines = moved.reshape(flatShape);
            Tensor others = productOfOthers(lines, kept);
            Tensor gradMoved = others.mul(expandBack(g, x.shapeRef(), d, keepdim).permute(keptAndReduced).reshape(flatShape));
            return grads(gradMoved.reshape(movedShape).permute(inverse(keptAndReduced)));
        });
    }

    /** For each element of the lines along {@code dim}, the product of the other elements of its line. */
    private static Tensor productOfOthers(Tensor lines, int dim) {
        int n = lines.size(dim);
        if (n == 0) return lines;
        Tensor before = Joining.pad(lines.movedim(dim, -1).narrow(-1, 0, n - 1), 1, 0, 1).cumprod(-1);
        Tensor after = Joining.pad(lines.movedim(dim, -1).narrow(-1, 1, n - 1), 0, 1, 1).flip(-1).cumprod(-1).flip(-1);
        return before.mul(after).movedim(-1, dim);
    }

    private static int[] keptThenReduced(int rank, int[] sortedDims) {
        int[] order = new int[rank];
        boolean[] reduced = new boolean[rank];
        for (int d : sortedDims) reduced[d] = true;
        int k = 0;
        for (int i = 0; i < rank; i++) if (!reduced[i]) order[k++] = i;
        for (int d : sortedDims) order[k++] = d;
        return order;
    }

    private static int[] inverse(int[] perm) {
        int[] inv = new int[perm.length];
        for (int i = 0; i < perm.length; i++) inv[perm[i]] = i;
        return inv;
    }

    /** Max over dims; the gradient is shared evenly among tied maxima. */
    public static Tensor amax(Tensor x, int[] dims, boolean keepdim) {
        return extreme("amax", ReduceOp.MAX, x, dims, keepdim);
    }

    /** Min over dims; the gradient is shared evenly among tied minima. */
    public static Tensor amin(Tensor x, int[] dims, boolean keepdim) {
        return extreme("amin", ReduceOp.MIN, x, dims, keepdim);
    }

    private static Tensor extreme(String name, ReduceOp op, Tensor x, int[] dims, boolean keepdim) {
        int[] d = Shape.normalizeDims(name, dims, x.dim());
        if (x.isBatched()) return Batching.reduction(x, d, keepdim, (v, dd, k) -> extreme(name, op, v, dd, k));
        Tensor y = x.backend().reduce(op, x, d, keepdim);
        return Autograd.record(name, y, inputs(x), new Tensor[] {x, y}, g -> {
            Tensor hits = x.eq(expandBack(y, x.shapeRef(), d, keepdim)).to(g.dtype());
            Tensor share = hits.div(sum(hits, d, true));
            return grads(share.mul(expandBack(g, x.shapeRef(), d, keepdim)));
        });
    }

    /** Values and first indices of the maxima along a dim; the gradient goes to the returned index. */
    public static ValuesAndIndices maxDim(Tensor x, int dim, boolean keepdim) {
        return extremeDim(true, x, dim, keepdim);
    }

    public static ValuesAndIndices minDim(Tensor x, int dim, boolean keepdim) {
        return extremeDim(false, x, dim, keepdim);
    }

    private static ValuesAndIndices extremeDim(boolean max, Tensor x, int dim, boolean keepdim) {
        int d = Shape.normalizeDim(max ? "max" : "min", dim, x.dim());
        // A 0-dim tensor is its own extreme at index 0 (PyTorch); the backend wants a real dim.
        if (x.dim() == 0) return extremeDim(max, Views.reshape(x, 1), 0, false);
        if (x.isBatched()) return Batching.alongDimPair(x, d, (v, pd) -> extremeDim(max, v, pd, keepdim));
        Tensor index = x.backend().argReduce(max, x, d, true);
        Tensor values = Indexing.gather(x, d, index);
        if (!keepdim && x.dim() > 0) {
            values = values.squeeze(d);
            index = index.squeeze(d);
        }
        return new ValuesAndIndices(values, index);
    }

    public static Tensor argmax(Tensor x, int dim, boolean keepdim) {
        if (x.dim() == 0) return argmax(Views.reshape(x, 1), Shape.normalizeDim("argmax", dim, 0), false);
        if (x.isBatched()) return Batching.alongDim(x, Shape.normalizeDim("argmax", dim, x.dim()), (v, pd) -> argmax(v, pd, keepdim));
        return x.backend().argReduce(true, x, Shape.normalizeDim("argmax", dim, x.dim()), keepdim);
    }

    public static Tensor argmin(Tensor x, int dim, boolean keepdim) {
        if (x.dim() == 0) return argmin(Views.reshape(x, 1), Shape.normalizeDim("argmin", dim, 0), false);
        if (x.isBatched()) return Batching.alongDim(x, Shape.normalizeDim("argmin", dim, x.dim()), (v, pd) -> argmin(v, pd, keepdim));
        return x.backend().argReduce(false, x, Shape.normalizeDim("argmin", dim, x.dim()), keepdim);
    }

    /** Sum of squared deviations divided by {@code n - correction} (1: unbiased, 0: population). */
    public static Tensor var(Tensor x, int[] dims, double correction, boolean keepdim) {
        int[] d = Shape.normalizeDims("var", dims, x.dim());
        Tensor centered = x.sub(mean(x, d, true));
        return sum(centered.square(), d, keepdim).div(count(x.shapeRef(), d) - correction);
    }

    public static Tensor std(Tensor x, int[] dims, double correction, boolean keepdim) {
        return var(x, dims, correction, keepdim).sqrt();
    }

    /**
     * Vector p-norm. For p = 2 the gradient is x / ||x||, defined as 0 for a zero vector (PyTorch);
     * p = 1 is sum |x|; p = +-infinity is the max (min) of |x|; p = 0 counts the non-zero entries
     * (zero gradient); other p use (sum |x|^p)^(1/p).
     */
    public static Tensor norm(Tensor x, double p, int[] dims, boolean keepdim) {
        int[] d = Shape.normalizeDims("norm", dims, x.dim());
        if (Double.isNaN(p)) throw new IllegalArgumentException("norm: p must be a number, got NaN");
        if (p == Double.POSITIVE_INFINITY) return amax(x.abs(), d, keepdim);
        if (p == Double.NEGATIVE_INFINITY) return amin(x.abs(), d, keepdim);
        if (p == 0) return sum(x.ne(0).to(x.dtype().isFloating() ? x.dtype() : DType.FLOAT32), d, keepdim);
        if (p == 1) return sum(x.abs(), d, keepdim);
        if (p != 2) return sum(x.abs().pow(p), d, keepdim).pow(1 / p);
        if (x.isBatched()) return Batching.reduction(x, d, keepdim, (v, dd, k) -> norm(v, 2, dd, k));
        Tensor y;
        try (var scope = GradMode.noGrad()) {
            y = sum(x.square(), d, keepdim).sqrt();
        }
        return Autograd.record("norm", y, inputs(x), new Tensor[] {x, y}, g -> {
            Tensor n = expandBack(y, x.shapeRef(), d, keepdim);
            Tensor zero = n.eq(0);
            Tensor safe = Arithmetic.where(zero, 1, n);
            Tensor local = Arithmetic.where(zero, 0, x.div(safe));
            return grads(local.mul(expandBack(g, x.shapeRef(), d, keepdim)));
        });
    }

    /**
     * log sum exp, computed as m + log sum exp(x - m) with m the (finite) max, so large entries do
     * not overflow and -inf entries contribute 0. The gradient is softmax(x) times g.
     */
    public static Tensor logsumexp(Tensor x, int[] dims, boolean keepdim) {
        int[] d = Shape.normalizeDims("logsumexp", dims, x.dim());
        if (x.isBatched()) return Batching.reduction(x, d, keepdim, Reductions::logsumexp);
        Tensor out;
        try (var scope = GradMode.noGrad()) {
            out = logSumExpForward(x.dtype().isFloating() ? x : x.to(DType.FLOAT32), d, keepdim);
        }
        return Autograd.record("logsumexp", out, inputs(x), new Tensor[] {x, out},
                g -> grads(x.sub(expandBack(out, x.shapeRef(), d, keepdim)).exp().mul(expandBack(g, x.shapeRef(), d, keepdim))));
    }

    /** The backend reduces one dim; several reduced dims are first moved last and merged into one. */
    private static Tensor logSumExpForward(Tensor x, int[] d, boolean keepdim) {
        if (d.length == 0) return Views.cloneTensor(x);
        if (d.length == 1) return x.backend().logSumExp(x, d[0], keepdim);
        int kept = x.dim() - d.length;
        int[] shape = new int[kept + 1];
        Tensor moved = x.permute(keptThenReduced(x.dim(), d));
        System.arraycopy(moved.shapeRef(), 0, shape, 0, kept);
        shape[kept] = (int) count(x.shapeRef(), d);
        Tensor merged = moved.reshape(shape);
        return merged.backend().logSumExp(merged, kept, false).reshape(Shape.reduced(x.shapeRef(), d, keepdim));
    }

    /** softmax along a dim, exp(x - max) / sum (a fused backend kernel); gradient y (g - sum(g y)). */
    public static Tensor softmax(Tensor x, int dim) {
        int d = Shape.normalizeDim("softmax", dim, x.dim());
        if (x.isBatched()) return x.dim() == 0 ? softmax(x.reshape(1), 0).reshape() : Batching.alongDim(x, d, Reductions::softmax);
        Tensor out = softmaxForward(x, d, false);
        return Autograd.record("softmax", out, inputs(x), new Tensor[] {out},
                g -> grads(out.mul(g.sub(sum(g.mul(out), new int[] {d}, true)))));
    }

    /** log_softmax along a dim, x - logsumexp(x) (a fused backend kernel); gradient g - softmax sum(g). */
    public static Tensor logSoftmax(Tensor x, int dim) {
        int d = Shape.normalizeDim("log_softmax", dim, x.dim());
        if (x.isBatched()) return x.dim() == 0 ? logSoftmax(x.reshape(1), 0).reshape() : Batching.alongDim(x, d, Reductions::logSoftmax);
        Tensor out = softmaxForward(x, d, true);
        return Autograd.record("log_softmax", out, inputs(x), new Tensor[] {out},
                g -> grads(g.sub(out.exp().mul(sum(g, new int[] {d}, true)))));
    }

    private static Tensor softmaxForward(Tensor x, int d, boolean log) {
        Tensor in = x.dtype().isFloating() ? x : x.backend().copy(x, DType.FLOAT32);
        if (in.dim() == 0) {
            Tensor one = new Tensor(in.storage(), new int[] {1}, new int[] {1}, in.offset());
            return Views.reshape(in.backend().softmax(one, 0, log));
        }
        return in.backend().softmax(in, d, log);
    }

    public static Tensor all(Tensor x, int[] dims, boolean keepdim) {
        if (x.isBatched()) return Batching.reduction(x, Shape.normalizeDims("all", dims, x.dim()), keepdim, Reductions::all);
        return x.backend().reduce(ReduceOp.ALL, x, Shape.normalizeDims("all", dims, x.dim()), keepdim);
    }

    public static Tensor any(Tensor x, int[] dims, boolean keepdim) {
        if (x.isBatched()) return Batching.reduction(x, Shape.normalizeDims("any", dims, x.dim()), keepdim, Reductions::any);
        return x.backend().reduce(ReduceOp.ANY, x, Shape.normalizeDims("any", dims, x.dim()), keepdim);
    }
}
