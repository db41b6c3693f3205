package org.rlgrad.testsuite.conformance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.ops.Functional;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Reduction;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensor.ValuesAndIndices;

/**
 * The {@code ops.json} op table (FORMAT-ops-estimators-distributions.md, section 3.2): for each
 * {@code op}, the rlgrad call that PyTorch's call maps to, reading the case's tensor inputs by
 * their PyTorch names and its {@code attrs} with PyTorch's defaults. One entry per op, in the
 * order of the FORMAT's table; an op missing here is reported as unsupported, never skipped.
 */
final class OpTable {
    private OpTable() {}

    private static final Map<String, OpCall> OPS = build();

    /** The entry for {@code op}, or null when the table has none. */
    static OpCall lookup(String op) {
        return OPS.get(op);
    }

    /** Every op the table dispatches. */
    static java.util.Set<String> ops() {
        return Collections.unmodifiableSet(OPS.keySet());
    }

    private static Map<String, OpCall> build() {
        Map<String, OpCall> t = new LinkedHashMap<>();

        // ---- element-wise, one input
        unary(t, "neg", Tensor::neg);
        unary(t, "exp", Tensor::exp);
        unary(t, "log", Tensor::log);
        unary(t, "log1p", Tensor::log1p);
        unary(t, "expm1", Tensor::expm1);
        unary(t, "sqrt", Tensor::sqrt);
        unary(t, "rsqrt", Tensor::rsqrt);
        unary(t, "tanh", Tensor::tanh);
        unary(t, "sigmoid", Tensor::sigmoid);
        unary(t, "relu", Tensor::relu);
        unary(t, "silu", Tensor::silu);
        unary(t, "abs", Tensor::abs);
        unary(t, "sign", Tensor::sign);
        unary(t, "sin", Tensor::sin);
        unary(t, "cos", Tensor::cos);
        unary(t, "reciprocal", Tensor::reciprocal);
        unary(t, "square", Tensor::square);
        unary(t, "atanh", Tensor::atanh);
        unary(t, "logsigmoid", Tensor::logSigmoid);
        unary(t, "erf", Tensor::erf);
        unary(t, "erfinv", Tensor::erfinv);
        unary(t, "floor", Tensor::floor);
        unary(t, "ceil", Tensor::ceil);
        unary(t, "round", Tensor::round);
        one(t, "elu", a -> a.in("input").elu(a.num("alpha", 1.0)));
        one(t, "leaky_relu", a -> a.in("input").leakyRelu(a.num("negative_slope", 0.01)));
        one(t, "gelu", a -> a.in("input").gelu(geluTanh(a.str("approximate", "none"))));
        one(t, "softplus", a -> a.in("input").softplus(a.num("beta", 1.0), a.num("threshold", 20.0)));
        one(t, "clamp", OpTable::clamp);
        one(t, "pow", OpTable::pow);

        // ---- binary, broadcasting
        one(t, "add", a -> a.hasIn("other") ? a.in("input").add(a.in("other"), a.num("alpha", 1.0))
                : a.in("input").add(a.num("alpha", 1.0) * a.num("other")));
        one(t, "sub", a -> a.hasIn("other") ? (a.has("alpha") ? a.in("input").add(a.in("other"), -a.num("alpha")) : a.in("input").sub(a.in("other")))
                : a.in("input").sub(a.num("alpha", 1.0) * a.num("other")));
        one(t, "mul", a -> a.hasIn("other") ? a.in("input").mul(a.in("other")) : a.in("input").mul(a.num("other")));
        one(t, "div", a -> a.hasIn("other") ? a.in("input").div(a.in("other")) : a.in("input").div(a.num("other")));
        one(t, "maximum", a -> a.in("input").maximum(a.in("other")));
        one(t, "minimum", a -> a.in("input").minimum(a.in("other")));
        one(t, "rdiv", a -> a.in("input").rdiv(a.num("other")));
        one(t, "where", OpTable::where);
        one(t, "masked_fill", a -> a.in("input").maskedFill(a.in("mask"), a.num("value")));
        one(t, "lerp", a -> a.hasIn("weight") ? a.in("input").lerp(a.in("end"), a.in("weight"))
                : a.in("input").lerp(a.in("end"), a.num("weight")));

        // ---- reductions
        one(t, "sum", a -> a.in("input").sum(a.dimsOrAll("dim"), a.bool("keepdim", false)));
        one(t, "mean", a -> a.in("input").mean(a.dimsOrAll("dim"), a.bool("keepdim", false)));
        one(t, "amax", a -> a.in("input").amax(a.dimsOrAll("dim"), a.bool("keepdim", false)));
        one(t, "amin", a -> a.in("input").amin(a.dimsOrAll("dim"), a.bool("keepdim", false)));
        one(t, "logsumexp", a -> a.in("input").logsumexp(a.dimsOrAll("dim"), a.bool("keepdim", false)));
        one(t, "var", a -> a.in("input").var(a.dimsOrAll("dim"), correction(a), a.bool("keepdim", false)));
        one(t, "std", a -> a.in("input").std(a.dimsOrAll("dim"), correction(a), a.bool("keepdim", false)));
        one(t, "prod", a -> a.has("dim") ? a.in("input").prod(a.integer("dim"), a.bool("keepdim", false)) : a.in("input").prod());
        one(t, "norm", a -> a.in("input").norm(normP(a), a.dimsOrAll("dim"), a.bool("keepdim", false)));
        t.put("max_dim", a -> pair(a.in("input").max(a.integer("dim"), a.bool("keepdim", false))));
        t.put("min_dim", a -> pair(a.in("input").min(a.integer("dim"), a.bool("keepdim", false))));
        one(t, "max", a -> a.in("input").max());
        one(t, "min", a -> a.in("input").min());
        one(t, "logsumexp_all", a -> a.in("input").flatten().logsumexp(new int[] {0}, false));
        one(t, "softmax", a -> a.in("input").softmax(a.integer("dim")));
        one(t, "log_softmax", a -> a.in("input").logSoftmax(a.integer("dim")));

        // ---- linear algebra
        one(t, "matmul", a -> a.in("input").matmul(a.in("other")));
        one(t, "bmm", a -> a.in("input").bmm(a.in("mat2")));
        one(t, "linear", a -> Functional.linear(a.in("input"), a.in("weight"), a.optIn("bias")));

        // ---- indexing
        one(t, "gather", a -> a.in("input").gather(a.integer("dim"), a.in("index")));
        one(t, "index_select", a -> a.in("input").indexSelect(a.integer("dim"), a.in("index")));
        one(t, "take_along_dim", a -> a.has("dim") ? a.in("input").takeAlongDim(a.in("indices"), a.integer("dim"))
                // Without dim, PyTorch takes along the flattened input with flattened indices.
                : a.in("input").flatten().takeAlongDim(a.in("indices").flatten(), 0));
        one(t, "scatter_add", a -> a.in("input").scatterAdd(a.integer("dim"), a.in("index"), a.in("src")));
        one(t, "index_add", a -> a.in("input").indexAdd(a.integer("dim"), a.in("index"),
                a.has("alpha") ? a.in("source").mul(a.num("alpha")) : a.in("source")));

        // ---- joining, splitting, views
        one(t, "cat", a -> Tensor.cat(a.inputList(), a.integer("dim", 0)));
        one(t, "stack", a -> Tensor.stack(a.inputList(), a.integer("dim", 0)));
        t.put("split", a -> a.raw("split_size_or_sections") instanceof Long
                ? a.in("input").split(a.integer("split_size_or_sections"), a.integer("dim", 0))
                : a.in("input").split(a.ints("split_size_or_sections"), a.integer("dim", 0)));
        t.put("chunk", a -> a.in("input").chunk(a.integer("chunks"), a.integer("dim", 0)));
        one(t, "narrow", a -> a.in("input").narrow(a.integer("dim"), a.integer("start"), a.integer("length")));
        one(t, "slice", a -> a.in("input").slice(a.integer("dim", 0), a.optInteger("start"), a.optInteger("end"), a.integer("step", 1)));
        one(t, "transpose", a -> a.in("input").transpose(a.integer("dim0"), a.integer("dim1")));
        one(t, "permute", a -> a.in("input").permute(a.ints("dims")));
        one(t, "reshape", a -> a.in("input").reshape(a.ints("shape")));
        one(t, "expand", a -> a.in("input").expand(a.ints("size")));
        one(t, "squeeze", OpTable::squeeze);
        one(t, "unsqueeze", a -> a.in("input").unsqueeze(a.integer("dim")));
        one(t, "flip", a -> a.in("input").flip(a.ints("dims")));
        one(t, "movedim", a -> a.in("input").movedim(a.ints("source"), a.ints("destination")));
        one(t, "flatten", a -> a.in("input").flatten(a.integer("start_dim", 0), a.integer("end_dim", -1)));
        one(t, "unflatten", a -> a.in("input").unflatten(a.integer("dim"), a.ints("sizes")));
        one(t, "roll", OpTable::roll);
        one(t, "repeat", a -> a.in("input").repeat(a.ints("repeats")));
        one(t, "triu", a -> a.in("input").triu(a.integer("diagonal", 0)));
        one(t, "pad", OpTable::pad);
        one(t, "cumsum", a -> a.in("input").cumsum(a.integer("dim")));
        one(t, "cumprod", a -> a.in("input").cumprod(a.integer("dim")));

        // ---- losses and nn functions
        one(t, "mse_loss", a -> Functional.mseLoss(a.in("input"), a.in("target"), reduction(a)));
        one(t, "l1_loss", a -> Functional.l1Loss(a.in("input"), a.in("target"), reduction(a)));
        one(t, "smooth_l1_loss", a -> Functional.smoothL1Loss(a.in("input"), a.in("target"), reduction(a), a.num("beta", 1.0)));
        one(t, "huber_loss", a -> Functional.huberLoss(a.in("input"), a.in("target"), reduction(a), a.num("delta", 1.0)));
        one(t, "binary_cross_entropy", a -> Functional.binaryCrossEntropy(a.in("input"), a.in("target"), reduction(a)));
        one(t, "cross_entropy", a -> Functional.crossEntropy(a.in("input"), a.in("target"), reduction(a)));
        one(t, "conv1d", a -> Functional.conv1d(a.in("input"), a.in("weight"), a.optIn("bias"),
                single(a, "stride", 1), single(a, "padding", 0), single(a, "dilation", 1)));
        one(t, "conv1d_pad_right", a -> Functional.conv1dPadRight(a.in("input"), a.in("weight"), a.integer("pad_right")));
        one(t, "gradient_penalty_mlp", OpTable::gradientPenaltyMlp);
        return t;
    }

