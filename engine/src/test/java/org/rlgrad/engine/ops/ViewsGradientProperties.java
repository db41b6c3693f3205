package org.rlgrad.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.GradCase;
import org.rlgrad.engine.testing.GradientCheck;

/**
 * Gradient checks of every op in {@link Views}: the gradient of a movement is the dual movement
 * (reshape back, permute back, sum over expanded dims, embed a slice into zeros). Inputs are also
 * made non-contiguous first (permuted, sliced with a step, flipped), so that views of views and
 * the copying path of reshape are exercised.
 */
class ViewsGradientProperties {

    /** A random factorisation of {@code numel} into a shape of rank up to 4 (rank 0 when numel is 1 and chosen). */
    static int[] factorShape(Gen g, int numel) {
        int rank = g.intIn(numel == 1 ? 0 : 1, 4);
        int[] s = new int[rank];
        Arrays.fill(s, 1);
        int n = numel;
        for (int p = 2; n > 1; p++) {
            while (n % p == 0) {
                s[g.intIn(0, rank - 1)] *= p;
                n /= p;
            }
        }
        return s;
    }

    /** Scrambles the layout (not the values' shape) of x: a permute and back, a flip and back, or nothing. */
    private static UnaryOperator<Tensor> scramble(Gen g, int rank) {
        int kind = rank == 0 ? 0 : g.intIn(0, 2);
        g.note("layout", kind == 0 ? "contiguous" : kind == 1 ? "transposed" : "flipped");
        return switch (kind) {
            case 1 -> t -> t.transpose(0, -1).contiguous().transpose(0, -1);
            case 2 -> t -> t.flip(0).contiguous().flip(0);
            default -> t -> t;
        };
    }

    private static GradCase view(String covers, java.util.function.Function<Gen, UnaryOperator<Tensor>> op, int minRank) {
        return GradCase.of(covers, g -> {
            int[] shape = g.shape(minRank, 4);
            UnaryOperator<Tensor> layout = scramble(g, shape.length);
            UnaryOperator<Tensor> f = op.apply(g.note("rank", shape.length));
            GradientCheck.of(covers, xs -> f.apply(layout.apply(xs.get(0)))).at(g.uniform(shape, -2, 2)).check();
        });
    }

