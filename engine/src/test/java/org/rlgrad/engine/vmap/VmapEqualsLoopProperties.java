package org.rlgrad.engine.vmap;

import static org.rlgrad.engine.vmap.VmapCheck.assertVmapEqualsLoop;
import static org.rlgrad.engine.vmap.VmapCheck.batch;
import static org.rlgrad.engine.vmap.VmapCheck.stacked;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.rlgrad.engine.ops.Arithmetic;
import org.rlgrad.engine.ops.Functional;
import org.rlgrad.engine.ops.Indexing;
import org.rlgrad.engine.ops.Joining;
import org.rlgrad.engine.ops.LinearAlgebra;
import org.rlgrad.engine.ops.Pointwise;
import org.rlgrad.engine.ops.Reductions;
import org.rlgrad.engine.ops.SafeTanh;
import org.rlgrad.engine.ops.Scans;
import org.rlgrad.engine.ops.Views;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensor.ValuesAndIndices;
import org.rlgrad.engine.testing.Gen;
import org.rlgrad.engine.testing.GradCase;

/**
 * vmap equals the loop, op by op: every public op is run under vmap over random shapes, random
 * in-dims (some arguments shared), random out-dims and batch sizes 1 to 4, and compared with the
 * stack of the op applied entry by entry ({@link VmapCheck}). The rows name the ops they cover;
 * {@link BatchingRuleCoverageTest} demands a row for every op.
 */
class VmapEqualsLoopProperties {
    static final int TRIES = 25;

    private static Function<List<Tensor>, List<Tensor>> one(UnaryOperator<Tensor> op) {
        return a -> List.of(op.apply(a.get(0)));
    }

    private static Function<List<Tensor>, List<Tensor>> two(BinaryOperator<Tensor> op) {
        return a -> List.of(op.apply(a.get(0), a.get(1)));
    }

    private static Function<List<Tensor>, List<Tensor>> pair(Function<Tensor, ValuesAndIndices> op) {
        return a -> {
            ValuesAndIndices r = op.apply(a.get(0));
            return List.of(r.values(), r.indices());
        };
    }

    private static GradCase row(String name, List<String> covers, org.rlgrad.engine.testing.Property.Body body) {
        return GradCase.of(name, covers, body).tries(TRIES);
    }

    private static GradCase row(String covers, org.rlgrad.engine.testing.Property.Body body) {
        return row(covers, List.of(covers), body);
    }

    /** An element-wise op on values in [lo, hi). */
    private static GradCase unary(String covers, UnaryOperator<Tensor> op, double lo, double hi) {
        return row(covers, g -> {
            int n = batch(g);
            assertVmapEqualsLoop(g, one(op), stacked(g, n, g.shape(0, 3), lo, hi));
        });
    }

    /** A unary op whose arguments depend on the entry's rank (dims). */
    private static GradCase shaped(String covers, int minRank, BiFunction<Gen, int[], UnaryOperator<Tensor>> op) {
        return row(covers, g -> {
            int n = batch(g);
            int[] shape = g.shape(minRank, 4);
            assertVmapEqualsLoop(g, one(op.apply(g, shape)), g.lattice(Shape.concat(new int[] {n}, shape), 0.05));
        });
    }

    private static GradCase reduction(String covers, BiFunction<Gen, int[], UnaryOperator<Tensor>> op) {
        return shaped(covers, 0, op);
    }

    /** A broadcasting binary op; {@code b} drawn from [bLo, bHi). */
    private static GradCase binary(String covers, BinaryOperator<Tensor> op, double lo, double hi, double bLo, double bHi) {
        return row(covers, g -> {
            int n = batch(g);
            int[][] s = g.broadcastShapes(2, 0, 3);
            assertVmapEqualsLoop(g, two(op), stacked(g, n, s[0], lo, hi), stacked(g, n, s[1], bLo, bHi));
        });
    }

    private static GradCase compare(String covers, BinaryOperator<Tensor> op) {
        return row(covers, g -> {
            int n = batch(g);
            int[][] s = g.broadcastShapes(2, 0, 3);
            // Coarse values so that ties (eq, le, ge) occur.
            Tensor a = stacked(g, n, s[0], 0, 3).floor(), b = stacked(g, n, s[1], 0, 3).floor();
            assertVmapEqualsLoop(g, two(op), a, b);
        });
    }

    private static GradCase logical(String covers, BinaryOperator<Tensor> op) {
        return row(covers, g -> {
            int n = batch(g);
            int[][] s = g.broadcastShapes(2, 0, 3);
            assertVmapEqualsLoop(g, two(op), g.bools(Shape.concat(new int[] {n}, s[0]), 0.5), g.bools(Shape.concat(new int[] {n}, s[1]), 0.5));
        });
    }

