package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.modules.EnsembleModule;
import org.rlgrad.engine.modules.TensorDictModuleBase;
import org.rlgrad.engine.modules.ValueOperator;
import org.rlgrad.engine.nn.Linear;
import org.rlgrad.engine.random.Generator;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.TensorDict;
import org.rlgrad.engine.vmap.Randomness;
import org.rlgrad.estimators.ValueEstimators;

/** Spec losses.md §1.3 and §1.6: critic ensembles registered by a loss, evaluated by vmap or by a loop. */
class EnsembleRegistrationTest {
    /** A loss holding one critic ensemble; its "loss" is the mean of every member's value. */
    private static final class CriticsLoss extends LossModule {
        CriticsLoss(List<? extends TensorDictModuleBase> members) {
            super("CriticsLoss", Map.of("state_value", "state_value"));
            registerEnsemble("critic", members, true);
        }

        CriticsLoss(TensorDictModuleBase member, int n, Generator g) {
            super("CriticsLoss", Map.of("state_value", "state_value"));
            registerEnsemble("critic", member, n, true, List.of(), g);
        }

        TensorDict values(TensorDict td, EnsembleModule.Layout layout) {
            return callEnsemble("critic", params("critic"), td, layout);
        }

        @Override
        protected TensorDict computeLosses(TensorDict td) {
            TensorDict out = new TensorDict();
            out.set("loss", values(td, EnsembleModule.Layout.SHARED).get("state_value").mean());
            return out;
        }

        @Override protected ValueEstimators defaultValueEstimator() { return ValueEstimators.TD0; }

        @Override protected Set<ValueEstimators> supportedValueEstimators() { return EnumSet.of(ValueEstimators.TD0); }
    }

    private static ValueOperator critic(long seed) {
        return new ValueOperator(new Linear(3, 1, true, DType.FLOAT64, new Generator(seed)));
    }

    private static TensorDict batch(int b) {
        TensorDict td = new TensorDict(b);
        td.set("observation", new Generator(5).normal(new int[] {b, 3}, DType.FLOAT64));
        return td;
    }

    @Test
    void membersAreStackedAndEachSeesTheSharedInput() {
        List<ValueOperator> members = List.of(critic(1), critic(2), critic(3));
        CriticsLoss loss = new CriticsLoss(members);
        TensorDict td = batch(4);
        Tensor v = loss.values(td, EnsembleModule.Layout.SHARED).get("state_value");
        assertArrayEquals(new int[] {3, 4, 1}, v.shapeRef());
        for (int k = 0; k < 3; k++) {
            Tensor alone = members.get(k).forward(td.copy()).get("state_value");
            assertArrayEquals(alone.toDoubleArray(), v.select(0, k).toDoubleArray(), 1e-14, "member " + k);
        }
        assertEquals(3, loss.ensemble("critic").size());
        assertArrayEquals(new int[] {3}, loss.params("critic").batchSize());
    }

    @Test
    void theLoopGivesTheVmapNumbersAndGradients() {
        List<ValueOperator> members = List.of(critic(1), critic(2));
        CriticsLoss vmapped = new CriticsLoss(members), looped = new CriticsLoss(members);
        looped.setDeactivateVmap(true);
        assertTrue(looped.deactivateVmap());
        Tensor a = vmapped.forward(batch(5)).get("loss"), b = looped.forward(batch(5)).get("loss");
        assertEquals(a.item(), b.item(), 1e-14);
        a.backward();
        b.backward();
        List<Tensor> pa = vmapped.parameters(), pb = looped.parameters();
        assertEquals(pa.size(), pb.size());
        for (int i = 0; i < pa.size(); i++) {
            assertNotNull(pa.get(i).grad());
            assertArrayEquals(pa.get(i).grad().toDoubleArray(), pb.get(i).grad().toDoubleArray(), 1e-14);
        }
    }

    @Test
    void theLoopRefusesSameRandomness() {
        CriticsLoss looped = new CriticsLoss(List.of(critic(1), critic(2)));
        looped.setDeactivateVmap(true).setVmapRandomness(Randomness.SAME);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> looped.forward(batch(2)));
        assertTrue(e.getMessage().contains("different") && e.getMessage().contains("error"), e.getMessage());
    }

    @Test
    void stackedLayoutGivesMemberKItsOwnSlice() {
        List<ValueOperator> members = List.of(critic(1), critic(2));
        CriticsLoss loss = new CriticsLoss(members);
        TensorDict stacked = new TensorDict(2, 3);
        stacked.set("observation", new Generator(9).normal(new int[] {2, 3, 3}, DType.FLOAT64));
        Tensor v = loss.values(stacked, EnsembleModule.Layout.STACKED).get("state_value");
        for (int k = 0; k < 2; k++) {
            TensorDict slice = new TensorDict(3);
            slice.set("observation", stacked.get("observation").select(0, k));
            assertArrayEquals(members.get(k).forward(slice).get("state_value").toDoubleArray(), v.select(0, k).toDoubleArray(), 1e-14);
        }
    }

    /** From one module every member, the first included, is re-drawn in the original tensor's [min, max]; the target is a detached copy. */
    @Test
    void oneModuleIsRedrawnWithinItsRangeAndTheTargetIsACopy() {
        ValueOperator one = critic(7);
        Linear linear = (Linear) one.module();
        double lo = linear.weight().min().item(), hi = linear.weight().max().item();
        CriticsLoss loss = new CriticsLoss(one, 4, new Generator(11));
        Tensor w = loss.params("critic").get(org.rlgrad.engine.tensordict.Key.parse(weightName(loss), "."));
        assertArrayEquals(new int[] {4, 1, 3}, w.shapeRef());
        assertTrue(w.requiresGrad());
        for (double x : w.toDoubleArray()) assertTrue(x >= lo && x <= hi, x + " outside [" + lo + ", " + hi + "]");
        assertFalse(java.util.Arrays.equals(w.select(0, 0).toDoubleArray(), linear.weight().toDoubleArray()), "member 0 is re-drawn too");
        for (Tensor t : loss.targetParams("critic").leaves().values()) {
            assertFalse(t.requiresGrad());
            assertTrue(loss.parameters().stream().noneMatch(p -> p.storage() == t.storage()));
        }
    }

    private static String weightName(CriticsLoss loss) {
        for (String name : loss.ensemble("critic").member().namedParameters().keySet()) if (name.endsWith("weight")) return name;
        throw new AssertionError("no weight");
    }
}
