/**
 * Optimisers: in-place parameter updates outside the autograd graph, with PyTorch's
 * {@code torch.optim} semantics. {@link org.rlgrad.engine.optim.Adam} is the first.
 */
package org.rlgrad.engine.optim;
