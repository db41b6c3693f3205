package org.rlgrad.testsuite.conformance;

import java.util.LinkedHashMap;
import java.util.Map;

import org.rlgrad.engine.modules.Parameters;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.losses.LossModule;
import org.rlgrad.losses.QMixerLoss;

/**
 * {@code QMixerLoss}: a {@code q_values_per_agent} network {@code local_value} and a mixer
 * {@code mixer} of kind {@code vdn} (no network) or {@code qmix} (made of the case's four
 * {@code mixer.*} networks); config {@code loss_function}, {@code delay_value},
 * {@code action_space}, and the mixer's sizes. The case's {@code mixer.*} networks are parts of
 * the loss's one {@code mixer} network: their gradients are read from the case modules the mixer
 * is built of, and their target copies are loaded together into the mixer's target tree.
 */
final class QMixerLossAdapter implements LossAdapter {
    @Override
    public String lossClass() { return "QMixerLoss"; }

    @Override
    public LossModule build(LossCase c, RandomSource draws) {
        QMixerLoss loss = QMixerLoss.builder(NetworkWirings.wire(c, "local_value"), NetworkWirings.wire(c, "mixer", null))
                .lossFunction(JsonValues.string(c.config("loss_function", "l2"), "config.loss_function"))
                .delayValue(JsonValues.bool(c.config("delay_value", true), "config.delay_value"))
                .actionSpace(JsonValues.string(c.config("action_space", "one_hot"), "config.action_space"))
                .build();
        TemperatureCaseConfig.valueEstimator(c, loss);
        return loss;
    }

    @Override
    public String lossNetworkName(String caseName) {
        return caseName.startsWith(QMixMixerWiring.PREFIX) ? QMixerLoss.MIXER_NETWORK : QMixerLoss.LOCAL_VALUE_NETWORK;
    }

    @Override
    public void loadTargets(LossModule loss, LossCase c) {
        LossCase targets = targetView(c);
        if (c.targetNetworks().containsKey("local_value")) {
            loss.loadTargetParams(QMixerLoss.LOCAL_VALUE_NETWORK, Parameters.fromModule(NetworkWirings.wire(targets, "local_value")));
        }
        boolean mixerTargets = c.targetNetworks().keySet().stream().anyMatch(k -> k.startsWith(QMixMixerWiring.PREFIX));
        if (mixerTargets) loss.loadTargetParams(QMixerLoss.MIXER_NETWORK, Parameters.fromModule(NetworkWirings.wire(targets, "mixer", null)));
    }

    /** The case as its target copies see it: {@code networks} replaced by {@code target_networks}. */
    static LossCase targetView(LossCase c) {
        Map<String, CaseNetwork> targets = new LinkedHashMap<>(c.targetNetworks());
        return new LossCase(c.id(), c.loss(), c.config(), c.valueEstimator(), c.wiring(), targets, c.targetNetworks(), c.lossParameters(), c.stateBefore(),
                c.batch(), c.randomDraws(), c.expected());
    }
}
