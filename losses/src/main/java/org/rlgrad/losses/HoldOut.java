package org.rlgrad.losses;

import java.util.List;

import org.rlgrad.engine.nn.Module;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * TorchRL's {@code hold_out_net} and {@code hold_out_params} (spec losses.md §1.12).
 *
 * <p>{@link #net}: if the network's first parameter requires grad, every parameter stops
 * requiring it for the scope and is switched back <em>on</em> when the scope closes (the
 * reference's rule, unlike {@link Module#holdOutParameters()}, which restores each flag);
 * otherwise nothing happens, so nesting is harmless. Outputs computed inside depend on inputs
 * that require grad only.
 */
public final class HoldOut implements AutoCloseable {
    private final List<org.rlgrad.engine.tensor.Tensor> switched;

    private HoldOut(List<org.rlgrad.engine.tensor.Tensor> switched) {
        this.switched = switched;
        for (var p : switched) p.requiresGrad(false);
    }

    /** The scope; use with try-with-resources. */
    public static HoldOut net(Module network) {
        List<org.rlgrad.engine.tensor.Tensor> params = network.parameters();
        if (params.isEmpty() || !params.get(0).requiresGrad()) return new HoldOut(List.of());
        return new HoldOut(params);
    }

    /** Detached copies of {@code params} (they share storage, carry no gradient). */
    public static TensorDict params(TensorDict params) {
        return params.detach();
    }

    @Override
    public void close() {
        for (var p : switched) p.requiresGrad(true);
    }
}
