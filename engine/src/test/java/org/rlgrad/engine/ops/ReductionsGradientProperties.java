package org.rlgrad.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensor.ValuesAndIndices;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.GradCase;
import org.rlgrad.engine.testing.GradientCheck;

/**
 * Finite-difference gradient checks of {@link Reductions} over random shapes, random sets of
 * dims (null meaning all; negative forms included) and keepdim both ways.
 */
class ReductionsGradientProperties {

    /** The number of elements each output of a reduction over {@code dims} combines. */
    private static int reducedCount(int[] shape, int[] dims) {
        int[] d = Shape.normalizeDims("test", dims, shape.length);
        int n = 1;
        for (int k : d) n *= shape[k];
        return n;
    }

    private static String dimsText(int[] dims) {
        return dims == null ? "all" : Arrays.toString(dims);
    }

    /** A product of magnitude-near-1 values, with exact zeros when asked. */
    private static Tensor factors(Gen g, int[] shape, int zeros) {
        double[] v = g.signed(shape, 0.5, 1.5).toDoubleArray();
        for (int z = 0; z < zeros && v.length > 0; z++) v[g.intIn(0, v.length - 1)] = 0;
        return Tensor.of(DType.FLOAT64, v, shape);
    }

    static List<GradCase> cases() {
        return List.of(
                GradCase.of("Reductions.sum", g -> {
                    int[] shape = g.shape(0, 4);
                    int[] dims = g.dims(shape.length);
                    boolean keepdim = g.bool();
                    g.note("dims", dimsText(dims)).note("keepdim", keepdim);
                    GradientCheck.of("sum", xs -> xs.get(0).sum(dims, keepdim)).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Reductions.mean", g -> {
                    int[] shape = g.shape(0, 4);
                    int[] dims = g.dims(shape.length);
                    boolean keepdim = g.bool();
                    g.note("dims", dimsText(dims)).note("keepdim", keepdim);
                    GradientCheck.of("mean", xs -> xs.get(0).mean(dims, keepdim)).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Reductions.prod", g -> {
                    int[] shape = g.shape(0, 4);
                    int[] dims = g.dims(shape.length);
                    boolean keepdim = g.bool();
                    int zeros = g.chooseInt(0, 0, 1, 2);
                    g.note("dims", dimsText(dims)).note("keepdim", keepdim).note("zeros", zeros);
                    // A product is multilinear, so central differences are exact at zeros too.
                    Tensor x = factors(g, shape, zeros);
                    GradientCheck.of("prod", xs -> Reductions.prod(xs.get(0), dims, keepdim)).at(x).allowZeroGradient().check();
                    GradientCheck.of("prod", xs -> Reductions.prod(xs.get(0), dims, keepdim)).at(x).allowZeroGradient().checkSecondOrder();
                    assertArrayEquals(productOfOthers(x, dims), Autograd.grad(Reductions.prod(x.requiresGrad(true), dims, keepdim).sum(), x)
                            .toDoubleArray(), 1e-12, "prod gradient against the product of the other elements");
                }),
                GradCase.of("Reductions.amax", g -> {
                    int[] shape = g.shape(0, 4);
                    int[] dims = g.dims(shape.length);
                    boolean keepdim = g.bool();
                    g.note("dims", dimsText(dims)).note("keepdim", keepdim);
                    GradientCheck.of("amax", xs -> xs.get(0).amax(dims, keepdim)).at(g.distinct(shape, -1, 0.1)).check();
                }),
                GradCase.of("Reductions.amin", g -> {
                    int[] shape = g.shape(0, 4);
                    int[] dims = g.dims(shape.length);
                    boolean keepdim = g.bool();
                    g.note("dims", dimsText(dims)).note("keepdim", keepdim);
                    GradientCheck.of("amin", xs -> xs.get(0).amin(dims, keepdim)).at(g.distinct(shape, -1, 0.1)).check();
                }),
                GradCase.of("Reductions.maxDim", g -> {
                    int[] shape = g.shape(0, 4);
                    int dim = g.dim(shape.length);
                    boolean keepdim = g.bool();
                    g.note("dim", dim).note("keepdim", keepdim);
                    GradientCheck.ofMany("max(dim)", xs -> {
                        ValuesAndIndices r = xs.get(0).max(dim, keepdim);
                        return List.of(r.values(), r.indices());
                    }).at(g.distinct(shape, -1, 0.1)).check();
                }),
                GradCase.of("Reductions.minDim", g -> {
                    int[] shape = g.shape(0, 4);
                    int dim = g.dim(shape.length);
                    boolean keepdim = g.bool();
                    g.note("dim", dim).note("keepdim", keepdim);
                    GradientCheck.ofMany("min(dim)", xs -> {
                        ValuesAndIndices r = xs.get(0).min(dim, keepdim);
                        return List.of(r.values(), r.indices());
                    }).at(g.distinct(shape, -1, 0.1)).check();
                }),
                GradCase.of("Reductions.var", g -> {
                    int[] shape = g.shape(0, 4);
                    int[] dims = g.dims(shape.length);
                    boolean keepdim = g.bool();
                    int n = reducedCount(shape, dims);
                    double correction = g.choose(0, 1, 0.5);
                    if (correction >= n) correction = 0; // n - correction must stay positive
                    double c = correction;
                    g.note("dims", dimsText(dims)).note("keepdim", keepdim).note("correction", c);
                    GradientCheck.of("var", xs -> xs.get(0).var(dims, c, keepdim)).at(g.uniform(shape, -2, 2))
                            .allowZeroGradient().check(); // a single element has zero variance whatever its value
                }),
                GradCase.of("Reductions.std", g -> {
                    int[] shape = g.shape(1, 4);
                    int[] dims = g.dims(shape.length);
                    if (reducedCount(shape, dims) < 2) dims = null;
                    if (reducedCount(shape, dims) < 2) shape = new int[] {2, shape[0]};
                    int[] d = dims, s = shape;
                    boolean keepdim = g.bool();
                    double correction = g.choose(0, 1);
                    g.note("actual shape", s).note("dims", dimsText(d)).note("keepdim", keepdim).note("correction", correction);
                    // std = sqrt(var) is not differentiable at var = 0: spread values keep it away.
                    GradientCheck.of("std", xs -> xs.get(0).std(d, correction, keepdim)).at(g.distinct(s, -1, 0.2)).check();
                }),
                GradCase.of("Reductions.norm", g -> {
                    int[] shape = g.shape(0, 4);
                    int[] dims = g.dims(shape.length);
                    boolean keepdim = g.bool();
                    double p = g.choose(1, 2, 3, 0.5, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
                    g.note("p", p).note("dims", dimsText(dims)).note("keepdim", keepdim);
                    // Distinct magnitudes: the infinity norms pick one element, with no ties to split.
                    Tensor x = g.distinct(shape, 0.1, 0.1).mul(g.signed(shape, 1, 1));
                    GradientCheck.of("norm", xs -> xs.get(0).norm(p, dims, keepdim)).at(x).check();
                }),
                GradCase.of("Reductions.logsumexp", g -> {
                    int[] shape = g.shape(0, 4);
                    int[] dims = g.dims(shape.length);
                    boolean keepdim = g.bool();
                    g.note("dims", dimsText(dims)).note("keepdim", keepdim);
                    GradientCheck.of("logsumexp", xs -> xs.get(0).logsumexp(dims, keepdim)).at(g.uniform(shape, -3, 3)).check();
                }),
                GradCase.of("Reductions.softmax", g -> {
                    int[] shape = g.shape(0, 4);
                    int dim = g.dim(shape.length);
                    g.note("dim", dim);
                    GradientCheck.of("softmax", xs -> xs.get(0).softmax(dim)).at(g.uniform(shape, -3, 3))
                            .allowZeroGradient().check(); // along a size-1 dim softmax is constantly 1
                }),
                GradCase.of("Reductions.logSoftmax", g -> {
                    int[] shape = g.shape(0, 4);
                    int dim = g.dim(shape.length);
                    g.note("dim", dim);
                    GradientCheck.of("log_softmax", xs -> xs.get(0).logSoftmax(dim)).at(g.uniform(shape, -3, 3))
                            .allowZeroGradient().check();
                }));
    }

    /** d prod / d x_i = product of the other elements of x_i's reduction group, by direct loops. */
    static double[] productOfOthers(Tensor x, int[] dims) {
        int[] shape = x.shape();
        int[] d = Shape.normalizeDims("test", dims, shape.length);
        boolean[] reduced = new boolean[shape.length];
        for (int k : d) reduced[k] = true;
        double[] v = x.toDoubleArray();
        int[] strides = Shape.contiguousStrides(shape);
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            double p = 1;
            for (int j = 0; j < v.length; j++) {
                if (j != i && sameGroup(i, j, shape, strides, reduced)) p *= v[j];
            }
            out[i] = p;
        }
        return out;
    }

