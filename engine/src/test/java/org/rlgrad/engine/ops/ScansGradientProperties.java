package org.rlgrad.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.GradCase;
import org.rlgrad.engine.testing.GradientCheck;

/**
 * Gradient checks of {@link Scans}. cumprod is checked with exact zeros in its input (one or
 * several per line) against two independent references: central differences (exact here, since
 * a running product is multilinear in its inputs) and a direct sum of products-of-others.
 */
class ScansGradientProperties {

    static List<GradCase> cases() {
        return List.of(
                GradCase.of("Scans.cumsum", g -> {
                    int[] shape = g.shape(0, 4);
                    int dim = g.dim(shape.length);
                    g.note("dim", dim);
                    GradientCheck.of("cumsum", xs -> xs.get(0).cumsum(dim)).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Scans.linearRecurrence", g -> {
                    int[][] shapes = g.broadcastShapes(2, 1, 3);
                    int rank = Math.max(shapes[0].length, shapes[1].length);
                    int dim = g.dim(rank);
                    boolean reverse = g.bool();
                    g.note("dim", dim).note("reverse", reverse);
                    Tensor x = g.uniform(shapes[0], -2, 2), a = g.uniform(shapes[1], -1.2, 1.2);
                    GradientCheck.of("linearRecurrence", xs -> Scans.linearRecurrence(xs.get(0), xs.get(1), dim, reverse)).at(x, a).check();
                    // y is bilinear in (x, a) step by step: lines of one step have no second derivative.
                    GradientCheck.of("linearRecurrence", xs -> Scans.linearRecurrence(xs.get(0), xs.get(1), dim, reverse)).at(x, a)
                            .allowZeroGradient().checkSecondOrder();
                }),
                GradCase.of("Scans.cumprod", g -> {
                    int[] shape = g.shape(0, 4);
                    int dim = g.dim(shape.length);
                    int zeros = g.chooseInt(0, 1, 2, 3);
                    g.note("dim", dim).note("zeros", zeros);
                    double[] v = g.signed(shape, 0.5, 1.5).toDoubleArray();
                    for (int z = 0; z < zeros; z++) v[g.intIn(0, v.length - 1)] = 0;
                    Tensor x = Tensor.of(DType.FLOAT64, v, shape);
                    GradientCheck.of("cumprod", xs -> xs.get(0).cumprod(dim)).at(x).allowZeroGradient().check();
                    GradientCheck.of("cumprod", xs -> xs.get(0).cumprod(dim)).at(x).allowZeroGradient().checkSecondOrder();

                    double[] w = g.uniform(shape, -1.5, 1.5).toDoubleArray();
                    Tensor leaf = x.requiresGrad(true);
                    Tensor analytic = Autograd.grad(List.of(leaf.cumprod(dim)), List.of(leaf),
                            List.of(Tensor.of(DType.FLOAT64, w, shape)), false, false, false).get(0);
                    assertArrayEquals(cumprodVjp(v, w, shape, dim), analytic.toDoubleArray(), 1e-12,
                            "cumprod gradient against sum_{i >= k} w_i prod_{j <= i, j != k} x_j");
                }));
    }

    /** dL/dx_k = sum over i >= k along the line of w_i times the product of x_j for j <= i, j != k: plain loops. */
    static double[] cumprodVjp(double[] x, double[] w, int[] shape, int dim) {
        if (shape.length == 0) return w.clone();
        int d = Shape.normalizeDim("test", dim, shape.length);
        int stride = Shape.contiguousStrides(shape)[d], n = shape[d];
        double[] out = new double[x.length];
        for (int flat = 0; flat < x.length; flat++) {
            int pos = (flat / stride) % n;
            int start = flat - pos * stride;
            double total = 0;
            for (int i = pos; i < n; i++) {
                double p = 1;
                for (int j = 0; j <= i; j++) if (j != pos) p *= x[start + j * stride];
                total += w[start + i * stride] * p;
            }
            out[flat] = total;
        }
        return out;
    }

    @Test
    void cumprodGradientAtZerosOnAKnownLine() {
        // x = [2, 0, 3, 0, 5]: y = [2, 0, 0, 0, 0]. With unit weights:
        // d/dx0 = 1 (y0) + 0 ... = 1; d/dx1 = x0 + x0 x2 + x0 x2 x3 + x0 x2 x3 x4 = 2 + 6 + 0 + 0 = 8;
        // d/dx2 = d/dx3... every term still holds x1 = 0 except none: 0; d/dx3 = 0; d/dx4 = 0.
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {2, 0, 3, 0, 5}, 5).requiresGrad(true);
        assertArrayEquals(new double[] {1, 8, 0, 0, 0}, Autograd.grad(x.cumprod(0).sum(), x).toDoubleArray(), 0);
    }

    @TestFactory
    Stream<DynamicTest> gradients() {
        return cases().stream().map(GradCase::toTest);
    }
}
