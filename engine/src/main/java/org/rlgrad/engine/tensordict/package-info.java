/**
 * TensorDict: a tree of tensors keyed by (nested) names that share leading batch dims, with the
 * structure and batch-dim operations of spec/engine.md section 2 and the RL layouts the losses
 * and estimators read ("next", multi-agent sub-dicts).
 */
package org.rlgrad.engine.tensordict;
