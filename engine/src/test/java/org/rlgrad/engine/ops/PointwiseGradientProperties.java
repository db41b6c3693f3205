package org.rlgrad.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.CoversOps;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.GradCase;
import org.rlgrad.engine.testing.GradientCheck;

/**
 * Finite-difference gradient checks of every differentiable op in {@link Pointwise}, on random
 * shapes of rank 0 to 4, with inputs inside each function's domain and away from its kinks.
 */
class PointwiseGradientProperties {

    /** A unary op on one generated input; the zero-gradient ops pass {@code zero = true}. */
    private static GradCase unary(String covers, Function<Gen, Tensor> input, UnaryOperator<Tensor> f) {
        return unary(covers, false, input, f);
    }

    private static GradCase unary(String covers, boolean zero, Function<Gen, Tensor> input, UnaryOperator<Tensor> f) {
        return GradCase.of(covers, g -> {
            Tensor x = input.apply(g);
            GradientCheck check = GradientCheck.of(covers, xs -> f.apply(xs.get(0))).at(x);
            if (zero) check.allowZeroGradient();
            check.check();
        });
    }

    private static Function<Gen, Tensor> in(double lo, double hi) {
        return g -> g.uniform(g.shape(0, 4), lo, hi);
    }

    private static Function<Gen, Tensor> awayFromZero(double minAbs, double maxAbs) {
        return g -> g.signed(g.shape(0, 4), minAbs, maxAbs);
    }

    static List<GradCase> cases() {
        return List.of(
                unary("Pointwise.neg", in(-2, 2), Tensor::neg),
                unary("Pointwise.abs", awayFromZero(0.05, 2), Tensor::abs),
                unary("Pointwise.sign", true, awayFromZero(0.05, 2), Tensor::sign),
                unary("Pointwise.floor", true, g -> g.awayFromHalfIntegers(g.shape(0, 4), -3, 3, 0.05), Tensor::floor),
                unary("Pointwise.ceil", true, g -> g.awayFromHalfIntegers(g.shape(0, 4), -3, 3, 0.05), Tensor::ceil),
                unary("Pointwise.round", true, g -> g.awayFromHalfIntegers(g.shape(0, 4), -3, 3, 0.05), Tensor::round),
                unary("Pointwise.trunc", true, g -> g.awayFromHalfIntegers(g.shape(0, 4), -3, 3, 0.05), Tensor::trunc),
                unary("Pointwise.exp", in(-2, 2), Tensor::exp),
                unary("Pointwise.expm1", in(-2, 2), Tensor::expm1),
                unary("Pointwise.log", in(0.1, 3), Tensor::log),
                unary("Pointwise.log1p", in(-0.9, 3), Tensor::log1p),
                unary("Pointwise.sqrt", in(0.1, 3), Tensor::sqrt),
                unary("Pointwise.rsqrt", in(0.1, 3), Tensor::rsqrt),
                unary("Pointwise.sin", in(-3, 3), Tensor::sin),
                unary("Pointwise.cos", in(-3, 3), Tensor::cos),
                unary("Pointwise.tanh", in(-2, 2), Tensor::tanh),
                unary("Pointwise.atanh", in(-0.9, 0.9), Tensor::atanh),
                unary("Pointwise.sigmoid", in(-4, 4), Tensor::sigmoid),
                unary("Pointwise.logSigmoid", in(-4, 4), Tensor::logSigmoid),
                unary("Pointwise.relu", true, awayFromZero(0.05, 2), Tensor::relu),
                GradCase.of("Pointwise.elu", g -> {
                    double alpha = g.uniform(0.5, 2);
                    g.note("alpha", alpha);
                    GradientCheck.of("elu", xs -> xs.get(0).elu(alpha)).at(g.signed(g.shape(0, 4), 0.05, 2)).check();
                }),
                GradCase.of("Pointwise.leakyRelu", g -> {
                    double slope = g.uniform(0.01, 0.3);
                    g.note("negativeSlope", slope);
                    GradientCheck.of("leaky_relu", xs -> xs.get(0).leakyRelu(slope)).at(g.signed(g.shape(0, 4), 0.05, 2)).check();
                }),
                GradCase.of("Pointwise.softplus", g -> {
                    // Both regions: log(1 + e^(beta x)) / beta, and x itself above the threshold.
                    double beta = g.choose(1.0, g.uniform(0.5, 2));
                    double threshold = g.choose(20.0, g.uniform(0.5, 3));
                    g.note("beta", beta).note("threshold", threshold);
                    Tensor x = g.awayFrom(g.shape(0, 4), -3, 3, 0.05 / beta, threshold / beta);
                    GradientCheck.of("softplus", xs -> xs.get(0).softplus(beta, threshold)).at(x).check();
                }),
                unary("Pointwise.silu", in(-3, 3), Tensor::silu),
                GradCase.of("Pointwise.gelu", g -> {
                    boolean tanhApproximation = g.bool();
                    g.note("tanhApproximation", tanhApproximation);
                    GradientCheck.of("gelu", xs -> xs.get(0).gelu(tanhApproximation)).at(g.uniform(g.shape(0, 4), -3, 3)).check();
                }),
                unary("Pointwise.erf", in(-2, 2), Tensor::erf),
                unary("Pointwise.erfinv", in(-0.9, 0.9), Tensor::erfinv),
                unary("Pointwise.reciprocal", awayFromZero(0.2, 2), Tensor::reciprocal),
                unary("Pointwise.square", in(-2, 2), Tensor::square),
                unary("Pointwise.lgamma", in(0.2, 5), Tensor::lgamma),
                unary("Pointwise.digamma", in(0.3, 5), Tensor::digamma),
                GradCase.of("Pointwise.pow", g -> {
                    double exponent = g.choose(2, 3, -1, -2, 0.5, 1.5, -0.5, 1, 0);
                    g.note("exponent", exponent);
                    boolean integer = exponent == Math.rint(exponent);
                    // Non-integer exponents need a positive base; negative ones keep away from 0.
                    Tensor x = integer ? g.signed(g.shape(0, 4), 0.2, 2) : g.uniform(g.shape(0, 4), 0.2, 2);
                    GradientCheck check = GradientCheck.of("pow", xs -> xs.get(0).pow(exponent)).at(x);
                    if (exponent == 0) check.allowZeroGradient();
                    check.check();
                }),
                GradCase.of("Pointwise.rpow", g -> {
                    double base = g.choose(0.5, 2, 0.99, Math.E, 0);
                    g.note("base", base);
                    // 0^x is 0 with a zero gradient for x > 0 (PyTorch's convention at base 0).
                    Tensor x = base == 0 ? g.uniform(g.shape(0, 4), 0.1, 2) : g.uniform(g.shape(0, 4), -2, 2);
                    GradientCheck check = GradientCheck.of("rpow", xs -> xs.get(0).rpow(base)).at(x);
                    if (base == 0) check.allowZeroGradient();
                    check.check();
                }),
                GradCase.of("Pointwise.clamp", g -> {
                    double lo = g.uniform(-1.5, 0.5), hi = lo + g.uniform(0.2, 2);
                    int variant = g.intIn(0, 2); // both bounds, min only, max only
                    g.note("min", lo).note("max", hi).note("variant", variant);
                    Tensor x = g.awayFrom(g.shape(0, 4), -3, 3, 0.05, lo, hi);
                    UnaryOperator<Tensor> f = switch (variant) {
                        case 0 -> t -> t.clamp(lo, hi);
                        case 1 -> t -> t.clampMin(lo);
                        default -> t -> t.clampMax(hi);
                    };
                    GradientCheck.of("clamp", xs -> f.apply(xs.get(0))).at(x).allowZeroGradient().check();
                }));
    }

