/**
 * Probability distributions for policies and models (spec/engine.md section 4): each is built
 * from tensor ops, so reparameterised draws and log-probabilities carry gradients to their
 * parameters through ordinary autograd.
 */
package org.rlgrad.engine.distributions;
