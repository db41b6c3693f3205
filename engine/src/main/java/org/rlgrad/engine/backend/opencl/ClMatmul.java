package org.rlgrad.engine.backend.opencl;


import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/** IN PROGRESS: being written. */
final class ClMatmul {
    private final OpenClBackend cl;

    ClMatmul(OpenClBackend cl) {
        this.cl = cl;
    }

    Tensor matmul(Tensor a, Tensor b) { throw new UnsupportedOperationException("OpenCL: in progress"); }
}
