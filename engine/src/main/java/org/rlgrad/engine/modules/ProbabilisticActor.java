package org.rlgrad.engine.modules;

import java.util.List;

import org.rlgrad.engine.tensordict.Key;

/**
 * A stochastic policy (spec engine.md 3.7; TorchRL's {@code ProbabilisticActor}): a TensorDict
 * module computing the distribution's parameters followed by a {@link ProbabilisticTensorDictModule}
 * built from {@code distribution}, whose in-keys are the parameter keys. Defaults: out-key
 * {@code "action"} (for a composite: the keys of its name map, else its head names),
 * distribution Delta, interaction type DETERMINISTIC, no log-probabilities.
 *
 * <p>The action spec and its projection ({@code safe=True}) are not part of the port: no loss
 * depends on them.
 */
public class ProbabilisticActor extends ProbabilisticTensorDictSequential {
    public static final Key DEFAULT_ACTION_KEY = Key.of("action");

    public ProbabilisticActor(TensorDictModuleBase module, ProbabilisticTensorDictModule.Builder distribution) {
        super(List.of(module, withActionDefault(distribution).build()));
    }

    private static ProbabilisticTensorDictModule.Builder withActionDefault(ProbabilisticTensorDictModule.Builder b) {
        if (!b.isComposite() && !b.hasOutKeys()) b.defaultOutKeys(List.of(DEFAULT_ACTION_KEY));
        return b;
    }
}
