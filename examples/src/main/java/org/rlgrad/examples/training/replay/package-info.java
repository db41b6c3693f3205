/**
 * Replay buffers: uniform ({@link org.rlgrad.examples.training.replay.ReplayBuffer}) and prioritised
 * (Schaul et al. 2016, {@link org.rlgrad.examples.training.replay.PrioritizedReplayBuffer}, over a
 * sum tree and a min tree), storing transitions in the losses' TensorDict layout and taking new
 * priorities from the entry a loss writes ({@code td_error}).
 */
package org.rlgrad.examples.training.replay;
