package org.rlgrad.engine.ops;

import static org.rlgrad.engine.ops.OpSupport.inputs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.vmap.Batching;

/** Concatenation, splitting and reordering along dims. Most are views or compositions of views. */
public final class Joining {
    private Joining() {}

    /** Joins tensors along an existing dim; the gradient of each piece is its slice of g. */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("cat: expected at least one tensor");
        Tensor first = tensors.get(0);
        int r = first.dim();
        if (r == 0) throw new IllegalArgumentException("cat: zero-dimensional tensors cannot be concatenated; unsqueeze them or use stack");
        int d = Shape.normalizeDim("cat", dim, r);
        int[] shape = first.shape();
        int total = 0;
        DType dtype = first.dtype();
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            OpSupport.sameDevice("cat", first, t);
            if (t.dim() != r) {
                throw new IllegalArgumentException("cat: tensor 0 has shape " + Shape.format(first.shapeRef()) + " but tensor " + i
                        + " has shape " + Shape.format(t.shapeRef()) + " (ranks differ)");
            }
            for (int k = 0; k < r; k++) {
                if (k != d && t.shapeRef()[k] != shape[k]) {
                    throw new IllegalArgumentException("cat: tensor 0 has shape " + Shape.format(first.shapeRef()) + " but tensor " + i
                            + " has shape " + Shape.format(t.shapeRef()) + " (dim " + k + " differs)");
                }
            }
            total += t.shapeRef()[d];
            dtype = DType.max(dtype, t.dtype());
        }
        for (Tensor t : tensors) if (t.isBatched()) return Batching.cat(tensors, d);
        shape[d] = total;
        Tensor out = Creation.full(shape, 0, dtype, first.backend());
        int[] sizes = new int[tensors.size()];
        int at = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            sizes[i] = t.shapeRef()[d];
            if (sizes[i] > 0) {
                int[] vs = out.shape();
                vs[d] = sizes[i];
                out.backend().copyInto(new Tensor(out.storage(), vs, out.strides(), at * out.stridesRef()[d]), t);
            }
            at += sizes[i];
        }
        return Autograd.record("cat", out, tensors.toArray(new Tensor[0]), g -> split(g, sizes, d).toArray(new Tensor[0]));
    }

    /** Joins tensors of one shape along a new dim. */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("stack: expected at least one tensor");
        int[] shape = tensors.get(0).shapeRef();
        int d = Shape.normalizeDim("stack", dim, shape.length + 1);
        List<Tensor> expanded = new ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (!Arrays.equals(t.shapeRef(), shape)) {
                throw new IllegalArgumentException("stack: tensor 0 has shape " + Shape.format(shape) + " but tensor " + i
                        + " has shape " + Shape.format(t.shapeRef()));
            }
            expanded.add(Views.unsqueeze(t, d));
        }
        return cat(expanded, d);
    }

    /** Pieces of {@code size} along dim (the last may be shorter); views. */
    public static List<Tensor> split(Tensor x, int size, int dim) {
        if (size <= 0) throw new IllegalArgumentException("split: size must be positive, got " + size);
        int d = Shape.normalizeDim("split", dim, x.dim());
        int n = x.shapeRef()[d];
        List<Tensor> out = new ArrayList<>();
        for (int start = 0; start < n; start += size) out.add(Views.narrow(x, d, start, Math.min(size, n - start)));
        if (n == 0) out.add(Views.narrow(x, d, 0, 0));
        return out;
    }

    /** Pieces of the given sizes, which must add up to the dim's size; views. */
    public static List<Tensor> split(Tensor x, int[] sizes, int dim) {
        int d = Shape.normalizeDim("split", dim, x.dim());
        int total = 0;
        for (int s : sizes) {
            if (s < 0) throw new IllegalArgumentException("split: negative section size in " + Arrays.toString(sizes));
            total += s;
        }
        if (total != x.shapeRef()[d]) {
            throw new IllegalArgumentException("split: sections " + Arrays.toString(sizes) + " add up to " + total + " but dim " + dim
                    + " has size " + x.shapeRef()[d]);
        }
        List<Tensor> out = new ArrayList<>(sizes.length);
        int start = 0;
        for (int s : sizes) {
            out.add(Views.narrow(x, d, start, s));
            start += s;
        }
        return out;
    }

    /** {@code chunks} pieces of ceil(n / chunks) (fewer if the dim is short), as torch.chunk. */
    public static List<Tensor> chunk(Tensor x, int chunks, int dim) {
        if (chunks <= 0) throw new IllegalArgumentException("chunk: chunks must be positive, got " + chunks);
        int d = Shape.normalizeDim("chunk", dim, x.dim());
        int n = x.shapeRef()[d];
        return split(x, Math.max(1, (n + chunks - 1) / chunks), d);
    }

    /** Exactly {@code sections} near-equal pieces, the first ones larger (5 into 3: 2, 2, 1). */
    public static List<Tensor> tensorSplit(Tensor x, int sections, int dim) {
        if (sections <= 0) throw new IllegalArgumentException("tensor_split: sections must be positive, got " + sections);
        int d = Shape.normalizeDim("tensor_split", dim, x.dim());
        int n = x.shapeRef()[d];
        int[] sizes = new int[sections];
        for (int i = 0; i < sections; i++) sizes[i] = n / sections + (i < n % sections ? 1 : 0);
        return split(x, sizes, d);
    }

    public static List<Tensor> unbind(Tensor x, int dim) {
        int d = Shape.normalizeDim("unbind", dim, x.dim());
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < x.shapeRef()[d]; i++) out.add(Views.select(x, d, i));
        return out;
    }

    /** Reverses the order along dims: a view with negated strides; its gradient is the same flip. */
    public static Tensor flip(Tensor x, int... dims) {
        int[] ds = Shape.normalizeDims("flip", dims, x.dim());
        if (x.isBatched()) return ds.length == 0 ? x : Batching.alongDims(x, ds, Joining::flip);
        int[] strides = x.strides();
        int offset = x.offset();
        for (int d : ds) {
            int n = x.shapeRef()[d];
            if (n > 1) offset += (n - 1) * strides[d];
            strides[d] = -strides[d];
        }
        if (x.numel() == 0) offset = x.offset();
        Tensor y = new Tensor(x.storage(), x.shape(), strides, offset);
        return Autograd.record("flip", y, inputs(x), g -> new Tensor[] {flip(g, ds)});
    }

    /** Cyclic shift: element i moves to i + shift (mod n) along each dim. */
    public static Tensor roll(Tensor x, int[] shifts, int[] dims) {
        if (shifts.length != dims.length) {
            throw new IllegalArgumentException("roll: " + shifts.length + " shifts for " + dims.length + " dims");
        }
        Tensor y = x;
        for (int i = 0; i < dims.length; i++) {
            int d = Shape.normalizeDim("roll", dims[i], x.dim());
            int n = x.shapeRef()[d];
            if (n == 0) continue;
            int s = Math.floorMod(shifts[i], n);
            if (s == 0) continue;
            y = cat(List.of(Views.narrow(y, d, n - s, s), Views.narrow(y, d, 0, n - s)), d);
        }
        return y;
    }

    /** Tiles the tensor {@code repeats[i]} times along dim i (new leading dims allowed), as Tensor.repeat. */
    public static Tensor repeat(Tensor x, int... repeats) {
        if (repeats.length < x.dim()) {
            throw new IllegalArgumentException("repeat: " + repeats.length + " repeats given for a tensor of rank " + x.dim());
        }
        int lead = repeats.length - x.dim();
        int[] interleaved = new int[2 * repeats.length];
        int[] expanded = new int[2 * repeats.length];
        int[] result = new int[repeats.length];
        for (int i = 0; i < repeats.length; i++) {
            int size = i < lead ? 1 : x.shapeRef()[i - lead];
            interleaved[2 * i] = 1;
            interleaved[2 * i + 1] = size;
            expanded[2 * i] = repeats[i];
            expanded[2 * i + 1] = size;
            result[i] = repeats[i] * size;
        }
        return Views.reshape(Views.expand(Views.reshape(x, interleaved), expanded), result);
    }

    /** Each element repeated {@code repeats} times in place along dim: [a, b] → [a, a, b, b]. */
    public static Tensor repeatInterleave(Tensor x, int repeats, int dim) {
        int d = Shape.normalizeDim("repeat_interleave", dim, x.dim());
        int[] shape = x.shape();
        int[] expanded = new int[shape.length + 1];
        for (int i = 0, k = 0; i <= shape.length; i++) expanded[i] = i == d + 1 ? repeats : shape[k++];
        return Views.flatten(Views.expand(Views.unsqueeze(x, d + 1), expanded), d, d + 1);
    }

    /** Constant padding of the last dim with {@code left} and {@code right} entries of {@code value}. */
    public static Tensor pad(Tensor x, int left, int right, double value) {
        if (left < 0 || right < 0) throw new IllegalArgumentException("pad: negative padding [" + left + ", " + right + "] is not supported");
        if (x.dim() == 0) throw new IllegalArgumentException("pad: cannot pad a zero-dimensional tensor");
        if (left == 0 && right == 0) return x;
        List<Tensor> parts = new ArrayList<>(3);
        int[] shape = x.shape();
        if (left > 0) {
            shape[shape.length - 1] = left;
            parts.add(Creation.full(shape.clone(), value, x.dtype(), x.backend()));
        }
        parts.add(x);
        if (right > 0) {
            shape[shape.length - 1] = right;
            parts.add(Creation.full(shape.clone(), value, x.dtype(), x.backend()));
        }
        return cat(parts, -1);
    }

    /** Keeps elements on and above the {@code diagonal}-th diagonal of the last two dims, zeros the rest. */
    public static Tensor triu(Tensor x, int diagonal) {
        return Arithmetic.where(diagonalMask(x, diagonal, true), x, 0);
    }

    /** Keeps elements on and below the {@code diagonal}-th diagonal of the last two dims. */
    public static Tensor tril(Tensor x, int diagonal) {
        return Arithmetic.where(diagonalMask(x, diagonal, false), x, 0);
    }

    private static Tensor diagonalMask(Tensor x, int diagonal, boolean upper) {
        if (x.dim() < 2) throw new IllegalArgumentException((upper ? "triu" : "tril") + ": expected at least 2 dims, got shape " + Shape.format(x.shapeRef()));
        int rows = x.size(-2), cols = x.size(-1);
        Tensor row = Tensor.arange(rows).to(x.device()).unsqueeze(1);
        Tensor col = Tensor.arange(cols).to(x.device()).unsqueeze(0);
        Tensor offset = col.sub(row);
        return upper ? offset.ge(diagonal) : offset.le(diagonal);
    }
}
