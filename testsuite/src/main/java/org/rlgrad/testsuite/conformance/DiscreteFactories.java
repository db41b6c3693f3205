package org.rlgrad.testsuite.conformance;

import java.util.LinkedHashMap;
import java.util.Map;

/** How the discrete distributions of {@code distributions.json} are built (see {@link DistributionFactory}). */
final class DiscreteFactories {
    private DiscreteFactories() {}

    static Map<String, DistributionFactory> table() {
        Map<String, DistributionFactory> table = new LinkedHashMap<>();
        return table;
    }
}
