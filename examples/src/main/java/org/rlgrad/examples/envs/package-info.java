/**
 * Built-in environments in pure Java with the dynamics, rewards, termination and truncation of the
 * Gymnasium versions they are named after ({@link org.rlgrad.examples.envs.CartPole},
 * {@link org.rlgrad.examples.envs.Pendulum}, {@link org.rlgrad.examples.envs.MountainCarContinuous},
 * {@link org.rlgrad.examples.envs.Acrobot}; the tests replay Gymnasium's own trajectories), a
 * cooperative multi-agent task for QMixer ({@link org.rlgrad.examples.envs.LineCoverage}), the
 * batched wrappers that speak TorchRL's TensorDict layout ({@link org.rlgrad.examples.envs.VectorEnv},
 * {@link org.rlgrad.examples.envs.MultiAgentVectorEnv}) and the observation and reward normalisers.
 */
package org.rlgrad.examples.envs;
