package org.rlgrad.engine.distributions;

import java.util.function.UnaryOperator;

import org.rlgrad.engine.tensor.Tensor;

/**
 * A map from an unconstrained network output to a positive scale, by tensordict's names
 * (spec/engine.md section 3.13):
 * <ul>
 *   <li>{@code softplus}: {@code ln(1 + eˣ)}, {@code x} itself above 20 (PyTorch's threshold);</li>
 *   <li>{@code exp}, {@code relu}, {@code none} (the identity);</li>
 *   <li>{@code expln}: {@code eˣ} for {@code x ≤ 0}, {@code ln(1 + x) + 1} for {@code x > 0}
 *       (continuous with a continuous slope at 0, and growing only logarithmically);</li>
 *   <li>{@code biased_softplus_B} and {@code biased_softplus_B_M}: {@code softplus(x + c) + M}
 *       with {@code c = ln(max(expm1(B − M), 1e−6))}, so that 0 maps to B and the scale never
 *       goes below M (default 0.01); {@code biased_softplus} alone means B = 1.</li>
 * </ul>
 */
public record ScaleMapping(String name, UnaryOperator<Tensor> map) {
    /** tensordict's default minimum of a biased softplus. */
    public static final double DEFAULT_BIASED_SOFTPLUS_MIN = 0.01;

    public Tensor apply(Tensor x) {
        return map.apply(x);
    }

    /** The mapping called {@code name}; an unknown or malformed name is an error that lists the known ones. */
    public static ScaleMapping named(String name) {
        switch (name) {
            case "softplus": return new ScaleMapping(name, x -> x.softplus());
            case "exp": return new ScaleMapping(name, Tensor::exp);
            case "relu": return new ScaleMapping(name, Tensor::relu);
            case "none": return new ScaleMapping(name, x -> x);
            case "expln": return new ScaleMapping(name, ScaleMapping::expln);
            case "biased_softplus": return biasedSoftplus(name, 1.0, DEFAULT_BIASED_SOFTPLUS_MIN);
            default: break;
        }
        if (name.startsWith("biased_softplus_")) {
            String[] parts = name.split("_", -1);
            try {
                if (parts.length == 3) return biasedSoftplus(name, Double.parseDouble(parts[2]), DEFAULT_BIASED_SOFTPLUS_MIN);
                if (parts.length == 4) return biasedSoftplus(name, Double.parseDouble(parts[2]), Double.parseDouble(parts[3]));
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
            throw new IllegalArgumentException("scale mapping '" + name + "': expected biased_softplus_<bias> or biased_softplus_<bias>_<min> with numbers");
        }
        throw new IllegalArgumentException("unknown scale mapping '" + name
                + "'; known: softplus, exp, relu, none, expln, biased_softplus, biased_softplus_<bias>, biased_softplus_<bias>_<min>");
    }

    /** {@code softplus(x + ln(max(expm1(bias − min), 1e−6))) + min}: maps 0 to {@code bias} and stays above {@code min}. */
    public static ScaleMapping biasedSoftplus(String name, double bias, double min) {
        double c = Math.log(Math.max(Math.expm1(bias - min), 1e-6));
        return new ScaleMapping(name, x -> x.add(c).softplus().add(min));
    }

    /** {@code eˣ} for {@code x ≤ 0}, {@code ln(1 + x) + 1} above; each branch sees only its own side, so neither makes a NaN gradient. */
    static Tensor expln(Tensor x) {
        Tensor nonPositive = x.le(0);
        return Tensor.where(nonPositive, x.clampMax(0).exp(), x.clampMin(0).log1p().add(1));
    }
}
