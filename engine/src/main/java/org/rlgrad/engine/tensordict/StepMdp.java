package org.rlgrad.engine.tensordict;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code step_mdp}: the TensorDict of the step after this one, built from the {@code "next"}
 * entries placed at the root (spec engine.md section 2.6). Immutable options with the reference
 * defaults: keep the other root entries, exclude the reward keys, keep the done keys, exclude the
 * action keys; the key lists default to {@code "reward"}, {@code "done"} and {@code "action"}.
 *
 * <p>Excluded keys are left out wherever they appear, at the root and under {@code "next"}
 * (keys are compared relative to each side). A {@code "next"} entry wins over the root entry of
 * the same key, and nested dicts present on both sides are merged. The result has the batch size
 * of {@code "next"} and shares its tensors (nothing is copied).
 *
 * <p>The estimators use {@code defaults().keepOther(false)} ({@link TensorDict#nextView()}):
 * the contents of {@code "next"} minus the reward, done flags kept.
 */
public final class StepMdp {
    private static final StepMdp DEFAULTS = new StepMdp(true, true, false, true, List.of(Key.of("reward")), List.of(Key.of("done")),
            List.of(Key.of("action")));

    private final boolean keepOther;
    private final boolean excludeReward;
    private final boolean excludeDone;
    private final boolean excludeAction;
    private final List<Key> rewardKeys;
    private final List<Key> doneKeys;
    private final List<Key> actionKeys;

    private StepMdp(boolean keepOther, boolean excludeReward, boolean excludeDone, boolean excludeAction, List<Key> rewardKeys, List<Key> doneKeys,
                    List<Key> actionKeys) {
        this.keepOther = keepOther;
        this.excludeReward = excludeReward;
        this.excludeDone = excludeDone;
        this.excludeAction = excludeAction;
        this.rewardKeys = List.copyOf(rewardKeys);
        this.doneKeys = List.copyOf(doneKeys);
        this.actionKeys = List.copyOf(actionKeys);
    }

    /** The reference defaults. */
    public static StepMdp defaults() { return DEFAULTS; }

    public StepMdp keepOther(boolean v) { return new StepMdp(v, excludeReward, excludeDone, excludeAction, rewardKeys, doneKeys, actionKeys); }

    public StepMdp excludeReward(boolean v) { return new StepMdp(keepOther, v, excludeDone, excludeAction, rewardKeys, doneKeys, actionKeys); }

    public StepMdp excludeDone(boolean v) { return new StepMdp(keepOther, excludeReward, v, excludeAction, rewardKeys, doneKeys, actionKeys); }

    public StepMdp excludeAction(boolean v) { return new StepMdp(keepOther, excludeReward, excludeDone, v, rewardKeys, doneKeys, actionKeys); }

    public StepMdp rewardKeys(Object... keys) { return new StepMdp(keepOther, excludeReward, excludeDone, excludeAction, keys(keys), doneKeys, actionKeys); }

    public StepMdp doneKeys(Object... keys) { return new StepMdp(keepOther, excludeReward, excludeDone, excludeAction, rewardKeys, keys(keys), actionKeys); }

    public StepMdp actionKeys(Object... keys) { return new StepMdp(keepOther, excludeReward, excludeDone, excludeAction, rewardKeys, doneKeys, keys(keys)); }

    private static List<Key> keys(Object[] keys) {
        List<Key> out = new ArrayList<>();
        for (Object k : keys) out.add(Key.of(k));
        return out;
    }

    /** The next step's dict; fails naming the keys present when {@code td} has no {@code "next"} dict. */
    public TensorDict apply(TensorDict td) {
        Set<Key> excluded = new HashSet<>();
        if (excludeReward) excluded.addAll(rewardKeys);
        if (excludeDone) excluded.addAll(doneKeys);
        if (excludeAction) excluded.addAll(actionKeys);
        TensorDict next = td.getTensorDict("next");
        TensorDict out = next.empty(false);
        if (keepOther) {
            for (Key k : td.keys()) if (!k.first().equals("next")) copy(td, out, k, excluded);
        } else if (!excludeAction) {
            for (Key k : actionKeys) {
                Object v = td.find(k);
                if (v instanceof org.rlgrad.engine.tensor.Tensor t) out.set(k, t);
            }
        }
        for (Key k : next.keys()) copy(next, out, k, excluded);
        return out;
    }

    /** Copies {@code source}'s entry {@code key} (relative to {@code source}) into {@code dest} unless excluded, merging nested dicts. */
    private static void copy(TensorDict source, TensorDict dest, Key key, Set<Key> excluded) {
        copy(source, dest, key, key, excluded);
    }

    private static void copy(TensorDict source, TensorDict dest, Key local, Key total, Set<Key> excluded) {
        if (excluded.contains(total)) return;
        Object v = source.find(local);
        if (v instanceof TensorDict sub) {
            TensorDict target = dest.find(local) instanceof TensorDict existing ? existing : sub.empty(false);
            if (target != dest.find(local)) dest.set(local, target);
            for (Key k : sub.keys()) copy(sub, target, k, total.append(k), excluded);
        } else {
            dest.set(local, (org.rlgrad.engine.tensor.Tensor) v);
        }
    }
}
