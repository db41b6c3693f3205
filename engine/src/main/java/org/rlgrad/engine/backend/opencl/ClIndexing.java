package org.rlgrad.engine.backend.opencl;


import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/** IN PROGRESS: being written. */
final class ClIndexing {
    private final OpenClBackend cl;

    ClIndexing(OpenClBackend cl) {
        this.cl = cl;
    }

    Tensor gather(Tensor x, int dim, Tensor index) { throw new UnsupportedOperationException("OpenCL: in progress"); }
    Tensor scatter(Tensor base, int dim, Tensor index, Tensor src, boolean accumulate) { throw new UnsupportedOperationException("OpenCL: in progress"); }
}
