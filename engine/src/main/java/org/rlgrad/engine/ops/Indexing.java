package org.rlgrad.engine.ops;

import static org.rlgrad.engine.ops.OpSupport.grads;
import static org.rlgrad.engine.ops.OpSupport.inputs;
import static org.rlgrad.engine.ops.OpSupport.requireInt64;

import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensor.ValuesAndIndices;
import org.rlgrad.engine.vmap.Batching;

/**
 * Index-driven reads and writes. gather and scatter-add are each other's gradient; the other ops
 * are built from them.
 */
public final class Indexing {
    private Indexing() {}

    /** {@code out[..., j, ...] = x[..., index[..., j, ...], ...]} along dim; the gradient scatter-adds back. */
    public static Tensor gather(Tensor x, int dim, Tensor index) {
        int d = Shape.normalizeDim("gather", dim, x.dim());
        requireInt64("gather", "index", index);
        checkIndexShape("gather", x, d, index, "input");
        if (x.isBatched() || index.isBatched()) return Batching.indexed(new Tensor[] {x, index}, d, (p, pd) -> gather(p[0], pd, p[1]));
        Tensor y = x.backend().gather(x, d, index);
        int[] shape = x.shape();
        return Autograd.record("gather", y, inputs(x), new Tensor[] {index},
                g -> grads(scatterAdd(g.newZeros(g.dtype(), shape), d, index, g)));
    }

    private static void checkIndexShape(String op, Tensor x, int d, Tensor index, String what) {
        if (index.dim() != x.dim() && !(x.dim() == 0 && index.dim() <= 1)) {
            throw new IllegalArgumentException(op + ": index of shape " + Shape.format(index.shapeRef()) + " must have the same rank as the "
                    + what + " of shape " + Shape.format(x.shapeRef()));
        }
        for (int k = 0; k < index.dim(); k++) {
            if (k != d && index.shapeRef()[k] > x.shapeRef()[k]) {
                throw new IllegalArgumentException(op + ": index of shape " + Shape.format(index.shapeRef()) + " is larger than the "
                        + what + " of shape " + Shape.format(x.shapeRef()) + " at dim " + k);
            }
        }
    }

    /** A copy of x with src added at the positions index names along dim (duplicates accumulate). */
    public static Tensor scatterAdd(Tensor x, int dim, Tensor index, Tensor src) {
        int d = Shape.normalizeDim("scatter_add", dim, x.dim());
        requireInt64("scatter_add", "index", index);
        checkIndexShape("scatter_add", x, d, index, "input");
        checkIndexShape("scatter_add", src, d, index, "source");
        OpSupport.sameDevice("scatter_add", x, src);
        if (x.isBatched() || index.isBatched() || src.isBatched()) {
            return Batching.indexed(new Tensor[] {x, index, src}, d, (p, pd) -> scatterAdd(p[0], pd, p[1], p[2]));
        }
        Tensor s = narrowTo(src, index.shapeRef()).to(x.dtype());
        Tensor y = x.backend().scatter(x, d, index, s, true);
        return Autograd.record("scatter_add", y, inputs(x, s), new Tensor[] {index},
                g -> grads(g, s.requiresGrad() ? gather(g, d, index) : null));
    }

    /** A copy of x with src written at the positions index names along dim. */
    public static Tensor scatter(Tensor x, int dim, Tensor index, Tensor src) {
        int d = Shape.normalizeDim("scatter", dim, x.dim());
        requireInt64("scatter", "index", index);
        checkIndexShape("scatter", x, d, index, "input");
        checkIndexShape("scatter", src, d, index, "source");
        if (x.isBatched() || index.isBatched() || src.isBatched()) {
            return Batching.indexed(new Tensor[] {x, index, src}, d, (p, pd) -> scatter(p[0], pd, p[1], p[2]));
        }
        Tensor s = narrowTo(src, index.shapeRef()).to(x.dtype());
        Tensor y = x.backend().scatter(x, d, index, s, false);
        return Autograd.record("scatter", y, inputs(x, s), new Tensor[] {index}, g -> grads(
                x.requiresGrad() ? scatter(g, d, index, g.newZeros(g.dtype(), index.shapeRef())) : null,
                s.requiresGrad() ? gather(g, d, index) : null));
    }

