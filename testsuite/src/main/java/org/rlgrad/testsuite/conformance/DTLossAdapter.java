package org.rlgrad.testsuite.conformance;

import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.losses.DTLoss;
import org.rlgrad.losses.LossModule;

/** {@code DTLoss}: one {@code deterministic_policy} network {@code actor} applied at every {@code [B, T]} position; config {@code loss_function}, {@code reduction}. */
final class DTLossAdapter implements LossAdapter {
    @Override
    public String lossClass() { return "DTLoss"; }

    @Override
    public LossModule build(LossCase c, RandomSource draws) {
        return DTLoss.builder(NetworkWirings.wire(c, "actor"))
                .lossFunction(JsonValues.string(c.config("loss_function", "l2"), "config.loss_function"))
                .reduction(JsonValues.string(c.config("reduction", "mean"), "config.reduction"))
                .build();
    }

    @Override
    public String lossNetworkName(String caseName) {
        return DTLoss.ACTOR;
    }
}
