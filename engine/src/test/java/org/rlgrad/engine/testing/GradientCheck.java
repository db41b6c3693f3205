package org.rlgrad.engine.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Compares the vector-Jacobian product autograd computes with central finite differences, in
 * float64.
 *
 * <p>For a function {@code f} of float64 inputs {@code x_1..x_n} with outputs {@code y_1..y_m},
 * random weights {@code w_k} (entries of magnitude 0.5 to 1.5, either sign, so that no output
 * and no permutation of output elements goes unnoticed) define {@code L = sum_k <w_k, y_k>}.
 * The analytic gradient is {@code Autograd.grad(outputs, inputs, w)} (or {@code backward}); the
 * numeric one is {@code (L(x + h e_j) - L(x - h e_j)) / 2h}, computed output element by output
 * element so that outputs that do not depend on {@code x_j} add no rounding noise.
 *
 * <p>An element passes when {@code |analytic - numeric| <= atol + rtol max(|analytic|, |numeric|)
 * + noise}, where {@code noise} bounds the rounding error of the difference quotient itself:
 * {@value #NOISE_ULPS} ulps of every output element that changed, divided by {@code 2h}.
 * Truncation error is {@code O(h^2 f''')}, far below the tolerance for inputs kept inside each
 * function's domain.
 *
 * <p>{@link #checkSecondOrder()} applies the same comparison to the first-order gradient
 * (computed with {@code createGraph = true}) as a function of the inputs: finite differences of
 * the gradient against autograd's second-order VJP.
 */
public final class GradientCheck {
    public static final double STEP = 1e-6;
    public static final double RTOL = 1e-6;
    public static final double ATOL = 1e-8;
    static final double NOISE_ULPS = 16;
    private static final double EPS = Math.ulp(1.0);
    private static final int PRINT_LIMIT = 36;

    /** A function of several tensors with several outputs (non-float outputs are ignored). */
    @FunctionalInterface
    public interface Fn {
        List<Tensor> apply(List<Tensor> inputs);
    }

    private final String op;
    private final Fn fn;
    private Tensor[] inputs = new Tensor[0];
    private double rtol = RTOL;
    private double atol = ATOL;
    private double step = STEP;
    private boolean allowZero;
    private boolean viaBackward;
    private boolean evaluateWithGrad;

    private GradientCheck(String op, Fn fn) {
        this.op = op;
        this.fn = fn;
    }

    /** A check of a function with one output. */
    public static GradientCheck of(String op, Function<List<Tensor>, Tensor> f) {
        return new GradientCheck(op, xs -> List.of(f.apply(xs)));
    }

    /** A check of a function with several outputs (split, unbind, sort, ...). */
    public static GradientCheck ofMany(String op, Fn f) {
        return new GradientCheck(op, f);
    }

    /** The point to differentiate at: float64 tensors, copied into fresh leaves. */
    public GradientCheck at(Tensor... xs) {
        for (int i = 0; i < xs.length; i++) {
            if (xs[i].dtype() != DType.FLOAT64) {
                throw new IllegalArgumentException("GradientCheck(" + op + "): input " + i + " is " + xs[i].dtype() + "; checks run in float64");
            }
        }
        this.inputs = xs.clone();
        return this;
    }

    public GradientCheck tolerance(double rtol, double atol) {
        this.rtol = rtol;
        this.atol = atol;
        return this;
    }

    /**
     * Accepts a point where every gradient is zero. Without it such a check fails as vacuous,
     * since a zero gradient is also what a function that lost its graph would give.
     */
    public GradientCheck allowZeroGradient() {
        this.allowZero = true;
        return this;
    }

    /** Takes the analytic gradient from {@code backward()} and the leaves' {@code grad} instead of {@code Autograd.grad}. */
    public GradientCheck viaBackward() {
        this.viaBackward = true;
        return this;
    }

    /**
     * For functions that differentiate internally (a gradient penalty): every evaluation, the
     * numeric ones included, runs with recording on and inputs that require grad.
     */
    public GradientCheck evaluatedWithGrad() {
        this.evaluateWithGrad = true;
        return this;
    }

    // ------------------------------------------------------------------ first order

    public void check() {
        List<Tensor> leaves = leaves(values(inputs), true);
        List<Tensor> outs = fn.apply(leaves);
        List<Integer> floating = new ArrayList<>();
        for (int k = 0; k < outs.size(); k++) if (outs.get(k).dtype().isFloating()) floating.add(k);
        SplittableRandom random = new SplittableRandom(seedOf(inputs));
        double[][] w = new double[outs.size()][];
        for (int k : floating) w[k] = weights(outs.get(k).numel(), random);

        List<Tensor> analytic = analytic(leaves, outs, floating, w);
        double[][] numeric = new double[inputs.length][];
        double[][] noise = new double[inputs.length][];
        numeric(outs, floating, w, numeric, noise);
        compare(analytic, numeric, noise);
    }

    private List<Tensor> analytic(List<Tensor> leaves, List<Tensor> outs, List<Integer> floating, double[][] w) {
        List<Tensor> diffOuts = new ArrayList<>();
        List<Tensor> gradOuts = new ArrayList<>();
        for (int k : floating) {
            Tensor y = outs.get(k);
            if (!y.requiresGrad()) continue; // constant output: its numeric contribution must be zero too
            diffOuts.add(y);
            gradOuts.add(Tensor.of(y.dtype(), w[k], y.shape()));
        }
        List<Tensor> result = new ArrayList<>();
        if (diffOuts.isEmpty()) {
            for (Tensor x : leaves) result.add(Tensor.zerosLike(x));
            return result;
        }
        if (!viaBackward) return Autograd.grad(diffOuts, leaves, gradOuts, false, false, true);
        Autograd.backward(diffOuts, gradOuts, false, false);
        for (Tensor x : leaves) result.add(x.grad() == null ? Tensor.zerosLike(x) : x.grad());
        return result;
    }

    private void numeric(List<Tensor> baseOuts, List<Integer> floating, double[][] w, double[][] numeric, double[][] noise) {
        double[][] base = values(inputs);
        for (int i = 0; i < inputs.length; i++) {
            int n = base[i].length;
            numeric[i] = new double[n];
            noise[i] = new double[n];
            for (int j = 0; j < n; j++) {
                double x = base[i][j];
                base[i][j] = x + step;
                double[][] plus = evaluate(base, floating, baseOuts);
                base[i][j] = x - step;
                double[][] minus = evaluate(base, floating, baseOuts);
                base[i][j] = x;
                double sum = 0, rounding = 0;
                for (int k : floating) {
                    for (int e = 0; e < plus[k].length; e++) {
                        double d = plus[k][e] - minus[k][e];
                        if (d == 0 && !Double.isNaN(d)) continue;
                        sum += w[k][e] * d;
                        rounding += Math.abs(w[k][e]) * (Math.abs(plus[k][e]) + Math.abs(minus[k][e]));
                    }
                }
                numeric[i][j] = sum / (2 * step);
                noise[i][j] = NOISE_ULPS * EPS * rounding / (2 * step);
            }
        }
    }

    private double[][] evaluate(double[][] point, List<Integer> floating, List<Tensor> baseOuts) {
        List<Tensor> xs = leaves(point, evaluateWithGrad);
        List<Tensor> outs;
        try (var scope = GradMode.setEnabled(evaluateWithGrad)) {
            outs = fn.apply(xs);
        }
        double[][] values = new double[outs.size()][];
        for (int k : floating) {
            Tensor y = outs.get(k);
            if (!Arrays.equals(y.shapeRef(), baseOuts.get(k).shapeRef())) {
                throw new AssertionError("GradientCheck(" + op + "): output " + k + " changed shape from "
                        + Shape.format(baseOuts.get(k).shapeRef()) + " to " + Shape.format(y.shapeRef()) + " under a small perturbation");
            }
            values[k] = y.toDoubleArray();
        }
        return values;
    }

    private void compare(List<Tensor> analytic, double[][] numeric, double[][] noise) {
        boolean anyNonZero = false;
        for (int i = 0; i < inputs.length; i++) {
            Tensor a = analytic.get(i);
            if (!Arrays.equals(a.shapeRef(), inputs[i].shapeRef())) {
                throw new AssertionError("gradient check of '" + op + "': the gradient of input " + i + " has shape "
                        + Shape.format(a.shapeRef()) + ", the input has shape " + Shape.format(inputs[i].shapeRef()));
            }
            if (a.dtype() != inputs[i].dtype()) {
                throw new AssertionError("gradient check of '" + op + "': the gradient of input " + i + " is " + a.dtype()
                        + ", the input is " + inputs[i].dtype());
            }
            double[] av = a.toDoubleArray();
            double[] nv = numeric[i];
            int worst = -1, failures = 0;
            double worstRatio = -1;
            for (int j = 0; j < av.length; j++) {
                double allowed = allowed(av[j], nv[j], noise[i][j]);
                double err = Math.abs(av[j] - nv[j]);
                boolean bad = !(err <= allowed); // NaN on either side fails
                if (bad) failures++;
                double ratio = Double.isNaN(err / allowed) ? Double.POSITIVE_INFINITY : err / allowed;
                if (ratio > worstRatio) {
                    worst = j;
                    worstRatio = ratio;
                }
                if (Math.abs(nv[j]) > atol || Math.abs(av[j]) > atol) anyNonZero = true;
            }
            if (failures > 0) {
                double allowed = allowed(av[worst], nv[worst], noise[i][worst]);
                throw new AssertionError("gradient check of '" + op + "' failed for input " + i + " of shape "
                        + Shape.format(inputs[i].shapeRef()) + " at element " + worst + " (index "
                        + Shape.format(unravel(worst, inputs[i].shapeRef())) + "): analytic " + av[worst] + ", numeric " + nv[worst]
                        + " (|difference| " + Math.abs(av[worst] - nv[worst]) + " > allowed " + allowed + "); "
                        + failures + " of " + av.length + " elements differ"
                        + describe("input " + i, values(inputs)[i]) + describe("analytic", av) + describe("numeric", nv)
                        + describeOthers(i));
            }
        }
        if (!anyNonZero && !allowZero) {
            throw new AssertionError("gradient check of '" + op + "' is vacuous: every analytic and numeric gradient is zero at this point"
                    + describeOthers(-1) + "\n  (call allowZeroGradient() where a zero gradient is the expected answer)");
        }
    }

    private double allowed(double a, double n, double noise) {
        return atol + rtol * Math.max(Math.abs(a), Math.abs(n)) + noise;
    }

    private String describeOthers(int except) {
        StringBuilder sb = new StringBuilder();
        double[][] v = values(inputs);
        for (int i = 0; i < inputs.length; i++) {
            if (i != except) sb.append(describe("input " + i + " " + Shape.format(inputs[i].shapeRef()), v[i]));
        }
        return sb.toString();
    }

    private static String describe(String label, double[] v) {
        if (v.length > PRINT_LIMIT) return "\n  " + label + ": (" + v.length + " values)";
        return "\n  " + label + ": " + Arrays.toString(v);
    }

    // ------------------------------------------------------------------ second order

    /**
     * Checks the derivative of the first-order VJP {@code grad(f(x), x, w)} (computed with
     * {@code createGraph = true}, for fixed weights {@code w}) against finite differences of that
     * same VJP: the second-order gradients a gradient penalty relies on.
     */
    public void checkSecondOrder() {
        Fn firstOrder = xs -> {
            List<Tensor> outs = fn.apply(xs);
            List<Tensor> diffOuts = new ArrayList<>();
            List<Tensor> gradOuts = new ArrayList<>();
            for (int k = 0; k < outs.size(); k++) {
                Tensor y = outs.get(k);
                if (!y.dtype().isFloating() || !y.requiresGrad()) continue;
                diffOuts.add(y);
                // The same weights at every evaluation: they are part of the function being differentiated.
                gradOuts.add(Tensor.of(y.dtype(), weights(y.numel(), new SplittableRandom(0x5EC0DL + k)), y.shape()));
            }
            if (diffOuts.isEmpty()) {
                List<Tensor> zeros = new ArrayList<>();
                for (Tensor x : xs) zeros.add(Tensor.zerosLike(x));
                return zeros;
            }
            return Autograd.grad(diffOuts, xs, gradOuts, true, true, true);
        };
        GradientCheck second = new GradientCheck(op + " (second order)", firstOrder);
        second.inputs = inputs;
        second.rtol = rtol;
        second.atol = atol;
        second.step = step;
        second.allowZero = allowZero;
        second.viaBackward = viaBackward;
        second.evaluateWithGrad = true;
        second.check();
    }

    // ------------------------------------------------------------------ helpers

    private static double[][] values(Tensor[] xs) {
        double[][] v = new double[xs.length][];
        for (int i = 0; i < xs.length; i++) v[i] = xs[i].toDoubleArray();
        return v;
    }

    private List<Tensor> leaves(double[][] point, boolean requiresGrad) {
        List<Tensor> out = new ArrayList<>(point.length);
        for (int i = 0; i < point.length; i++) {
            Tensor t = Tensor.of(DType.FLOAT64, point[i].clone(), inputs[i].shape());
            out.add(requiresGrad ? t.requiresGrad(true) : t);
        }
        return out;
    }

    private static double[] weights(int n, SplittableRandom random) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = (random.nextBoolean() ? 1 : -1) * (0.5 + random.nextDouble());
        return w;
    }

    private static long seedOf(Tensor[] xs) {
        long h = 0x9E3779B97F4A7C15L;
        for (Tensor x : xs) for (double v : x.toDoubleArray()) h = h * 31 + Double.hashCode(v);
        return h;
    }

    private static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 0) continue;
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }
}
