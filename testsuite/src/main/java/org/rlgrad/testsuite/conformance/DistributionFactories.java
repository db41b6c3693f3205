package org.rlgrad.testsuite.conformance;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The distributions the runner can build, keyed {@code "<library>.<distribution>"} as the case
 * ids name them ({@code "torch.Normal"}, {@code "torchrl.TanhNormal"}); the continuous and the
 * discrete families keep their tables in their own files.
 */
final class DistributionFactories {
    private DistributionFactories() {}

    static Map<String, DistributionFactory> all() {
        Map<String, DistributionFactory> all = new LinkedHashMap<>(ContinuousFactories.table());
        all.putAll(DiscreteFactories.table());
        return all;
    }
}
