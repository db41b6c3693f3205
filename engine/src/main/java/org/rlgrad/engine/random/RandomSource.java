package org.rlgrad.engine.random;

import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Where a loss, an estimator or a distribution takes its random numbers from. A {@link Generator}
 * is the usual source; {@link ReplayedDraws} hands back numbers recorded elsewhere (the loss
 * conformance vectors record every draw TorchRL made), so that a test can replay them in order.
 *
 * <p>Each request names its {@code site}, the sampling primitive that asks (the names of the
 * loss vectors: {@code "Normal.rsample"}, {@code "Normal.sample"}, {@code "randn_like"},
 * {@code "Tensor.uniform_"}, {@code "Uniform.sample"}, {@code "randperm"}), so that a replay can
 * check it is asked for the same draw, of the same shape, at the same point.
 */
public interface RandomSource {
    /** Independent N(0, 1) draws of {@code shape}. */
    Tensor standardNormal(String site, int[] shape, DType dtype);

    /** Independent draws uniform in {@code [low, high)} of {@code shape}. */
    Tensor uniform(String site, int[] shape, DType dtype, double low, double high);

    /** A uniformly random permutation of {@code 0 .. n-1} (int64). */
    Tensor randperm(String site, int n);
}
