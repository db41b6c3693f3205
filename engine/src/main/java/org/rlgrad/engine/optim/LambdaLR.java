package org.rlgrad.engine.optim;

import java.util.List;
import java.util.function.IntToDoubleFunction;

/**
 * torch's {@code LambdaLR}: {@code lr(e) = base · λ(e)} for a user's multiplier λ, one for every
 * group or one per group.
 */
public final class LambdaLR extends LrScheduler {
    private final List<IntToDoubleFunction> lambdas;

    public LambdaLR(Optimizer<?> optimizer, IntToDoubleFunction lambda) {
        this(optimizer, java.util.Collections.nCopies(optimizer.paramGroups().size(), lambda));
    }

    public LambdaLR(Optimizer<?> optimizer, List<IntToDoubleFunction> lambdas) {
        super(optimizer);
        if (lambdas.size() != optimizer.paramGroups().size()) {
            throw new IllegalArgumentException("LambdaLR: expected " + optimizer.paramGroups().size() + " lr_lambdas (one per group), got "
                    + lambdas.size());
        }
        this.lambdas = List.copyOf(lambdas);
        initialStep();
    }

    @Override
    protected double lr(int group, double baseLr, int epoch) {
        return baseLr * lambdas.get(group).applyAsDouble(epoch);
    }
}
