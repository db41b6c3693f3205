package org.rlgrad.estimators;

import org.rlgrad.engine.tensor.Tensor;

/**
 * V-trace's two outputs (Espeholt et al. 2018, IMPALA, eq. 1 and the policy-gradient advantage
 * of §4.2), both shaped like the inputs.
 *
 * @param advantage ρ̂_t (r_t + γ nτ_t vs_{t+1} − V_t)
 * @param vs the V-trace value targets vs_t
 */
public record VTraceResult(Tensor advantage, Tensor vs) {}
