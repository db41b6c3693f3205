package org.rlgrad.losses;

import org.rlgrad.engine.modules.ActionSpace;
import org.rlgrad.engine.modules.DistributionalQValueActor;
import org.rlgrad.engine.modules.DistributionalQValueModule;
import org.rlgrad.engine.modules.QValueActor;
import org.rlgrad.engine.modules.QValueModule;
import org.rlgrad.engine.modules.TensorDictModuleBase;

/**
 * The action space of a Q-value loss (spec losses.md §2.1 {@code action_space}): the one given,
 * else the one of the network's (distributional) Q-value module, else one-hot with a warning.
 */
final class QActorActionSpace {
    private QActorActionSpace() {}

    static ActionSpace resolve(ActionSpace given, TensorDictModuleBase network, String lossName, System.Logger log) {
        if (given != null) return given;
        if (network instanceof QValueActor actor) return actor.qValueModule().actionSpace();
        if (network instanceof QValueModule module) return module.actionSpace();
        if (network instanceof DistributionalQValueActor actor) return actor.qValueModule().actionSpace();
        if (network instanceof DistributionalQValueModule module) return module.actionSpace();
        log.log(System.Logger.Level.WARNING, lossName + ": no action space given and none found on the network; using one_hot");
        return ActionSpace.ONE_HOT;
    }
}
