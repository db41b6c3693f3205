package org.rlgrad.losses;

import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;

/**
 * One entry of a target tree and its source (spec losses.md §1.4): {@code source} is the live
 * tensor of {@code <network>_params} at {@code key}, {@code target} the tensor at the same key of
 * {@code target_<network>_params}.
 */
public record TargetPair(String network, Key key, Tensor source, Tensor target) {
    /**
     * Whether an updater's {@code step} moves this pair: the target has its own storage (a delayed
     * copy, not an alias) and the source is trainable (a parameter, not a buffer).
     */
    public boolean distinct() {
        return target.storage() != source.storage() && source.requiresGrad();
    }
}
