package org.rlgrad.engine.optim;

import java.util.List;
import java.util.Objects;

import org.rlgrad.engine.tensor.Tensor;

/**
 * One entry of an optimiser's {@code param_groups}: a list of parameters updated with the same
 * hyper-parameters. The parameters are fixed; the options may be replaced (a schedule changes the
 * learning rate, a user may change anything else between steps, as torch allows by writing into
 * the group's dict).
 */
public final class ParamGroup<O extends OptimizerOptions<O>> {
    private final List<Tensor> params;
    private O options;
    /**
     * The learning rate the first schedule attached to this group started from (torch's
     * {@code group['initial_lr']}, set with {@code setdefault}), or NaN before any schedule: a
     * second schedule on the same group starts from it too, so schedules compose like torch's.
     */
    private double initialLr = Double.NaN;

    private ParamGroup(List<Tensor> params, O options) {
        this.params = List.copyOf(params);
        this.options = Objects.requireNonNull(options, "options");
    }

    public static <O extends OptimizerOptions<O>> ParamGroup<O> of(List<Tensor> params, O options) {
        return new ParamGroup<>(params, options);
    }

    public List<Tensor> params() {
        return params;
    }

    public O options() {
        return options;
    }

    public void setOptions(O options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public double lr() {
        return options.lr();
    }

    public void setLr(double lr) {
        options = options.withLr(lr);
    }

    /** torch's {@code group['initial_lr']}: NaN until a schedule is attached. */
    public double initialLr() {
        return initialLr;
    }

    /** Sets the initial learning rate unless one is already set, and returns it ({@code dict.setdefault}). */
    double initialLrOrSet(double lr) {
        if (Double.isNaN(initialLr)) initialLr = lr;
        return initialLr;
    }

    @Override
    public String toString() {
        return "ParamGroup(" + params.size() + " params, " + options + ")";
    }
}
