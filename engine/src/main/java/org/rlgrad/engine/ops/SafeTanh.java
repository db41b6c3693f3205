package org.rlgrad.engine.ops;

import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.vmap.Batching;

/**
 * tanh and atanh kept away from ±1 (spec/engine.md section 4.4), as TorchRL's {@code safetanh}
 * and {@code safeatanh} do for TanhNormal and TanhDelta.
 *
 * <p>In floating point, {@code tanh x} rounds to exactly ±1 once {@code |x|} passes about 9
 * (float32) or 19 (float64); its inverse is then infinite and the log-determinant
 * {@code ln(1 - y²)} is {@code -inf}. Clamping to {@code ±(1 - ε)}, with {@code ε} the dtype's
 * decimal resolution (1e-6 for float32, 1e-15 for float64, PyTorch's
 * {@code finfo(dtype).resolution}), keeps both finite.
 *
 * <p>The gradients are TorchRL's, not those of the clamped composition: safe tanh passes
 * {@code g (1 - y²)} with the clamped output {@code y}, so the gradient never becomes exactly zero
 * in the saturated region (a clamp would cut it); safe atanh passes {@code g / (1 - c²)} with
 * {@code c} the clamped input, also for inputs beyond the clamp. Both are written in Tensor ops, so
 * they can be differentiated again.
 */
public final class SafeTanh {
    private SafeTanh() {}

    /** {@code finfo(dtype).resolution}: 1e-6 for float32, 1e-15 for float64. */
    public static double epsilon(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> 1e-6;
            case FLOAT64 -> 1e-15;
            default -> throw new IllegalArgumentException("safe tanh: expected a float32 or float64 tensor, got " + dtype);
        };
    }

    /** {@code clamp(tanh x, -(1 - ε), 1 - ε)}, with gradient {@code g (1 - y²)} at the clamped {@code y}. */
    public static Tensor safeTanh(Tensor x) {
        if (x.isBatched()) return Batching.perElement(x, SafeTanh::safeTanh);
        double lim = 1 - epsilon(x.dtype());
        Tensor y;
        try (var scope = GradMode.noGrad()) {
            y = x.tanh().clamp(-lim, lim);
        }
        return Autograd.record("safe_tanh", y, new Tensor[] {x}, new Tensor[] {y}, g -> new Tensor[] {g.mul(y.square().rsub(1))});
    }

    /** {@code atanh(clamp(y, -(1 - ε), 1 - ε))}, with gradient {@code g / (1 - c²)} at the clamped {@code c}. */
    public static Tensor safeAtanh(Tensor y) {
        if (y.isBatched()) return Batching.perElement(y, SafeTanh::safeAtanh);
        double lim = 1 - epsilon(y.dtype());
        Tensor x;
        try (var scope = GradMode.noGrad()) {
            x = y.clamp(-lim, lim).atanh();
        }
        return Autograd.record("safe_atanh", x, new Tensor[] {y}, new Tensor[] {y},
                g -> new Tensor[] {g.div(y.clamp(-lim, lim).square().rsub(1))});
    }
}