    // ------------------------------------------------------------------ helpers for the entries

    private static void unary(Map<String, OpCall> t, String op, Function<Tensor, Tensor> f) {
        one(t, op, a -> f.apply(a.in("input")));
    }

    private static void one(Map<String, OpCall> t, String op, Function<OpArgs, Tensor> f) {
        if (t.put(op, a -> List.of(f.apply(a))) != null) throw new IllegalStateException("op table: '" + op + "' appears twice");
    }

    private static List<Tensor> pair(ValuesAndIndices vi) {
        return List.of(vi.values(), vi.indices());
    }

    private static boolean geluTanh(String approximate) {
        return switch (approximate) {
            case "none" -> false;
            case "tanh" -> true;
            default -> throw new MalformedCaseException("gelu: approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
        };
    }

    /** Number bounds come as attrs, tensor bounds as inputs named min/max; an absent bound is not applied. */
    private static Tensor clamp(OpArgs a) {
        Tensor x = a.in("input");
        if (a.hasIn("min") || a.hasIn("max")) {
            Tensor min = a.hasIn("min") ? a.in("min") : a.has("min") ? number(a.num("min")) : null;
            Tensor max = a.hasIn("max") ? a.in("max") : a.has("max") ? number(a.num("max")) : null;
            return x.clamp(min, max);
        }
        if (!a.has("min") && !a.has("max")) throw new MalformedCaseException("clamp: neither min nor max is given");
        if (!a.has("max")) return x.clampMin(a.num("min"));
        if (!a.has("min")) return x.clampMax(a.num("max"));
        return x.clamp(a.num("min"), a.num("max"));
    }

    /** tensor^tensor, tensor^number (attrs.exponent), number^tensor (attrs.self). */
    private static Tensor pow(OpArgs a) {
        if (a.hasIn("input") && a.hasIn("exponent")) return a.in("input").pow(a.in("exponent"));
        if (a.hasIn("input")) return a.in("input").pow(a.num("exponent"));
        return a.in("exponent").rpow(a.num("self"));
    }

    /** Either branch may be a number in attrs instead of a tensor input. */
    private static Tensor where(OpArgs a) {
        Tensor cond = a.in("condition");
        if (a.hasIn("input") && a.hasIn("other")) return Tensor.where(cond, a.in("input"), a.in("other"));
        if (a.hasIn("input")) return Tensor.where(cond, a.in("input"), a.num("other"));
        if (a.hasIn("other")) return Tensor.where(cond, a.num("input"), a.in("other"));
        throw new MalformedCaseException("where: neither input nor other is a tensor");
    }

    /** {@code correction} wins; else PyTorch's older {@code unbiased} flag; else 1 (unbiased). */
    private static double correction(OpArgs a) {
        if (a.has("correction")) return a.num("correction");
        if (a.has("unbiased")) return a.bool("unbiased", true) ? 1 : 0;
        return 1;
    }

    private static double normP(OpArgs a) {
        Object p = a.raw("p");
        if (p == null || "fro".equals(p)) return 2;
        if (p instanceof String s) {
            return switch (s) {
                case "inf", "Infinity" -> Double.POSITIVE_INFINITY;
                case "-inf", "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> throw new MalformedCaseException("norm: p = \"" + s + "\" is not a vector p-norm (expected a number, \"fro\" or \"inf\")");
            };
        }
        return a.num("p");
    }