    private static int[] dimsOrNull(Gen g, int rank) {
        int[] d = g.dims(rank);
        g.note("dims", d == null ? "null" : Arrays.toString(d));
        return d;
    }

    static List<GradCase> cases() {
        List<GradCase> c = new ArrayList<>();
        // ------------------------------------------------------------ Pointwise
        c.add(unary("Pointwise.neg", Pointwise::neg, -2, 2));
        c.add(unary("Pointwise.abs", Pointwise::abs, -2, 2));
        c.add(unary("Pointwise.sign", Pointwise::sign, -2, 2));
        c.add(unary("Pointwise.floor", Pointwise::floor, -2, 2));
        c.add(unary("Pointwise.ceil", Pointwise::ceil, -2, 2));
        c.add(unary("Pointwise.round", Pointwise::round, -2, 2));
        c.add(unary("Pointwise.trunc", Pointwise::trunc, -2, 2));
        c.add(unary("Pointwise.exp", Pointwise::exp, -2, 2));
        c.add(unary("Pointwise.expm1", Pointwise::expm1, -2, 2));
        c.add(unary("Pointwise.log", Pointwise::log, 0.1, 3));
        c.add(unary("Pointwise.log1p", Pointwise::log1p, -0.5, 3));
        c.add(unary("Pointwise.sqrt", Pointwise::sqrt, 0.1, 3));
        c.add(unary("Pointwise.rsqrt", Pointwise::rsqrt, 0.1, 3));
        c.add(unary("Pointwise.sin", Pointwise::sin, -3, 3));
        c.add(unary("Pointwise.cos", Pointwise::cos, -3, 3));
        c.add(unary("Pointwise.tanh", Pointwise::tanh, -3, 3));
        c.add(unary("Pointwise.atanh", Pointwise::atanh, -0.9, 0.9));
        c.add(unary("Pointwise.sigmoid", Pointwise::sigmoid, -3, 3));
        c.add(unary("Pointwise.logSigmoid", Pointwise::logSigmoid, -3, 3));
        c.add(unary("Pointwise.relu", Pointwise::relu, -2, 2));
        c.add(unary("Pointwise.elu", x -> Pointwise.elu(x, 0.7), -2, 2));
        c.add(unary("Pointwise.leakyRelu", x -> Pointwise.leakyRelu(x, 0.1), -2, 2));
        c.add(unary("Pointwise.softplus", x -> Pointwise.softplus(x, 2, 1.5), -2, 2));
        c.add(unary("Pointwise.silu", Pointwise::silu, -2, 2));
        c.add(row("Pointwise.gelu", g -> {
            boolean tanh = g.bool();
            assertVmapEqualsLoop(g, one(x -> Pointwise.gelu(x, tanh)), stacked(g, batch(g), g.shape(0, 3), -2, 2));
        }));
        c.add(unary("Pointwise.erf", Pointwise::erf, -2, 2));
        c.add(unary("Pointwise.erfinv", Pointwise::erfinv, -0.9, 0.9));
        c.add(unary("Pointwise.reciprocal", Pointwise::reciprocal, 0.5, 2));
        c.add(unary("Pointwise.square", Pointwise::square, -2, 2));
        c.add(unary("Pointwise.lgamma", Pointwise::lgamma, 0.5, 3));
        c.add(unary("Pointwise.digamma", Pointwise::digamma, 0.5, 3));
        c.add(unary("Pointwise.pow", x -> Pointwise.pow(x, 2.5), 0.1, 2));
        c.add(unary("Pointwise.rpow", x -> Pointwise.rpow(0.9, x), -2, 2));
        c.add(unary("Pointwise.clamp", x -> Pointwise.clamp(x, -0.5, Double.NaN).clampMax(0.7), -2, 2));
        c.add(unary("Pointwise.logicalNot", x -> Pointwise.logicalNot(x.gt(0)), -2, 2));
        c.add(unary("Pointwise.isNan", x -> Pointwise.isNan(x.log()), -1, 1));
        c.add(unary("Pointwise.isInf", x -> Pointwise.isInf(x.floor().reciprocal()), -1, 2));
        c.add(unary("Pointwise.isFinite", x -> Pointwise.isFinite(x.floor().reciprocal()), -1, 2));
        c.add(row("Pointwise.cast", g -> {
            DType to = g.oneOf(DType.FLOAT32, DType.INT64, DType.BOOL, DType.FLOAT64);
            assertVmapEqualsLoop(g, one(x -> Pointwise.cast(x, to)), stacked(g, batch(g), g.shape(0, 3), -3, 3));
        }));
        c.add(unary("SafeTanh.safeTanh", SafeTanh::safeTanh, -30, 30));
        c.add(unary("SafeTanh.safeAtanh", SafeTanh::safeAtanh, -1.2, 1.2));

        // ------------------------------------------------------------ Arithmetic
        c.add(binary("Arithmetic.add(Tensor,Tensor)", Arithmetic::add, -2, 2, -2, 2));
        c.add(binary("Arithmetic.add(Tensor,Tensor,double)", (a, b) -> Arithmetic.add(a, b, -0.5), -2, 2, -2, 2));
        c.add(binary("Arithmetic.sub", Arithmetic::sub, -2, 2, -2, 2));
        c.add(binary("Arithmetic.mul", Arithmetic::mul, -2, 2, -2, 2));
        c.add(binary("Arithmetic.div", Arithmetic::div, -2, 2, 0.5, 2));
        c.add(binary("Arithmetic.pow", Arithmetic::pow, 0.2, 2, -2, 2));
        c.add(binary("Arithmetic.maximum", Arithmetic::maximum, -2, 2, -2, 2));
        c.add(binary("Arithmetic.minimum", Arithmetic::minimum, -2, 2, -2, 2));
        c.add(binary("Arithmetic.lerp(Tensor,Tensor,double)", (a, b) -> Arithmetic.lerp(a, b, 0.3), -2, 2, -2, 2));
        c.add(unary("Arithmetic.rdiv", x -> Arithmetic.rdiv(2, x), 0.5, 2));
        c.add(unary("Arithmetic.affine", x -> Arithmetic.affine(x, -1.5, 0.25), -2, 2));
        c.add(compare("Arithmetic.eq", Arithmetic::eq));
        c.add(compare("Arithmetic.ne", Arithmetic::ne));
        c.add(compare("Arithmetic.lt", Arithmetic::lt));
        c.add(compare("Arithmetic.le", Arithmetic::le));
        c.add(compare("Arithmetic.gt", Arithmetic::gt));
        c.add(compare("Arithmetic.ge", Arithmetic::ge));
        c.add(logical("Arithmetic.logicalAnd", Arithmetic::logicalAnd));
        c.add(logical("Arithmetic.logicalOr", Arithmetic::logicalOr));
        c.add(logical("Arithmetic.logicalXor", Arithmetic::logicalXor));
        c.add(row("Arithmetic.where, clamp, lerp with three tensors", List.of("Arithmetic.where(Tensor,Tensor,Tensor)", "Arithmetic.clamp",
                "Arithmetic.lerp(Tensor,Tensor,Tensor)"), g -> {
            int n = batch(g);
            int[][] s = g.broadcastShapes(3, 0, 3);
            int which = g.intIn(0, 3);
            g.note("op", which);
            Function<List<Tensor>, List<Tensor>> f = a -> List.of(switch (which) {
                case 0 -> Arithmetic.where(a.get(0).gt(0), a.get(1), a.get(2));
                case 1 -> Arithmetic.clamp(a.get(0), a.get(1).sub(1), a.get(2).add(1));
                case 2 -> Arithmetic.clamp(a.get(0), null, a.get(2));
                default -> Arithmetic.lerp(a.get(0), a.get(1), a.get(2));
            });
            assertVmapEqualsLoop(g, f, stacked(g, n, s[0], -2, 2), stacked(g, n, s[1], -2, 2), stacked(g, n, s[2], -2, 2));
        }));
        c.add(row("Arithmetic.where with a scalar branch, masked_fill", List.of("Arithmetic.where(Tensor,Tensor,double)",
                "Arithmetic.where(Tensor,double,Tensor)", "Arithmetic.maskedFill"), g -> {
            int n = batch(g);
            int[] shape = g.shape(0, 3);
            int[] maskShape = shape.clone();
            for (int i = 0; i < maskShape.length; i++) if (g.chance(0.3)) maskShape[i] = 1;
            Function<List<Tensor>, List<Tensor>> f = a -> {
                Tensor mask = a.get(1).gt(0);
                return List.of(Arithmetic.where(mask, a.get(0), -7.0), Arithmetic.where(mask, 3.0, a.get(0)), Arithmetic.maskedFill(a.get(0), mask, 9));
            };
            assertVmapEqualsLoop(g, f, stacked(g, n, shape, -2, 2), stacked(g, n, maskShape, -1, 1));
        }));
        c.add(row("promotion: a batched 0-dim operand does not promote a dimensioned one", List.of(), g -> {
            int n = batch(g);
            Tensor scalar64 = stacked(g, n, new int[0], -2, 2);
            Tensor vector32 = stacked(g, n, g.shape(1, 2), -2, 2).toFloat();
            assertVmapEqualsLoop(g, a -> List.of(a.get(0).add(a.get(1)), a.get(1).mul(a.get(0)), Tensor.where(a.get(1).gt(0), a.get(0), a.get(1))),
                    1e-6, scalar64, vector32);
        }));

        // ------------------------------------------------------------ Reductions and scans
        c.add(reduction("Reductions.sum", (g, s) -> {
            int[] d = dimsOrNull(g, s.length);
            boolean k = g.bool();
            return x -> Reductions.sum(x, d, k);
        }));
        c.add(reduction("Reductions.mean", (g, s) -> {
            int[] d = dimsOrNull(g, s.length);
            boolean k = g.bool();
            return x -> Reductions.mean(x, d, k);
        }));
        c.add(reduction("Reductions.prod", (g, s) -> {
            int[] d = dimsOrNull(g, s.length);
            boolean k = g.bool();
            return x -> Reductions.prod(x, d, k);
        }));
        c.add(reduction("Reductions.amax", (g, s) -> {
            int[] d = dimsOrNull(g, s.length);
            boolean k = g.bool();
            return x -> Reductions.amax(x, d, k);
        }));
        c.add(reduction("Reductions.amin", (g, s) -> {
            int[] d = dimsOrNull(g, s.length);
            boolean k = g.bool();
            return x -> Reductions.amin(x, d, k);
        }));
        c.add(reduction("Reductions.logsumexp", (g, s) -> {
            int[] d = dimsOrNull(g, s.length);
            boolean k = g.bool();
            return x -> Reductions.logsumexp(x, d, k);
        }));
        c.add(reduction("Reductions.var", (g, s) -> {
            int[] d = dimsOrNull(g, s.length);
            boolean k = g.bool();
            double corr = g.choose(0, 1);
            return x -> Reductions.var(x, d, corr, k);
        }));
        c.add(reduction("Reductions.std", (g, s) -> {
            int[] d = dimsOrNull(g, s.length);
            boolean k = g.bool();
            return x -> Reductions.std(x, d, 0, k);
        }));
        c.add(reduction("Reductions.norm", (g, s) -> {
            int[] d = dimsOrNull(g, s.length);
            boolean k = g.bool();
            double p = g.choose(2, 2, 1, 3, 0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
            g.note("p", p);
            return x -> Reductions.norm(x, p, d, k);
        }));
        c.add(reduction("Reductions.all", (g, s) -> {
            int[] d = dimsOrNull(g, s.length);
            boolean k = g.bool();
            return x -> Reductions.all(x.gt(-0.5), d, k);
        }));
        c.add(reduction("Reductions.any", (g, s) -> {
            int[] d = dimsOrNull(g, s.length);
            boolean k = g.bool();
            return x -> Reductions.any(x.gt(1), d, k);
        }));
        c.add(row("Reductions.maxDim", g -> {
            int n = batch(g);
            int[] s = g.shape(0, 3);
            int d = g.dim(s.length);
            boolean k = g.bool();
            assertVmapEqualsLoop(g, pair(x -> Reductions.maxDim(x, d, k)), g.lattice(Shape.concat(new int[] {n}, s), 0.0));
        }));
        c.add(row("Reductions.minDim", g -> {
            int n = batch(g);
            int[] s = g.shape(0, 3);
            int d = g.dim(s.length);
            boolean k = g.bool();
            assertVmapEqualsLoop(g, pair(x -> Reductions.minDim(x, d, k)), stacked(g, n, s, 0, 3).floor());
        }));
        c.add(shaped("Reductions.argmax", 0, (g, s) -> {
            int d = g.dim(s.length);
            boolean k = g.bool();
            return x -> Reductions.argmax(x.floor(), d, k);
        }));
        c.add(shaped("Reductions.argmin", 0, (g, s) -> {
            int d = g.dim(s.length);
            boolean k = g.bool();
            return x -> Reductions.argmin(x, d, k);
        }));
        c.add(shaped("Reductions.softmax", 0, (g, s) -> {
            int d = g.dim(s.length);
            return x -> Reductions.softmax(x, d);
        }));
        c.add(shaped("Reductions.logSoftmax", 0, (g, s) -> {
            int d = g.dim(s.length);
            return x -> Reductions.logSoftmax(x, d);
        }));
        c.add(shaped("Scans.cumsum", 0, (g, s) -> {
            int d = g.dim(s.length);
            return x -> Scans.cumsum(x, d);
        }));
        c.add(row("Scans.linearRecurrence", g -> {
            int n = batch(g);
            int[][] s = g.broadcastShapes(2, 1, 3);
            int d = g.dim(Math.max(s[0].length, s[1].length));
            boolean reverse = g.bool();
            g.note("dim", d).note("reverse", reverse);
            assertVmapEqualsLoop(g, two((x, a) -> Scans.linearRecurrence(x, a, d, reverse)), stacked(g, n, s[0], -2, 2),
                    stacked(g, n, s[1], -1, 1));
        }));
        c.add(shaped("Scans.cumprod", 0, (g, s) -> {
            int d = g.dim(s.length);
            return x -> Scans.cumprod(x, d);
        }));

        // ------------------------------------------------------------ Views
        c.add(shaped("Views.reshape", 0, (g, s) -> {
            int[] target = factorShape(g, Shape.numel(s));
            if (target.length > 0 && g.bool()) target[g.intIn(0, target.length - 1)] = -1;
            g.note("target", target);
            return x -> Views.reshape(x, target);
        }));
        c.add(row("Views.view and contiguous", List.of("Views.view", "Views.contiguous"), g -> {
            int n = batch(g);
            int[] s = g.shape(0, 4);
            int[] target = factorShape(g, Shape.numel(s));
            g.note("target", target);
            assertVmapEqualsLoop(g, one(x -> Views.view(Views.contiguous(x), target)), stacked(g, n, s, -1, 1));
        }));
        c.add(shaped("Views.transpose", 0, (g, s) -> {
            int a = g.dim(s.length), b = g.dim(s.length);
            return x -> Views.transpose(x, a, b);
        }));
        c.add(shaped("Views.permute", 0, (g, s) -> {
            int[] p = g.permutation(s.length);
            for (int i = 0; i < p.length; i++) if (g.bool()) p[i] -= s.length;
            g.note("perm", p);
            return x -> Views.permute(x, p);
        }));
        c.add(shaped("Views.movedim(Tensor,int,int)", 0, (g, s) -> {
            int a = g.dim(s.length), b = g.dim(s.length);
            return x -> Views.movedim(x, a, b);
        }));
        c.add(shaped("Views.movedim(Tensor,int[],int[])", 2, (g, s) -> {
            int[] p = g.permutation(s.length), q = g.permutation(s.length);
            int[] src = {p[0], p[1]}, dst = {q[0], q[1] - s.length};
            return x -> Views.movedim(x, src, dst);
        }));
        c.add(row("Views.expand", g -> {
            int n = batch(g);
            int[] s = g.shape(0, 3);
            int lead = g.intIn(0, 2);
            int[] sizes = new int[lead + s.length];
            for (int i = 0; i < sizes.length; i++) {
                if (i < lead) sizes[i] = g.intIn(1, 3);
                else sizes[i] = s[i - lead] == 1 ? g.intIn(1, 3) : g.bool() ? -1 : s[i - lead];
            }
            g.note("sizes", sizes);
            assertVmapEqualsLoop(g, one(x -> Views.expand(x, sizes)), stacked(g, n, s, -1, 1));
        }));
        c.add(shaped("Views.squeeze(Tensor)", 0, (g, s) -> Views::squeeze));
        c.add(shaped("Views.squeeze(Tensor,int)", 0, (g, s) -> {
            int d = g.dim(s.length);
            return x -> Views.squeeze(x, d);
        }));
        c.add(shaped("Views.unsqueeze", 0, (g, s) -> {
            int d = g.dim(s.length + 1);
            return x -> Views.unsqueeze(x, d);
        }));
        c.add(shaped("Views.narrow", 1, (g, s) -> {
            int d = g.dim(s.length);
            int size = s[d < 0 ? d + s.length : d];
            int start = g.intIn(0, size - 1), length = g.intIn(0, size - start);
            return x -> Views.narrow(x, d, start, length);
        }));
        c.add(shaped("Views.slice", 1, (g, s) -> {
            int d = g.dim(s.length);
            Integer start = g.bool() ? null : g.intIn(-3, 3), end = g.bool() ? null : g.intIn(-3, 3);
            int step = g.intIn(1, 2);
            return x -> Views.slice(x, d, start, end, step);
        }));
        c.add(shaped("Views.select", 1, (g, s) -> {
            int d = g.dim(s.length);
            int size = s[d < 0 ? d + s.length : d];
            int i = g.intIn(-size, size - 1);
            return x -> Views.select(x, d, i);
        }));
        c.add(shaped("Views.flatten", 0, (g, s) -> {
            int a = g.dim(s.length), b = g.dim(s.length);
            int lo = Math.min(norm(a, s.length), norm(b, s.length)), hi = Math.max(norm(a, s.length), norm(b, s.length));
            return x -> Views.flatten(x, lo, hi);
        }));
        c.add(shaped("Views.unflatten", 1, (g, s) -> {
            int d = g.dim(s.length);
            int[] inner = factorShape(g, s[norm(d, s.length)]);
            int[] sizes = inner.length == 0 ? new int[] {1} : inner;
            return x -> Views.unflatten(x, d, sizes);
        }));
        c.add(unary("Views.cloneTensor", Views::cloneTensor, -1, 1));

        // ------------------------------------------------------------ Joining
        c.add(row("Joining.cat and stack", List.of("Joining.cat", "Joining.stack"), g -> {
            int n = batch(g);
            int[] s = g.shape(1, 3);
            int d = g.dim(s.length);
            int[] s2 = s.clone();
            s2[norm(d, s.length)] = g.intIn(0, 3);
            int sd = g.dim(s.length + 1);
            assertVmapEqualsLoop(g, a -> List.of(Joining.cat(List.of(a.get(0), a.get(1), a.get(0)), d), Joining.stack(List.of(a.get(0), a.get(0).neg()), sd)),
                    stacked(g, n, s, -1, 1), stacked(g, n, s2, -1, 1));
        }));
        c.add(row("Joining.split, chunk, tensorSplit, unbind", List.of("Joining.split(Tensor,int,int)", "Joining.split(Tensor,int[],int)",
                "Joining.chunk", "Joining.tensorSplit", "Joining.unbind"), g -> {
            int n = batch(g);
            int[] s = g.shape(1, 3);
            int d = g.dim(s.length);
            int size = s[norm(d, s.length)];
            int piece = g.intIn(1, 3), chunks = g.intIn(1, 3);
            int first = g.intIn(0, size);
            assertVmapEqualsLoop(g, a -> {
                List<Tensor> out = new ArrayList<>();
                out.addAll(Joining.split(a.get(0), piece, d));
                out.addAll(Joining.split(a.get(0), new int[] {first, size - first}, d));
                out.addAll(Joining.chunk(a.get(0), chunks, d));
                out.addAll(Joining.tensorSplit(a.get(0), chunks, d));
                out.addAll(Joining.unbind(a.get(0), d));
                return out;
            }, stacked(g, n, s, -1, 1));
        }));
        c.add(shaped("Joining.flip", 0, (g, s) -> {
            int[] d = g.dims(s.length);
            int[] dims = d == null ? new int[0] : d;
            return x -> Joining.flip(x, dims);
        }));
        c.add(shaped("Joining.roll", 1, (g, s) -> {
            int d = g.dim(s.length), shift = g.intIn(-4, 4);
            return x -> Joining.roll(x, new int[] {shift}, new int[] {d});
        }));
        c.add(shaped("Joining.repeat", 0, (g, s) -> {
            int[] r = new int[s.length + g.intIn(0, 1)];
            for (int i = 0; i < r.length; i++) r[i] = g.intIn(1, 2);
            return x -> Joining.repeat(x, r);
        }));
        c.add(shaped("Joining.repeatInterleave", 1, (g, s) -> {
            int d = g.dim(s.length), r = g.intIn(1, 3);
            return x -> Joining.repeatInterleave(x, r, d);
        }));
        c.add(shaped("Joining.pad", 1, (g, s) -> {
            int l = g.intIn(0, 2), r = g.intIn(0, 2);
            return x -> Joining.pad(x, l, r, 0.5);
        }));
        c.add(shaped("Joining.triu", 2, (g, s) -> {
            int k = g.intIn(-2, 2);
            return x -> Joining.triu(x, k);
        }));
        c.add(shaped("Joining.tril", 2, (g, s) -> {
            int k = g.intIn(-2, 2);
            return x -> Joining.tril(x, k);
        }));

        // ------------------------------------------------------------ Indexing
        c.add(row("Indexing.gather, takeAlongDim", List.of("Indexing.gather", "Indexing.takeAlongDim"), g -> {
            int n = batch(g);
            int[] s = g.shape(1, 3);
            int d = g.dim(s.length);
            int[] is = s.clone();
            for (int i = 0; i < is.length; i++) is[i] = i == norm(d, s.length) ? g.intIn(1, 4) : g.bool() ? 1 : s[i]; // valid for both ops
            Tensor index = g.indices(Shape.concat(new int[] {n}, is), s[norm(d, s.length)]);
            assertVmapEqualsLoop(g, a -> List.of(Indexing.gather(a.get(0), d, a.get(1)), Indexing.takeAlongDim(a.get(0), a.get(1), d)),
                    stacked(g, n, s, -1, 1), index);
        }));
        c.add(row("Indexing.scatterAdd, scatter, indexAdd, indexSelect", List.of("Indexing.scatterAdd", "Indexing.scatter",
                "Indexing.indexAdd", "Indexing.indexSelect"), g -> {
            int n = batch(g);
            int[] s = g.shape(1, 3);
            int d = g.dim(s.length);
            int dd = norm(d, s.length);
            int[] is = s.clone();
            is[dd] = g.intIn(1, 4);
            Tensor index = g.indices(Shape.concat(new int[] {n}, is), s[dd]);
            int[] src = is.clone();
            Tensor source = stacked(g, n, src, -1, 1);
            int k = g.intIn(1, 3);
            Tensor index1 = g.indices(new int[] {n, k}, s[dd]);
            int[] sliceShape = s.clone();
            sliceShape[dd] = k;
            Tensor slices = stacked(g, n, sliceShape, -1, 1);
            assertVmapEqualsLoop(g, a -> List.of(Indexing.scatterAdd(a.get(0), d, a.get(1), a.get(2)),
                    Indexing.indexSelect(a.get(0), d, a.get(3)), Indexing.indexAdd(a.get(0), d, a.get(3), a.get(4))),
                    stacked(g, n, s, -1, 1), index, source, index1, slices);
            // scatter with distinct positions per line, so the result does not depend on write order.
            Tensor perm = Tensor.stack(List.of(g.indices(new int[] {s[dd]}, 1).add(Tensor.arange(s[dd]))), 0).reshape(-1);
            int[] view = new int[s.length + 1];
            Arrays.fill(view, 1);
            view[dd + 1] = s[dd];
            int[] full = Shape.concat(new int[] {n}, s);
            Tensor distinct = perm.reshape(view).expand(full).contiguous();
            assertVmapEqualsLoop(g, a -> List.of(Indexing.scatter(a.get(0), d, a.get(1), a.get(2))),
                    stacked(g, n, s, -1, 1), distinct, stacked(g, n, s, -1, 1));
        }));
        c.add(row("Indexing.oneHot", g -> {
            int n = batch(g);
            int classes = g.intIn(1, 4);
            assertVmapEqualsLoop(g, one(i -> Indexing.oneHot(i, classes)), g.indices(Shape.concat(new int[] {n}, g.shape(0, 2)), classes));
        }));
        c.add(row("Indexing.sort, argsort, topk", List.of("Indexing.sort", "Indexing.argsort", "Indexing.topk"), g -> {
            int n = batch(g);
            int[] s = g.shape(1, 3);
            int d = g.dim(s.length);
            boolean desc = g.bool();
            int k = g.intIn(0, s[norm(d, s.length)]);
            assertVmapEqualsLoop(g, a -> {
                ValuesAndIndices sorted = Indexing.sort(a.get(0), d, desc), top = Indexing.topk(a.get(0), k, d, desc);
                return List.of(sorted.values(), sorted.indices(), Indexing.argsort(a.get(0), d, !desc), top.values(), top.indices());
            }, g.distinct(Shape.concat(new int[] {n}, s), -1, 0.1));
        }));

        // ------------------------------------------------------------ LinearAlgebra and Functional
        c.add(row("LinearAlgebra.matmul", g -> {
            int n = batch(g);
            int ra = g.intIn(1, 3), rb = g.intIn(1, 3);
            int i = g.intIn(1, 3), k = g.intIn(1, 3), j = g.intIn(1, 3);
            int[] batchDims = g.shape(0, 1);
            int[] sa = ra == 1 ? new int[] {k} : Shape.concat(ra == 3 ? batchDims : new int[0], new int[] {i, k});
            int[] sb = rb == 1 ? new int[] {k} : Shape.concat(rb == 3 ? batchDims : new int[0], new int[] {k, j});
            g.note("a", sa).note("b", sb);
            assertVmapEqualsLoop(g, two(LinearAlgebra::matmul), stacked(g, n, sa, -1, 1), stacked(g, n, sb, -1, 1));
        }));
        c.add(row("LinearAlgebra.bmm", g -> {
            int n = batch(g);
            int b = g.intIn(1, 2), i = g.intIn(1, 3), k = g.intIn(1, 3), j = g.intIn(1, 3);
            assertVmapEqualsLoop(g, two(LinearAlgebra::bmm), stacked(g, n, new int[] {b, i, k}, -1, 1), stacked(g, n, new int[] {b, k, j}, -1, 1));
        }));
        c.add(row("Functional.linear", g -> {
            int n = batch(g);
            int[] lead = g.shape(0, 2);
            int in = g.intIn(1, 3), out = g.intIn(1, 3);
            boolean bias = g.bool();
            Function<List<Tensor>, List<Tensor>> f = a -> List.of(Functional.linear(a.get(0), a.get(1), bias ? a.get(2) : null));
            assertVmapEqualsLoop(g, f, stacked(g, n, Shape.concat(lead, new int[] {in}), -1, 1), stacked(g, n, new int[] {out, in}, -1, 1),
                    stacked(g, n, new int[] {out}, -1, 1));
        }));
        c.add(row("Functional.conv1d, conv1dPadRight", List.of("Functional.conv1d", "Functional.conv1dPadRight"), g -> {
            int n = batch(g);
            int batchSize = g.intIn(1, 2), channels = g.intIn(1, 2), outChannels = g.intIn(1, 2), kernel = g.intIn(1, 3);
            int stride = g.intIn(1, 2), padding = g.intIn(0, 1), dilation = g.intIn(1, 2);
            int length = g.intIn(dilation * (kernel - 1) + 1, dilation * (kernel - 1) + 3);
            Function<List<Tensor>, List<Tensor>> f = a -> List.of(Functional.conv1d(a.get(0), a.get(1), a.get(2), stride, padding, dilation),
                    Functional.conv1dPadRight(a.get(0).narrow(1, 0, 1), a.get(1).narrow(1, 0, 1).narrow(0, 0, 1), kernel - 1));
            assertVmapEqualsLoop(g, f, stacked(g, n, new int[] {batchSize, channels, length}, -1, 1),
                    stacked(g, n, new int[] {outChannels, channels, kernel}, -1, 1), stacked(g, n, new int[] {outChannels}, -1, 1));
        }));
        c.add(row("Functional losses", List.of("Functional.mseLoss", "Functional.l1Loss", "Functional.smoothL1Loss", "Functional.huberLoss",
                "Functional.binaryCrossEntropy", "Functional.sum"), g -> {
            int n = batch(g);
            int[][] s = g.broadcastShapes(2, 0, 3);
            Reduction r = g.oneOf(Reduction.values());
            g.note("reduction", r);
            Function<List<Tensor>, List<Tensor>> f = a -> List.of(Functional.mseLoss(a.get(0), a.get(1), r), Functional.l1Loss(a.get(0), a.get(1), r),
                    Functional.smoothL1Loss(a.get(0), a.get(1), r, 0.5), Functional.huberLoss(a.get(0), a.get(1), r, 0.7),
                    Functional.binaryCrossEntropy(a.get(0), a.get(1), r), Functional.sum(List.of(a.get(0), a.get(1), a.get(1))));
            assertVmapEqualsLoop(g, f, stacked(g, n, s[0], 0.05, 0.95), stacked(g, n, s[1], 0, 1));
        }));
        c.add(row("Functional.crossEntropy", g -> {
            int n = batch(g);
            int rows = g.intIn(1, 3), classes = g.intIn(1, 4);
            boolean single = g.bool();
            Reduction r = g.oneOf(Reduction.values());
            Tensor logits = stacked(g, n, single ? new int[] {classes} : new int[] {rows, classes}, -2, 2);
            Tensor target = g.indices(single ? new int[] {n} : new int[] {n, rows}, classes);
            assertVmapEqualsLoop(g, two((x, t) -> Functional.crossEntropy(x, t, r)), logits, target);
        }));
        return c;
    }

    private static int norm(int d, int rank) {
        return d < 0 ? d + rank : d;
    }

    /** A random factorisation of {@code numel} into a shape of rank up to 3 (rank 0 allowed when numel is 1). */
    static int[] factorShape(Gen g, int numel) {
        int rank = g.intIn(numel == 1 ? 0 : 1, 3);
        int[] s = new int[rank];
        Arrays.fill(s, 1);
        int left = numel;
        for (int p = 2; left > 1; p++) {
            while (left % p == 0) {
                s[g.intIn(0, rank - 1)] *= p;
                left /= p;
            }
        }
        if (numel == 0 && rank > 0) s[0] = 0;
        return s;
    }

    @TestFactory
    Stream<DynamicTest> vmapEqualsTheLoop() {
        return cases().stream().map(GradCase::toTest);
    }
}
