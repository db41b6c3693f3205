package org.rlgrad.engine.ops;

import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.GradCase;
import org.rlgrad.engine.testing.GradientCheck;

/**
 * Second-order checks: the first-order VJP, computed with {@code createGraph = true}, is itself
 * differentiated and compared with finite differences of that VJP. First the ops a gradient
 * penalty runs through (linear, tanh, relu, sigmoid, log, mean, pow, norm), then the other ops
 * whose backward is a custom formula over saved tensors.
 *
 * <p>A linear op's own second derivative is zero, so it is checked inside a square: the backward
 * of {@code op(x)^2} is {@code op^T(2 op(x) w)}, whose derivative runs through op's backward
 * applied to a gradient that itself depends on x (unary ops are multiplied by x + 1.5 for the same reason).
 */
class SecondOrderGradientProperties {
    private static final int TRIES = 30;

    private static GradCase unary(String name, Function<Gen, Tensor> input, UnaryOperator<Tensor> f) {
        return GradCase.of(name + " (second order)", List.of(), g -> {
            Tensor x = input.apply(g);
            // Times (x + 1.5): the backward of op(x) (x + 1.5) meets a gradient that depends on x, and
            // the result has curvature 2 op'(x) + (x + 1.5) op''(x), non-zero even where op is linear
            // (abs, elu above 0) and where op is 1/x.
            boolean timesX = g.bool();
            g.note("times (x + 1.5)", timesX);
            GradientCheck check = GradientCheck.of(name, xs -> timesX ? f.apply(xs.get(0)).mul(xs.get(0).add(1.5)) : f.apply(xs.get(0))).at(x);
            if (!timesX) check.allowZeroGradient();
            check.checkSecondOrder();
        }).tries(TRIES);
    }

