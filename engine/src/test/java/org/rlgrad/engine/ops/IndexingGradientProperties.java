package org.rlgrad.engine.ops;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensor.ValuesAndIndices;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.GradCase;
import org.rlgrad.engine.testing.GradientCheck;

/**
 * Gradient checks of {@link Indexing} on tensors of rank 1 to 4: gathers scatter-add their
 * gradient back (duplicate indices accumulate), scatters route it to the written source
 * elements and away from the overwritten ones, sort and topk carry it through the permutation.
 */
class IndexingGradientProperties {

    private static int normalized(int dim, int rank) {
        return Shape.normalizeDim("test", dim, rank);
    }

    /** An index shape no larger than {@code shape} on the dims other than {@code d}, any size along d. */
    private static int[] indexShape(Gen g, int[] shape, int d, int maxAlong) {
        int[] s = shape.clone();
        for (int k = 0; k < s.length; k++) s[k] = k == d ? g.intIn(1, maxAlong) : g.intIn(1, shape[k]);
        g.note("index shape", s);
        return s;
    }

    /**
     * Indices along d with no repeats within a line (scatter's result is only defined then): each
     * line of the index takes a prefix of a random permutation of the dim.
     */
    private static Tensor uniqueIndex(Gen g, int[] indexShape, int d, int size) {
        long[] v = new long[Shape.numel(indexShape)];
        int[] strides = Shape.contiguousStrides(indexShape);
        int n = indexShape[d];
        for (int flat = 0; flat < v.length; flat++) {
            if ((flat / strides[d]) % n != 0) continue;
            int[] perm = g.permutation(size);
            for (int i = 0; i < n; i++) v[flat + i * strides[d]] = perm[i];
        }
        return Tensor.of(v, indexShape);
    }

