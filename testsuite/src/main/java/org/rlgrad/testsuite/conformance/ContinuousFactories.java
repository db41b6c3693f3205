package org.rlgrad.testsuite.conformance;

import java.util.LinkedHashMap;
import java.util.Map;

/** How the continuous distributions of {@code distributions.json} are built (see {@link DistributionFactory}). */
final class ContinuousFactories {
    private ContinuousFactories() {}

    static Map<String, DistributionFactory> table() {
        Map<String, DistributionFactory> table = new LinkedHashMap<>();
        return table;
    }
}
