package org.rlgrad.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import org.rlgrad.engine.backend.MemoryScope;
import org.rlgrad.engine.tensor.Tensor;

/**
 * {@code add_n{1,64,4096}} and {@code add_grad_n{1,64,4096}}: a, b [n] float32 N(0, 1); one call
 * is {@code y = a + b} into a fresh output. For {@code add_grad} the inputs are leaves that
 * require grad, so every call also records an autograd node (no backward): per-op dispatch and
 * graph overhead. {@link #baseline} is the harness's own cost per call (consuming the inputs),
 * the floor under the nanosecond-scale figures.
 *
 * <p>Each call runs in a {@link MemoryScope}, so that y's memory is free for the next call as
 * PyTorch's is when Python drops the previous y; the {@code NoScope} twins leave every output to
 * the garbage collector (BENCHMARKS.md reports both).
 *
 * <p>Run: {@code ./rlgrad bench --only add} or plain JMH
 * ({@code org.openjdk.jmh.Main AddBench}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class AddBench {
    @Param({"1", "64", "4096"})
    public int n;

    private Tensor a;
    private Tensor b;
    private Tensor ga;
    private Tensor gb;

    @Setup
    public void setup() {
        BenchData.pinThreads();
        Random random = new Random(BenchData.SEED);
        a = BenchData.normal(random, n);
        b = BenchData.normal(random, n);
        random = new Random(BenchData.SEED);
        ga = BenchData.normal(random, n).requiresGrad(true);
        gb = BenchData.normal(random, n).requiresGrad(true);
    }

    @Benchmark
    public void add(Blackhole bh) {
        try (var scope = MemoryScope.open()) {
            bh.consume(a.add(b));
        }
    }

    @Benchmark
    public void addGrad(Blackhole bh) {
        try (var scope = MemoryScope.open()) {
            bh.consume(ga.add(gb));
        }
    }

    @Benchmark
    public void addNoScope(Blackhole bh) {
        bh.consume(a.add(b));
    }

    @Benchmark
    public void addGradNoScope(Blackhole bh) {
        bh.consume(ga.add(gb));
    }

    @Benchmark
    public void baseline(Blackhole bh) {
        bh.consume(a);
        bh.consume(b);
    }
}
