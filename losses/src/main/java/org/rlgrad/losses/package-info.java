/**
 * Losses: the {@link org.rlgrad.losses.LossModule} contract (loss and metric entries, configurable
 * keys, target networks, reductions with masks and priority weights, value estimators, vmap
 * randomness), the target-network updaters {@link org.rlgrad.losses.SoftUpdate} and
 * {@link org.rlgrad.losses.HardUpdate}, the utilities of spec/losses.md section 1.12, and the
 * objectives TorchRL users know: DQN, distributional DQN, DDPG, TD3, TD3+BC, SAC (versions 1
 * and 2), discrete SAC, REDQ, CrossQ, IQL, discrete IQL, CQL, discrete CQL, PPO (plain, clipped and
 * KL-penalty, multi-head actions included), A2C, REINFORCE, GAIL, the decision transformer and its
 * online variant, the three Dreamer losses and QMixer, with the shared pieces they are built from
 * (critic ensembles in {@link org.rlgrad.losses.LossModule},
 * {@link org.rlgrad.losses.EntropyTemperature}, {@link org.rlgrad.losses.ClippedValueLoss}). The
 * semantics to match are in spec/losses.md; where rlgrad departs from the reference, spec/DECISIONS.md.
 */
package org.rlgrad.losses;
