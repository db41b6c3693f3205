package org.rlgrad.testsuite.conformance;

import java.util.Map;

import org.rlgrad.engine.distributions.Distribution;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Builds the rlgrad distribution that a {@code distributions.json} case describes, from its
 * differentiable {@code params} (leaves that require grad, keyed by constructor argument name) and
 * its other constructor {@code options} (numbers, booleans, strings, or tensors decoded as
 * {@link VectorTensors} does).
 */
@FunctionalInterface
public interface DistributionFactory {
    Distribution make(Map<String, Tensor> params, Map<String, Object> options);
}
