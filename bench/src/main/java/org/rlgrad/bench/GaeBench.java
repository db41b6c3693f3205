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
import org.rlgrad.estimators.AdvantageAndTarget;
import org.rlgrad.estimators.Coefficient;
import org.rlgrad.estimators.Estimates;
import org.rlgrad.estimators.EstimatorOptions;

/**
 * {@code gae_T1e6} (B = 1, T = 1,000,000) and {@code gae_64x2048} (B = 64, T = 2048): generalised
 * advantage estimation with γ = 0.99, λ = 0.95 over the last dim of [B, T] float32 inputs drawn in
 * the README's order (reward, value, next value ~ N(0, 1); done = uniform &lt; 0.001, also the
 * terminated flag), passed in TorchRL's layout [B, T, 1] (time at dim -2, as the torchrl variant
 * of the baseline passes them). One call is {@link Estimates#vecGeneralizedAdvantageEstimate}
 * from those four tensors: the TD errors, the advantages and the value targets, in a
 * {@link MemoryScope}.
 *
 * <p>Run: {@code ./rlgrad bench --only gae}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class GaeBench {
    static final double GAMMA = 0.99;
    static final double LAMBDA = 0.95;
    static final double DONE_P = 0.001;

    /** The shape [B, T], written "BxT". */
    @Param({"1x1000000", "64x2048"})
    public String n;

    private Tensor reward;
    private Tensor value;
    private Tensor nextValue;
    private Tensor done;
    private EstimatorOptions options;

    @Setup
    public void setup() {
        BenchData.pinThreads();
        String[] bt = n.split("x");
        int b = Integer.parseInt(bt[0]), t = Integer.parseInt(bt[1]);
        Random random = new Random(BenchData.SEED);
        // [B, T] as drawn, seen as TorchRL's [B, T, 1] with time at dim -2 (views: nothing is copied).
        reward = BenchData.normal(random, b, t).unsqueeze(-1);
        value = BenchData.normal(random, b, t).unsqueeze(-1);
        nextValue = BenchData.normal(random, b, t).unsqueeze(-1);
        boolean[] flags = new boolean[b * t];
        for (int i = 0; i < flags.length; i++) flags[i] = random.nextDouble() < DONE_P;
        done = Tensor.of(flags, b, t).unsqueeze(-1);
        options = EstimatorOptions.defaults().withTerminated(done);
    }

    @Benchmark
    public void gae(Blackhole bh) {
        try (var scope = MemoryScope.open()) {
            AdvantageAndTarget r = Estimates.vecGeneralizedAdvantageEstimate(Coefficient.of(GAMMA), Coefficient.of(LAMBDA), value,
                    nextValue, reward, done, options);
            bh.consume(r.advantage());
            bh.consume(r.valueTarget());
        }
    }

    /** The result, for tests: (advantage, value target) of one call. */
    AdvantageAndTarget compute() {
        return Estimates.vecGeneralizedAdvantageEstimate(Coefficient.of(GAMMA), Coefficient.of(LAMBDA), value, nextValue, reward, done,
                options);
    }
}
