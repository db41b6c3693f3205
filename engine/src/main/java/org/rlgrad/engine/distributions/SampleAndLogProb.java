package org.rlgrad.engine.distributions;

import org.rlgrad.engine.tensor.Tensor;

/** A draw and its log-probability, scored at the same point. */
public record SampleAndLogProb(Tensor sample, Tensor logProb) {}
