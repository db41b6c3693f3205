package org.rlgrad.engine.vmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.ops.Indexing;
import org.rlgrad.engine.ops.Pointwise;
import org.rlgrad.engine.ops.SafeTanh;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.GradCase;
import org.rlgrad.engine.testing.OpCatalog;

/**
 * Every public static op that returns tensors must work under vmap, shown by a vmap-equals-loop
 * case in {@link VmapEqualsLoopProperties} (whether it has a rule of its own or is made of ops
 * that do), or be on the reviewed list of ops without a batching rule, where
 * {@link #opsWithoutARuleFailLoudly} checks that it refuses a batched tensor. A new op with
 * neither fails the build here; so does a case or list entry naming an op that no longer exists.
 * Names as in {@code OpGradientCoverageTest}: {@code Class.method}, with the parameter types for
 * an overloaded method.
 */
class BatchingRuleCoverageTest {
    /**
     * Reviewed: ops without a batching rule. Their output shape depends on the data (how many
     * entries are true or non-zero), which differs between entries, so no rule can stack them;
     * under vmap they fail with "no batching rule" (PseudoVmap runs them as a loop).
     */
    static final Set<String> WITHOUT_RULE = Set.of(
            "Indexing.nonzero",      // [count, rank]: count differs per entry
            "Indexing.maskedSelect", // 1-d of the true entries: their number differs per entry
            "Indexing.maskedScatter" // reads the mask's data to place the source
    );

    static Set<String> covered() {
        Set<String> out = new TreeSet<>();
        for (GradCase c : VmapEqualsLoopProperties.cases()) out.addAll(c.covers());
        return out;
    }

    @Test
    void everyOpWorksUnderVmapOrIsReviewedAsWithoutARule() {
        Set<String> covered = covered();
        List<String> missing = new ArrayList<>();
        for (String op : OpCatalog.ops().keySet()) if (!covered.contains(op) && !WITHOUT_RULE.contains(op)) missing.add(op);
        if (!missing.isEmpty()) {
            fail("ops without a vmap-equals-loop check: " + missing + "\n  give the op a batching rule (org.rlgrad.engine.vmap.Batching) "
                    + "and a row in VmapEqualsLoopProperties, or, after review, add it to WITHOUT_RULE");
        }
    }

    @Test
    void everyNameInTheTableAndTheListIsAnExistingOp() {
        Set<String> ops = OpCatalog.ops().keySet();
        Set<String> stale = new TreeSet<>();
        for (String c : covered()) if (!ops.contains(c)) stale.add(c);
        for (String c : WITHOUT_RULE) if (!ops.contains(c)) stale.add(c);
        assertTrue(stale.isEmpty(), "names that match no op: " + stale);
        Set<String> both = new TreeSet<>(covered());
        both.retainAll(WITHOUT_RULE);
        assertTrue(both.isEmpty(), "ops both checked under vmap and listed as without a rule: " + both);
    }

    @Test
    void theCountIsWhatTheTableClaims() {
        Map<String, Method> ops = OpCatalog.ops();
        assertTrue(ops.size() >= 120, "found only " + ops.size() + " ops: " + ops.keySet());
        assertTrue(ops.containsKey("Pointwise.exp") && ops.containsKey("SafeTanh.safeTanh"), ops.keySet().toString());
        assertEquals(ops.size(), covered().size() + WITHOUT_RULE.size(), "every op is counted exactly once");
    }

    @Test
    void opsWithoutARuleFailLoudly() {
        Tensor x = Tensor.of(new double[] {1, 0, 2, 0, 3, 4}, 2, 3);
        Tensor mask = x.gt(0.5);
        Map<String, java.util.function.UnaryOperator<Tensor>> calls = new TreeMap<>();
        calls.put("Indexing.nonzero", Indexing::nonzero);
        calls.put("Indexing.maskedSelect", v -> Indexing.maskedSelect(v, v.gt(0.5)));
        calls.put("Indexing.maskedScatter", v -> Indexing.maskedScatter(v, v.gt(0.5), Tensor.zeros(3)));
        assertEquals(WITHOUT_RULE, calls.keySet());
        for (var e : calls.entrySet()) {
            IllegalStateException error = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> Vmap.vmap(e.getValue()).apply(x), e.getKey());
            assertTrue(error.getMessage().startsWith("vmap: no batching rule for '" + e.getKey() + "'; use PseudoVmap"), error.getMessage());
        }
        // The loop replacement runs them.
        assertEquals(2, PseudoVmap.pseudoVmap(v -> Indexing.maskedSelect(v, v.gt(0.5)).sum().reshape(1), 0, 0, Randomness.ERROR)
                .apply(x).size(0));
        assertTrue(mask.any().item() != 0);
    }
}
