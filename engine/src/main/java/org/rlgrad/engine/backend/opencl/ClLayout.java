package org.rlgrad.engine.backend.opencl;

import java.util.Arrays;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Packs a strided view into the {@code Layout} struct of {@code common.cl}, the by-value kernel
 * argument that tells a kernel where element {@code i} of a row-major walk lives:
 * {@code {ndim, offset, shape[MAX_DIMS], stride[MAX_DIMS]}}.
 *
 * <p>The walk may be over a larger shape than the view's own (broadcasting): the view's dims are
 * aligned to the right of the walk's and a dim of size 1 gets stride 0. Dims are then merged
 * wherever stepping through them is one even stride ({@code stride[d] == stride[d+1] * shape[d+1]}),
 * which leaves the position of every element unchanged; a contiguous view becomes one dim, and
 * only views that are irregular in more than {@value #MAX_DIMS} dims cannot be passed.
 */
final class ClLayout {
    /** The {@code MAX_DIMS} of {@code common.cl}. */
    static final int MAX_DIMS = 8;
    /** Ints in the struct. */
    static final int INTS = 2 + 2 * MAX_DIMS;

    private ClLayout() {}

    /** The layout of {@code t} walked over its own shape. */
    static int[] of(Tensor t) {
        return of(t, t.shapeRef());
    }

    /** The layout of {@code t} broadcast to {@code walk} (its shape must broadcast to it). */
    static int[] of(Tensor t, int[] walk) {
        return pack(t.shapeRef(), t.stridesRef(), t.offset(), walk);
    }

    static int[] pack(int[] shape, int[] strides, int offset, int[] walk) {
        int lead = walk.length - shape.length;
        if (lead < 0) {
            throw new IllegalArgumentException("OpenCL layout: shape " + Arrays.toString(shape)
                    + " has more dims than the walk " + Arrays.toString(walk));
        }
        int[] sizes = new int[Math.max(1, walk.length)];
        int[] steps = new int[sizes.length];
        int n = 0;
        for (int d = 0; d < walk.length; d++) {
            int own = d < lead ? 1 : shape[d - lead];
            if (own != walk[d] && own != 1) {
                throw new IllegalArgumentException("OpenCL layout: shape " + Arrays.toString(shape)
                        + " does not broadcast to " + Arrays.toString(walk));
            }
            int stride = own == 1 ? 0 : strides[d - lead];
            if (walk[d] == 1) continue; // a dim of size 1 moves nothing
            if (n > 0 && steps[n - 1] == stride * walk[d]) {
                sizes[n - 1] *= walk[d];
                steps[n - 1] = stride;
            } else {
                sizes[n] = walk[d];
                steps[n++] = stride;
            }
        }
        if (n == 0) { // a scalar walk, or every dim of size 1
            sizes[0] = 1;
            steps[0] = 0;
            n = 1;
        }
        if (n > MAX_DIMS) {
            throw new IllegalArgumentException("OpenCL backend: a view of shape " + Arrays.toString(shape)
                    + " with strides " + Arrays.toString(strides) + " walked over " + Arrays.toString(walk)
                    + " needs " + n + " irregular dims; kernels take at most " + MAX_DIMS
                    + " (make it contiguous first)");
        }
        int[] packed = new int[INTS];
        packed[0] = n;
        packed[1] = offset;
        System.arraycopy(sizes, 0, packed, 2, n);
        System.arraycopy(steps, 0, packed, 2 + MAX_DIMS, n);
        return packed;
    }
}
