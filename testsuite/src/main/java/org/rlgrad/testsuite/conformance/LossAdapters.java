package org.rlgrad.testsuite.conformance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The per-loss adapters of the losses family, by TorchRL class name. A case of a loss without an
 * adapter fails with {@code unsupported: no conformance adapter for <Loss>}. A new loss adds its
 * adapter to {@link #ADAPTERS}; nothing else changes.
 */
public final class LossAdapters {
    private LossAdapters() {}

    private static final List<LossAdapter> ADAPTERS = List.of(
            new DQNLossAdapter(),
            new DistributionalDQNLossAdapter(),
            new DDPGLossAdapter(),
            TD3LossAdapter.td3(),
            TD3LossAdapter.td3bc(),
            new REDQLossAdapter(),
            new CrossQLossAdapter(),
            new IQLLossAdapter(),
            new DiscreteIQLLossAdapter(),
            new CQLLossAdapter(),
            new DiscreteCQLLossAdapter(),
            new SACLossAdapter(),
            new DiscreteSACLossAdapter(),
            new DTLossAdapter(),
            new GAILLossAdapter(),
            new A2CLossAdapter(),
            new ReinforceLossAdapter(),
            new DreamerModelLossAdapter(),
            new DreamerValueLossAdapter(),
            new QMixerLossAdapter(),
            new OnlineDTLossAdapter(),
            new PPOLossAdapter(),
            new ClipPPOLossAdapter(),
            new KLPENPPOLossAdapter());

    private static final Map<String, LossAdapter> BY_CLASS = index();

    private static Map<String, LossAdapter> index() {
        Map<String, LossAdapter> m = new LinkedHashMap<>();
        for (LossAdapter a : ADAPTERS) m.put(a.lossClass(), a);
        return m;
    }

    /** The loss classes that have an adapter: every public case of each must pass. */
    public static Set<String> supported() {
        return BY_CLASS.keySet();
    }

    public static Optional<LossAdapter> forLoss(String lossClass) {
        return Optional.ofNullable(BY_CLASS.get(lossClass));
    }

    /** The reason a case of a loss without an adapter fails. */
    public static String unsupported(String lossClass) {
        return "unsupported: no conformance adapter for " + lossClass;
    }
}
