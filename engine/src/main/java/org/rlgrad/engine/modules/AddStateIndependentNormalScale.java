package org.rlgrad.engine.modules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.distributions.ScaleMapping;
import org.rlgrad.engine.nn.Module;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * A Gaussian policy head whose scale does not depend on the state (spec engine.md 3.13;
 * TorchRL's {@code AddStateIndependentNormalScale}, as in PPO's MuJoCo setups):
 * {@code (loc, ...) → (loc, max(mapping(p), scaleLb) expanded to loc's shape, ...)} with a
 * trainable parameter {@code p} ({@code "scale"}) of {@code scaleShape}, initialised to
 * {@code initValue}. The trailing dims of {@code loc} must equal {@code scaleShape}.
 */
public final class AddStateIndependentNormalScale extends Module implements TensorFunction {
    private final int[] scaleShape;
    private final ScaleMapping mapping;
    private final double scaleLb;

    public AddStateIndependentNormalScale(int[] scaleShape, String scaleMapping, double scaleLb, double initValue, DType dtype) {
        if (!(scaleLb >= 0)) throw new IllegalArgumentException("AddStateIndependentNormalScale: scaleLb must be non-negative, got " + scaleLb);
        this.scaleShape = scaleShape.clone();
        this.mapping = ScaleMapping.named(scaleMapping);
        this.scaleLb = scaleLb;
        registerParameter("scale", Tensor.full(scaleShape, initValue, dtype));
    }

    /** TorchRL's defaults: mapping {@code exp}, lower bound 1e−4, initial value 0, float32. */
    public AddStateIndependentNormalScale(int... scaleShape) {
        this(scaleShape, "exp", 1e-4, 0.0, DType.FLOAT32);
    }

    /** The trainable pre-mapping scale (a functional call's, else the module's). */
    public Tensor scaleParameter() {
        return parameter("scale");
    }

    @Override
    public Object apply(List<Tensor> positional, Map<String, Tensor> named) {
        if (positional.isEmpty() || positional.get(0) == null || !named.isEmpty()) {
            throw new IllegalArgumentException("AddStateIndependentNormalScale: expected loc as the first positional tensor (and no named ones), got "
                    + positional.size() + " positional" + (named.isEmpty() ? "" : " and named " + named.keySet()));
        }
        Tensor loc = positional.get(0);
        int[] shape = loc.shapeRef();
        if (shape.length < scaleShape.length
                || !Arrays.equals(Arrays.copyOfRange(shape, shape.length - scaleShape.length, shape.length), scaleShape)) {
            throw new IllegalArgumentException("AddStateIndependentNormalScale: the trailing dims of loc (shape " + Shape.format(shape)
                    + ") must equal the scale shape " + Shape.format(scaleShape));
        }
        Tensor scale = mapping.apply(parameter("scale")).clampMin(scaleLb).expand(shape);
        List<Tensor> out = new ArrayList<>();
        out.add(loc);
        out.add(scale);
        out.addAll(positional.subList(1, positional.size()));
        return out;
    }

    @Override
    protected String extraRepr() {
        return "scale_shape=" + Shape.format(scaleShape) + ", mapping=" + mapping.name() + ", scale_lb=" + scaleLb;
    }
}
