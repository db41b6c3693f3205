package org.rlgrad.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.autograd.GraphDot;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Tensor;

/**
 * A short walk through reverse-mode automatic differentiation, run by {@code ./rlgrad autograd-demo}.
 *
 * <ol>
 *   <li>A scalar function, {@code y = tanh(w x + b)^2}: autograd's gradients next to the ones
 *       derived by hand with the chain rule.</li>
 *   <li>The graph autograd recorded for it, in Graphviz DOT ({@code --dot FILE} also writes it
 *       to a file; render with {@code dot -Tpng FILE -o graph.png}).</li>
 *   <li>A small network (1 -> 32 -> 32 -> 1, tanh) fitted to {@code sin(x)} on [-pi, pi] with a
 *       hand-written Adam: the whole training loop in a page.</li>
 * </ol>
 *
 * <p>The output is the same on every run: the weights come from a seeded {@link Random} and the
 * CPU backend is single-threaded.
 */
public final class AutogradDemo {
    private static final String USAGE = "usage: autograd-demo [--dot FILE] [--steps N]";

    private AutogradDemo() {}

    public static void main(String[] args) {
        Path dotFile = null;
        int steps = 300;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dot" -> dotFile = Path.of(requireValue(args, ++i));
                case "--steps" -> steps = Integer.parseInt(requireValue(args, ++i));
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> {
                    System.err.println("autograd-demo: unknown argument '" + args[i] + "'\n" + USAGE);
                    System.exit(2);
                }
            }
        }
        PrintStream out = System.out;
        ScalarExample example = scalarExample(out);
        String dot = showGraph(example, out);
        if (dotFile != null) {
            try {
                Files.writeString(dotFile, dot, StandardCharsets.UTF_8);
            } catch (IOException e) {
                System.err.println("autograd-demo: cannot write " + dotFile + ": " + e);
                System.exit(1);
            }
            out.println("(written to " + dotFile + "; render it with: dot -Tpng " + dotFile + " -o graph.png)");
        }
        fitSine(steps, out);
    }

    private static String requireValue(String[] args, int i) {
        if (i >= args.length) {
            System.err.println("autograd-demo: " + args[i - 1] + " needs a value\n" + USAGE);
            System.exit(2);
        }
        return args[i];
    }

    // ------------------------------------------------------------------ 1. a scalar example

    /** The leaves and the output of part 1, so that part 2 can draw the graph between them. */
    record ScalarExample(Tensor w, Tensor x, Tensor b, Tensor y) {}

    /** y = tanh(w x + b)^2 with w and b as parameters and x as data. */
    static ScalarExample scalarExample(PrintStream out) {
        out.println("== 1. Gradients of a scalar function: y = tanh(w*x + b)^2");
        // float64 so that autograd and the hand-derived formula agree to the last few digits.
        Tensor w = Tensor.scalar(0.8, DType.FLOAT64).requiresGrad(true);
        Tensor b = Tensor.scalar(-0.3, DType.FLOAT64).requiresGrad(true);
        Tensor x = Tensor.scalar(1.5, DType.FLOAT64); // data: no gradient wanted

        // Forward: each op computes its value and records itself in the graph.
        Tensor u = w.mul(x).add(b);
        Tensor t = u.tanh();
        Tensor y = t.square();
        out.printf(Locale.ROOT, "w = %.1f, x = %.1f, b = %.1f%n", w.item(), x.item(), b.item());
        out.printf(Locale.ROOT, "forward:  u = w*x + b = %.6f,  t = tanh(u) = %.6f,  y = t^2 = %.6f%n", u.item(), t.item(), y.item());

        // Backward: walk the graph from y back to the leaves, one chain-rule step per op.
        y.backward();

        // By hand: dy/dt = 2t, dt/du = 1 - t^2, du/dw = x, du/db = 1.
        double tv = t.item();
        double dyDu = 2 * tv * (1 - tv * tv);
        double byHandW = dyDu * x.item();
        double byHandB = dyDu;
        out.println("backward: y.backward() fills w.grad() and b.grad(); the chain rule by hand says");
        out.println("          dy/dw = 2t (1 - t^2) x,   dy/db = 2t (1 - t^2)");
        printComparison(out, "dy/dw", w.grad().item(), byHandW);
        printComparison(out, "dy/db", b.grad().item(), byHandB);
        out.println("x is data (no requiresGrad), so x.grad() is " + x.grad() + ".");
        out.println();
        return new ScalarExample(w, x, b, y);
    }

    private static void printComparison(PrintStream out, String name, double autograd, double byHand) {
        double diff = Math.abs(autograd - byHand);
        boolean agree = diff <= 1e-12 * Math.max(1, Math.abs(byHand));
        out.printf(Locale.ROOT, "          %s: autograd %.12f, by hand %.12f  -> %s%n", name, autograd, byHand,
                agree ? "agree" : "DIFFER by " + diff);
        if (!agree) throw new IllegalStateException(name + ": autograd and the chain rule disagree");
    }

    // ------------------------------------------------------------------ 2. the recorded graph

    static String showGraph(ScalarExample e, PrintStream out) {
        out.println("== 2. The graph autograd recorded for y (Graphviz DOT: boxes are ops, ellipses are leaves)");
        String dot = GraphDot.toDot(List.of(e.y()), Map.of(e.w(), "w", e.x(), "x", e.b(), "b"));
        out.print(dot);
        out.println();
        return dot;
    }

    // ------------------------------------------------------------------ 3. fitting sin(x)

    private static final int SAMPLES = 256;
    private static final int HIDDEN = 32;
    private static final double LEARNING_RATE = 0.01;
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    /** Fits a 1-32-32-1 tanh network to sin on [-pi, pi]; returns the losses it printed. */
    static List<Double> fitSine(int steps, PrintStream out) {
        out.printf(Locale.ROOT, "== 3. Fitting y = sin(x) on [-pi, pi] with a 1-%d-%d-1 tanh network and Adam (float32)%n", HIDDEN, HIDDEN);
        Tensor inputs = Tensor.linspace(-Math.PI, Math.PI, SAMPLES, DType.FLOAT32).reshape(SAMPLES, 1);
        Tensor targets = inputs.sin();

        Mlp net = Mlp.create(new Random(42));
        Adam adam = new Adam(net.parameters());

        int printEvery = Math.max(1, steps / 12);
        List<Double> printed = new ArrayList<>();
        for (int step = 1; step <= steps; step++) {
            Tensor loss = net.forward(inputs).mseLoss(targets, Reduction.MEAN); // mean of (prediction - sin x)^2
            loss.backward(); // fills p.grad() for every parameter p
            adam.step();     // moves each parameter downhill, then clears its grad
            if (step == 1 || step % printEvery == 0 || step == steps) {
                out.printf(Locale.ROOT, "step %5d   loss %.6f%n", step, loss.item());
                printed.add(loss.item());
            }
        }

        out.println("a few points of the fitted curve:");
        try (var scope = GradMode.noGrad()) { // evaluation only: nothing to record
            Tensor probe = Tensor.vector(-3, -1.5, 0, 1.5, 3).reshape(5, 1);
            double[] px = probe.toDoubleArray(), py = net.forward(probe).toDoubleArray();
            for (int i = 0; i < px.length; i++) {
                out.printf(Locale.ROOT, "  x = %5.2f   sin(x) = %7.4f   network = %7.4f%n", px[i], Math.sin(px[i]), py[i]);
            }
        }
        return printed;
    }

    /** One fully connected layer, {@code x W + b}, for x of shape [batch, in]. */
    private record Linear(Tensor weight, Tensor bias) {
        /** Initialised as PyTorch's nn.Linear does: weight and bias uniform in +-1/sqrt(in). */
        static Linear create(Random random, int in, int out) {
            return new Linear(uniform(random, 1 / Math.sqrt(in), in, out), uniform(random, 1 / Math.sqrt(in), out));
        }

        Tensor apply(Tensor x) {
            return x.matmul(weight).add(bias); // [batch, in] x [in, out] + [out] (broadcast over the batch)
        }
    }

    /** Three layers with tanh between them: 1 -> HIDDEN -> HIDDEN -> 1. */
    private record Mlp(Linear first, Linear second, Linear last) {
        static Mlp create(Random random) {
            return new Mlp(Linear.create(random, 1, HIDDEN), Linear.create(random, HIDDEN, HIDDEN), Linear.create(random, HIDDEN, 1));
        }

        Tensor forward(Tensor x) {
            return last.apply(second.apply(first.apply(x).tanh()).tanh());
        }

        List<Tensor> parameters() {
            return List.of(first.weight(), first.bias(), second.weight(), second.bias(), last.weight(), last.bias());
        }
    }

    /** A float32 parameter of the given shape, uniform in [-bound, bound]. */
    private static Tensor uniform(Random random, double bound, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        double[] values = new double[n];
        for (int i = 0; i < n; i++) values[i] = (2 * random.nextDouble() - 1) * bound;
        return Tensor.of(DType.FLOAT32, values, shape).requiresGrad(true);
    }

    /**
     * Adam (Kingma and Ba, 2015), written with tensor ops:
     * m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2,  p -= lr * m_hat / (sqrt(v_hat) + eps),
     * with the bias corrections m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t).
     */
    private static final class Adam {
        private final List<Tensor> params;
        private final List<Tensor> m = new ArrayList<>();
        private final List<Tensor> v = new ArrayList<>();
        private int t;

        Adam(List<Tensor> params) {
            this.params = params;
            for (Tensor p : params) {
                m.add(Tensor.zerosLike(p));
                v.add(Tensor.zerosLike(p));
            }
        }

        void step() {
            t++;
            double correction1 = 1 - Math.pow(BETA1, t), correction2 = 1 - Math.pow(BETA2, t);
            // The update is not part of any model: no-grad, so that nothing is recorded and the
            // in-place writes to parameters (which require grad) are allowed.
            try (var scope = GradMode.noGrad()) {
                for (int i = 0; i < params.size(); i++) {
                    Tensor p = params.get(i), g = p.grad(), mi = m.get(i), vi = v.get(i);
                    mi.mulInPlace(BETA1).addInPlace(g, 1 - BETA1);
                    vi.mulInPlace(BETA2).addInPlace(g.square(), 1 - BETA2);
                    Tensor mHat = mi.div(correction1);
                    Tensor vHat = vi.div(correction2);
                    p.addInPlace(mHat.div(vHat.sqrt().add(EPSILON)), -LEARNING_RATE);
                    p.zeroGrad(); // gradients accumulate across backward calls; start the next step from zero
                }
            }
        }
    }
}
