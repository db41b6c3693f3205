package org.rlgrad.engine.modules;

import java.util.List;
import java.util.Objects;

import org.rlgrad.engine.autograd.GradMode;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * The greedy policy of a distributional Q-network (spec engine.md 3.11; TorchRL's
 * {@code DistributionalQValueModule}, C51): the action values are log-probabilities over atoms,
 * shape {@code [..., atoms, actions]}, the atoms' values are {@code support [atoms]}, and the
 * greedy action is chosen, as in {@link QValueModule}, on the expected values
 * {@code Σ_atoms exp(logp) · support → [..., actions]}. Writes the action and the
 * (log-probability) action values, at {@code ["action", action_value_key]} by default; there is
 * no chosen value.
 *
 * <p>Any positive input is an error (it cannot be a log-softmax output), as is a support whose
 * length differs from the atom dim. With a mask ({@code [..., actions]}), masked-out actions get
 * {@code finfo.min} log-probabilities in the written values and {@code finfo.min} expected values,
 * so they are never chosen (the reference masks only the log-probabilities, whose expectation is
 * then 0 and can win over negative valid ones).
 */
public class DistributionalQValueModule extends TensorDictModuleBase {
    private final ActionSpace actionSpace;
    private final Tensor support;
    private final Key actionValueKey;
    private final Key actionMaskKey;
    private final List<Key> outKeys;
    private final int[] varNums;

    protected DistributionalQValueModule(Builder b) {
        this.actionSpace = Objects.requireNonNull(b.actionSpace);
        if (b.support == null || b.support.dim() != 1) {
            throw new IllegalArgumentException("DistributionalQValueModule: expected a 1-d support (the atoms' values), got "
                    + (b.support == null ? "null" : "shape " + Shape.format(b.support.shapeRef())));
        }
        this.actionValueKey = b.actionValueKey;
        this.actionMaskKey = b.actionMaskKey;
        this.outKeys = b.outKeys != null ? b.outKeys : List.of(Key.of("action"), actionValueKey);
        if (outKeys.size() != 2) throw new IllegalArgumentException("DistributionalQValueModule: expected 2 out_keys (action, action value), got " + outKeys);
        if (actionSpace == ActionSpace.MULT_ONE_HOT && (b.varNums == null || b.varNums.length == 0)) {
            throw new IllegalArgumentException("DistributionalQValueModule: the mult_one_hot action space needs varNums, got none");
        }
        this.varNums = b.varNums;
        // The support is state (moved with the module), not a trained parameter.
        this.support = registerBuffer("support", b.support);
    }

    public static Builder builder(ActionSpace actionSpace, Tensor support) {
        return new Builder(actionSpace, support);
    }

    public static Builder builder(String actionSpace, Tensor support) {
        return new Builder(ActionSpace.parse(actionSpace), support);
    }

    public static final class Builder {
        private final ActionSpace actionSpace;
        private final Tensor support;
        private Key actionValueKey = QValueModule.DEFAULT_ACTION_VALUE_KEY;
        private Key actionMaskKey;
        private List<Key> outKeys;
        private int[] varNums;

        Builder(ActionSpace actionSpace, Tensor support) {
            this.actionSpace = actionSpace;
            this.support = support;
        }

        public Builder actionValueKey(Object key) { this.actionValueKey = Key.of(key); return this; }

        public Builder actionMaskKey(Object key) { this.actionMaskKey = key == null ? null : Key.of(key); return this; }

        public Builder outKeys(Object... keys) { this.outKeys = Keys.list(keys); return this; }

        public Builder varNums(int... varNums) { this.varNums = varNums.clone(); return this; }

        public DistributionalQValueModule build() { return new DistributionalQValueModule(this); }

        Key actionValueKey() { return actionValueKey; }
    }

    public Key actionValueKey() { return actionValueKey; }

    /** How the greedy action is encoded. */
    public ActionSpace actionSpace() { return actionSpace; }

    /** The atoms' values (the module's, or a functional call's). */
    public Tensor support() { return buffer("support"); }

    @Override
    public List<Key> inKeys() {
        return GreedyAction.inKeys(actionValueKey, actionMaskKey);
    }

    @Override
    public List<Key> outKeys() { return outKeys; }

    @Override
    protected TensorDict compute(TensorDict td) {
        String who = getClass().getSimpleName();
        Tensor logp = td.get(actionValueKey);
        Tensor atoms = support().to(logp.device()).to(logp.dtype());
        if (logp.dim() < 2 || logp.size(-2) != atoms.size(0)) {
            throw new IllegalArgumentException(who + ": support length and number of atoms in module output should match, got support of shape "
                    + Shape.format(atoms.shapeRef()) + " and action values of shape " + Shape.format(logp.shapeRef()) + " (atoms on dim -2)");
        }
        double max;
        try (var scope = GradMode.noGrad()) {
            max = logp.detach().max().item();
        }
        if (max > 0) {
            throw new IllegalArgumentException("input to QValueHook must be log-softmax values (which are expected to be non-positive numbers). "
                    + String.format("got a maximum value of %.4f", max));
        }
        Tensor expected = logp.exp().mul(atoms.unsqueeze(-1)).sum(-2);
        if (actionMaskKey != null) {
            Tensor mask = td.get(actionMaskKey);
            expected = GreedyAction.masked(expected, mask, who);
            logp = GreedyAction.masked(logp, mask.unsqueeze(-2), who);
        }
        if (varNums != null) GreedyAction.checkVarNums(actionSpace, varNums, expected, who);
        Tensor action = GreedyAction.of(actionSpace, expected, varNums, who);
        Tensor[] outs = {action, logp};
        for (int i = 0; i < 2; i++) if (!outKeys.get(i).equals(Keys.DISCARD)) td.set(outKeys.get(i), outs[i]);
        return td;
    }
}
