/**
 * TensorDict: a tree of tensors keyed by (nested) names that share leading batch dims, with the
 * structure and batch-dim operations of spec/engine.md section 2 and the RL layouts the losses
 * and estimators read ("next", multi-agent sub-dicts).
 *
 * <ul>
 *   <li>{@link org.rlgrad.engine.tensordict.Key}: a nested key, normalised at construction
 *       ({@code Key.of("next", "reward")}; a plain string is a one-part key).
 *   <li>{@link org.rlgrad.engine.tensordict.TensorDict}: the container: checked batch size,
 *       strict and defaulting reads, set/update/remove/rename, select/exclude, copy/clone/detach,
 *       apply, key flattening, masks and {@code where}, feature reductions, dim names
 *       ({@code "time"}), locking, and every batch-dim operation (indexing, masks, index tensors,
 *       stack/cat, reshape, transpose, split, ...).
 *   <li>{@link org.rlgrad.engine.tensordict.MissingKeyException}: a strict read's failure, naming
 *       the key and the keys present.
 *   <li>{@link org.rlgrad.engine.tensordict.FeatureReduction}: sum/mean/std/... over feature dims.
 *   <li>{@link org.rlgrad.engine.tensordict.StepMdp}: the next view ({@code step_mdp}) and its options.
 *   <li>{@link org.rlgrad.engine.tensordict.KeywordDispatch}: a dict built from positional and
 *       keyword tensors for modules called without one (spec 2.10).
 *   <li>{@link org.rlgrad.engine.tensordict.TensorDictVmap}: vmap (and its loop form) over
 *       functions of Tensors and TensorDicts, on {@link org.rlgrad.engine.vmap.VmapLevel}; how
 *       ensembles of critics are evaluated.
 * </ul>
 */
package org.rlgrad.engine.tensordict;
