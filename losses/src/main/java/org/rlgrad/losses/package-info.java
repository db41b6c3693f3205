/**
 * Losses: the {@code LossModule} contract, target-network updaters (hard and soft) and the
 * objectives TorchRL users know: DQN, DDPG, SAC, TD3, PPO, A2C, IQL, CQL, CrossQ, REDQ, GAIL,
 * Decision Transformer, Dreamer and QMixer. None is here yet; the semantics to match are in
 * spec/losses.md.
 */
package org.rlgrad.losses;
