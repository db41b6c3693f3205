package org.rlgrad.bench;

import java.util.List;

/**
 * One row of the comparison: a workload of ../shared/bench/README.md ({@code peer}, the name the
 * PyTorch baseline knows it by), the JMH benchmark that mirrors it, and its target.
 * {@code maxRatio} bounds rlgrad's time over PyTorch's time (medians, same run, same thread
 * count); NaN means no target. A row named {@code peer + "_noscope"} times the same call without
 * a {@link org.rlgrad.engine.backend.MemoryScope}, every output left to the garbage collector.
 */
record Workload(String name, String peer, Class<?> bench, String method, String n, double maxRatio, String target) {

    Workload(String name, Class<?> bench, String method, String n, double maxRatio, String target) {
        this(name, name, bench, method, n, maxRatio, target);
    }

    /** The same workload timed without a memory scope, by the benchmark's {@code NoScope} twin; no target. */
    Workload noScope() {
        return new Workload(name + "_noscope", peer, bench, method + "NoScope", n, Double.NaN, "-");
    }

    /** The JMH benchmark's full name, as JMH reports it. */
    String benchmark() {
        return bench.getName() + "." + method;
    }

    boolean hasTarget() {
        return !Double.isNaN(maxRatio);
    }

    /** Floating-point operations of one call, for the matmul workloads (2 n^3); 0 otherwise. */
    double flops() {
        if (!method.equals("matmul")) return 0;
        double size = Double.parseDouble(n);
        return 2 * size * size * size;
    }

    /** Every workload the bench runs, in the baseline's order. */
    static List<Workload> all() {
        // GFLOP/s >= 1.0x torch at n = 64 and >= 0.7x at n >= 256 are time ratios <= 1 and <= 1/0.7.
        double slower = 1 / 0.7;
        Workload matmul64 = new Workload("matmul_n64", MatmulBench.class, "matmul", "64", 1.0, "<= 1.00");
        Workload add1 = new Workload("add_n1", AddBench.class, "add", "1", 0.3, "<= 0.30");
        Workload add64 = new Workload("add_n64", AddBench.class, "add", "64", 0.3, "<= 0.30");
        Workload add4096 = new Workload("add_n4096", AddBench.class, "add", "4096", 0.3, "<= 0.30");
        Workload addGrad1 = new Workload("add_grad_n1", AddBench.class, "addGrad", "1", 0.3, "<= 0.30");
        Workload addGrad64 = new Workload("add_grad_n64", AddBench.class, "addGrad", "64", 0.3, "<= 0.30");
        Workload addGrad4096 = new Workload("add_grad_n4096", AddBench.class, "addGrad", "4096", 0.3, "<= 0.30");
        Workload softmax = new Workload("reduce_softmax", ReduceBench.class, "softmax", null, 1.0, "<= 1.00");
        Workload mlpStep = new Workload("mlp_step", MlpStepBench.class, "mlpStep", null, 0.8, "<= 0.80");
        return List.of(
                matmul64,
                matmul64.noScope(),
                new Workload("matmul_n256", MatmulBench.class, "matmul", "256", slower, "<= 1.43"),
                new Workload("matmul_n512", MatmulBench.class, "matmul", "512", slower, "<= 1.43"),
                new Workload("matmul_n1024", MatmulBench.class, "matmul", "1024", slower, "<= 1.43"),
                add1, add64, add4096,
                add1.noScope(), add64.noScope(), add4096.noScope(),
                addGrad1, addGrad64, addGrad4096,
                addGrad1.noScope(), addGrad64.noScope(), addGrad4096.noScope(),
                new Workload("reduce_sum", ReduceBench.class, "sum", null, 1.0, "<= 1.00"),
                new Workload("reduce_amax", ReduceBench.class, "amax", null, 1.0, "<= 1.00"),
                softmax,
                softmax.noScope(),
                new Workload("reduce_logsumexp", ReduceBench.class, "logsumexp", null, 1.0, "<= 1.00"),
                mlpStep,
                mlpStep.noScope(),
                new Workload("sac_step", SacStepBench.class, "sacStep", null, Double.NaN, "-"),
                new Workload("ppo_step", PpoStepBench.class, "ppoStep", null, Double.NaN, "-"),
                new Workload("gae_T1e6", GaeBench.class, "gae", "1x1000000", 0.5, "<= 0.50"),
                new Workload("gae_64x2048", GaeBench.class, "gae", "64x2048", 0.5, "<= 0.50"),
                // On the OpenCL device (PoCL here): no target, the ratio is to PyTorch on the CPU.
                new Workload("matmul_n64_opencl", "matmul_n64", OpenClBench.class, "matmul", "64", Double.NaN, "-"),
                new Workload("matmul_n256_opencl", "matmul_n256", OpenClBench.class, "matmul", "256", Double.NaN, "-"),
                new Workload("matmul_n512_opencl", "matmul_n512", OpenClBench.class, "matmul", "512", Double.NaN, "-"),
                new Workload("mlp_step_opencl", "mlp_step", OpenClBench.class, "mlpStep", "64", Double.NaN, "-"));
    }
}
