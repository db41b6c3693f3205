package org.rlgrad.engine.optim;

import java.util.ArrayList;
import java.util.List;

/**
 * A learning-rate schedule over an optimiser's groups, as torch's {@code _LRScheduler}: each group's
 * learning rate is a function of the epoch count and of the group's base rate (its
 * {@code initial_lr}: the rate it had when the first schedule was attached). Making a schedule
 * counts epoch 0 and sets its rate, as torch's constructor does; each {@link #step()} (once per
 * epoch, after the optimiser's step) counts one more.
 *
 * <p>The rates come from the closed forms torch documents (its {@code _get_closed_form_lr}),
 * not from its chainable recursions ({@code get_lr}, which scale the current rate): the two agree
 * up to rounding as long as nothing else writes the rate, but the closed form overwrites a rate
 * changed by hand (or by a second schedule) where torch's recursion would build on it.
 */
public abstract class LrScheduler {
    private final Optimizer<?> optimizer;
    private final double[] baseLrs;
    private int lastEpoch = -1;
    private final double[] lastLrs;

    protected LrScheduler(Optimizer<?> optimizer) {
        this.optimizer = optimizer;
        List<? extends ParamGroup<?>> groups = optimizer.paramGroups();
        baseLrs = new double[groups.size()];
        for (int i = 0; i < baseLrs.length; i++) baseLrs[i] = groups.get(i).initialLrOrSet(groups.get(i).lr());
        lastLrs = new double[baseLrs.length];
    }

    /**
     * The constructor's first step: subclasses call it last in their constructors, once their own
     * fields are set (a Java superclass constructor cannot see them, unlike Python's).
     */
    protected final void initialStep() {
        if (lastEpoch != -1) throw new IllegalStateException(getClass().getSimpleName() + ": initialStep called twice");
        step();
    }

    /** Counts one epoch and sets every group's learning rate to the schedule's value there. */
    public final void step() {
        lastEpoch++;
        List<? extends ParamGroup<?>> groups = optimizer.paramGroups();
        for (int i = 0; i < baseLrs.length; i++) {
            double lr = lr(i, baseLrs[i], lastEpoch);
            groups.get(i).setLr(lr);
            lastLrs[i] = lr;
        }
    }

    /** The rate of group {@code group}, whose base rate is {@code baseLr}, at {@code epoch} (0 at construction). */
    protected abstract double lr(int group, double baseLr, int epoch);

    /** The epochs counted so far: 0 right after construction. */
    public final int lastEpoch() {
        return lastEpoch;
    }

    /** The rates the last step set, one per group (torch's {@code get_last_lr()}). */
    public final List<Double> lastLr() {
        List<Double> out = new ArrayList<>();
        for (double lr : lastLrs) out.add(lr);
        return out;
    }

    /** The base rates, one per group (torch's {@code base_lrs}). */
    public final List<Double> baseLrs() {
        List<Double> out = new ArrayList<>();
        for (double lr : baseLrs) out.add(lr);
        return out;
    }

    public final Optimizer<?> optimizer() {
        return optimizer;
    }
}
