package org.rlgrad.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import org.rlgrad.engine.backend.MemoryScope;
import org.rlgrad.engine.tensor.Tensor;

/**
 * {@code reduce_{sum,amax,softmax,logsumexp}}: x [256, 4096] float32 N(0, 1), no grad; one call
 * reduces over the last dim: {@code x.sum(-1)} and {@code x.amax(-1)} give [256],
 * {@code softmax(x, -1)} gives [256, 4096], {@code logsumexp(x, -1)} gives [256]. Each call runs in a
 * {@link MemoryScope} as {@link AddBench}'s calls do; {@link #softmaxNoScope} leaves its 4 MiB
 * output to the garbage collector.
 *
 * <p>Run: {@code ./rlgrad bench --only reduce} or plain JMH
 * ({@code org.openjdk.jmh.Main ReduceBench}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ReduceBench {
    static final int ROWS = 256;
    static final int COLS = 4096;

    private Tensor x;

    @Setup
    public void setup() {
        BenchData.pinThreads();
        x = BenchData.normal(new Random(BenchData.SEED), ROWS, COLS);
    }

    @Benchmark
    public void sum(Blackhole bh) {
        try (var scope = MemoryScope.open()) {
            bh.consume(x.sum(-1));
        }
    }

    @Benchmark
    public void amax(Blackhole bh) {
        try (var scope = MemoryScope.open()) {
            bh.consume(x.amax(-1));
        }
    }

    @Benchmark
    public void softmax(Blackhole bh) {
        try (var scope = MemoryScope.open()) {
            bh.consume(x.softmax(-1));
        }
    }

    @Benchmark
    public void softmaxNoScope(Blackhole bh) {
        bh.consume(x.softmax(-1));
    }

    @Benchmark
    public void logsumexp(Blackhole bh) {
        try (var scope = MemoryScope.open()) {
            bh.consume(x.logsumexp(-1));
        }
    }
}