    static List<GradCase> cases() {
        return List.of(
                GradCase.of("linear (second order)", List.of(), g -> {
                    int in = g.intIn(1, 3), out = g.intIn(1, 3);
                    int[] x = Shape.concat(g.shape(0, 2), new int[] {in});
                    GradientCheck.of("linear", xs -> Functional.linear(xs.get(0), xs.get(1), xs.get(2)).tanh())
                            .at(g.uniform(x, -1, 1), g.uniform(new int[] {out, in}, -1, 1), g.uniform(new int[] {out}, -1, 1))
                            .checkSecondOrder();
                    GradientCheck.of("linear", xs -> Functional.linear(xs.get(0), xs.get(1), null))
                            .at(g.uniform(x, -1, 1), g.uniform(new int[] {out, in}, -1, 1)).checkSecondOrder();
                }).tries(TRIES),
                unary("tanh", g -> g.uniform(g.shape(0, 4), -2, 2), Tensor::tanh),
                GradCase.of("relu (second order)", List.of(), g -> {
                    // Zero curvature of its own away from 0; squared, its backward meets a gradient that depends on x.
                    GradientCheck.of("relu", xs -> xs.get(0).relu().square()).at(g.signed(g.shape(0, 4), 0.05, 2))
                            .allowZeroGradient().checkSecondOrder();
                }).tries(TRIES),
                unary("sigmoid", g -> g.uniform(g.shape(0, 4), -3, 3), Tensor::sigmoid),
                unary("log", g -> g.uniform(g.shape(0, 4), 0.2, 3), Tensor::log),
                GradCase.of("mean (second order)", List.of(), g -> {
                    int[] shape = g.shape(0, 4);
                    int[] dims = g.dims(shape.length);
                    boolean keepdim = g.bool();
                    g.note("keepdim", keepdim);
                    GradientCheck.of("mean", xs -> xs.get(0).mean(dims, keepdim).square()).at(g.uniform(shape, -2, 2)).checkSecondOrder();
                }).tries(TRIES),
                GradCase.of("pow (second order)", List.of(), g -> {
                    double e = g.choose(2, 3, -1, 0.5, 1.5, -0.5);
                    g.note("exponent", e);
                    GradientCheck.of("pow", xs -> xs.get(0).pow(e)).at(g.uniform(g.shape(0, 4), 0.3, 2)).checkSecondOrder();
                    int[][] s = g.broadcastShapes(2, 0, 3);
                    GradientCheck.of("pow(tensor, tensor)", xs -> xs.get(0).pow(xs.get(1)))
                            .at(g.uniform(s[0], 0.3, 2), g.uniform(s[1], -2, 2)).checkSecondOrder();
                }).tries(TRIES),
                GradCase.of("norm (second order)", List.of(), g -> {
                    int[] shape = g.shape(0, 4);
                    int[] dims = g.dims(shape.length);
                    double p = g.choose(2, 2, 1, 3);
                    boolean keepdim = g.bool();
                    g.note("p", p).note("keepdim", keepdim);
                    GradientCheck.of("norm", xs -> xs.get(0).norm(p, dims, keepdim)).at(g.signed(shape, 0.2, 2))
                            .allowZeroGradient().checkSecondOrder(); // p = 1: piecewise linear
                }).tries(TRIES),
                unary("exp", g -> g.uniform(g.shape(0, 4), -2, 2), Tensor::exp),
                unary("sqrt", g -> g.uniform(g.shape(0, 4), 0.2, 3), Tensor::sqrt),
                unary("rsqrt", g -> g.uniform(g.shape(0, 4), 0.2, 3), Tensor::rsqrt),
                unary("softplus", g -> g.uniform(g.shape(0, 4), -3, 3), Tensor::softplus),
                unary("log_sigmoid", g -> g.uniform(g.shape(0, 4), -3, 3), Tensor::logSigmoid),
                unary("elu", g -> g.signed(g.shape(0, 4), 0.05, 2), t -> t.elu(1.3)),
                unary("erf", g -> g.uniform(g.shape(0, 4), -2, 2), Tensor::erf),
                unary("erfinv", g -> g.uniform(g.shape(0, 4), -0.8, 0.8), Tensor::erfinv),
                unary("atanh", g -> g.uniform(g.shape(0, 4), -0.8, 0.8), Tensor::atanh),
                unary("reciprocal", g -> g.signed(g.shape(0, 4), 0.3, 2), Tensor::reciprocal),
                unary("sin", g -> g.uniform(g.shape(0, 4), -3, 3), Tensor::sin),
                unary("lgamma", g -> g.uniform(g.shape(0, 4), 0.3, 4), Tensor::lgamma),
                unary("abs", g -> g.signed(g.shape(0, 4), 0.05, 2), Tensor::abs),
                GradCase.of("mul and div (second order)", List.of(), g -> {
                    int[][] s = g.broadcastShapes(2, 0, 4);
                    GradientCheck.of("mul", xs -> xs.get(0).mul(xs.get(1))).at(g.uniform(s[0], -2, 2), g.uniform(s[1], -2, 2)).checkSecondOrder();
                    GradientCheck.of("div", xs -> xs.get(0).div(xs.get(1))).at(g.uniform(s[0], -2, 2), g.signed(s[1], 0.5, 2)).checkSecondOrder();
                }).tries(TRIES),
                GradCase.of("matmul (second order)", List.of(), g -> {
                    int n = g.intIn(1, 3), k = g.intIn(1, 3), m = g.intIn(1, 3), b = g.intIn(1, 2);
                    GradientCheck.of("matmul", xs -> xs.get(0).matmul(xs.get(1)).tanh())
                            .at(g.uniform(new int[] {b, n, k}, -1, 1), g.uniform(new int[] {k, m}, -1, 1)).checkSecondOrder();
                }).tries(TRIES),
                GradCase.of("softmax family (second order)", List.of(), g -> {
                    int[] shape = g.shape(1, 3);
                    int dim = g.dim(shape.length);
                    g.note("dim", dim);
                    Tensor x = g.uniform(shape, -2, 2);
                    GradientCheck.of("softmax", xs -> xs.get(0).softmax(dim)).at(x).allowZeroGradient().checkSecondOrder();
                    GradientCheck.of("log_softmax", xs -> xs.get(0).logSoftmax(dim)).at(x).allowZeroGradient().checkSecondOrder();
                    GradientCheck.of("logsumexp", xs -> xs.get(0).logsumexp(dim)).at(x).allowZeroGradient().checkSecondOrder();
                }).tries(TRIES),
                GradCase.of("var and std (second order)", List.of(), g -> {
                    int[] shape = g.shape(1, 3);
                    Tensor x = g.distinct(shape, -1, 0.3);
                    GradientCheck.of("var", xs -> xs.get(0).var(null, 0, false)).at(x).allowZeroGradient().checkSecondOrder();
                    if (x.numel() > 1) {
                        GradientCheck.of("var", xs -> xs.get(0).var()).at(x).checkSecondOrder();
                        // The std of two values is |x0 - x1| / sqrt(2): piecewise linear.
                        GradientCheck std = GradientCheck.of("std", xs -> xs.get(0).std()).at(x);
                        if (x.numel() == 2) std.allowZeroGradient();
                        std.checkSecondOrder();
                    }
                }).tries(TRIES),
                GradCase.of("amax and maximum (second order)", List.of(), g -> {
                    int[][] s = g.broadcastShapes(2, 0, 3);
                    GradientCheck.of("amax", xs -> xs.get(0).square().amax(null, false)).at(g.distinct(s[0], 0.1, 0.1)).checkSecondOrder();
                    GradientCheck.of("maximum", xs -> xs.get(0).maximum(xs.get(1)).square())
                            .at(g.lattice(s[0], 0), g.lattice(s[1], 0.05)).allowZeroGradient().checkSecondOrder();
                }).tries(TRIES),
                GradCase.of("where, clamp and gather (second order)", List.of(), g -> {
                    int[] shape = g.shape(1, 3);
                    Tensor cond = g.bools(shape, 0.5);
                    Tensor x = g.uniform(shape, -2, 2);
                    GradientCheck.of("where", xs -> Tensor.where(cond, xs.get(0).square(), xs.get(0).exp())).at(x).checkSecondOrder();
                    GradientCheck.of("clamp", xs -> xs.get(0).clamp(-1, 1).square()).at(g.awayFrom(shape, -2, 2, 0.05, -1, 1))
                            .allowZeroGradient().checkSecondOrder();
                    int d = shape.length - 1;
                    int[] is = shape.clone();
                    is[d] = g.intIn(1, 4);
                    Tensor index = g.indices(is, shape[d]);
                    GradientCheck.of("gather", xs -> xs.get(0).gather(d, index).square()).at(x).checkSecondOrder();
                }).tries(TRIES),
                GradCase.of("scans and prod (second order)", List.of(), g -> {
                    int[] shape = g.shape(1, 3);
                    int dim = g.dim(shape.length);
                    g.note("dim", dim);
                    Tensor x = g.signed(shape, 0.5, 1.5);
                    GradientCheck.of("cumsum", xs -> xs.get(0).cumsum(dim).square()).at(x).checkSecondOrder();
                    GradientCheck.of("cumprod", xs -> xs.get(0).cumprod(dim)).at(x).allowZeroGradient().checkSecondOrder();
                    GradientCheck.of("prod", xs -> xs.get(0).prod(dim, false)).at(x).allowZeroGradient().checkSecondOrder();
                }).tries(TRIES),
                GradCase.of("views (second order)", List.of(), g -> {
                    int[] shape = g.shape(2, 4);
                    GradientCheck.of("views", xs -> xs.get(0).transpose(0, 1).slice(0, null, null, 2).flip(-1).reshape(-1).square())
                            .at(g.uniform(shape, -2, 2)).checkSecondOrder();
                    GradientCheck.of("cat and expand", xs -> Tensor.cat(List.of(xs.get(0), xs.get(0).unsqueeze(0)
                            .expand(Shape.concat(new int[] {2}, shape)).sum(0)), 0).square()).at(g.uniform(shape, -2, 2)).checkSecondOrder();
                }).tries(TRIES));
    }

    @TestFactory
    Stream<DynamicTest> secondOrderGradients() {
        return cases().stream().map(GradCase::toTest);
    }
}
