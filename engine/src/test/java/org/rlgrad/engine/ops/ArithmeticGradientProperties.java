package org.rlgrad.engine.ops;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.GradCase;
import org.rlgrad.engine.testing.GradientCheck;

/**
 * Finite-difference gradient checks of the broadcasting binary ops in {@link Arithmetic}, over
 * random pairs (and triples) of broadcast-compatible shapes: each gradient must come back summed
 * to its own input's shape.
 */
class ArithmeticGradientProperties {

    static List<GradCase> cases() {
        return List.of(
                GradCase.of("Arithmetic.add(Tensor,Tensor)", g -> {
                    int[][] s = g.broadcastShapes(2, 0, 4);
                    GradientCheck.of("add", xs -> xs.get(0).add(xs.get(1))).at(g.uniform(s[0], -2, 2), g.uniform(s[1], -2, 2)).check();
                }),
                GradCase.of("Arithmetic.add(Tensor,Tensor,double)", g -> {
                    int[][] s = g.broadcastShapes(2, 0, 4);
                    double alpha = g.choose(1, -0.5, 2.5);
                    g.note("alpha", alpha);
                    GradientCheck.of("add(alpha)", xs -> xs.get(0).add(xs.get(1), alpha)).at(g.uniform(s[0], -2, 2), g.uniform(s[1], -2, 2)).check();
                }),
                GradCase.of("Arithmetic.sub", g -> {
                    int[][] s = g.broadcastShapes(2, 0, 4);
                    GradientCheck.of("sub", xs -> xs.get(0).sub(xs.get(1))).at(g.uniform(s[0], -2, 2), g.uniform(s[1], -2, 2)).check();
                }),
                GradCase.of("Arithmetic.mul", g -> {
                    int[][] s = g.broadcastShapes(2, 0, 4);
                    GradientCheck.of("mul", xs -> xs.get(0).mul(xs.get(1))).at(g.uniform(s[0], -2, 2), g.uniform(s[1], -2, 2)).check();
                }),
                GradCase.of("mul of a tensor with itself", List.of(), g -> {
                    // Both inputs of one node are the same tensor: the two gradients must add up.
                    GradientCheck.of("mul(x, x)", xs -> xs.get(0).mul(xs.get(0))).at(g.signed(g.shape(0, 4), 0.1, 2)).check();
                }),
                GradCase.of("Arithmetic.div", g -> {
                    int[][] s = g.broadcastShapes(2, 0, 4);
                    GradientCheck.of("div", xs -> xs.get(0).div(xs.get(1))).at(g.uniform(s[0], -2, 2), g.signed(s[1], 0.5, 2)).check();
                }),
                GradCase.of("Arithmetic.rdiv", g -> {
                    double s = g.choose(1, -2.5, 0.3);
                    g.note("s", s);
                    GradientCheck.of("rdiv", xs -> xs.get(0).rdiv(s)).at(g.signed(g.shape(0, 4), 0.3, 2)).check();
                }),
                GradCase.of("Arithmetic.affine", g -> {
                    // The scalar forms of mul, add, sub, rsub and div all land in affine.
                    double s = g.choose(0.5, -2, 3);
                    int form = g.intIn(0, 4);
                    g.note("s", s).note("form", form);
                    GradientCheck.of("affine", xs -> switch (form) {
                        case 0 -> xs.get(0).mul(s);
                        case 1 -> xs.get(0).add(s);
                        case 2 -> xs.get(0).sub(s);
                        case 3 -> xs.get(0).rsub(s);
                        default -> xs.get(0).div(s);
                    }).at(g.uniform(g.shape(0, 4), -2, 2)).check();
                }),
                GradCase.of("Arithmetic.pow", g -> {
                    int[][] s = g.broadcastShapes(2, 0, 4);
                    // A positive base keeps a^b real for every b; exponents include exact zeros.
                    Tensor b = g.uniform(s[1], -2, 2);
                    if (g.chance(0.3)) b = b.mul(b.gt(0).toDouble());
                    GradientCheck.of("pow", xs -> xs.get(0).pow(xs.get(1))).at(g.uniform(s[0], 0.3, 2), b).check();
                }),
                GradCase.of("Arithmetic.maximum", g -> {
                    int[][] s = g.broadcastShapes(2, 0, 4);
                    // Lattices 0.05 apart: no ties, where the gradient would be split.
                    GradientCheck.of("maximum", xs -> xs.get(0).maximum(xs.get(1))).at(g.lattice(s[0], 0), g.lattice(s[1], 0.05)).check();
                }),
                GradCase.of("Arithmetic.minimum", g -> {
                    int[][] s = g.broadcastShapes(2, 0, 4);
                    GradientCheck.of("minimum", xs -> xs.get(0).minimum(xs.get(1))).at(g.lattice(s[0], 0), g.lattice(s[1], 0.05)).check();
                }),
                GradCase.of("Arithmetic.clamp", g -> {
                    // Tensor bounds: x, min and max never tie; any order, including min > max (the result is then max).
                    int[][] s = g.broadcastShapes(3, 0, 4);
                    int variant = g.intIn(0, 2); // both bounds, min only, max only
                    g.note("variant", variant);
                    Tensor x = g.lattice(s[0], 0), lo = g.lattice(s[1], 0.033), hi = g.lattice(s[2], 0.066);
                    if (variant == 0) {
                        GradientCheck.of("clamp", xs -> xs.get(0).clamp(xs.get(1), xs.get(2))).at(x, lo, hi).check();
                    } else if (variant == 1) {
                        GradientCheck.of("clamp(min)", xs -> Arithmetic.clamp(xs.get(0), xs.get(1), null)).at(x, lo).check();
                    } else {
                        GradientCheck.of("clamp(max)", xs -> Arithmetic.clamp(xs.get(0), null, xs.get(1))).at(x, hi).check();
                    }
                }),
                GradCase.of("Arithmetic.lerp(Tensor,Tensor,Tensor)", g -> {
                    int[][] s = g.broadcastShapes(3, 0, 4);
                    GradientCheck.of("lerp", xs -> xs.get(0).lerp(xs.get(1), xs.get(2)))
                            .at(g.uniform(s[0], -2, 2), g.uniform(s[1], -2, 2), g.uniform(s[2], -0.5, 1.5)).check();
                }),
                GradCase.of("Arithmetic.lerp(Tensor,Tensor,double)", g -> {
                    int[][] s = g.broadcastShapes(2, 0, 4);
                    double w = g.choose(0.25, 0.995, -0.5);
                    g.note("weight", w);
                    GradientCheck.of("lerp", xs -> xs.get(0).lerp(xs.get(1), w)).at(g.uniform(s[0], -2, 2), g.uniform(s[1], -2, 2)).check();
                }),
                GradCase.of("Arithmetic.where(Tensor,Tensor,Tensor)", g -> {
                    int[][] s = g.broadcastShapes(3, 0, 4);
                    Tensor cond = g.bools(s[0], 0.5);
                    GradientCheck.of("where", xs -> Tensor.where(cond, xs.get(0), xs.get(1)))
                            .at(g.uniform(s[1], -2, 2), g.uniform(s[2], -2, 2)).check();
                }),
                GradCase.of("Arithmetic.where(Tensor,Tensor,double)", g -> {
                    int[][] s = g.broadcastShapes(2, 0, 4);
                    Tensor cond = g.bools(s[0], 0.5);
                    GradientCheck.of("where(a, scalar)", xs -> Tensor.where(cond, xs.get(0), -3.5)).at(g.uniform(s[1], -2, 2))
                            .allowZeroGradient().check();
                }),
                GradCase.of("Arithmetic.where(Tensor,double,Tensor)", g -> {
                    int[][] s = g.broadcastShapes(2, 0, 4);
                    Tensor cond = g.bools(s[0], 0.5);
                    GradientCheck.of("where(scalar, b)", xs -> Tensor.where(cond, 2.5, xs.get(0))).at(g.uniform(s[1], -2, 2))
                            .allowZeroGradient().check();
                }),
                GradCase.of("Arithmetic.maskedFill", g -> {
                    int[] shape = g.shape(0, 4);
                    // The mask broadcasts to x's shape: some of x's dims become 1 or disappear.
                    int[] maskShape = java.util.Arrays.copyOfRange(shape, g.intIn(0, shape.length), shape.length);
                    for (int i = 0; i < maskShape.length; i++) if (g.chance(0.3)) maskShape[i] = 1;
                    g.note("mask", maskShape);
                    Tensor mask = g.bools(maskShape, 0.4);
                    GradientCheck.of("masked_fill", xs -> xs.get(0).maskedFill(mask, 7)).at(g.uniform(shape, -2, 2))
                            .allowZeroGradient().check();
                }));
    }

    @TestFactory
    Stream<DynamicTest> gradients() {
        return cases().stream().map(GradCase::toTest);
    }
}
