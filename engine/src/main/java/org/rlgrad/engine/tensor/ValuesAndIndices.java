package org.rlgrad.engine.tensor;

/** The pair returned by max/min over a dim, sort and topk: values (differentiable) and int64 indices. */
public record ValuesAndIndices(Tensor values, Tensor indices) {}
