/**
 * TensorDict modules (spec/engine.md section 3): modules that read their inputs from a
 * TensorDict and write their outputs into it: TensorDictModule and TensorDictSequential,
 * probabilistic modules and actors, value operators, Q-value actors and ensembles of critics.
 */
package org.rlgrad.engine.modules;
