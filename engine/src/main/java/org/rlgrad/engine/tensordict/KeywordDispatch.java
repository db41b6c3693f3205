package org.rlgrad.engine.tensordict;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rlgrad.engine.tensor.Tensor;

/**
 * Keyword dispatch (spec engine.md section 2.10): modules with in-keys and out-keys may be called
 * with tensors instead of a TensorDict. Positional tensors go to the in-keys in order; keyword
 * tensors go to the in-key whose {@link Key#keyword() keyword form} is their name
 * ({@code next_reward} for {@code ("next", "reward")}). The caller runs its TensorDict code on
 * {@link #build}'s result and returns {@link #outputs} in out-key order.
 */
public final class KeywordDispatch {
    private KeywordDispatch() {}

    /** The batch size of the assembled dict. */
    public enum BatchRule {
        /** {@code []}: plain TD modules (their leaves carry every dim as a feature dim). */
        EMPTY,
        /**
         * The largest shape common to every input's leading dims: estimators, e.g. {@code obs
         * [1, 10, 3]} and {@code next_reward [1, 10, 1]} give {@code [1, 10]}.
         */
        COMMON_LEADING
    }

    /**
     * The dict of the given arguments. A null positional tensor counts as not given. An unknown
     * keyword, more positional tensors than in-keys, or a tensor given both positionally and by
     * keyword is an error naming the accepted names.
     */
    public static TensorDict build(String caller, List<Key> inKeys, List<Tensor> positional, Map<String, Tensor> keywords, BatchRule rule) {
        if (positional.size() > inKeys.size()) {
            throw new IllegalArgumentException(caller + ": got " + positional.size() + " positional tensors but only " + inKeys.size() + " in_keys "
                    + inKeys);
        }
        Map<String, Key> byKeyword = new LinkedHashMap<>();
        for (Key k : inKeys) byKeyword.put(k.keyword(), k);
        LinkedHashMap<Key, Tensor> given = new LinkedHashMap<>();
        for (int i = 0; i < positional.size(); i++) if (positional.get(i) != null) given.put(inKeys.get(i), positional.get(i));
        for (Map.Entry<String, Tensor> e : keywords.entrySet()) {
            Key k = byKeyword.get(e.getKey());
            if (k == null) {
                throw new IllegalArgumentException(caller + ": unexpected keyword argument '" + e.getKey() + "'; expected one of " + byKeyword.keySet());
            }
            int position = inKeys.indexOf(k);
            if (position < positional.size() && positional.get(position) != null) {
                throw new IllegalArgumentException(caller + ": the tensor for in_key " + k + " was given twice: positionally (argument " + position
                        + ") and by keyword '" + e.getKey() + "'");
            }
            if (e.getValue() != null) given.put(k, e.getValue());
        }
        int[] batch = rule == BatchRule.EMPTY ? new int[0] : commonLeadingShape(new ArrayList<>(given.values()));
        TensorDict td = new TensorDict(batch);
        given.forEach(td::set);
        return td;
    }

    /** The largest shape that begins every tensor's shape ({@code []} when there are none). */
    public static int[] commonLeadingShape(List<Tensor> tensors) {
        if (tensors.isEmpty()) return new int[0];
        int[] common = tensors.get(0).shape();
        int n = common.length;
        for (Tensor t : tensors) {
            int[] s = t.shapeRef();
            int k = 0;
            while (k < n && k < s.length && s[k] == common[k]) k++;
            n = k;
        }
        return Arrays.copyOf(common, n);
    }

    /** The out-keys' tensors in order (strict: a missing one fails naming the keys present). */
    public static List<Tensor> outputs(TensorDict td, List<Key> outKeys) {
        List<Tensor> out = new ArrayList<>(outKeys.size());
        for (Key k : outKeys) out.add(td.get(k));
        return out;
    }
}
