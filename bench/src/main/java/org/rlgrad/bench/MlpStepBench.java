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
import org.rlgrad.engine.optim.Adam;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Tensor;

/**
 * {@code mlp_step}: MLP 17 -> 256 -> 256 -> 6 with tanh, batch 256, x [256, 17] and target
 * y [256, 6] N(0, 1) fixed for the whole run; Adam lr 3e-4 with torch's defaults. One call:
 * {@code zero_grad(set_to_none=True)}, forward, {@code mse(net(x), y)} (mean), backward, Adam step,
 * in a {@link MemoryScope} (the {@code NoScope} twin leaves its intermediates to the garbage collector).
 *
 * <p>Run: {@code ./rlgrad bench --only mlp_step} (it also runs this benchmark under JMH's gc
 * profiler for the allocation figure), or plain JMH
 * ({@code org.openjdk.jmh.Main MlpStepBench -prof gc}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class MlpStepBench {
    static final int IN = 17;
    static final int HIDDEN = 256;
    static final int OUT = 6;
    static final int BATCH = 256;
    static final double LR = 3e-4;

    private BenchData.Mlp net;
    private Adam adam;
    private Tensor x;
    private Tensor y;

    @Setup
    public void setup() {
        BenchData.pinThreads();
        Random random = new Random(BenchData.SEED);
        net = new BenchData.Mlp(random, Tensor::tanh, IN, HIDDEN, HIDDEN, OUT);
        adam = new Adam(net.parameters(), LR);
        x = BenchData.normal(random, BATCH, IN);
        y = BenchData.normal(random, BATCH, OUT);
    }

    @Benchmark
    public void mlpStep(Blackhole bh) {
        bh.consume(step());
    }

    @Benchmark
    public void mlpStepNoScope(Blackhole bh) {
        bh.consume(unscopedStep());
    }

    /**
     * One training step in a {@link MemoryScope}, so that its intermediates' memory serves the next
     * step; returns the loss (before the update).
     */
    Tensor step() {
        try (var scope = MemoryScope.open()) {
            return scope.keep(unscopedStep());
        }
    }

    private Tensor unscopedStep() {
        adam.zeroGrad();
        Tensor loss = net.forward(x).mseLoss(y, Reduction.MEAN);
        loss.backward();
        adam.step();
        return loss;
    }

    /**
     * The bytes of everything one step must produce, the yardstick of the allocation target
     * (BENCHMARKS.md, "Allocation"): forward, each linear layer's output and each tanh's output
     * and the loss; backward, the gradient of each of those and of every parameter; the optimiser,
     * the new values of m, v and the parameter (3 x the parameter count). float32: 4 bytes each.
     */
    static long outputAndGradientBytes() {
        long activations = 2L * BATCH * HIDDEN + (long) BATCH * OUT   // linear outputs
                + 2L * BATCH * HIDDEN                                 // tanh outputs
                + 1;                                                  // the loss
        long params = (long) HIDDEN * IN + HIDDEN + (long) HIDDEN * HIDDEN + HIDDEN + (long) OUT * HIDDEN + OUT;
        long elements = activations          // forward
                + activations + params       // backward: their gradients, the parameters' gradients
                + 3 * params;                // Adam: new m, v and p
        return 4 * elements;
    }
}
