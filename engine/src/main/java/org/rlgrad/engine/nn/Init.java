package org.rlgrad.engine.nn;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Initialisers as torch.nn.init: each overwrites a tensor in place (outside the graph) with draws
 * from a seedable {@link Generator} and returns it. Draws are made on the host in the tensor's
 * dtype and moved to its device, so a seed gives the same values on every backend.
 *
 * <p>Fans follow torch's {@code _calculate_fan_in_and_fan_out}: for a weight {@code [out, in, *k]},
 * fan_in = in * prod(k) and fan_out = out * prod(k).
 */
public final class Init {
    private Init() {}

    /** The nonlinearities torch.nn.init.calculate_gain knows, with their recommended gains. */
    public enum Nonlinearity {
        LINEAR, SIGMOID, TANH, RELU, LEAKY_RELU, SELU;

        /**
         * 1 for linear and sigmoid, 5/3 for tanh, sqrt 2 for relu, sqrt(2 / (1 + slope^2)) for leaky
         * relu ({@code param} is the negative slope; NaN means torch's default 0.01), 3/4 for selu.
         */
        public double gain(double param) {
            return switch (this) {
                case LINEAR, SIGMOID -> 1;
                case TANH -> 5.0 / 3;
                case RELU -> Math.sqrt(2);
                case LEAKY_RELU -> {
                    double slope = Double.isNaN(param) ? 0.01 : param;
                    yield Math.sqrt(2 / (1 + slope * slope));
                }
                case SELU -> 0.75;
            };
        }
    }

    /** Which fan Kaiming initialisation preserves: the forward pass's variance (FAN_IN) or the backward's (FAN_OUT). */
    public enum FanMode { FAN_IN, FAN_OUT }

    /** {fan_in, fan_out} of a weight of at least 2 dims. */
    public static int[] fans(Tensor t) {
        if (t.dim() < 2) {
            throw new IllegalArgumentException("Init: fan in and fan out need a tensor of at least 2 dims, got shape " + Shape.format(t.shapeRef()));
        }
        int receptive = 1;
        for (int d = 2; d < t.dim(); d++) receptive *= t.size(d);
        return new int[] {t.size(1) * receptive, t.size(0) * receptive};
    }

    public static Tensor uniform_(Tensor t, double low, double high, Generator generator) {
        requireFloating(t, "uniform_");
        return write(t, generator.uniform(t.shape(), low, high, t.dtype()));
    }

    public static Tensor normal_(Tensor t, double mean, double std, Generator generator) {
        requireFloating(t, "normal_");
        Tensor z = generator.normal(t.shape(), t.dtype());
        try (var scope = GradMode.noGrad()) {
            return write(t, z.mul(std).add(mean));
        }
    }

    public static Tensor constant_(Tensor t, double value) {
        try (var scope = GradMode.noGrad()) {
            return t.fill_(value);
        }
    }

    public static Tensor zeros_(Tensor t) {
        return constant_(t, 0);
    }

    public static Tensor ones_(Tensor t) {
        return constant_(t, 1);
    }

    /** Glorot and Bengio (2010): U(-a, a) with a = gain sqrt(6 / (fan_in + fan_out)). */
    public static Tensor xavierUniform_(Tensor t, double gain, Generator generator) {
        int[] f = fans(t);
        double a = gain * Math.sqrt(6.0 / (f[0] + f[1]));
        return uniform_(t, -a, a, generator);
    }

    /** Glorot and Bengio (2010): N(0, std^2) with std = gain sqrt(2 / (fan_in + fan_out)). */
    public static Tensor xavierNormal_(Tensor t, double gain, Generator generator) {
        int[] f = fans(t);
        return normal_(t, 0, gain * Math.sqrt(2.0 / (f[0] + f[1])), generator);
    }

