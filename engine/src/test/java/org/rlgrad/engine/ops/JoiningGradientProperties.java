package org.rlgrad.engine.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.GradCase;
import org.rlgrad.engine.testing.GradientCheck;

/**
 * Gradient checks of {@link Joining}: joins send each input its slice of the gradient, splits
 * gather their pieces' gradients back into one tensor (every piece is an output, each with its
 * own random weights), reorderings send it back through the inverse reordering.
 */
class JoiningGradientProperties {

    private static int normalized(int dim, int rank) {
        return Shape.normalizeDim("test", dim, rank);
    }

    /** Tensors of one shape except along {@code dim}, where each gets its own size (0 included). */
    private static Tensor[] piecesAlong(Gen g, int[] shape, int dim, int count) {
        Tensor[] out = new Tensor[count];
        int d = normalized(dim, shape.length);
        StringBuilder sizes = new StringBuilder();
        for (int k = 0; k < count; k++) {
            int[] s = shape.clone();
            s[d] = g.chance(0.15) ? 0 : g.intIn(1, 3);
            sizes.append(s[d]).append(' ');
            out[k] = g.uniform(s, -2, 2);
        }
        g.note("sizes along dim", sizes.toString().trim());
        return out;
    }

    /** Every output of a split-like op, as a list of outputs for the checker. */
    private static List<Tensor> all(List<Tensor> pieces) {
        return new ArrayList<>(pieces);
    }

    static List<GradCase> cases() {
        return List.of(
                GradCase.of("Joining.cat", g -> {
                    int[] shape = g.shape(1, 4);
                    int dim = g.dim(shape.length);
                    int count = g.intIn(1, 4);
                    g.note("dim", dim).note("count", count);
                    GradientCheck.of("cat", xs -> Tensor.cat(xs, dim)).at(piecesAlong(g, shape, dim, count)).allowZeroGradient().check();
                }),
                GradCase.of("Joining.stack", g -> {
                    int[] shape = g.shape(0, 3);
                    int dim = g.dim(shape.length + 1);
                    int count = g.intIn(1, 4);
                    g.note("dim", dim).note("count", count);
                    Tensor[] xs0 = new Tensor[count];
                    for (int k = 0; k < count; k++) xs0[k] = g.uniform(shape, -2, 2);
                    GradientCheck.of("stack", xs -> Tensor.stack(xs, dim)).at(xs0).check();
                }),
                GradCase.of("Joining.split(Tensor,int,int)", g -> {
                    int[] shape = g.shape(1, 4);
                    int dim = g.dim(shape.length);
                    int size = g.intIn(1, 3);
                    g.note("dim", dim).note("size", size);
                    GradientCheck.ofMany("split", xs -> all(xs.get(0).split(size, dim))).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Joining.split(Tensor,int[],int)", g -> {
                    int[] shape = g.shape(1, 4);
                    int dim = g.dim(shape.length);
                    int n = shape[normalized(dim, shape.length)];
                    List<Integer> sizes = new ArrayList<>();
                    for (int left = n; left > 0; ) {
                        int s = g.intIn(g.chance(0.2) ? 0 : 1, left);
                        sizes.add(s);
                        left -= s;
                    }
                    int[] sections = sizes.stream().mapToInt(Integer::intValue).toArray();
                    g.note("dim", dim).note("sections", sections);
                    GradientCheck.ofMany("split", xs -> all(xs.get(0).split(sections, dim))).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Joining.chunk", g -> {
                    int[] shape = g.shape(1, 4);
                    int dim = g.dim(shape.length);
                    int chunks = g.intIn(1, 4);
                    g.note("dim", dim).note("chunks", chunks);
                    GradientCheck.ofMany("chunk", xs -> all(xs.get(0).chunk(chunks, dim))).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Joining.tensorSplit", g -> {
                    int[] shape = g.shape(1, 4);
                    int dim = g.dim(shape.length);
                    int sections = g.intIn(1, 4);
                    g.note("dim", dim).note("sections", sections);
                    GradientCheck.ofMany("tensor_split", xs -> all(xs.get(0).tensorSplit(sections, dim))).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Joining.unbind", g -> {
                    int[] shape = g.shape(1, 4);
                    int dim = g.dim(shape.length);
                    g.note("dim", dim);
                    GradientCheck.ofMany("unbind", xs -> all(xs.get(0).unbind(dim))).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Joining.flip", g -> {
                    int[] shape = g.shape(0, 4);
                    int[] dims = g.dims(shape.length);
                    int[] d = dims == null ? new int[0] : dims;
                    g.note("dims", d);
                    GradientCheck.of("flip", xs -> xs.get(0).flip(d)).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Joining.roll", g -> {
                    int[] shape = g.shape(1, 4);
                    int[] dims = g.dims(shape.length);
                    if (dims == null) dims = new int[] {g.dim(shape.length)};
                    int[] shifts = new int[dims.length];
                    for (int i = 0; i < shifts.length; i++) shifts[i] = g.intIn(-5, 5);
                    int[] d = dims;
                    g.note("shifts", shifts).note("dims", d);
                    GradientCheck.of("roll", xs -> xs.get(0).roll(shifts, d)).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Joining.repeat", g -> {
                    int[] shape = g.shape(0, 3);
                    int[] repeats = new int[shape.length + g.intIn(0, 1)];
                    for (int i = 0; i < repeats.length; i++) repeats[i] = g.intIn(1, 3);
                    g.note("repeats", repeats);
                    GradientCheck.of("repeat", xs -> xs.get(0).repeat(repeats)).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Joining.repeatInterleave", g -> {
                    int[] shape = g.shape(1, 3);
                    int dim = g.dim(shape.length);
                    int repeats = g.intIn(1, 3);
                    g.note("dim", dim).note("repeats", repeats);
                    GradientCheck.of("repeat_interleave", xs -> xs.get(0).repeatInterleave(repeats, dim)).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Joining.pad", g -> {
                    int[] shape = g.shape(1, 4);
                    int left = g.intIn(0, 2), right = g.intIn(0, 2);
                    double value = g.choose(0, -1.5);
                    g.note("left", left).note("right", right).note("value", value);
                    GradientCheck.of("pad", xs -> xs.get(0).pad(left, right, value)).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Joining.triu", g -> {
                    int[] shape = g.shape(2, 4);
                    int diagonal = g.intIn(-3, 3);
                    g.note("diagonal", diagonal);
                    GradientCheck.of("triu", xs -> xs.get(0).triu(diagonal)).at(g.uniform(shape, -2, 2)).allowZeroGradient().check();
                }),
                GradCase.of("Joining.tril", g -> {
                    int[] shape = g.shape(2, 4);
                    int diagonal = g.intIn(-3, 3);
                    g.note("diagonal", diagonal);
                    GradientCheck.of("tril", xs -> xs.get(0).tril(diagonal)).at(g.uniform(shape, -2, 2)).allowZeroGradient().check();
                }));
    }

    @TestFactory
    Stream<DynamicTest> gradients() {
        return cases().stream().map(GradCase::toTest);
    }
}
