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
 * {@code matmul_n{64,256,512,1024}}: A, B [n, n] float32 N(0, 1); one call is {@code C = A @ B}
 * into a fresh output (2 n^3 flops), in a {@link MemoryScope} as {@link AddBench}'s calls are; the
 * {@code NoScope} twin leaves the output to the garbage collector.
 *
 * <p>Run it alone with {@code ./rlgrad bench --only matmul} (the JMH suite and the PyTorch
 * baseline side by side), or with plain JMH:
 * {@code java --add-modules jdk.incubator.vector -cp <bench classpath> org.openjdk.jmh.Main MatmulBench -p n=256}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class MatmulBench {
    @Param({"64", "256", "512", "1024"})
    public int n;

    private Tensor a;
    private Tensor b;

    @Setup
    public void setup() {
        BenchData.pinThreads();
        Random random = new Random(BenchData.SEED);
        a = BenchData.normal(random, n, n);
        b = BenchData.normal(random, n, n);
    }

    @Benchmark
    public void matmul(Blackhole bh) {
        try (var scope = MemoryScope.open()) {
            bh.consume(a.matmul(b));
        }
    }

    @Benchmark
    public void matmulNoScope(Blackhole bh) {
        bh.consume(a.matmul(b));
    }
}
