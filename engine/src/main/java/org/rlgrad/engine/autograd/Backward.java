package org.rlgrad.engine.autograd;

import org.rlgrad.engine.tensor.Tensor;

/**
 * The vector-Jacobian product of one op: given the gradient of the loss with respect to the op's
 * output, the gradients with respect to each input (same order as the op's inputs; {@code null}
 * for an input that gets none). Written in Tensor ops, so that it can itself be differentiated.
 */
@FunctionalInterface
public interface Backward {
    Tensor[] apply(Tensor gradOutput);
}
