/**
 * Optimisers: in-place parameter updates outside the autograd graph, with PyTorch's
 * {@code torch.optim} semantics (torch 1.13's per-tensor update sequences). The base,
 * {@link org.rlgrad.engine.optim.Optimizer}, holds parameter groups with their own options and
 * per-parameter state; {@link org.rlgrad.engine.optim.SGD}, {@link org.rlgrad.engine.optim.Adam},
 * {@link org.rlgrad.engine.optim.AdamW} and {@link org.rlgrad.engine.optim.RMSprop} are the
 * update rules. {@link org.rlgrad.engine.optim.ClipGrad} clips gradients by norm or value;
 * {@link org.rlgrad.engine.optim.GroupOptimizers} merges optimisers as TorchRL's
 * {@code group_optimizers}; {@link org.rlgrad.engine.optim.LrScheduler} and its subclasses are
 * torch's learning-rate schedules.
 */
package org.rlgrad.engine.optim;
