package org.rlgrad.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.infra.Blackhole;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The bench's bookkeeping, without timing anything: every workload names a real JMH benchmark
 * and parameter value, the names are the baseline's, the step benchmarks do the work they claim
 * (the loss falls), and the report counts what it says it counts.
 */
class WorkloadsTest {
    /** The names of ../shared/bench/README.md that the bench mirrors (the GAE workloads arrive with the estimators). */
    private static final List<String> README_NAMES = List.of(
            "matmul_n64", "matmul_n256", "matmul_n512", "matmul_n1024",
            "add_n1", "add_n64", "add_n4096", "add_grad_n1", "add_grad_n64", "add_grad_n4096",
            "reduce_sum", "reduce_amax", "reduce_softmax", "reduce_logsumexp", "mlp_step", "sac_step", "ppo_step",
            "gae_T1e6", "gae_64x2048");

    @Test
    void everyWorkloadIsABenchmarkMethodWithItsParameterValue() throws Exception {
        assertEquals(README_NAMES, Workload.all().stream().map(Workload::peer).distinct().toList());
        for (Workload w : Workload.all()) {
            if (w.bench() == OpenClBench.class) {
                assertEquals(w.peer() + "_opencl", w.name());
                assertTrue(!w.hasTarget(), w.name() + ": the OpenCL rows compare with PyTorch on the CPU and have no target");
            } else if (!w.name().equals(w.peer())) {
                assertEquals(w.peer() + "_noscope", w.name());
                assertTrue(w.method().endsWith("NoScope") && !w.hasTarget(), w.name());
            }
            Method m = w.bench().getMethod(w.method(), Blackhole.class);
            assertTrue(m.isAnnotationPresent(Benchmark.class), w.name());
            if (w.n() != null) {
                String[] values = w.bench().getField("n").getAnnotation(Param.class).value();
                assertTrue(Arrays.asList(values).contains(w.n()), w.name() + " needs n = " + w.n() + " in " + Arrays.toString(values));
            }
        }
    }

    @Test
    void linearLayersHaveTorchShapesAndInitialisationBounds() {
        BenchData.Mlp net = new BenchData.Mlp(new Random(0), Tensor::tanh, 17, 256, 6);
        List<Tensor> p = net.parameters();
        assertEquals(4, p.size());
        assertArrayEquals(new int[] {256, 17}, p.get(0).shape());
        assertArrayEquals(new int[] {256}, p.get(1).shape());
        assertArrayEquals(new int[] {6, 256}, p.get(2).shape());
        double bound1 = 1 / Math.sqrt(17), bound2 = 1 / Math.sqrt(256);
        assertTrue(p.get(0).abs().max().item() <= bound1 && p.get(0).abs().max().item() > 0.9 * bound1);
        assertTrue(p.get(3).abs().max().item() <= bound2);
        assertArrayEquals(new int[] {5, 6}, net.forward(Tensor.zeros(5, 17)).shape());
    }

    @Test
    void mlpStepTrains() {
        MlpStepBench bench = new MlpStepBench();
        bench.setup();
        double first = bench.step().item(), last = first;
        for (int i = 0; i < 30; i++) last = bench.step().item();
        assertTrue(last < first, "mse fell from " + first + " to " + last);
    }

    @Test
    void sacStepTrains() {
        SacStepBench bench = new SacStepBench();
        bench.setup();
        double first = bench.step().item(), last = first;
        for (int i = 0; i < 30; i++) last = bench.step().item();
        assertTrue(Double.isFinite(last) && last < first, "critic loss fell from " + first + " to " + last);
    }

    @Test
    void ppoStepTrains() {
        PpoStepBench bench = new PpoStepBench();
        bench.setup();
        double first = bench.step().item(), last = first;
        for (int i = 0; i < 30; i++) last = bench.step().item();
        assertTrue(Double.isFinite(last) && last < first, "loss fell from " + first + " to " + last);
    }

    @Test
    void theYardstickOfTheAllocationTargetIsTheDocumentedOne() {
        assertEquals(3_260_520, MlpStepBench.outputAndGradientBytes()); // BENCHMARKS.md, "Allocation"
    }

    @Test
    void theReportCountsRowsWithATargetAndTheChecks() {
        Workload add = byName("add_n1"), ppo = byName("ppo_step");
        List<BenchMain.Row> rows = List.of(
                new BenchMain.Row(add, 1, new double[] {1, 1, 1}, new double[] {10, 10, 10}),  // 0.1 <= 0.3
                new BenchMain.Row(add, 2, new double[] {5, 5, 5}, new double[] {10, 10, 10}),  // 0.5 > 0.3
                new BenchMain.Row(ppo, 1, new double[] {1, 1, 1}, new double[] {1, 1, 1}));   // no target
        MemoryCheck.Result flat = new MemoryCheck.Result(10, new long[] {1, 1}, 0, true);
        String report = BenchMain.report(rows, 100, true, 1e6, flat, null);
        assertTrue(report.endsWith(String.format("bench: 3 of 4 workloads at or under target%n")), report);
        String alone = BenchMain.report(List.of(new BenchMain.Row(add, 1, new double[] {1, 1, 1}, null)), 100, false, null, null, null);
        assertTrue(alone.contains("apt-get install -y python3-torch libopenblas0-pthread"), alone);
        assertTrue(alone.endsWith(String.format("bench: 0 of 1 workloads at or under target%n")), alone);
        Set<String> lines = new HashSet<>(Arrays.asList(report.split("\\R")));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("add_n1") && l.endsWith("yes")), report);
    }

    private static Workload byName(String name) {
        return Workload.all().stream().filter(w -> w.name().equals(name)).findFirst().orElseThrow();
    }
}
