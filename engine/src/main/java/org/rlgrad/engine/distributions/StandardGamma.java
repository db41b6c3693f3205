package org.rlgrad.engine.distributions;

import org.rlgrad.engine.autograd.Autograd;
import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.random.RandomSource;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Reparameterised standard gamma draws, {@code X ~ Gamma(α, 1)}, for {@link Gamma}, {@link Beta}
 * and {@link Dirichlet}.
 *
 * <p>The draw itself is Marsaglia–Tsang rejection sampling ({@link Generator#gamma}). Rejection
 * sampling has no differentiable path from α to X, so the gradient is the <em>implicit</em>
 * reparameterisation gradient of Figurnov, Mohamed and Mnih, "Implicit Reparameterization
 * Gradients" (NeurIPS 2018), which PyTorch computes in {@code _standard_gamma_grad}: holding the
 * CDF level {@code u = F(x; α)} fixed,
 *
 * <pre>   dx/dα = −(∂F/∂α)(x; α) / f(x; α)</pre>
 *
 * with {@code F = P(α, x)} the regularised lower incomplete gamma function and {@code f} the
 * density. PyTorch evaluates it with a Taylor series, a saddle-point expansion and a fitted
 * rational approximation; rlgrad evaluates it to near machine precision instead, which changes no
 * expectation and keeps the gradient checkable against finite differences of the inverse CDF:
 *
 * <ul>
 *   <li><b>series</b>: {@code P(α, x) = Σ_n x^(α+n) e^(−x) / Γ(α+n+1)}, so
 *       {@code ∂P/∂α = Σ_n x^(α+n) e^(−x) / Γ(α+n+1) · (ln x − ψ(α+n+1))}, and divided by
 *       {@code f = x^(α−1) e^(−x) / Γ(α)} each term becomes {@code r_n (ψ(α+n+1) − ln x)} with
 *       {@code r_n = x^(n+1) / (α (α+1) ⋯ (α+n))}: no exponentials, one digamma, and recursions for
 *       the rest. It is used when its cancellation error bound is below 1e−12 relative;</li>
 *   <li><b>upper-tail integral</b>, deep in the upper tail where the series cancels:
 *       {@code ∂P/∂α = −∂Q/∂α = −∫_x^∞ t^(α−1) e^(−t) (ln t − ψ(α)) dt / Γ(α)}, so
 *       {@code dx/dα = ∫_0^∞ (1 + s/x)^(α−1) e^(−s) (ln(x+s) − ψ(α)) ds}, a positive, smooth and
 *       decaying integrand, by composite Simpson's rule.</li>
 * </ul>
 *
 * <p>The gradient is first order only: the backward multiplies by {@code dx/dα} as a constant.
 */
final class StandardGamma {
    private StandardGamma() {}

    /** Simpson intervals of the upper-tail integral (relative error about 1e−11). */
    private static final int SIMPSON_INTERVALS = 8192;

    /**
     * A draw of shape {@code shape} (α broadcast to it) from Gamma(α, 1), differentiable with
     * respect to α through the implicit gradient. Needs a {@link Generator}: a rejection sampler
     * uses a number of variates that depends on the values drawn, which no recorded stream can
     * provide in advance.
     */
    static Tensor rsample(String who, RandomSource random, Tensor alpha, int[] shape) {
        if (!(random instanceof Generator generator)) {
            throw new IllegalArgumentException(who + ": gamma draws need a Generator (Marsaglia–Tsang rejection sampling uses a "
                    + "data-dependent number of variates), got a " + (random == null ? "null source" : random.getClass().getSimpleName()));
        }
        Tensor expanded = alpha.expand(shape);
        Tensor x;
        try (var scope = GradMode.noGrad()) {
            Tensor raw = generator.gamma(expanded.detach().contiguous());
            // PyTorch clamps draws to the smallest normal number so that log x stays finite.
            x = raw.clampMin(expanded.dtype() == DType.FLOAT32 ? Float.MIN_NORMAL : Double.MIN_NORMAL);
        }
        if (!GradMode.isEnabled() || !alpha.requiresGrad()) return x;
        Tensor dxda = implicitGradient(expanded.detach().contiguous(), x);
        return Autograd.record("standard_gamma", x, new Tensor[] {expanded}, new Tensor[] {dxda}, g -> new Tensor[] {g.mul(dxda)});
    }

    /** {@code dx/dα} elementwise for draws {@code x} of Gamma(α, 1) (same shapes), as a constant tensor. */
    static Tensor implicitGradient(Tensor alpha, Tensor x) {
        if (!java.util.Arrays.equals(alpha.shapeRef(), x.shapeRef())) {
            throw new IllegalArgumentException("standard gamma gradient: alpha of shape " + Shape.format(alpha.shapeRef())
                    + " and x of shape " + Shape.format(x.shapeRef()) + " must have the same shape");
        }
        double[] a;
        double[] v;
        double[] psi;
        try (var scope = GradMode.noGrad()) {
            Tensor a64 = alpha.detach().to(DType.FLOAT64).contiguous();
            a = a64.toDoubleArray();
            v = x.detach().to(DType.FLOAT64).contiguous().toDoubleArray();
            psi = a64.digamma().toDoubleArray();
        }
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) out[i] = implicitGradient(a[i], v[i], psi[i]);
        Tensor result = Tensor.of(DType.FLOAT64, out, alpha.shape()).to(alpha.device());
        return alpha.dtype() == DType.FLOAT64 ? result : result.to(alpha.dtype());
    }

    /** {@code dx/dα} at one point; {@code psiAlpha = ψ(α)}. */
    static double implicitGradient(double alpha, double x, double psiAlpha) {
        if (!(alpha > 0) || !(x > 0) || Double.isInfinite(x)) {
            throw new IllegalArgumentException("standard gamma gradient: expected alpha > 0 and finite x > 0, got alpha = " + alpha + ", x = " + x);
        }
        double logX = Math.log(x);
        // Series: Σ r_n (ψ(α+n+1) − ln x), r_0 = x/α, r_n = r_(n−1) x/(α+n); ψ(α+1) = ψ(α) + 1/α.
        double r = x / alpha;
        double psi = psiAlpha + 1 / alpha;
        double sum = 0;
        double magnitude = 0;
        int terms = 0;
        for (int n = 0; n < 100_000; n++) {
            double term = r * (psi - logX);
            sum += term;
            magnitude += Math.abs(term);
            terms++;
            if (!Double.isFinite(sum)) break;
            // Once past the peak (α + n > x) the terms shrink at least geometrically.
            if (alpha + n > x && Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
            r *= x / (alpha + n + 1);
            psi += 1 / (alpha + n + 1);
        }
        double bound = 4 * Math.ulp(1.0) * Math.sqrt(terms) * magnitude;
        if (Double.isFinite(sum) && sum > 0 && bound <= 1e-12 * sum) return sum;
        return upperTailIntegral(alpha, x, psiAlpha);
    }

    /** {@code ∫_0^∞ (1 + s/x)^(α−1) e^(−s) (ln(x+s) − ψ(α)) ds} by Simpson's rule on {@code [0, L]}. */
    private static double upperTailIntegral(double alpha, double x, double psiAlpha) {
        // The log-integrand falls at rate 1 − (α−1)/(x+s) ≥ 1 − max(0, α−1)/x; the tail past L is below e^(−60).
        double rate = 1 - Math.max(0, alpha - 1) / x;
        if (!(rate > 0)) {
            throw new IllegalStateException("standard gamma gradient: the series lost precision at alpha = " + alpha + ", x = " + x
                    + ", which is not in the upper tail; please report this point");
        }
        double length = 60 / rate;
        // Steps of at most 60/8192 of the decay length 1/rate, and of at most a sixteenth of a unit of s.
        int intervals = (int) Math.min(1 << 22, 2 * Math.ceil(Math.max(SIMPSON_INTERVALS, 16 * length) / 2));
        double h = length / intervals;
        double total = 0;
        for (int k = 0; k <= intervals; k++) {
            double s = k * h;
            double value = Math.exp((alpha - 1) * Math.log1p(s / x) - s) * (Math.log(x + s) - psiAlpha);
            double weight = k == 0 || k == intervals ? 1 : (k % 2 == 1 ? 4 : 2);
            total += weight * value;
        }
        return total * h / 3;
    }
}