    /** Without dim every size-1 dim goes; with a dim (or list of dims) only those, if their size is 1. */
    private static Tensor squeeze(OpArgs a) {
        Tensor x = a.in("input");
        if (!a.has("dim")) return x.squeeze();
        int[] dims = a.ints("dim");
        int rank = x.dim();
        List<Integer> normalised = new ArrayList<>();
        for (int d : dims) normalised.add(rank == 0 ? 0 : Math.floorMod(d, rank));
        normalised.sort(Collections.reverseOrder()); // from the back, so earlier dims keep their index
        for (int d : normalised) x = x.squeeze(d);
        return x;
    }

    /** Without dims PyTorch rolls the flattened tensor and restores the shape. */
    private static Tensor roll(OpArgs a) {
        Tensor x = a.in("input");
        int[] shifts = a.ints("shifts");
        if (a.has("dims")) return x.roll(shifts, a.ints("dims"));
        if (shifts.length != 1) throw new MalformedCaseException("roll: without dims exactly one shift is expected, got " + shifts.length);
        return x.flatten().roll(shifts, new int[] {0}).reshape(x.shape());
    }

    /** Constant padding of the last dim, {@code pad = [left, right]}. */
    private static Tensor pad(OpArgs a) {
        int[] pad = a.ints("pad");
        String mode = a.str("mode", "constant");
        if (!mode.equals("constant")) throw new MalformedCaseException("pad: only mode \"constant\" is in the op table, got \"" + mode + "\"");
        if (pad.length != 2) throw new MalformedCaseException("pad: expected [left, right] of the last dim, got " + pad.length + " values");
        return a.in("input").pad(pad[0], pad[1], a.num("value", 0.0));
    }

