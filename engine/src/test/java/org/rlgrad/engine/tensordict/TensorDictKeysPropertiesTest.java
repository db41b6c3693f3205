package org.rlgrad.engine.tensordict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.rlgrad.engine.tensordict.TensorDictAsserts.assertTdEquals;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.testing.Property;

/** Properties of key-level operations: flatten/unflatten keys, select/exclude partition, copies. */
class TensorDictKeysPropertiesTest {
    private static TensorDict randomTree(org.rlgrad.engine.testing.Gen gen) {
        int[] batch = gen.shape(0, 2);
        TensorDict td = new TensorDict(batch);
        int leaves = gen.intIn(1, 6);
        for (int i = 0; i < leaves; i++) {
            int depth = gen.intIn(1, 3);
            Object[] parts = new Object[depth];
            for (int k = 0; k < depth; k++) parts[k] = gen.oneOf("a", "b", "next", "agents");
            Key key = Key.of(parts);
            // Skip keys that would pass through a leaf or replace a dict: the tree stays well formed.
            if (td.find(key) instanceof TensorDict || blockedByLeaf(td, key)) continue;
            td.set(key, gen.uniform(TensorDictBatchOpsTest.concat(batch, gen.shape(0, 1)), -1, 1));
        }
        gen.note("keys", td.keys(true, true));
        return td;
    }

    private static boolean blockedByLeaf(TensorDict td, Key key) {
        for (int i = 1; i < key.size(); i++) if (td.find(Key.of(key.parts().subList(0, i))) instanceof org.rlgrad.engine.tensor.Tensor) return true;
        return false;
    }

    @Test
    void flattenKeysThenUnflattenIsIdentity() {
        Property.forAll("flattenKeys then unflattenKeys", 60, gen -> {
            TensorDict td = randomTree(gen);
            TensorDict flat = td.flattenKeys(".");
            for (Key k : flat.keys(true, false)) assertEquals(1, k.size(), "flat keys are plain");
            assertEquals(td.keys(true, true).size(), flat.keys().size());
            assertTdEquals(td, flat.unflattenKeys("."));
        });
    }

    @Test
    void selectAndExcludePartitionTheLeaves() {
        Property.forAll("select and exclude partition leaves", 60, gen -> {
            TensorDict td = randomTree(gen);
            var leaves = td.keys(true, true);
            java.util.List<Key> chosen = new java.util.ArrayList<>();
            for (Key k : leaves) if (gen.bool()) chosen.add(k);
            TensorDict in = td.select(chosen, true), out = td.exclude(chosen);
            assertEquals(leaves.size(), in.keys(true, true).size() + out.keys(true, true).size());
            for (Key k : chosen) assertEquals(td.get(k), in.get(k));
            TensorDict merged = out.copy().update(in);
            for (Key k : leaves) assertEquals(td.get(k), merged.get(k), "update(select) restores " + k);
        });
    }
}
