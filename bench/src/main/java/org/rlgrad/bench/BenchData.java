package org.rlgrad.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

import org.rlgrad.engine.backend.CpuTuning;
import org.rlgrad.engine.ops.Functional;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Inputs and models drawn as ../shared/bench/README.md prescribes: a seeded generator, inputs
 * from a standard normal N(0, 1), linear layers with {@code nn.Linear}'s default initialisation
 * (weight and bias uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)]). A Java mirror cannot reproduce
 * PyTorch's random stream, only its distributions; every workload is built from
 * {@code new Random(SEED)}, as the baseline calls {@code torch.manual_seed(0)} before each one.
 */
final class BenchData {
    static final long SEED = 0;

    private BenchData() {}

    /**
     * Applies {@code -Drlgrad.threads=N}, which the bench passes to every fork, to the CPU
     * backend's pool (it also reads the property when it starts; this makes the setting explicit
     * whatever ran before). Every benchmark's setup calls it.
     */
    static void pinThreads() {
        String threads = System.getProperty("rlgrad.threads");
        if (threads != null) CpuTuning.setThreads(Integer.parseInt(threads.trim()));
    }

    /** float32 N(0, 1) of the given shape. */
    static Tensor normal(Random random, int... shape) {
        float[] v = new float[numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) random.nextGaussian();
        return Tensor.of(v, shape);
    }

    /** float32 uniform in [-bound, bound). */
    static Tensor uniform(Random random, double bound, int... shape) {
        float[] v = new float[numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) ((2 * random.nextDouble() - 1) * bound);
        return Tensor.of(v, shape);
    }

    /** int64 uniform in {0, ..., n - 1}. */
    static Tensor randint(Random random, int n, int... shape) {
        long[] v = new long[numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = random.nextInt(n);
        return Tensor.of(v, shape);
    }

    private static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    /**
     * The baseline's {@code mlp(sizes, act)}: Linear, activation, ..., Linear (no activation after
     * the last layer). Weights are [out, in] as in {@code nn.Linear}, applied as {@code x W^T + b}.
     */
    static final class Mlp {
        private final List<Tensor> weights = new ArrayList<>();
        private final List<Tensor> biases = new ArrayList<>();
        private final UnaryOperator<Tensor> activation;

        Mlp(Random random, UnaryOperator<Tensor> activation, int... sizes) {
            this.activation = activation;
            for (int i = 0; i + 1 < sizes.length; i++) {
                int in = sizes[i], out = sizes[i + 1];
                double bound = 1 / Math.sqrt(in);
                weights.add(uniform(random, bound, out, in).requiresGrad(true));
                biases.add(uniform(random, bound, out).requiresGrad(true));
            }
        }

        private Mlp(Mlp source) {
            this.activation = source.activation;
            for (Tensor w : source.weights) weights.add(w.detach().clone());
            for (Tensor b : source.biases) biases.add(b.detach().clone());
        }

        /** A copy whose parameters do not require grad (a target network, as {@code load_state_dict} into a frozen twin). */
        Mlp frozenCopy() {
            return new Mlp(this);
        }

        Tensor forward(Tensor x) {
            Tensor h = x;
            for (int i = 0; i < weights.size(); i++) {
                h = Functional.linear(h, weights.get(i), biases.get(i));
                if (i + 1 < weights.size()) h = activation.apply(h);
            }
            return h;
        }

        /** Weight then bias of each layer, in order (the order of {@code nn.Module.parameters()}). */
        List<Tensor> parameters() {
            List<Tensor> out = new ArrayList<>();
            for (int i = 0; i < weights.size(); i++) {
                out.add(weights.get(i));
                out.add(biases.get(i));
            }
            return out;
        }
    }
}
