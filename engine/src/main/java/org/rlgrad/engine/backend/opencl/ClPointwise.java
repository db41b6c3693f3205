package org.rlgrad.engine.backend.opencl;

import org.rlgrad.engine.backend.BinaryOp;
import org.rlgrad.engine.backend.UnaryOp;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/** IN PROGRESS: being written. */
final class ClPointwise {
    private final OpenClBackend cl;

    ClPointwise(OpenClBackend cl) {
        this.cl = cl;
    }

    Tensor unary(UnaryOp op, Tensor x, double a, double b) { throw new UnsupportedOperationException("OpenCL: in progress"); }
    Tensor binary(BinaryOp op, Tensor a, Tensor b, DType computeType) { throw new UnsupportedOperationException("OpenCL: in progress"); }
    Tensor where(Tensor cond, Tensor a, Tensor b, DType outType) { throw new UnsupportedOperationException("OpenCL: in progress"); }
}
