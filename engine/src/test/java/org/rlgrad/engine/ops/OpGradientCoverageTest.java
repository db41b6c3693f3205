package org.rlgrad.engine.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.CoversOps;
import org.rlgrad.engine.testing.GradCase;
import org.rlgrad.engine.testing.OpCatalog;

/**
 * Every public static op that returns tensors must have a gradient check, or be on the reviewed
 * list of ops that have no gradient. A new op without either fails the build here; so does a
 * check that names an op which no longer exists.
 *
 * <p>Ops are named as {@link OpCatalog} names them.
 */
class OpGradientCoverageTest {
    /** The gradient-check tables and the classes holding {@link CoversOps} tests. */
    static final List<Supplier<List<GradCase>>> TABLES = List.of(PointwiseGradientProperties::cases,
            ArithmeticGradientProperties::cases, ReductionsGradientProperties::cases, ScansGradientProperties::cases,
            ViewsGradientProperties::cases, JoiningGradientProperties::cases, IndexingGradientProperties::cases,
            LinearAlgebraGradientProperties::cases, FunctionalGradientProperties::cases, SafeTanhGradientProperties::cases);
    static final List<Class<?>> ANNOTATED = List.of(PointwiseGradientProperties.class);

    /**
     * Reviewed: these return comparisons, masks, indices or counts, never a differentiable value,
     * and {@link #nonDifferentiableOpsRecordNoHistory} checks that they record none.
     */
    static final Set<String> NON_DIFFERENTIABLE = Set.of(
            "Pointwise.logicalNot", "Pointwise.isNan", "Pointwise.isInf", "Pointwise.isFinite",
            "Arithmetic.eq", "Arithmetic.ne", "Arithmetic.lt", "Arithmetic.le", "Arithmetic.gt", "Arithmetic.ge",
            "Arithmetic.logicalAnd", "Arithmetic.logicalOr", "Arithmetic.logicalXor",
            "Reductions.argmax", "Reductions.argmin", "Reductions.all", "Reductions.any",
            "Indexing.nonzero", "Indexing.oneHot", "Indexing.argsort");

    static Set<String> covered() {
        Set<String> out = new TreeSet<>();
        for (Supplier<List<GradCase>> table : TABLES) for (GradCase c : table.get()) out.addAll(c.covers());
        for (Class<?> c : ANNOTATED) {
            for (Method m : c.getDeclaredMethods()) {
                CoversOps a = m.getAnnotation(CoversOps.class);
                if (a != null) out.addAll(Arrays.asList(a.value()));
            }
        }
        return out;
    }

    @Test
    void everyOpHasAGradientCheckOrIsReviewedAsNonDifferentiable() {
        Map<String, Method> ops = OpCatalog.ops();
        Set<String> covered = covered();
        List<String> missing = new ArrayList<>();
        for (String op : ops.keySet()) {
            if (!covered.contains(op) && !NON_DIFFERENTIABLE.contains(op)) missing.add(op);
        }
        if (!missing.isEmpty()) {
            fail("ops without a gradient check: " + missing + "\n  add a row to the op class's *GradientProperties table "
                    + "(or, if the op has no gradient, add it to NON_DIFFERENTIABLE after review)");
        }
    }

    @Test
    void everyNameInTheTablesAndTheReviewedListIsAnExistingOp() {
        Set<String> ops = OpCatalog.ops().keySet();
        Set<String> stale = new TreeSet<>();
        for (String c : covered()) if (!ops.contains(c)) stale.add(c);
        for (String c : NON_DIFFERENTIABLE) if (!ops.contains(c)) stale.add(c);
        assertTrue(stale.isEmpty(), "names that match no op (renamed, removed, or an overload named without its signature): " + stale);
        Set<String> both = new TreeSet<>(covered());
        both.retainAll(NON_DIFFERENTIABLE);
        assertTrue(both.isEmpty(), "ops both gradient-checked and listed as non-differentiable: " + both);
    }

    @Test
    void theCoverageCountIsWhatTheTablesClaim() {
        // Guards against an enumeration that silently finds nothing (a test that cannot fail).
        Map<String, Method> ops = OpCatalog.ops();
        assertTrue(ops.size() >= 120, "found only " + ops.size() + " ops: " + ops.keySet());
        assertTrue(ops.containsKey("Pointwise.exp") && ops.containsKey("Arithmetic.where(Tensor,Tensor,double)")
                && ops.containsKey("Joining.split(Tensor,int[],int)") && ops.containsKey("Reductions.maxDim"), ops.keySet().toString());
        assertEquals(ops.size(), covered().size() + NON_DIFFERENTIABLE.size(),
                "every op is counted exactly once, as covered or as reviewed");
    }

    @Test
    void nonDifferentiableOpsRecordNoHistory() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {0.5, -1, 2, 0}, 2, 2).requiresGrad(true);
        Tensor y = Tensor.of(DType.FLOAT64, new double[] {1, -1, 0, 3}, 2, 2).requiresGrad(true);
        Map<String, Tensor> results = new TreeMap<>();
        results.put("Pointwise.logicalNot", Pointwise.logicalNot(x));
        results.put("Pointwise.isNan", Pointwise.isNan(x));
        results.put("Pointwise.isInf", Pointwise.isInf(x));
        results.put("Pointwise.isFinite", Pointwise.isFinite(x));
        results.put("Arithmetic.eq", Arithmetic.eq(x, y));
        results.put("Arithmetic.ne", Arithmetic.ne(x, y));
        results.put("Arithmetic.lt", Arithmetic.lt(x, y));
        results.put("Arithmetic.le", Arithmetic.le(x, y));
        results.put("Arithmetic.gt", Arithmetic.gt(x, y));
        results.put("Arithmetic.ge", Arithmetic.ge(x, y));
        results.put("Arithmetic.logicalAnd", Arithmetic.logicalAnd(x, y));
        results.put("Arithmetic.logicalOr", Arithmetic.logicalOr(x, y));
        results.put("Arithmetic.logicalXor", Arithmetic.logicalXor(x, y));
        results.put("Reductions.argmax", Reductions.argmax(x, 1, false));
        results.put("Reductions.argmin", Reductions.argmin(x, 0, true));
        results.put("Reductions.all", Reductions.all(x, null, false));
        results.put("Reductions.any", Reductions.any(x, new int[] {1}, false));
        results.put("Indexing.nonzero", Indexing.nonzero(x));
        results.put("Indexing.oneHot", Indexing.oneHot(Tensor.of(new long[] {0, 2}, 2), 3));
        results.put("Indexing.argsort", Indexing.argsort(x, -1, false));
        assertEquals(NON_DIFFERENTIABLE, results.keySet());
        for (Map.Entry<String, Tensor> e : results.entrySet()) {
            assertFalse(e.getValue().requiresGrad(), e.getKey() + " recorded history");
            assertFalse(e.getValue().dtype().isFloating(), e.getKey() + " returned a float tensor");
        }
    }
}
