package org.rlgrad.losses;

import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * A network held by a loss in functional form (spec losses.md §1.3, §1.4): the module, its
 * parameter tree {@code <name>_params} (the module's own tensors, so gradients reach them; entries
 * shared with another network through {@code compare_against} are detached aliases) and its
 * target tree {@code target_<name>_params} (a detached clone when {@code delayed}, else a detached
 * alias of the live tensors).
 */
record NetworkSlot(String name, TensorDictModuleBase module, TensorDict params, TensorDict targetParams, boolean delayed) {}