    static List<GradCase> cases() {
        return List.of(
                GradCase.of("Indexing.gather", g -> {
                    int[] shape = g.shape(1, 4);
                    int dim = g.dim(shape.length);
                    int d = normalized(dim, shape.length);
                    Tensor index = g.indices(indexShape(g, shape, d, 4), shape[d]);
                    g.note("dim", dim);
                    GradientCheck.of("gather", xs -> xs.get(0).gather(dim, index)).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Indexing.scatterAdd", g -> {
                    int[] shape = g.shape(1, 4);
                    int dim = g.dim(shape.length);
                    int d = normalized(dim, shape.length);
                    int[] is = indexShape(g, shape, d, 4);
                    Tensor index = g.indices(is, shape[d]); // duplicates accumulate
                    int[] srcShape = is.clone();
                    for (int k = 0; k < srcShape.length; k++) srcShape[k] += g.intIn(0, 1); // src may be larger than index
                    g.note("dim", dim).note("src shape", srcShape);
                    GradientCheck.of("scatter_add", xs -> xs.get(0).scatterAdd(dim, index, xs.get(1)))
                            .at(g.uniform(shape, -2, 2), g.uniform(srcShape, -2, 2)).check();
                }),
                GradCase.of("Indexing.scatter", g -> {
                    int[] shape = g.shape(1, 4);
                    int dim = g.dim(shape.length);
                    int d = normalized(dim, shape.length);
                    int[] is = indexShape(g, shape, d, shape[d]);
                    Tensor index = uniqueIndex(g, is, d, shape[d]);
                    g.note("dim", dim);
                    GradientCheck.of("scatter", xs -> xs.get(0).scatter(dim, index, xs.get(1)))
                            .at(g.uniform(shape, -2, 2), g.uniform(is, -2, 2)).check();
                }),
                GradCase.of("Indexing.indexSelect", g -> {
                    int[] shape = g.shape(1, 4);
                    int dim = g.dim(shape.length);
                    int d = normalized(dim, shape.length);
                    Tensor index = g.indices(new int[] {g.intIn(1, 4)}, shape[d]);
                    g.note("dim", dim).note("index", java.util.Arrays.toString(index.toLongArray()));
                    GradientCheck.of("index_select", xs -> xs.get(0).indexSelect(dim, index)).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Indexing.indexAdd", g -> {
                    int[] shape = g.shape(1, 4);
                    int dim = g.dim(shape.length);
                    int d = normalized(dim, shape.length);
                    int n = g.intIn(1, 4);
                    Tensor index = g.indices(new int[] {n}, shape[d]);
                    int[] sourceShape = shape.clone();
                    sourceShape[d] = n;
                    g.note("dim", dim).note("index", java.util.Arrays.toString(index.toLongArray()));
                    GradientCheck.of("index_add", xs -> xs.get(0).indexAdd(dim, index, xs.get(1)))
                            .at(g.uniform(shape, -2, 2), g.uniform(sourceShape, -2, 2)).check();
                }),
                GradCase.of("Indexing.takeAlongDim", g -> {
                    // x and indices broadcast against each other on every dim but dim.
                    int[][] s = g.broadcastShapes(2, 1, 4);
                    int rank = Math.max(1, Math.max(s[0].length, s[1].length));
                    int[] xs0 = pad(s[0], rank), is0 = pad(s[1], rank);
                    int dim = g.dim(rank);
                    int d = normalized(dim, rank);
                    xs0[d] = g.intIn(1, 3);
                    is0[d] = g.intIn(1, 3);
                    g.note("x", xs0).note("indices", is0).note("dim", dim);
                    Tensor indices = g.indices(is0, xs0[d]);
                    GradientCheck.of("take_along_dim", xs -> xs.get(0).takeAlongDim(indices, dim)).at(g.uniform(xs0, -2, 2)).check();
                }),
                GradCase.of("Indexing.maskedSelect", g -> {
                    int[][] s = g.broadcastShapes(2, 0, 4);
                    Tensor mask = g.bools(s[1], 0.6);
                    GradientCheck.of("masked_select", xs -> xs.get(0).maskedSelect(mask)).at(g.uniform(s[0], -2, 2))
                            .allowZeroGradient().check(); // an all-false mask selects nothing
                }),
                GradCase.of("Indexing.maskedScatter", g -> {
                    int[] shape = g.shape(0, 4);
                    int[] maskShape = java.util.Arrays.copyOfRange(shape, g.intIn(0, shape.length), shape.length);
                    for (int i = 0; i < maskShape.length; i++) if (g.chance(0.3)) maskShape[i] = 1;
                    Tensor mask = g.bools(maskShape, 0.5);
                    // The source holds at least as many elements as the mask has true entries; extra ones get no gradient.
                    int[] sourceShape = {Shape.numel(shape) + g.intIn(0, 2)};
                    g.note("mask", maskShape).note("source", sourceShape);
                    GradientCheck.of("masked_scatter", xs -> xs.get(0).maskedScatter(mask, xs.get(1)))
                            .at(g.uniform(shape, -2, 2), g.uniform(sourceShape, -2, 2)).check();
                }),
                GradCase.of("Indexing.sort", g -> {
                    int[] shape = g.shape(0, 4);
                    int dim = g.dim(shape.length);
                    boolean descending = g.bool();
                    g.note("dim", dim).note("descending", descending);
                    GradientCheck.ofMany("sort", xs -> {
                        ValuesAndIndices r = xs.get(0).sort(dim, descending);
                        return List.of(r.values(), r.indices());
                    }).at(g.distinct(shape, -1, 0.1)).check();
                }),
                GradCase.of("Indexing.topk", g -> {
                    int[] shape = g.shape(1, 4);
                    int dim = g.dim(shape.length);
                    int k = g.intIn(0, shape[normalized(dim, shape.length)]);
                    boolean largest = g.bool();
                    g.note("dim", dim).note("k", k).note("largest", largest);
                    GradientCheck.ofMany("topk", xs -> {
                        ValuesAndIndices r = xs.get(0).topk(k, dim, largest);
                        return List.of(r.values(), r.indices());
                    }).at(g.distinct(shape, -1, 0.1)).allowZeroGradient().check(); // k = 0 selects nothing
                }));
    }

    private static int[] pad(int[] s, int rank) {
        int[] out = new int[rank];
        java.util.Arrays.fill(out, 1);
        System.arraycopy(s, 0, out, rank - s.length, s.length);
        return out;
    }

    @TestFactory
    Stream<DynamicTest> gradients() {
        return cases().stream().map(GradCase::toTest);
    }
}
