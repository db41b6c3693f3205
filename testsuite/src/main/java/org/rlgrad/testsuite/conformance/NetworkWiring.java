package org.rlgrad.testsuite.conformance;

import java.util.Map;

import org.rlgrad.engine.modules.TensorDictModuleBase;

/**
 * One {@code wiring.<name>.kind} of FORMAT-losses.md section 3: how a case network becomes the
 * TensorDict module a loss is built on ({@code q_values}: a Q-value actor). One small class per
 * kind, listed in {@link NetworkWirings}.
 */
public interface NetworkWiring {
    /** The kind this class wires ({@code q_values}). */
    String kind();

    /**
     * The module over {@code network} as {@code wiring} says (in_keys, out_key, ...); {@code c}
     * gives the config (action space, support) where the kind needs it.
     */
    TensorDictModuleBase wire(Map<String, Object> wiring, CaseNetwork network, LossCase c);
}
