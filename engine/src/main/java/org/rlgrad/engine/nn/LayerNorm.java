package org.rlgrad.engine.nn;

import java.util.Arrays;

import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * Layer normalisation (Ba et al. 2016) over the trailing {@code normalizedShape} dims:
 * y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias, with the biased variance, as torch.nn.LayerNorm.
 * Weight starts at ones and bias at zeros; without {@code elementwiseAffine} there are none.
 */
public final class LayerNorm extends UnaryModule {
    private final int[] normalizedShape;
    private final double eps;
    private final boolean affine;

    public LayerNorm(int features) {
        this(new int[] {features}, 1e-5, true, DType.FLOAT32);
    }

    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine, DType dtype) {
        if (normalizedShape.length == 0) throw new IllegalArgumentException("LayerNorm: normalized_shape must have at least one dim");
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.affine = elementwiseAffine;
        if (affine) {
            registerParameter("weight", Tensor.ones(dtype, normalizedShape));
            registerParameter("bias", Tensor.zeros(dtype, normalizedShape));
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        int k = normalizedShape.length;
        int[] s = x.shapeRef();
        if (s.length < k || !Arrays.equals(Arrays.copyOfRange(s, s.length - k, s.length), normalizedShape)) {
            throw new IllegalArgumentException("LayerNorm: expected an input whose trailing dims are " + Shape.format(normalizedShape)
                    + ", got shape " + Shape.format(s));
        }
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) dims[i] = s.length - k + i;
        Tensor mean = x.mean(dims, true);
        Tensor centred = x.sub(mean);
        Tensor var = centred.square().mean(dims, true);
        Tensor y = centred.mul(var.add(eps).rsqrt());
        return affine ? y.mul(parameter("weight")).add(parameter("bias")) : y;
    }

    @Override
    protected String extraRepr() {
        return Shape.format(normalizedShape) + ", eps=" + eps + ", elementwise_affine=" + affine;
    }
}
