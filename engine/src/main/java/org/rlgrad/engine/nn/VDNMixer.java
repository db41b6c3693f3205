package org.rlgrad.engine.nn;

import org.rlgrad.engine.tensor.Tensor;

/**
 * Value-decomposition networks (Sunehag et al. 2017, "Value-Decomposition Networks For
 * Cooperative Multi-Agent Learning"): {@code Q_tot = Σ_agents q_a}. No parameters, no state.
 */
public final class VDNMixer extends Mixer {
    public VDNMixer(int nAgents) {
        super(nAgents, null);
    }

    @Override
    protected Tensor mix(Tensor chosenActionValues, Tensor state) {
        return chosenActionValues.sum(-2);
    }
}