    /** The leading part of src that the index addresses (src may be larger than index); a differentiable view. */
    private static Tensor narrowTo(Tensor src, int[] shape) {
        Tensor out = src;
        for (int k = 0; k < shape.length; k++) {
            if (out.shapeRef()[k] != shape[k]) out = out.narrow(k, 0, shape[k]);
        }
        return out;
    }

    /** Entries {@code index} (1-d int64) along dim. */
    public static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        int d = Shape.normalizeDim("index_select", dim, x.dim());
        requireInt64("index_select", "index", index);
        if (index.dim() > 1) throw new IllegalArgumentException("index_select: index must be 1-d, got shape " + Shape.format(index.shapeRef()));
        return gather(x, d, spread(index.reshape(-1), x.shapeRef(), d));
    }

    /** x with {@code source} slices added at positions {@code index} (1-d) along dim. */
    public static Tensor indexAdd(Tensor x, int dim, Tensor index, Tensor source) {
        int d = Shape.normalizeDim("index_add", dim, x.dim());
        requireInt64("index_add", "index", index);
        if (index.dim() > 1 || index.numel() != source.size(d)) {
            throw new IllegalArgumentException("index_add: index of shape " + Shape.format(index.shapeRef()) + " must be 1-d with one entry per slice of "
                    + "the source of shape " + Shape.format(source.shapeRef()) + " along dim " + dim);
        }
        return scatterAdd(x, d, spread(index.reshape(-1), source.shapeRef(), d), source);
    }

    /** A 1-d index laid along dim d of {@code shape} and broadcast over the other dims. */
    private static Tensor spread(Tensor index, int[] shape, int d) {
        int[] viewShape = new int[Math.max(shape.length, 1)];
        java.util.Arrays.fill(viewShape, 1);
        viewShape[d] = index.numel();
        int[] full = shape.length == 0 ? new int[] {index.numel()} : shape.clone();
        full[d] = index.numel();
        return index.reshape(viewShape).expand(full);
    }

    /** gather after broadcasting x and indices against each other on every dim but dim. */
    public static Tensor takeAlongDim(Tensor x, Tensor indices, int dim) {
        int d = Shape.normalizeDim("take_along_dim", dim, x.dim());
        requireInt64("take_along_dim", "indices", indices);
        if (indices.dim() != x.dim()) {
            throw new IllegalArgumentException("take_along_dim: indices of shape " + Shape.format(indices.shapeRef())
                    + " must have the rank of the input of shape " + Shape.format(x.shapeRef()));
        }
        int[] xs = x.shape(), is = indices.shape();
        xs[d] = 1;
        is[d] = 1;
        int[] common = Shape.broadcast("take_along_dim", xs, is);
        int[] xTarget = common.clone(), iTarget = common.clone();
        xTarget[d] = x.shapeRef()[d];
        iTarget[d] = indices.shapeRef()[d];
        return gather(x.expand(xTarget), d, indices.expand(iTarget));
    }

    /** The elements where mask (broadcast) is true, as a 1-d tensor in row-major order. */
    public static Tensor maskedSelect(Tensor x, Tensor mask) {
        requireBool("masked_select", mask);
        int[] shape = Shape.broadcast("masked_select", x.shapeRef(), mask.shapeRef());
        Tensor flat = x.expand(shape).reshape(-1);
        Tensor positions = flatPositions(mask.expand(shape));
        return gather(flat, 0, positions);
    }

    /** Writes the first k elements of source into the k true positions of mask, in row-major order. */
    public static Tensor maskedScatter(Tensor x, Tensor mask, Tensor source) {
        requireBool("masked_scatter", mask);
        int[] shape = x.shapeRef();
        Shape.broadcast("masked_scatter", shape, mask.shapeRef());
        Tensor positions = flatPositions(mask.expand(shape));
        int k = positions.numel();
        if (source.numel() < k) {
            throw new IllegalArgumentException("masked_scatter: the mask has " + k + " true entries but the source of shape "
                    + Shape.format(source.shapeRef()) + " holds only " + source.numel() + " elements");
        }
        Tensor values = source.reshape(-1).narrow(0, 0, k);
        return scatter(x.reshape(-1), 0, positions, values).reshape(shape);
    }

    private static Tensor flatPositions(Tensor mask) {
        long[] flags = mask.toLongArray();
        int count = 0;
        for (long f : flags) if (f != 0) count++;
        long[] pos = new long[count];
        for (int i = 0, k = 0; i < flags.length; i++) if (flags[i] != 0) pos[k++] = i;
        return Tensor.of(pos, count).to(mask.device());
    }

    private static void requireBool(String op, Tensor mask) {
        if (mask.dtype() != DType.BOOL) throw new IllegalArgumentException(op + ": mask must be bool, got " + mask.dtype());
    }

    /** Coordinates of the non-zero entries: int64 of shape [count, rank], in row-major order. */
    public static Tensor nonzero(Tensor x) {
        long[] flags = x.toLongArray();
        double[] values = x.dtype().isFloating() ? x.toDoubleArray() : null;
        int[] shape = x.shapeRef();
        int[] strides = Shape.contiguousStrides(shape);
        int count = 0;
        for (int i = 0; i < flags.length; i++) if (values == null ? flags[i] != 0 : values[i] != 0) count++;
        long[] coords = new long[count * shape.length];
        for (int i = 0, k = 0; i < flags.length; i++) {
            if (values == null ? flags[i] == 0 : values[i] == 0) continue;
            int rem = i;
            for (int dd = 0; dd < shape.length; dd++) {
                coords[k * shape.length + dd] = rem / strides[dd];
                rem %= strides[dd];
            }
            k++;
        }
        return Tensor.of(coords, count, shape.length).to(x.device());
    }

    /** int64 one-hot encoding with a new last dim of {@code numClasses}. */
    public static Tensor oneHot(Tensor index, int numClasses) {
        requireInt64("one_hot", "index", index);
        if (index.isBatched()) return Batching.perElement(index, v -> oneHot(v, numClasses));
        for (long v : index.toLongArray()) {
            if (v < 0 || v >= numClasses) {
                throw new IndexOutOfBoundsException("one_hot: class " + v + " is out of range for " + numClasses + " classes");
            }
        }
        return index.unsqueeze(-1).eq(Tensor.arange(numClasses).to(index.device())).toLong();
    }

    /** Stable sort along dim (NaN last); values carry the gradient back through the permutation. */
    public static ValuesAndIndices sort(Tensor x, int dim, boolean descending) {
        Tensor indices = argsort(x, dim, descending);
        int d = x.dim() == 0 ? 0 : Shape.normalizeDim("sort", dim, x.dim());
        return new ValuesAndIndices(x.dim() == 0 ? x : gather(x, d, indices), indices);
    }

    public static Tensor argsort(Tensor x, int dim, boolean descending) {
        if (x.dim() == 0) return x.newZeros(DType.INT64);
        int d = Shape.normalizeDim("argsort", dim, x.dim());
        if (x.isBatched()) return Batching.alongDim(x, d, (v, pd) -> argsort(v, pd, descending));
        return x.backend().sortIndices(x, d, descending);
    }

    /** The k largest (or smallest) entries along dim, sorted. */
    public static ValuesAndIndices topk(Tensor x, int k, int dim, boolean largest) {
        int d = Shape.normalizeDim("topk", dim, x.dim());
        if (k < 0 || k > x.shapeRef()[d]) {
            throw new IllegalArgumentException("topk: k = " + k + " is out of range for dim " + dim + " of size " + x.shapeRef()[d]);
        }
        Tensor indices = argsort(x, d, largest).narrow(d, 0, k);
        return new ValuesAndIndices(gather(x, d, indices), indices);
    }
}
