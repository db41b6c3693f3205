package org.rlgrad.losses;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

/**
 * Reading a loss's output dict (spec losses.md §1.1): the loss entries are those named
 * {@code loss} or {@code loss_*} at the root; a trainer sums them (every element of a non-scalar
 * one, as with {@code reduction = "none"}) and back-propagates.
 */
public final class LossOutputs {
    private LossOutputs() {}

    /** Whether {@code name} is a loss entry name. */
    public static boolean isLossName(String name) {
        return name.equals("loss") || name.startsWith("loss_");
    }

    /** The loss entries' keys, in the dict's order. */
    public static List<Key> lossKeys(TensorDict out) {
        List<Key> keys = new ArrayList<>();
        for (Key k : out.keys()) if (isLossName(k.first()) && !k.isNested() && out.find(k) instanceof Tensor) keys.add(k);
        return keys;
    }

    /** The sum of every element of every loss entry; an output with no loss entry is an error naming what it holds. */
    public static Tensor totalLoss(TensorDict out) {
        Tensor total = null;
        for (Map.Entry<Key, Tensor> e : out.leaves().entrySet()) {
            if (e.getKey().isNested() || !isLossName(e.getKey().first())) continue;
            Tensor s = e.getValue().sum();
            total = total == null ? s : total.add(s);
        }
        if (total == null) throw new IllegalArgumentException("totalLoss: the output holds no loss entry (named loss or loss_*); it holds " + out.keys());
        return total;
    }
}
