/**
 * Losses: the {@link org.rlgrad.losses.LossModule} contract (loss and metric entries, configurable
 * keys, target networks, reductions with masks and priority weights, value estimators, vmap
 * randomness), the target-network updaters {@link org.rlgrad.losses.SoftUpdate} and
 * {@link org.rlgrad.losses.HardUpdate}, the utilities of spec/losses.md section 1.12, and the
 * objectives TorchRL users know. {@link org.rlgrad.losses.DQNLoss} is the first; DDPG, SAC, TD3,
 * IQL, CQL, CrossQ, REDQ (issue 8) and PPO, A2C, GAIL, the Decision Transformers, Dreamer and
 * QMixer (issue 9) follow. The semantics to match are in spec/losses.md.
 */
package org.rlgrad.losses;
