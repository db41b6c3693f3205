/**
 * TensorDict modules (spec/engine.md section 3): modules that read their inputs from a
 * TensorDict and write their outputs into it: TensorDictModule and TensorDictSequential,
 * probabilistic modules and actors (with the scoped interaction type and skip-existing flag),
 * value operators, Q-value actors (plain and distributional), ensembles of critics evaluated in
 * one vmap, parameters as a TensorDict, and the parameter extractors of Gaussian policies.
 */
package org.rlgrad.engine.modules;
