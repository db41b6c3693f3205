package org.rlgrad.engine.backend;

/** Inclusive scans along one dim. */
public enum ScanOp {
    CUMSUM, CUMPROD
}
