package org.rlgrad.engine.nn;

import java.util.function.UnaryOperator;

import org.rlgrad.engine.tensor.Tensor;

/**
 * A module from one tensor to one tensor: the layers that {@link Sequential} chains. It is a
 * {@link UnaryOperator}, so it can be handed to {@code Vmap.vmap} directly.
 */
public abstract class UnaryModule extends Module implements UnaryOperator<Tensor> {
    public abstract Tensor forward(Tensor x);

    @Override
    public final Tensor apply(Tensor x) {
        return forward(x);
    }
}
