package org.rlgrad.losses;

import java.util.List;

import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * The entries a network reads, gathered from a loss's input into a new dict of the same batch
 * size (REDQ, CrossQ): at the current state, or under {@code "next"}, optionally with a given
 * action in place of the stored one. A missing entry is the loss's error naming its full key.
 */
final class NetworkInputs {
    private NetworkInputs() {}

    /**
     * The entries {@code keys} of {@code td} (under {@code "next"} when {@code next}), of batch
     * {@code *B}, with {@code action} in place of {@code actionKey} when {@code action} is given
     * (then {@code keys} must hold {@code actionKey}).
     */
    static TensorDict of(LossModule loss, TensorDict td, boolean next, List<Key> keys, Key actionKey, Tensor action) {
        TensorDict out = new TensorDict(td.batchSize());
        for (Key k : keys) {
            if (action != null && k.equals(actionKey)) out.set(k, action);
            else out.set(k, loss.require(td, next ? Key.of("next", k) : k));
        }
        if (action != null && !keys.contains(actionKey)) {
            throw new IllegalArgumentException(loss.lossName() + ": the critic reads " + keys + ", which does not hold the action key " + actionKey);
        }
        return out;
    }

    /** The entries {@code keys} of {@code td} (under {@code "next"} when {@code next}), as stored. */
    static TensorDict of(LossModule loss, TensorDict td, boolean next, List<Key> keys) {
        return of(loss, td, next, keys, null, null);
    }
}
