/**
 * JMH benchmarks mirroring the PyTorch baseline workloads of ../shared/bench/README.md, one class
 * per workload family, and {@link org.rlgrad.bench.BenchMain}, which runs them beside rlgrad's
 * own PyTorch baseline ({@code bench/torch_baseline.py}) and prints the comparison
 * ({@code ./rlgrad bench}; BENCHMARKS.md at the root holds the latest figures).
 *
 * <p>Here now: matmul, add and add_grad, the reductions, mlp_step and ppo_step. sac_step and the
 * GAE workloads wait for random numbers and the estimators.
 */
package org.rlgrad.bench;
