package org.rlgrad.engine.optim;

import java.util.List;

import org.rlgrad.engine.ops.InPlace;
import org.rlgrad.engine.tensor.Tensor;

/**
 * AdamW (Loshchilov and Hutter, 2019, "Decoupled Weight Decay Regularization") as
 * {@code torch.optim.AdamW} computes it: the weight decay shrinks the parameter directly,
 * {@code p = p (1 - lr λ)}, before {@link Adam}'s update from the undecayed gradient, instead of
 * entering the gradient (and so the moments) as an L2 penalty. Same options as Adam, but
 * torch's default weight decay here is 1e-2, not 0:
 * <pre>
 * t += 1
 * p = p (1 - lr λ)
 * m, v, (v̂), p  as Adam, from g = maximize ? -grad : grad
 * </pre>
 */
public final class AdamW extends Optimizer<Adam.Options> {
    public static final double DEFAULT_WEIGHT_DECAY = 1e-2;

    /** AdamW with torch's defaults (weight decay 1e-2) for everything but the learning rate. */
    public AdamW(List<Tensor> params, double lr) {
        this(params, defaults(lr));
    }

    public AdamW(List<Tensor> params, Adam.Options options) {
        this(List.of(ParamGroup.of(params, options)));
    }

    /** AdamW over several groups, each with its own options. */
    public AdamW(List<ParamGroup<Adam.Options>> groups) {
        super("AdamW", groups);
    }

    /** torch.optim.AdamW's defaults: Adam's, with weight decay 1e-2. */
    public static Adam.Options defaults(double lr) {
        return new Adam.Options(lr).withWeightDecay(DEFAULT_WEIGHT_DECAY);
    }

    @Override
    protected void update(Tensor p, Tensor grad, Adam.Options o, ParamState state) {
        Tensor g = o.maximize() ? grad.neg() : grad;
        double shrink = 1 - o.lr() * o.weightDecay();
        // torch multiplies even by 1; skipping that pass changes no number.
        if (shrink != 1) InPlace.mul(p, shrink);
        Adam.moments(p, g, o, state);
    }

    @Override
    protected AdamW withGroups(List<ParamGroup<Adam.Options>> groups) {
        return new AdamW(groups);
    }
}
