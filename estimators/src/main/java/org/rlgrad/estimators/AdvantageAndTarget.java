package org.rlgrad.estimators;

import org.rlgrad.engine.tensor.Tensor;

/**
 * GAE's two outputs, both shaped like the inputs.
 *
 * @param advantage A_t
 * @param valueTarget A_t + V_t, the critic's regression target
 */
public record AdvantageAndTarget(Tensor advantage, Tensor valueTarget) {}