    private static Reduction reduction(OpArgs a) {
        return Reduction.parse(a.str("reduction", "mean"));
    }

    /** conv1d's stride/padding/dilation: an int or a one-element list. */
    private static int single(OpArgs a, String name, int fallback) {
        if (!a.has(name)) return fallback;
        int[] v = a.ints(name);
        if (v.length != 1) throw new MalformedCaseException("conv1d: " + name + " must be one integer for a 1-d convolution, got " + v.length);
        return v[0];
    }

    /** A number bound as a 0-dim float64 tensor, which never promotes the input. */
    private static Tensor number(double value) {
        return Tensor.scalar(value, DType.FLOAT64);
    }

    /**
     * GAIL's gradient penalty: D(x) = tanh(x w1^T + b1) w2^T, g = d/dx sum D(x) with the graph
     * kept (createGraph), result = mean over rows of (||g_row||_2 - 1)^2. Differentiating it
     * runs a backward pass through the backward pass that made g.
     */
    private static Tensor gradientPenaltyMlp(OpArgs a) {
        Tensor x = a.in("x"), w1 = a.in("w1"), b1 = a.in("b1"), w2 = a.in("w2");
        // The penalty needs d/dx even when the case does not ask for x's gradient.
        Tensor xs = x.requiresGrad() ? x : x.detach().requiresGrad(true);
        Tensor d = Functional.linear(Functional.linear(xs, w1, b1).tanh(), w2, null);
        Tensor g = Autograd.grad(List.of(d.sum()), List.of(xs), null, true, true, false).get(0);
        return g.norm(2, new int[] {-1}, false).sub(1).square().mean();
    }
}