    static List<GradCase> cases() {
        return List.of(
                GradCase.of("Views.reshape", g -> {
                    int[] shape = g.shape(0, 4);
                    int[] target = factorShape(g, Shape.numel(shape));
                    if (target.length > 0 && g.bool()) target[g.intIn(0, target.length - 1)] = -1;
                    int[] perm = g.permutation(shape.length);
                    g.note("permute first", perm).note("target", target);
                    GradientCheck.of("reshape", xs -> xs.get(0).permute(perm).reshape(target)).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Views.view", g -> {
                    int[] shape = g.shape(0, 4);
                    int[] target = factorShape(g, Shape.numel(shape));
                    g.note("target", target);
                    GradientCheck.of("view", xs -> xs.get(0).view(target).view(shape)).at(g.uniform(shape, -2, 2)).check();
                    GradientCheck.of("view", xs -> xs.get(0).view(target)).at(g.uniform(shape, -2, 2)).check();
                    // Flipped along every dim, the elements are still one (reversed) run: any view of it is possible.
                    int[] all = new int[shape.length];
                    for (int i = 0; i < all.length; i++) all[i] = i;
                    GradientCheck.of("view of a flipped tensor", xs -> xs.get(0).flip(all).view(target)).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Views.transpose", g -> {
                    int[] shape = g.shape(0, 4);
                    int a = g.dim(shape.length), b = g.dim(shape.length);
                    g.note("dims", a + "," + b);
                    GradientCheck.of("transpose", xs -> xs.get(0).transpose(a, b)).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Views.permute", g -> {
                    int[] shape = g.shape(0, 4);
                    int[] perm = g.permutation(shape.length);
                    for (int i = 0; i < perm.length; i++) if (g.bool()) perm[i] -= shape.length;
                    g.note("perm", perm);
                    GradientCheck.of("permute", xs -> xs.get(0).permute(perm)).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Views.movedim(Tensor,int,int)", g -> {
                    int[] shape = g.shape(0, 4);
                    int s = g.dim(shape.length), d = g.dim(shape.length);
                    g.note("source", s).note("destination", d);
                    GradientCheck.of("movedim", xs -> xs.get(0).movedim(s, d)).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Views.movedim(Tensor,int[],int[])", g -> {
                    int[] shape = g.shape(1, 4);
                    int k = g.intIn(1, shape.length);
                    int[] source = Arrays.copyOf(g.permutation(shape.length), k);
                    int[] destination = Arrays.copyOf(g.permutation(shape.length), k);
                    g.note("source", source).note("destination", destination);
                    GradientCheck.of("movedim", xs -> Views.movedim(xs.get(0), source, destination)).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Views.expand", g -> {
                    int[] shape = g.shape(0, 3);
                    int lead = g.intIn(0, 4 - shape.length);
                    int[] sizes = new int[lead + shape.length];
                    for (int i = 0; i < lead; i++) sizes[i] = g.intIn(1, 3);
                    for (int i = 0; i < shape.length; i++) {
                        sizes[lead + i] = shape[i] == 1 ? g.intIn(1, 3) : g.chance(0.3) ? -1 : shape[i];
                    }
                    g.note("sizes", sizes);
                    GradientCheck.of("expand", xs -> xs.get(0).expand(sizes)).at(g.uniform(shape, -2, 2)).check();
                }),
                view("Views.squeeze(Tensor)", g -> Tensor::squeeze, 0),
                GradCase.of("Views.squeeze(Tensor,int)", g -> {
                    int[] shape = g.shape(0, 4);
                    int d = g.dim(shape.length);
                    g.note("dim", d);
                    GradientCheck.of("squeeze", xs -> xs.get(0).squeeze(d)).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Views.unsqueeze", g -> {
                    int[] shape = g.shape(0, 4);
                    int d = g.dim(shape.length + 1);
                    UnaryOperator<Tensor> layout = scramble(g, shape.length);
                    g.note("dim", d);
                    GradientCheck.of("unsqueeze", xs -> layout.apply(xs.get(0)).unsqueeze(d)).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Views.narrow", g -> {
                    int[] shape = g.shape(1, 4);
                    int d = g.dim(shape.length);
                    int size = shape[Shape.normalizeDim("test", d, shape.length)];
                    int start = g.intIn(0, size - 1), length = g.intIn(1, size - start);
                    int startArg = g.bool() ? start : start - size; // negative starts count from the end
                    UnaryOperator<Tensor> layout = scramble(g, shape.length);
                    g.note("dim", d).note("start", startArg).note("length", length);
                    GradientCheck.of("narrow", xs -> layout.apply(xs.get(0)).narrow(d, startArg, length)).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Views.slice", g -> {
                    int[] shape = g.shape(1, 4);
                    int d = g.dim(shape.length);
                    int size = shape[Shape.normalizeDim("test", d, shape.length)];
                    Integer start = g.chance(0.25) ? null : g.intIn(-size - 1, size - 1);
                    Integer end = g.chance(0.25) ? null : g.intIn(-size + 1, size + 2);
                    int step = g.intIn(1, 3);
                    UnaryOperator<Tensor> layout = scramble(g, shape.length);
                    g.note("dim", d).note("start", start).note("end", end).note("step", step);
                    GradientCheck.of("slice", xs -> layout.apply(xs.get(0)).slice(d, start, end, step)).at(g.uniform(shape, -2, 2))
                            .allowZeroGradient().check(); // an empty slice has no gradient
                }),
                GradCase.of("Views.select", g -> {
                    int[] shape = g.shape(1, 4);
                    int d = g.dim(shape.length);
                    int size = shape[Shape.normalizeDim("test", d, shape.length)];
                    int index = g.intIn(-size, size - 1);
                    UnaryOperator<Tensor> layout = scramble(g, shape.length);
                    g.note("dim", d).note("index", index);
                    GradientCheck.of("select", xs -> layout.apply(xs.get(0)).select(d, index)).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Views.flatten", g -> {
                    int[] shape = g.shape(0, 4);
                    UnaryOperator<Tensor> layout = scramble(g, shape.length);
                    if (shape.length == 0 || g.chance(0.2)) {
                        GradientCheck.of("flatten", xs -> layout.apply(xs.get(0)).flatten()).at(g.uniform(shape, -2, 2)).check();
                        return;
                    }
                    int a = g.intIn(0, shape.length - 1), b = g.intIn(a, shape.length - 1);
                    int s = g.bool() ? a : a - shape.length, e = g.bool() ? b : b - shape.length;
                    g.note("start", s).note("end", e);
                    GradientCheck.of("flatten", xs -> layout.apply(xs.get(0)).flatten(s, e)).at(g.uniform(shape, -2, 2)).check();
                }),
                GradCase.of("Views.unflatten", g -> {
                    int[] shape = g.shape(1, 3);
                    int d = g.dim(shape.length);
                    int[] sizes = factorShape(g, shape[Shape.normalizeDim("test", d, shape.length)]);
                    if (sizes.length == 0) sizes = new int[] {1};
                    if (g.bool()) sizes[g.intIn(0, sizes.length - 1)] = -1;
                    int[] s = sizes;
                    UnaryOperator<Tensor> layout = scramble(g, shape.length);
                    g.note("dim", d).note("sizes", s);
                    GradientCheck.of("unflatten", xs -> layout.apply(xs.get(0)).unflatten(d, s)).at(g.uniform(shape, -2, 2)).check();
                }),
                view("Views.contiguous", g -> Tensor::contiguous, 0),
                view("Views.cloneTensor", g -> Tensor::clone, 0),
                GradCase.of("views of views", List.of(), g -> {
                    // A chain whose strides are all non-trivial: transpose, step slice, flip, then merge.
                    int[] shape = g.shape(2, 4);
                    int step = g.intIn(1, 2);
                    g.note("step", step);
                    GradientCheck.of("view chain", xs -> xs.get(0).transpose(0, -1).slice(0, null, null, step).flip(-1)
                            .unsqueeze(1).reshape(-1)).at(g.uniform(shape, -2, 2)).check();
                }));
    }

    @Test
    void aTensorFlippedAlongEveryDimCanBeViewedWithoutCopying() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {0, 1, 2, 3, 4, 5}, 2, 3);
        Tensor v = x.flip(0, 1).view(3, 2);
        assertSame(x.storage(), v.storage());
        assertArrayEquals(new double[] {5, 4, 3, 2, 1, 0}, v.toDoubleArray(), 0);
        assertArrayEquals(new double[] {5, 4, 3, 2, 1, 0}, x.flip(0, 1).view(6).toDoubleArray(), 0);
        // Flipped along one dim only, the rows run backwards but follow each other forwards: no flat view.
        assertThrows(IllegalArgumentException.class, () -> x.flip(1).view(6));
        assertArrayEquals(new double[] {2, 1, 0, 5, 4, 3}, x.flip(1).reshape(6).toDoubleArray(), 0);
    }

    @Test
    void contiguousOfAContiguousTensorIsTheTensorItself() {
        Tensor x = Tensor.zeros(2, 3);
        assertSame(x, x.contiguous());
    }

    @TestFactory
    Stream<DynamicTest> gradients() {
        return cases().stream().map(GradCase::toTest);
    }
}
