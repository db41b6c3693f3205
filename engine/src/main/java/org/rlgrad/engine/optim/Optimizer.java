package org.rlgrad.engine.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.ops.InPlace;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/**
 * The common part of every optimiser, as {@code torch.optim.Optimizer}: parameter groups, each
 * with its own options; per-parameter state made at a parameter's first update; {@link #zeroGrad}
 * and {@link #step}.
 *
 * <p>{@link #step} runs under {@link GradMode#noGrad()} and hands every parameter that has a
 * gradient, with its group's options and its state, to the subclass's {@link #update}; a
 * parameter without a gradient is skipped and its state (and step count) left alone, as torch
 * does. Updates write the parameters in place ({@link InPlace}), so the tensors a model holds stay
 * the parameters, and they are composed of tensor ops on the parameter's own device.
 *
 * @param <O> the options of one group
 */
public abstract class Optimizer<O extends OptimizerOptions<O>> {
    private final String name;
    private final List<ParamGroup<O>> groups = new ArrayList<>();
    private final Map<Tensor, ParamState> state = new IdentityHashMap<>();

    protected Optimizer(String name, List<ParamGroup<O>> groups) {
        this.name = name;
        if (groups.isEmpty()) throw new IllegalArgumentException(name + ": got an empty list of parameter groups");
        for (ParamGroup<O> g : groups) addParamGroup(g);
    }

    /** The optimiser's name in messages ("SGD", "Adam", ...). */
    public final String name() {
        return name;
    }

    /** Adds a group of parameters updated with {@code options} (torch's {@code add_param_group}). */
    public final void addParamGroup(List<Tensor> params, O options) {
        addParamGroup(ParamGroup.of(params, options));
    }

    public final void addParamGroup(ParamGroup<O> group) {
        if (group.params().isEmpty()) throw new IllegalArgumentException(name + ": got an empty parameter list");
        Map<Tensor, Boolean> inThisGroup = new IdentityHashMap<>();
        for (int i = 0; i < group.params().size(); i++) {
            Tensor p = group.params().get(i);
            String which = "parameter " + i + " (shape " + Shape.format(p.shapeRef()) + ") of group " + groups.size();
            if (!p.dtype().isFloating()) throw new IllegalArgumentException(name + ": " + which + " is " + p.dtype() + "; expected a floating dtype");
            if (!p.isLeaf()) throw new IllegalArgumentException(name + ": " + which + " is not a leaf (it has history); optimise leaves only");
            if (!p.requiresGrad()) throw new IllegalArgumentException(name + ": " + which + " does not require grad");
            if (inThisGroup.put(p, Boolean.TRUE) != null) {
                throw new IllegalArgumentException(name + ": " + which + " appears more than once in the parameter list");
            }
            for (int j = 0; j < groups.size(); j++) {
                for (Tensor q : groups.get(j).params()) {
                    if (q == p) throw new IllegalArgumentException(name + ": " + which + " is already in group " + j
                            + "; a parameter may appear in one group only");
                }
            }
        }
        groups.add(group);
    }

    /** The groups, in order; their options may be changed, the list may not. */
    public final List<ParamGroup<O>> paramGroups() {
        return Collections.unmodifiableList(groups);
    }

    /** Every parameter, group after group. */
    public final List<Tensor> params() {
        List<Tensor> all = new ArrayList<>();
        for (ParamGroup<O> g : groups) all.addAll(g.params());
        return all;
    }

    /** Sets every gradient to none (torch 2's default, {@code zero_grad(set_to_none=True)}). */
    public final void zeroGrad() {
        zeroGrad(true);
    }

    /**
     * Sets every gradient to none, or, with {@code setToNone = false}, to zeros. Zeros are written
     * as a new tensor rather than into the old one: a gradient tensor may share its memory with
     * another parameter's (backward may hand both leaves of {@code a + b} the same buffer).
     */
    public final void zeroGrad(boolean setToNone) {
        for (ParamGroup<O> g : groups) {
            for (Tensor p : g.params()) {
                Tensor grad = p.grad();
                if (grad == null) continue;
                p.setGrad(setToNone ? null : Tensor.zerosLike(grad));
            }
        }
    }

    /** One update of every parameter that has a gradient. */
    public final void step() {
        try (var scope = GradMode.noGrad()) {
            for (ParamGroup<O> g : groups) {
                O options = g.options();
                for (Tensor p : g.params()) {
                    Tensor grad = p.grad();
                    if (grad == null) continue;
                    checkGradient(p, grad);
                    update(p, grad.detach(), options, state.computeIfAbsent(p, k -> new ParamState()));
                }
            }
        }
    }

