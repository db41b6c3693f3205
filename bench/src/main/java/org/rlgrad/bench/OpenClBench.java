package org.rlgrad.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import org.rlgrad.engine.backend.Backend;
import org.rlgrad.engine.backend.Backends;
import org.rlgrad.engine.backend.MemoryScope;
import org.rlgrad.engine.backend.opencl.OpenClBackend;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The {@code matmul_n*} and {@code mlp_step} workloads with every tensor on the first OpenCL
 * device ({@code opencl:0}; PoCL's CPU device where there is no GPU). Inputs, weights and the
 * optimiser's state are made on the device once, in the setup, and stay there: a call moves
 * nothing between host and device. Kernels run asynchronously, so each call ends with
 * {@link OpenClBackend#finish()}, which waits for them.
 *
 * <p>Run it alone with {@code ./rlgrad bench --only opencl}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class OpenClBench {
    @Param({"64", "256", "512"})
    public int n;

    private OpenClBackend cl;
    private Backend previous;
    private Tensor a;
    private Tensor b;
    /** {@code mlp_step}'s network, optimiser and data, made on the device. */
    private final MlpStepBench mlp = new MlpStepBench();

    @Setup
    public void setup() {
        BenchData.pinThreads();
        cl = OpenClBackend.device(0);
        previous = Backends.defaultBackend();
        Backends.setDefault(cl);
        Random random = new Random(BenchData.SEED);
        a = BenchData.normal(random, n, n);
        b = BenchData.normal(random, n, n);
        mlp.setup();
        cl.finish();
    }

    @TearDown(Level.Trial)
    public void restore() {
        Backends.setDefault(previous);
    }

    @Benchmark
    public void matmul(Blackhole bh) {
        try (var scope = MemoryScope.open()) {
            bh.consume(a.matmul(b));
            cl.finish();
        }
    }

    /** {@link MlpStepBench}'s step on the device (the same for every {@code n}; run with {@code -p n=64}). */
    @Benchmark
    public void mlpStep(Blackhole bh) {
        bh.consume(mlp.step());
        cl.finish();
    }
}
