/**
 * Training loops built only from the public API of the engine, the estimators and the losses: the
 * {@link org.rlgrad.examples.training.Collector} (rollouts in TorchRL's {@code [n_envs, T]}
 * layout), the off-policy loop with its replay buffers ({@link org.rlgrad.examples.training.replay})
 * and the DQN, DDPG, TD3 and SAC trainers, the on-policy loop and the PPO and A2C trainers, and
 * {@link org.rlgrad.examples.training.Algorithms}, the registry {@code ./rlgrad train} reads.
 */
package org.rlgrad.examples.training;
