package org.rlgrad.bench;

import java.util.List;

/**
 * One row of the comparison: a workload of ../shared/bench/README.md, the JMH benchmark that
 * mirrors it, and its target. {@code maxRatio} bounds rlgrad's time over PyTorch's time (medians,
 * same run, same thread count); NaN means no target.
 */
record Workload(String name, Class<?> bench, String method, String n, double maxRatio, String target) {

    /** The JMH benchmark's full name, as JMH reports it. */
    String benchmark() {
        return bench.getName() + "." + method;
    }

    boolean hasTarget() {
        return !Double.isNaN(maxRatio);
    }

    /** Floating-point operations of one call, for the matmul workloads (2 n^3); 0 otherwise. */
    double flops() {
        if (bench != MatmulBench.class) return 0;
        double size = Double.parseDouble(n);
        return 2 * size * size * size;
    }

    /** Every workload the bench runs, in the baseline's order. */
    static List<Workload> all() {
        // GFLOP/s >= 1.0x torch at n = 64 and >= 0.7x at n >= 256 are time ratios <= 1 and <= 1/0.7.
        double slower = 1 / 0.7;
        return List.of(
                new Workload("matmul_n64", MatmulBench.class, "matmul", "64", 1.0, "<= 1.00"),
                new Workload("matmul_n256", MatmulBench.class, "matmul", "256", slower, "<= 1.43"),
                new Workload("matmul_n512", MatmulBench.class, "matmul", "512", slower, "<= 1.43"),
                new Workload("matmul_n1024", MatmulBench.class, "matmul", "1024", slower, "<= 1.43"),
                new Workload("add_n1", AddBench.class, "add", "1", 0.3, "<= 0.30"),
                new Workload("add_n64", AddBench.class, "add", "64", 0.3, "<= 0.30"),
                new Workload("add_n4096", AddBench.class, "add", "4096", 0.3, "<= 0.30"),
                new Workload("add_grad_n1", AddBench.class, "addGrad", "1", 0.3, "<= 0.30"),
                new Workload("add_grad_n64", AddBench.class, "addGrad", "64", 0.3, "<= 0.30"),
                new Workload("add_grad_n4096", AddBench.class, "addGrad", "4096", 0.3, "<= 0.30"),
                new Workload("reduce_sum", ReduceBench.class, "sum", null, 1.0, "<= 1.00"),
                new Workload("reduce_amax", ReduceBench.class, "amax", null, 1.0, "<= 1.00"),
                new Workload("reduce_softmax", ReduceBench.class, "softmax", null, 1.0, "<= 1.00"),
                new Workload("reduce_logsumexp", ReduceBench.class, "logsumexp", null, 1.0, "<= 1.00"),
                new Workload("mlp_step", MlpStepBench.class, "mlpStep", null, 0.8, "<= 0.80"),
                new Workload("ppo_step", PpoStepBench.class, "ppoStep", null, Double.NaN, "-"));
    }
}