    /**
     * Evaluates {@code closure} with gradients recorded (it typically zeroes the gradients,
     * computes a loss and runs backward), then steps; returns the closure's loss (torch's
     * {@code step(closure)}).
     */
    public final Tensor step(Supplier<Tensor> closure) {
        Tensor loss;
        try (var scope = GradMode.enableGrad()) {
            loss = closure.get();
        }
        step();
        return loss;
    }

    private void checkGradient(Tensor p, Tensor grad) {
        if (!Arrays.equals(grad.shapeRef(), p.shapeRef())) {
            throw new IllegalStateException(name + ": a gradient has shape " + Shape.format(grad.shapeRef())
                    + ", expected its parameter's shape " + Shape.format(p.shapeRef()));
        }
        if (grad.dtype() != p.dtype()) {
            throw new IllegalStateException(name + ": a gradient is " + grad.dtype() + ", expected its parameter's dtype " + p.dtype()
                    + " (shape " + Shape.format(p.shapeRef()) + ")");
        }
        if (!grad.device().equals(p.device())) {
            throw new IllegalStateException(name + ": a gradient is on " + grad.device() + ", expected its parameter's device " + p.device()
                    + " (shape " + Shape.format(p.shapeRef()) + ")");
        }
    }

    /**
     * Updates {@code param} in place from {@code grad} (detached, same shape, dtype and device),
     * with its group's {@code options} and its {@code state} (empty at its first update). Runs
     * with gradient recording off.
     */
    protected abstract void update(Tensor param, Tensor grad, O options, ParamState state);

    /**
     * The gradient as torch's optimisers first adjust it: negated when maximising, then with the
     * L2 penalty {@code weightDecay * param} added (coupled weight decay; AdamW decays the
     * parameter itself instead).
     */
    protected static Tensor adjustedGradient(Tensor param, Tensor grad, boolean maximize, double weightDecay) {
        Tensor g = maximize ? grad.neg() : grad;
        return weightDecay != 0 ? g.add(param, weightDecay) : g;
    }

    /** A new optimiser of the same kind over {@code groups}, with no state (for {@link GroupOptimizers}). */
    protected abstract Optimizer<O> withGroups(List<ParamGroup<O>> groups);

    /** The state of {@code param}, or null before its first update (or for a tensor not optimised here). */
    public final ParamState state(Tensor param) {
        return state.get(param);
    }

    /** A snapshot of the groups' options and every parameter's state (torch's {@code state_dict()}). */
    public final OptimizerStateDict<O> stateDict() {
        List<O> options = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        Map<Integer, ParamState> states = new HashMap<>();
        int index = 0;
        for (ParamGroup<O> g : groups) {
            options.add(g.options());
            sizes.add(g.params().size());
            for (Tensor p : g.params()) {
                ParamState s = state.get(p);
                if (s != null) states.put(index, s.copy());
                index++;
            }
        }
        return new OptimizerStateDict<>(options, sizes, states);
    }

    /**
     * Restores a snapshot taken from an optimiser of the same layout (torch's
     * {@code load_state_dict}): every group takes the saved options, every parameter the saved
     * state, copied onto the parameter's device and dtype. Parameters without saved state start
     * afresh.
     */
    public final void loadStateDict(OptimizerStateDict<O> dict) {
        if (dict.groupSizes().size() != groups.size()) {
            throw new IllegalArgumentException(name + ".loadStateDict: the dict has " + dict.groupSizes().size()
                    + " parameter groups, expected " + groups.size());
        }
        for (int i = 0; i < groups.size(); i++) {
            if (dict.groupSizes().get(i) != groups.get(i).params().size()) {
                throw new IllegalArgumentException(name + ".loadStateDict: group " + i + " has " + dict.groupSizes().get(i)
                        + " parameters in the dict, expected " + groups.get(i).params().size());
            }
        }
        List<Tensor> all = params();
        for (Integer k : dict.state().keySet()) {
            if (k < 0 || k >= all.size()) {
                throw new IllegalArgumentException(name + ".loadStateDict: state for parameter " + k + ", expected ids 0 to " + (all.size() - 1));
            }
        }
        Map<Tensor, ParamState> restored = new IdentityHashMap<>();
        for (int k = 0; k < all.size(); k++) {
            ParamState s = dict.state().get(k);
            if (s != null) restored.put(all.get(k), s.copyFor(all.get(k), name + ".loadStateDict: parameter " + k));
        }
        // Only now that every check passed: a failed load leaves the optimiser as it was.
        for (int i = 0; i < groups.size(); i++) groups.get(i).setOptions(dict.groupOptions().get(i));
        state.clear();
        state.putAll(restored);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(name).append("(");
        for (int i = 0; i < groups.size(); i++) s.append(i == 0 ? "" : ", ").append(groups.get(i));
        return s.append(")").toString();
    }
}
