package org.rlgrad.losses;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.rlgrad.engine.tensor.Tensor;

/**
 * One component of a loss called alone (spec losses.md §1.1: {@code actor_loss(td)},
 * {@code qvalue_loss(td)}, ... return {@code (loss, metadata)}): the reduced loss tensor, with its
 * graph, and the component's metrics by name, in the order the loss reports them. Metrics are
 * detached unless the loss's section says otherwise.
 */
public record LossTerm(Tensor loss, Map<String, Tensor> metadata) {
    public LossTerm {
        Objects.requireNonNull(loss, "LossTerm: the loss is null");
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(metadata, "LossTerm: the metadata is null")));
    }

    /** The metric {@code name}; a missing one is an error naming the metrics present. */
    public Tensor metric(String name) {
        Tensor t = metadata.get(name);
        if (t == null) throw new IllegalArgumentException("LossTerm: no metric '" + name + "'; it holds " + metadata.keySet());
        return t;
    }
}
