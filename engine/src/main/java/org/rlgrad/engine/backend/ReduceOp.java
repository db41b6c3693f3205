package org.rlgrad.engine.backend;

/** Reductions over a set of dims. SUM/PROD keep the input dtype (bool sums to int64); ANY/ALL give bool. */
public enum ReduceOp {
    SUM, PROD,
    /** NaN propagates. */
    MAX, MIN,
    ANY, ALL
}
