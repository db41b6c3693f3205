package org.rlgrad.engine.optim;

import java.util.List;
import java.util.function.Function;

import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The inputs the closed-form tests share, and a runner: one parameter {@link #P0}, updated with
 * the gradients {@link #GRADS} one step after another. The gradients change magnitude and sign
 * (so momentum, AMSGrad's maximum and the centred average matter) and one coordinate's is always
 * 0.
 */
final class Steps {
    static final double[] P0 = {1, -2, 3, 0.5};
    static final double[][] GRADS = {
        {0.5, -1, 0, 2},
        {0.05, -0.1, 0, -0.2},
        {-0.4, 0.7, 0, 1.2},
    };

    private Steps() {}

    /** The parameter after each step (rows), as the optimiser {@code make} builds computes it in {@code dtype}. */
    static double[][] run(DType dtype, Function<List<Tensor>, Optimizer<?>> make) {
        Tensor p = Tensor.of(dtype, P0.clone(), P0.length).requiresGrad(true);
        Optimizer<?> opt = make.apply(List.of(p));
        double[][] out = new double[GRADS.length][];
        for (int t = 0; t < GRADS.length; t++) {
            opt.zeroGrad();
            p.setGrad(Tensor.of(dtype, GRADS[t], P0.length));
            opt.step();
            out[t] = p.toDoubleArray();
        }
        return out;
    }
}
