package org.rlgrad.engine.optim;

import java.util.ArrayList;
import java.util.List;

/**
 * TorchRL's {@code group_optimizers(opt1, opt2, ...)}: one optimiser of the inputs' common class
 * whose parameter groups are the inputs' groups, in order, each keeping its own options, so one
 * {@code step()} and one {@code zeroGrad()} (and one learning-rate schedule) drive them all.
 * Accumulated state is not carried: the result starts afresh. Null entries are skipped.
 */
public final class GroupOptimizers {
    private GroupOptimizers() {}

    @SafeVarargs
    public static <O extends OptimizerOptions<O>> Optimizer<O> of(Optimizer<O>... optimizers) {
        return of(java.util.Arrays.asList(optimizers));
    }

    public static <O extends OptimizerOptions<O>> Optimizer<O> of(List<? extends Optimizer<O>> optimizers) {
        Optimizer<O> first = null;
        List<ParamGroup<O>> groups = new ArrayList<>();
        for (Optimizer<O> o : optimizers) {
            if (o == null) continue;
            if (first == null) {
                first = o;
            } else if (o.getClass() != first.getClass()) {
                throw new IllegalArgumentException("groupOptimizers: expected optimisers of one class, got "
                        + first.getClass().getSimpleName() + " and " + o.getClass().getSimpleName());
            }
            for (ParamGroup<O> g : o.paramGroups()) groups.add(ParamGroup.of(g.params(), g.options()));
        }
        if (first == null) throw new IllegalArgumentException("groupOptimizers: expected at least one optimiser, got none (or only nulls)");
        return first.withGroups(groups);
    }
}
