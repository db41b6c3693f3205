package org.rlgrad.engine.backend.opencl;


import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/** IN PROGRESS: being written. */
final class ClRandom {
    private final OpenClBackend cl;

    ClRandom(OpenClBackend cl) {
        this.cl = cl;
    }

    Tensor philox(int[] shape, DType dtype, boolean normal, long key, long stream, long offset) { throw new UnsupportedOperationException("OpenCL: in progress"); }
}
