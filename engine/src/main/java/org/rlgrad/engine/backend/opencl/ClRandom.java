package org.rlgrad.engine.backend.opencl;

import org.rlgrad.engine.random.Philox;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Philox random fills on an {@link OpenClBackend} ({@code philox.cl}): one work item per Philox
 * block, each element made from the words {@link Philox} assigns it, so a draw gives the CPU
 * backend's numbers (uniforms bit for bit; normals up to the last bits of OpenCL's log, cos and
 * sin, computed in double as the CPU does whenever the device has fp64).
 */
final class ClRandom {
    private final OpenClBackend cl;

    ClRandom(OpenClBackend cl) {
        this.cl = cl;
    }

    /** A new tensor of {@code shape} from Philox stream {@code (key, stream)} starting at block {@code offset}. */
    Tensor philox(int[] shape, DType dtype, boolean normal, long key, long stream, long offset) {
        int per = Philox.elementsPerBlock(dtype); // refuses anything but float32 and float64
        Tensor out = cl.emptyForOverwrite(dtype, shape);
        int n = Shape.numel(shape);
        if (n == 0) return out;
        String options = ClTypes.options("T", dtype);
        // float32 normals: Box-Muller in double, as the CPU computes them, when the device can.
        if (dtype == DType.FLOAT32 && cl.clDevice().supportsDouble()) options += " -DHAS_FP64";
        ClKernel k = cl.kernel("philox.cl", options, "philox_fill");
        k.setBuffer(0, cl.buffer(out)).setInt(1, n).setLong(2, key).setLong(3, stream).setLong(4, offset).setInt(5, normal ? 1 : 0);
        ClElementwise.launch(k, (n + per - 1) / per);
        return out;
    }
}
