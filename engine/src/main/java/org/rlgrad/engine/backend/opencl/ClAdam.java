package org.rlgrad.engine.backend.opencl;

import java.util.Arrays;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The fused Adam step on an {@link OpenClBackend} ({@code adam.cl}): one kernel that updates the
 * parameter and both moments in place, element by element in the CPU backend's sequence and
 * rounding ({@code OptimKernels.adam}), for the operands the CPU fuses: one float dtype, one shape,
 * four distinct storages, any strides as long as no written operand repeats elements.
 */
final class ClAdam {
    /** float32 division and sqrt correctly rounded, as Java's are (OpenCL allows a few ulps otherwise). */
    private static final String FLOAT32_OPTIONS = " -cl-fp32-correctly-rounded-divide-sqrt";

    private final OpenClBackend cl;

    ClAdam(OpenClBackend cl) {
        this.cl = cl;
    }

    /**
     * One Adam update of {@code param}, {@code expAvg} and {@code expAvgSq} from {@code grad}.
     * Returns false, writing nothing, for operands the CPU backend would not fuse either.
     */
    boolean step(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq,
                 double beta1, double beta2, double stepSize, double biasCorrection2Sqrt, double eps) {
        DType dtype = param.dtype();
        if (!dtype.isFloating() || grad.dtype() != dtype || expAvg.dtype() != dtype || expAvgSq.dtype() != dtype) return false;
        int[] shape = param.shapeRef();
        if (!Arrays.equals(grad.shapeRef(), shape) || !Arrays.equals(expAvg.shapeRef(), shape)
                || !Arrays.equals(expAvgSq.shapeRef(), shape)) return false;
        OpenClStorage p = cl.storage(param), g = cl.storage(grad), m = cl.storage(expAvg), v = cl.storage(expAvgSq);
        // Distinct buffers: the kernel reads g and writes p, m and v element by element.
        if (p == g || p == m || p == v || g == m || g == v || m == v) return false;
        // A written operand that repeats elements (a broadcast view) would be updated more than once.
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] > 1 && (param.stridesRef()[d] == 0 || expAvg.stridesRef()[d] == 0 || expAvgSq.stridesRef()[d] == 0)) return false;
        }
        int n = param.numel();
        if (n > 0) {
            boolean f32 = dtype == DType.FLOAT32;
            ClKernel k = cl.kernel("adam.cl", ClTypes.options("T", dtype) + (f32 ? FLOAT32_OPTIONS : ""), "adam");
            k.setBuffer(0, p.buffer()).setInts(1, ClLayout.of(param)).setBuffer(2, g.buffer()).setInts(3, ClLayout.of(grad));
            k.setBuffer(4, m.buffer()).setInts(5, ClLayout.of(expAvg)).setBuffer(6, v.buffer()).setInts(7, ClLayout.of(expAvgSq));
            // The scalars rounded to the tensors' dtype once, on the host, as the CPU backend rounds them.
            double[] scalars = {beta1, 1 - beta1, beta2, 1 - beta2, biasCorrection2Sqrt, eps, -stepSize};
            for (int s = 0; s < scalars.length; s++) {
                if (f32) k.setFloat(8 + s, (float) scalars[s]);
                else k.setDouble(8 + s, scalars[s]);
            }
            k.setInt(15, n);
            ClElementwise.launch(k, n);
        }
        // In-place writes, as the CPU backend records them for autograd's saved-tensor checks.
        p.bumpVersion();
        m.bumpVersion();
        v.bumpVersion();
        return true;
    }
}
