/**
 * Value estimators: TD(0), TD(1), TD(&lambda;), GAE, V-trace and reward-to-go, each as a
 * functional form over explicit time-major tensors (with separate done and terminated masks)
 * and as an estimator module that reads and writes a TensorDict. They arrive with issue 7;
 * the semantics to match are in spec/estimators.md.
 */
package org.rlgrad.estimators;
