package org.rlgrad.engine.ops;

import static org.rlgrad.engine.ops.OpSupport.grads;
import static org.rlgrad.engine.ops.OpSupport.inputs;

import java.util.Arrays;

import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.vmap.Batching;

/**
 * Ops that return a view sharing the input's storage (only the shape, strides and offset change),
 * plus contiguous and clone. Each gradient is the dual movement: reshape back, transpose back,
 * sum over expanded dims, embed a slice back into zeros.
 */
public final class Views {
    private Views() {}

    private static Tensor view(Tensor x, int[] shape, int[] strides, int offset) {
        return new Tensor(x.storage(), shape, strides, offset);
    }

    /** Resolves a single -1 and checks the element count. */
    static int[] inferShape(String op, int[] requested, int numel) {
        int[] shape = requested.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException(op + ": only one dim can be -1 in " + Arrays.toString(requested));
                infer = i;
            } else if (shape[i] < 0) {
                throw new IllegalArgumentException(op + ": invalid size " + shape[i] + " in " + Arrays.toString(requested));
            } else {
                known *= shape[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException(op + ": shape " + Arrays.toString(requested) + " is invalid for " + numel + " elements");
            }
            shape[infer] = (int) (numel / known);
        } else if (known != numel) {
            throw new IllegalArgumentException(op + ": shape " + Arrays.toString(requested) + " is invalid for " + numel + " elements");
        }
        return shape;
    }

    /** A view when the strides allow it, otherwise a contiguous copy. */
    public static Tensor reshape(Tensor x, int... shape) {
        int[] target = inferShape("reshape", shape, x.numel());
        if (x.isBatched()) return Batching.reshaped(x, target, Views::reshape);
        if (Arrays.equals(target, x.shapeRef())) return aliasWithShape(x, x.shapeRef(), x.stridesRef(), x.offset(), "reshape");
        int[] strides = viewStrides(x.shapeRef(), x.stridesRef(), target);
        Tensor source = strides == null ? contiguous(x) : x;
        if (strides == null) strides = Shape.contiguousStrides(target);
        return aliasWithShape(source, target, strides, source.offset(), "reshape");
    }

    /** Like reshape, but never copies: the strides must allow the new shape. */
    public static Tensor view(Tensor x, int... shape) {
        int[] target = inferShape("view", shape, x.numel());
        if (x.isBatched()) return Batching.reshaped(x, target, Views::view);
        int[] strides = viewStrides(x.shapeRef(), x.stridesRef(), target);
        if (strides == null) {
            throw new IllegalArgumentException("view: shape " + Shape.format(target) + " is incompatible with the layout of a tensor of shape "
                    + Shape.format(x.shapeRef()) + " and strides " + Shape.format(x.stridesRef()) + "; use reshape (which may copy)");
        }
        return aliasWithShape(x, target, strides, x.offset(), "view");
    }

    private static Tensor aliasWithShape(Tensor x, int[] shape, int[] strides, int offset, String name) {
        Tensor y = view(x, shape.clone(), strides.clone(), offset);
        int[] original = x.shape();
        return Autograd.record(name, y, inputs(x), g -> grads(reshape(g, original)));
    }

    /**
     * Strides that present the same elements in {@code target} shape without copying, or null.
     * Groups of old dims that are contiguous with one another are split or merged freely.
     */
    private static int[] viewStrides(int[] shape, int[] strides, int[] target) {
        int numel = Shape.numel(shape);
        if (numel == 0 || numel == 1) return Shape.contiguousStrides(target);
        int[] out = new int[target.length];
        int viewD = target.length - 1;
        int chunkBase = 0, tensorNumel = 1, viewNumel = 1;
        boolean inChunk = false; // not a sign test on chunkBase: flipped dims have negative strides
        int lastStride = 0;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 1) continue;
            if (!inChunk) {
                chunkBase = strides[d];
                tensorNumel = 1;
                inChunk = true;
            }
            tensorNumel *= shape[d];
            int prev = d - 1;
            while (prev >= 0 && shape[prev] == 1) prev--;
            boolean chunkEnds = prev < 0 || strides[prev] != tensorNumel * chunkBase;
            if (chunkEnds) {
                viewNumel = 1;
                while (viewD >= 0 && (viewNumel < tensorNumel || target[viewD] == 1)) {
                    out[viewD] = viewNumel * chunkBase;
                    viewNumel *= target[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                inChunk = false;
                lastStride = strides[d];
            }
        }
        while (viewD >= 0) {
            if (target[viewD] != 1) return null;
            out[viewD] = lastStride;
            viewD--;
        }
        return out;
    }

    public static Tensor transpose(Tensor x, int dim0, int dim1) {
        int r = x.dim();
        int a = Shape.normalizeDim("transpose", dim0, r), b = Shape.normalizeDim("transpose", dim1, r);
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) perm[i] = i;
        if (r > 0) {
            perm[a] = b;
            perm[b] = a;
        }
        return permute(x, perm);
    }

    public static Tensor permute(Tensor x, int... dims) {
        int r = x.dim();
        if (dims.length != r) {
            throw new IllegalArgumentException("permute: " + dims.length + " dims given for a tensor of rank " + r + " (shape " + Shape.format(x.shapeRef()) + ")");
        }
        int[] perm = new int[r];
        boolean[] seen = new boolean[r];
        for (int i = 0; i < r; i++) {
            perm[i] = Shape.normalizeDim("permute", dims[i], r);
            if (seen[perm[i]]) throw new IllegalArgumentException("permute: dim " + dims[i] + " repeated in " + Arrays.toString(dims));
            seen[perm[i]] = true;
        }
        if (x.isBatched()) return Batching.permuted(x, perm);
        int[] shape = new int[r], strides = new int[r];
        int[] inverse = new int[r];
        for (int i = 0; i < r; i++) {
            shape[i] = x.shapeRef()[perm[i]];
            strides[i] = x.stridesRef()[perm[i]];
            inverse[perm[i]] = i;
        }
        Tensor y = view(x, shape, strides, x.offset());
        return Autograd.record("permute", y, inputs(x), g -> grads(permute(g, inverse)));
    }

    /** Moves one dim to a new position, keeping the others in order. */
    public static Tensor movedim(Tensor x, int source, int destination) {
        int r = x.dim();
        int s = Shape.normalizeDim("movedim", source, r), d = Shape.normalizeDim("movedim", destination, r);
        if (r == 0) return x;
        int[] rest = new int[r - 1];
        for (int i = 0, k = 0; i < r; i++) if (i != s) rest[k++] = i;
        int[] perm = new int[r];
        for (int i = 0, k = 0; i < r; i++) perm[i] = i == d ? s : rest[k++];
        return permute(x, perm);
    }

    /**
     * Moves several dims at once: dim {@code source[i]} goes to position {@code destination[i]},
     * the other dims keep their order in the remaining positions (torch.movedim with lists).
     */
    public static Tensor movedim(Tensor x, int[] source, int[] destination) {
        if (source.length != destination.length) {
            throw new IllegalArgumentException("movedim: " + source.length + " source dims but " + destination.length + " destination dims");
        }
        int r = x.dim();
        int[] src = new int[source.length], dst = new int[destination.length];
        boolean[] srcUsed = new boolean[Math.max(r, 1)], dstUsed = new boolean[Math.max(r, 1)];
        for (int i = 0; i < source.length; i++) {
            src[i] = Shape.normalizeDim("movedim", source[i], r);
            dst[i] = Shape.normalizeDim("movedim", destination[i], r);
            if (srcUsed[src[i]] || dstUsed[dst[i]]) {
                throw new IllegalArgumentException("movedim: repeated dim in source " + java.util.Arrays.toString(source)
                        + " or destination " + java.util.Arrays.toString(destination));
            }
            srcUsed[src[i]] = true;
            dstUsed[dst[i]] = true;
        }
        if (r == 0) return x;
        int[] perm = new int[r];
        java.util.Arrays.fill(perm, -1);
        for (int i = 0; i < src.length; i++) perm[dst[i]] = src[i];
        for (int i = 0, k = 0; i < r; i++) {
            if (perm[i] >= 0) continue;
            while (srcUsed[k]) k++;
            perm[i] = k++;
        }
        return permute(x, perm);
    }

    /**
     * Broadcast view: size-1 dims stretch (stride 0), new leading dims may be added, -1 keeps a
     * size. The gradient sums over the stretched dims.
     */
    public static Tensor expand(Tensor x, int... sizes) {
        int r = x.dim();
        if (sizes.length < r) {
            throw new IllegalArgumentException("expand: cannot expand shape " + Shape.format(x.shapeRef()) + " to " + Arrays.toString(sizes) + " (fewer dims)");
        }
        int lead = sizes.length - r;
        int[] shape = new int[sizes.length], strides = new int[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            int want = sizes[i];
            if (i < lead) {
                if (want < 0) throw new IllegalArgumentException("expand: -1 is not allowed for a new leading dim in " + Arrays.toString(sizes));
                shape[i] = want;
                strides[i] = 0;
                continue;
            }
            int have = x.shapeRef()[i - lead];
            if (want == -1 || want == have) {
                shape[i] = have;
                strides[i] = x.isBatched() ? 0 : x.stridesRef()[i - lead]; // a batched tensor has no strides: its rule below expands the physical value
            } else if (have == 1) {
                shape[i] = want;
                strides[i] = 0;
            } else {
                throw new IllegalArgumentException("expand: cannot expand shape " + Shape.format(x.shapeRef()) + " to " + Arrays.toString(sizes)
                        + " (dim " + i + ": " + have + " is not 1)");
            }
        }
        if (Arrays.equals(shape, x.shapeRef())) return x;
        if (x.isBatched()) return Batching.expanded(x, shape);
        Tensor y = view(x, shape, strides, x.offset());
        int[] original = x.shape();
        return Autograd.record("expand", y, inputs(x), g -> grads(OpSupport.sumTo(g, original)));
    }

    /** Removes every size-1 dim. */
    public static Tensor squeeze(Tensor x) {
        if (x.isBatched()) return Batching.reshaped(x, Arrays.stream(x.shapeRef()).filter(v -> v != 1).toArray(), Views::reshape);
        int[] s = x.shapeRef();
        int n = 0;
        for (int v : s) if (v != 1) n++;
        int[] shape = new int[n], strides = new int[n];
        for (int i = 0, k = 0; i < s.length; i++) {
            if (s[i] != 1) {
                shape[k] = s[i];
                strides[k++] = x.stridesRef()[i];
            }
        }
        return aliasWithShape(x, shape, strides, x.offset(), "squeeze");
    }

    /** Removes {@code dim} if its size is 1; a dim of another size is left alone (PyTorch). */
    public static Tensor squeeze(Tensor x, int dim) {
        int d = Shape.normalizeDim("squeeze", dim, x.dim());
        if (x.isBatched()) return x.dim() == 0 || x.shapeRef()[d] != 1 ? x : Batching.alongDim(x, d, Views::squeeze);
        if (x.dim() == 0 || x.shapeRef()[d] != 1) return aliasWithShape(x, x.shapeRef(), x.stridesRef(), x.offset(), "squeeze");
        int[] shape = new int[x.dim() - 1], strides = new int[x.dim() - 1];
        for (int i = 0, k = 0; i < x.dim(); i++) {
            if (i == d) continue;
            shape[k] = x.shapeRef()[i];
            strides[k++] = x.stridesRef()[i];
        }
        return aliasWithShape(x, shape, strides, x.offset(), "squeeze");
    }

    public static Tensor unsqueeze(Tensor x, int dim) {
        int r = x.dim() + 1;
        int d = Shape.normalizeDim("unsqueeze", dim, r);
        if (x.isBatched()) return Batching.alongDim(x, d, Views::unsqueeze);
        int[] shape = new int[r], strides = new int[r];
        for (int i = 0, k = 0; i < r; i++) {
            if (i == d) {
                shape[i] = 1;
                strides[i] = k < x.dim() ? x.stridesRef()[k] * x.shapeRef()[k] : 1;
            } else {
                shape[i] = x.shapeRef()[k];
                strides[i] = x.stridesRef()[k++];
            }
        }
        return aliasWithShape(x, shape, strides, x.offset(), "unsqueeze");
    }

    public static Tensor narrow(Tensor x, int dim, int start, int length) {
        int d = Shape.normalizeDim("narrow", dim, x.dim());
        int size = x.shapeRef()[d];
        if (start < 0) start += size;
        if (start < 0 || length < 0 || start + length > size) {
            throw new IndexOutOfBoundsException("narrow: start " + start + " and length " + length + " do not fit dim " + dim + " of size " + size
                    + " (shape " + Shape.format(x.shapeRef()) + ")");
        }
        int begin = start;
        if (x.isBatched()) return Batching.alongDim(x, d, (v, pd) -> narrow(v, pd, begin, length));
        return strided(x, d, start, length, 1, "narrow");
    }

    /** Python slice semantics: negative bounds count from the end, out-of-range bounds are clipped. */
    public static Tensor slice(Tensor x, int dim, Integer start, Integer end, int step) {
        if (step <= 0) throw new IllegalArgumentException("slice: step must be positive, got " + step);
        int d = Shape.normalizeDim("slice", dim, x.dim());
        int size = x.shapeRef()[d];
        int s = start == null ? 0 : start < 0 ? Math.max(0, start + size) : Math.min(start, size);
        int e = end == null ? size : end < 0 ? Math.max(0, end + size) : Math.min(end, size);
        int length = e <= s ? 0 : (e - s + step - 1) / step;
        if (x.isBatched()) return Batching.alongDim(x, d, (v, pd) -> slice(v, pd, start, end, step));
        return strided(x, d, s, length, step, "slice");
    }

    /** Removes {@code dim}, keeping entry {@code index} (negative counts from the end). */
    public static Tensor select(Tensor x, int dim, int index) {
        int d = Shape.normalizeDim("select", dim, x.dim());
        int size = x.shapeRef()[d];
        int i = index < 0 ? index + size : index;
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("select: index " + index + " is out of range for dim " + dim + " of size " + size);
        }
        if (x.isBatched()) return Batching.alongDim(x, d, (v, pd) -> select(v, pd, index));
        return squeeze(strided(x, d, i, 1, 1, "select"), d);
    }

    private static Tensor strided(Tensor x, int d, int start, int length, int step, String name) {
        int[] shape = x.shape(), strides = x.strides();
        shape[d] = length;
        strides[d] *= step;
        Tensor y = view(x, shape, strides, x.offset() + (length == 0 ? 0 : start * x.stridesRef()[d]));
        int[] original = x.shape();
        return Autograd.record(name, y, inputs(x), g -> grads(embedSlice(g, original, d, start, step)));
    }

    /** The gradient of a slice: {@code g} written into zeros of the source shape. Its own gradient is the slice again. */
    private static Tensor embedSlice(Tensor g, int[] shape, int d, int start, int step) {
        Tensor out = Creation.full(shape, 0, g.dtype(), g.backend());
        int length = g.shapeRef()[d];
        if (length > 0) {
            int[] vs = out.shape(), vst = out.strides();
            vs[d] = length;
            vst[d] *= step;
            out.backend().copyInto(new Tensor(out.storage(), vs, vst, start * out.stridesRef()[d]), g);
        }
        return Autograd.record("slice_backward", out, inputs(g), gg -> grads(strided(gg, d, start, length, step, "slice")));
    }

    public static Tensor flatten(Tensor x, int startDim, int endDim) {
        if (x.dim() == 0) return reshape(x, 1);
        int s = Shape.normalizeDim("flatten", startDim, x.dim()), e = Shape.normalizeDim("flatten", endDim, x.dim());
        if (s > e) throw new IllegalArgumentException("flatten: start_dim " + startDim + " comes after end_dim " + endDim);
        int[] shape = new int[x.dim() - (e - s)];
        for (int i = 0, k = 0; i < x.dim(); i++) {
            if (i <= s || i > e) shape[k++] = x.shapeRef()[i];
            else shape[k - 1] *= x.shapeRef()[i];
        }
        return reshape(x, shape);
    }

    public static Tensor unflatten(Tensor x, int dim, int... sizes) {
        int d = Shape.normalizeDim("unflatten", dim, x.dim());
        int[] inner = inferShape("unflatten", sizes, x.shapeRef()[d]);
        int[] shape = new int[x.dim() - 1 + inner.length];
        for (int i = 0, k = 0; i < x.dim(); i++) {
            if (i == d) for (int v : inner) shape[k++] = v;
            else shape[k++] = x.shapeRef()[i];
        }
        return reshape(x, shape);
    }

    public static Tensor contiguous(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, Views::contiguous);
        if (x.isContiguous()) return x;
        return cloneTensor(x);
    }

    /** A contiguous copy with its own storage; the gradient passes through unchanged. */
    public static Tensor cloneTensor(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, Views::cloneTensor);
        Tensor y = x.backend().copy(x, x.dtype());
        return Autograd.record("clone", y, inputs(x), g -> grads(g));
    }
}
