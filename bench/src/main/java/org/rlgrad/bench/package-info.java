/**
 * JMH benchmarks mirroring the PyTorch baseline workloads in ../shared/bench, so that rlgrad's
 * throughput can be compared with the baseline's workload by workload. Each benchmark will have a
 * baseline and consume its results. They arrive with issue 3; until then this module only proves
 * that the JMH annotation processor is wired into the build.
 */
package org.rlgrad.bench;