    @TestFactory
    Stream<DynamicTest> gradients() {
        return cases().stream().map(GradCase::toTest);
    }

    /**
     * Casts between float dtypes keep the graph and send the gradient back in the input's dtype;
     * the exact answer is known, and finite differences through float32 would only measure its
     * rounding.
     */
    @Test
    @CoversOps("Pointwise.cast")
    void castBetweenFloatDtypesPassesTheGradientBackInTheInputsDtype() {
        double[] w = {0.5, -1.25, 2};
        Tensor x32 = Tensor.of(DType.FLOAT32, new double[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor y64 = x32.to(DType.FLOAT64);
        assertEquals(DType.FLOAT64, y64.dtype());
        Tensor g32 = Autograd.grad(y64.mul(Tensor.of(DType.FLOAT64, w, 3)).sum(), x32);
        assertEquals(DType.FLOAT32, g32.dtype());
        assertArrayEquals(w, g32.toDoubleArray(), 0);

        Tensor x64 = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor y32 = x64.to(DType.FLOAT32);
        Tensor g64 = Autograd.grad(y32.mul(Tensor.of(DType.FLOAT32, w, 3)).sum(), x64);
        assertEquals(DType.FLOAT64, g64.dtype());
        assertArrayEquals(w, g64.toDoubleArray(), 0);

        // Casting to an integer or bool dtype ends the graph.
        assertEquals(false, x64.to(DType.INT64).requiresGrad());
        assertEquals(false, x64.to(DType.BOOL).requiresGrad());
        // A second-order pass through a cast: d/dx (x^3 cast) = 3 x^2, d2 = 6 x.
        Tensor x = Tensor.of(DType.FLOAT32, new double[] {2}, 1).requiresGrad(true);
        Tensor first = Autograd.grad(List.of(x.to(DType.FLOAT64).pow(3).sum()), List.of(x), null, true, true, false).get(0);
        assertEquals(DType.FLOAT32, first.dtype());
        assertArrayEquals(new double[] {12}, Autograd.grad(first.sum(), x).toDoubleArray(), 1e-6);
    }
}
