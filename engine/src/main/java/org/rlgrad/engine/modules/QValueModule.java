package org.rlgrad.engine.modules;

import java.util.List;
import java.util.Objects;

import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * The greedy policy of action values (spec engine.md 3.10; TorchRL's {@code QValueModule}): reads
 * {@code action_value} (and the action mask, if configured) and writes the greedy action, the
 * (masked) action values and the chosen action's value, at out-keys
 * {@code ["action", action_value_key, "chosen_action_value"]} by default.
 *
 * <ul>
 *   <li>Mask: masked-out values become {@code finfo(dtype).min} before the choice; the written
 *       action values are the masked ones. A configured mask missing from the dict is an error.</li>
 *   <li>Greedy action: one-hot → {@code (q == max q)} as int64 (ties give several ones);
 *       categorical → the first argmax (int64); mult-one-hot → one-hot per block of
 *       {@code varNums}; binary → "not implemented".</li>
 *   <li>Chosen value: categorical → {@code q.gather(-1, action.unsqueeze(-1))}; otherwise
 *       {@code Σ action · q} over the last dim, as {@code [..., 1]}.</li>
 * </ul>
 */
public class QValueModule extends TensorDictModuleBase {
    public static final Key DEFAULT_ACTION_VALUE_KEY = Key.of("action_value");

    private final ActionSpace actionSpace;
    private final Key actionValueKey;
    private final Key actionMaskKey;
    private final List<Key> outKeys;
    private final int[] varNums;

    protected QValueModule(Builder b) {
        this.actionSpace = Objects.requireNonNull(b.actionSpace, "QValueModule: the action space is null");
        this.actionValueKey = b.actionValueKey;
        this.actionMaskKey = b.actionMaskKey;
        this.outKeys = b.outKeys != null ? b.outKeys : List.of(Key.of("action"), actionValueKey, Key.of("chosen_action_value"));
        if (outKeys.size() != 3) {
            throw new IllegalArgumentException("QValueModule: expected 3 out_keys (action, action value, chosen action value), got " + outKeys);
        }
        if (actionSpace == ActionSpace.MULT_ONE_HOT && (b.varNums == null || b.varNums.length == 0)) {
            throw new IllegalArgumentException("QValueModule: the mult_one_hot action space needs varNums (the size of each one-hot block), got none");
        }
        this.varNums = b.varNums == null ? null : b.varNums.clone();
    }

    public static Builder builder(ActionSpace actionSpace) {
        return new Builder(actionSpace);
    }

    /** The action space by name ({@code "one-hot"}, {@code "categorical"}, ...). */
    public static Builder builder(String actionSpace) {
        return new Builder(ActionSpace.parse(actionSpace));
    }

    public static final class Builder {
        private final ActionSpace actionSpace;
        private Key actionValueKey = DEFAULT_ACTION_VALUE_KEY;
        private Key actionMaskKey;
        private List<Key> outKeys;
        private int[] varNums;

        Builder(ActionSpace actionSpace) { this.actionSpace = actionSpace; }

        public Builder actionValueKey(Object key) { this.actionValueKey = Key.of(key); return this; }

        /** The bool mask of valid actions (null: no mask). */
        public Builder actionMaskKey(Object key) { this.actionMaskKey = key == null ? null : Key.of(key); return this; }

        /** Action, action value and chosen action value keys. */
        public Builder outKeys(Object... keys) { this.outKeys = Keys.list(keys); return this; }

        public Builder varNums(int... varNums) { this.varNums = varNums.clone(); return this; }

        public QValueModule build() { return new QValueModule(this); }
    }

    public ActionSpace actionSpace() { return actionSpace; }

    public Key actionValueKey() { return actionValueKey; }

    public Key actionMaskKey() { return actionMaskKey; }

    public int[] varNums() { return varNums == null ? null : varNums.clone(); }

    @Override
    public List<Key> inKeys() {
        return GreedyAction.inKeys(actionValueKey, actionMaskKey);
    }

    @Override
    public List<Key> outKeys() { return outKeys; }

    @Override
    protected TensorDict compute(TensorDict td) {
        String who = getClass().getSimpleName();
        Tensor q = td.get(actionValueKey);
        if (actionMaskKey != null) q = GreedyAction.masked(q, td.get(actionMaskKey), who);
        if (varNums != null) GreedyAction.checkVarNums(actionSpace, varNums, q, who);
        Tensor action = GreedyAction.of(actionSpace, q, varNums, who);
        Tensor chosen = GreedyAction.chosenValue(actionSpace, q, action);
        Tensor[] outs = {action, q, chosen};
        for (int i = 0; i < 3; i++) if (!outKeys.get(i).equals(Keys.DISCARD)) td.set(outKeys.get(i), outs[i]);
        return td;
    }

    @Override
    protected String extraRepr() {
        return "action_space=" + actionSpace + ", in_keys=" + inKeys() + ", out_keys=" + outKeys;
    }
}
