package org.rlgrad.testsuite.conformance;

import java.util.List;

import org.rlgrad.engine.tensor.Tensor;

/** One entry of the op table: calls rlgrad for an {@code ops.json} case and returns its outputs in order. */
@FunctionalInterface
interface OpCall {
    List<Tensor> call(OpArgs args);
}