    /**
     * He et al. (2015): U(-b, b) with b = gain sqrt(3 / fan), gain of {@code nonlinearity} with
     * parameter {@code a} (the leaky relu's slope; torch's default a = 0 then gives sqrt 2).
     */
    public static Tensor kaimingUniform_(Tensor t, double a, FanMode mode, Nonlinearity nonlinearity, Generator generator) {
        double bound = Math.sqrt(3) * kaimingStd(t, a, mode, nonlinearity);
        return uniform_(t, -bound, bound, generator);
    }

    /** He et al. (2015): N(0, std^2) with std = gain / sqrt(fan). */
    public static Tensor kaimingNormal_(Tensor t, double a, FanMode mode, Nonlinearity nonlinearity, Generator generator) {
        return normal_(t, 0, kaimingStd(t, a, mode, nonlinearity), generator);
    }

    private static double kaimingStd(Tensor t, double a, FanMode mode, Nonlinearity nonlinearity) {
        int[] f = fans(t);
        int fan = mode == FanMode.FAN_IN ? f[0] : f[1];
        if (fan == 0) throw new IllegalArgumentException("Init: kaiming initialisation of a tensor with zero elements, shape " + Shape.format(t.shapeRef()));
        return nonlinearity.gain(a) / Math.sqrt(fan);
    }

    /**
     * PyTorch's default for nn.Linear (and the RNN cells use the same bound with fan = hidden size):
     * kaiming_uniform(a = sqrt 5) on the weight, which is U(-1/sqrt(fan_in), 1/sqrt(fan_in)), then
     * the bias from the same interval; {@code bias} may be null. Drawn in that order, as torch does.
     */
    public static void linearDefault_(Tensor weight, Tensor bias, Generator generator) {
        int fanIn = fans(weight)[0];
        kaimingUniform_(weight, Math.sqrt(5), FanMode.FAN_IN, Nonlinearity.LEAKY_RELU, generator);
        if (bias != null) {
            double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
            uniform_(bias, -bound, bound, generator);
        }
    }

    /**
     * Saxe et al. (2013): a (semi-)orthogonal matrix, as torch.nn.init.orthogonal_. The tensor is
     * viewed as [rows, cols] with rows = size(0); a Gaussian matrix (transposed when rows &lt; cols)
     * is factored A = QR and Q's columns multiplied by sign(diag R), which makes the factorisation
     * unique and Q Haar-distributed (Mezzadri 2007). Rows are orthonormal when rows &lt;= cols,
     * columns when rows &gt;= cols; the result is scaled by {@code gain}.
     */
    public static Tensor orthogonal_(Tensor t, double gain, Generator generator) {
        if (t.dim() < 2) throw new IllegalArgumentException("Init.orthogonal_: only tensors with 2 or more dims are supported, got shape " + Shape.format(t.shapeRef()));
        int rows = t.size(0), cols = t.numel() / Math.max(rows, 1);
        if (t.numel() == 0) return t;
        double[] a = generator.normal(new int[] {rows, cols}, DType.FLOAT64).toDoubleArray();
        boolean transposed = rows < cols;
        int m = transposed ? cols : rows, n = transposed ? rows : cols;
        double[][] mat = new double[m][n];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                if (transposed) mat[j][i] = a[i * cols + j];
                else mat[i][j] = a[i * cols + j];
            }
        }
        double[][] q = HouseholderQr.orthonormalFactor(mat);
        double[] out = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) out[i * cols + j] = gain * (transposed ? q[j][i] : q[i][j]);
        }
        return write(t, Tensor.of(DType.FLOAT64, out, t.shape()));
    }

    private static void requireFloating(Tensor t, String op) {
        if (!t.dtype().isFloating()) throw new IllegalArgumentException("Init." + op + ": expected a floating tensor, got " + t.dtype());
    }

    private static Tensor write(Tensor t, Tensor value) {
        try (var scope = GradMode.noGrad()) {
            return t.copy_(value.to(t.device()));
        }
    }
}
