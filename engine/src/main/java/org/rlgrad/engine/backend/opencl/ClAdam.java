package org.rlgrad.engine.backend.opencl;


import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/** IN PROGRESS: being written. */
final class ClAdam {
    private final OpenClBackend cl;

    ClAdam(OpenClBackend cl) {
        this.cl = cl;
    }

    boolean step(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq,
                 double beta1, double beta2, double stepSize, double biasCorrection2Sqrt, double eps) { throw new UnsupportedOperationException("OpenCL: in progress"); }
}