    private static boolean sameGroup(int i, int j, int[] shape, int[] strides, boolean[] reduced) {
        for (int k = 0; k < shape.length; k++) {
            if (!reduced[k] && (i / strides[k]) % shape[k] != (j / strides[k]) % shape[k]) return false;
        }
        return true;
    }

    @Test
    void normOfEveryOrderOnKnownValues() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {3, -4, 0, 1, -2, 2}, 2, 3);
        int[] rows = {1};
        assertArrayEquals(new double[] {7, 5}, x.norm(1, rows, false).toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {5, 3}, x.norm(2, rows, false).toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {4, 2}, x.norm(Double.POSITIVE_INFINITY, rows, false).toDoubleArray(), 0);
        assertArrayEquals(new double[] {0, 1}, x.norm(Double.NEGATIVE_INFINITY, rows, false).toDoubleArray(), 0);
        assertArrayEquals(new double[] {2, 3}, x.norm(0, rows, false).toDoubleArray(), 0);
        assertArrayEquals(new double[] {Math.cbrt(91), Math.cbrt(17)}, x.norm(3, rows, false).toDoubleArray(), 1e-12);
        // The infinity norm sends the gradient to the largest magnitude, with its sign.
        Tensor leaf = x.requiresGrad(true);
        assertArrayEquals(new double[] {0, -1, 0, 0, -0.5, 0.5},
                Autograd.grad(leaf.norm(Double.POSITIVE_INFINITY, rows, false).sum(), leaf).toDoubleArray(), 0);
    }

    @Test
    void extremesOfAZeroDimTensorAreTheTensorAtIndexZero() {
        Tensor x = Tensor.scalar(2.5, DType.FLOAT64).requiresGrad(true);
        for (ValuesAndIndices r : List.of(x.max(0, false), x.min(-1, true))) {
            assertArrayEquals(new int[0], r.values().shape());
            assertArrayEquals(new int[0], r.indices().shape());
            assertEquals(2.5, r.values().item(), 0);
            assertEquals(0, r.indices().longItem());
            assertEquals(1, Autograd.grad(r.values().mul(1), x).item(), 0);
        }
        assertEquals(0, x.argmax(0, false).longItem());
        assertEquals(0, x.argmin(-1, true).longItem());
    }

    @TestFactory
    Stream<DynamicTest> gradients() {
        return cases().stream().map(GradCase::toTest);
    }
}
