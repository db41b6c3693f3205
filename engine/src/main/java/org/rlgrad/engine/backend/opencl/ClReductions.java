package org.rlgrad.engine.backend.opencl;

import org.rlgrad.engine.backend.ReduceOp;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/** IN PROGRESS: being written. */
final class ClReductions {
    private final OpenClBackend cl;

    ClReductions(OpenClBackend cl) {
        this.cl = cl;
    }

    Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepdim) { throw new UnsupportedOperationException("OpenCL: in progress"); }
    Tensor argReduce(boolean max, Tensor x, int dim, boolean keepdim) { throw new UnsupportedOperationException("OpenCL: in progress"); }
    Tensor softmax(Tensor x, int dim, boolean log) { throw new UnsupportedOperationException("OpenCL: in progress"); }
    Tensor logSumExp(Tensor x, int dim, boolean keepdim) { throw new UnsupportedOperationException("OpenCL: in progress"); }
}
