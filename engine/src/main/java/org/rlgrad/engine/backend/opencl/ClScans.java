package org.rlgrad.engine.backend.opencl;

import org.rlgrad.engine.backend.ScanOp;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/** IN PROGRESS: being written. */
final class ClScans {
    private final OpenClBackend cl;

    ClScans(OpenClBackend cl) {
        this.cl = cl;
    }

    Tensor scan(ScanOp op, Tensor x, int dim) { throw new UnsupportedOperationException("OpenCL: in progress"); }
    Tensor sortIndices(Tensor x, int dim, boolean descending) { throw new UnsupportedOperationException("OpenCL: in progress"); }
}
