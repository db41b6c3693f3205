package org.rlgrad.losses;

import java.util.Objects;

import org.rlgrad.engine.tensordict.TensorDict;

/**
 * What a Dreamer loss's full call returns (spec losses.md §2.22: {@code forward} returns a pair):
 * the loss entries, as {@link LossModule#forward} gives them, and the data the loss produced,
 * detached — the world model's outputs of {@link DreamerModelLoss}, the imagined trajectories of
 * {@link DreamerActorLoss} that {@link DreamerValueLoss} trains on.
 */
public record LossAndData(TensorDict losses, TensorDict data) {
    public LossAndData {
        Objects.requireNonNull(losses, "LossAndData: the losses are null");
        Objects.requireNonNull(data, "LossAndData: the data is null");
    }
}
