/**
 * vmap: mapping a function over a batch dim with per-op batching rules (spec engine.md section 5).
 *
 * <h2>How batching hooks into the ops</h2>
 *
 * <p>Inside a vmapped function a mapped argument is a <em>batched tensor</em>: an ordinary
 * {@link org.rlgrad.engine.tensor.Tensor} whose {@code batched} field holds a
 * {@link org.rlgrad.engine.vmap.BatchedValue} (the physical value with every entry, the batch dim,
 * the {@link org.rlgrad.engine.vmap.VmapLevel}). Its shape is the per-entry ("logical") shape, so
 * shape checks and compositions see what the loop would see. Every op with a rule starts with a
 * field read, {@code if (x.isBatched()) return Batching.rule(...)}, usually placed after the
 * op's own argument checks so that errors speak of logical shapes; for ordinary tensors that is
 * the whole cost. The rules (in {@link org.rlgrad.engine.vmap.Batching}) move the batch dim to the
 * front where positions matter, shift dim arguments by one, call the same op on the physical
 * values and wrap the result. So:
 *
 * <ul>
 *   <li>gradients through vmap are the ordinary ops' gradients on the physical tensors;
 *   <li>nested vmap composes: a physical value may be batched at an outer level, and the plain
 *       op called by the inner rule runs the outer rule;
 *   <li>an op made of other ops (lerp, the losses, conv1d, stack, split, topk, ...) needs no rule
 *       of its own: its parts have rules. The coverage test
 *       ({@code BatchingRuleCoverageTest}) demands a vmap-equals-loop check for every public op,
 *       rule or composition, or a place on the reviewed list of ops without a rule.
 * </ul>
 *
 * <p>Safety: a batched tensor's memory, strides, offset and autograd history are unreachable
 * ({@code storage()} and friends throw), so an op without a rule fails with "vmap: no batching
 * rule for 'Op.name'; use PseudoVmap ..." the moment it reaches for the data, never computing on
 * the wrong shape. Data-dependent ops (nonzero, masked select, {@code item()}) fail this way by
 * design. A batched tensor that escapes its vmap call fails when used.
 *
 * <h2>Randomness</h2>
 *
 * <p>{@link org.rlgrad.engine.random.Generator} calls a hook on each uniform or normal draw (the
 * primitives of every other draw); this package installs it ({@code VmapDraws}). The modes of the
 * levels open on the thread decide: ERROR throws, SAME makes one draw of the per-entry shape,
 * DIFFERENT gives entry i the draws of {@code c.fold(i)}, where {@code c = generator.split()} is
 * taken once per call: {@code vmap(f, DIFFERENT)} equals the loop that runs {@code f} on entry i
 * with {@code c.fold(i)} in place of the generator, and the split advances the generator so that
 * the next call (the next training step) draws fresh numbers.
 *
 * <h2>Plugging in other argument kinds</h2>
 *
 * <p>{@link org.rlgrad.engine.vmap.VmapLevel} is where arguments enter and outputs leave:
 * {@code batchSize} checks the mapped sizes, {@code open} starts a level, {@code mapped} and
 * {@code unmapped} convert one tensor. {@link org.rlgrad.engine.vmap.Vmap} maps lists of tensors
 * through it; a TensorDict overload maps each leaf through it the same way.
 */
package org.rlgrad.engine.vmap;
