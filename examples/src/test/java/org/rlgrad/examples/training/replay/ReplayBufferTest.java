package org.rlgrad.examples.training.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.tensordict.Key;
import org.rlgrad.engine.tensordict.TensorDict;

class ReplayBufferTest {
    static RandomGenerator rng(long seed) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    @Test
    void aSampleHasTheLossesLayoutAndWholeTransitions() {
        ReplayBuffer buffer = new ReplayBuffer(100);
        int[] slots = buffer.extend(Transitions.batch(2, 3, 0));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, slots);
        assertEquals(6, buffer.size());
        TensorDict s = buffer.sample(32, rng(1));
        assertArrayEquals(new int[] {32}, s.batchSize());
        assertArrayEquals(new int[] {32, Transitions.OBS}, s.get("observation").shape());
        assertArrayEquals(new int[] {32}, s.get("action").shape());
        assertEquals(DType.INT64, s.get("action").dtype());
        assertArrayEquals(new int[] {32, 1}, s.get(Key.of("next", "reward")).shape());
        assertEquals(DType.FLOAT32, s.get(Key.of("next", "reward")).dtype());
        assertEquals(DType.BOOL, s.get(Key.of("next", "terminated")).dtype());
        assertArrayEquals(new int[] {32, 1}, s.get(Key.of("next", "done")).shape());
        Transitions.checkRows(s);
        for (int id : Transitions.ids(s)) assertTrue(id >= 0 && id < 6, "id " + id);
    }

    @Test
    void batchesAreFlattenedEnvironmentByEnvironment() {
        TransitionStorage storage = new TransitionStorage(10);
        TensorDict batch = Transitions.batch(2, 3, 0);
        storage.write(batch);
        // Slot 4 is environment 1, step 1 of the [2, 3] batch.
        TensorDict row = storage.gather(new int[] {4});
        assertArrayEquals(batch.get("observation").select(0, 1).select(0, 1).toDoubleArray(), row.get("observation").select(0, 0).toDoubleArray(), 0.0);
    }

    @Test
    void theOldestTransitionsAreOverwrittenOnceFull() {
        ReplayBuffer buffer = new ReplayBuffer(5);
        buffer.extend(Transitions.batch(1, 4, 0));
        int[] slots = buffer.extend(Transitions.batch(1, 3, 4));
        assertArrayEquals(new int[] {4, 0, 1}, slots, "ids 4, 5, 6 go to slots 4, 0, 1");
        assertEquals(5, buffer.size());
        TransitionStorage storage = buffer.storage;
        assertArrayEquals(new int[] {5, 6, 2, 3, 4}, Transitions.ids(storage.gather(new int[] {0, 1, 2, 3, 4})));
        assertEquals(7, storage.written());
        TensorDict s = buffer.sample(200, rng(2));
        Transitions.checkRows(s);
        for (int id : Transitions.ids(s)) assertTrue(id >= 2 && id <= 6, "only ids 2..6 remain, got " + id);
        // A batch larger than the whole buffer keeps its last rows.
        ReplayBuffer small = new ReplayBuffer(3);
        small.extend(Transitions.batch(1, 7, 10));
        int[] ids = Transitions.ids(small.storage.gather(new int[] {0, 1, 2}));
        Arrays.sort(ids);
        assertArrayEquals(new int[] {14, 15, 16}, ids);
    }

    @Test
    void everyTransitionIsEquallyLikely() {
        int n = 10, draws = 200_000;
        ReplayBuffer buffer = new ReplayBuffer(n);
        buffer.extend(Transitions.batch(1, n, 0));
        long[] counts = new long[n];
        RandomGenerator rng = rng(3);
        for (int k = 0; k < draws / 250; k++) for (int id : Transitions.ids(buffer.sample(250, rng))) counts[id]++;
        double chi2 = 0, expected = (double) draws / n;
        for (long c : counts) chi2 += (c - expected) * (c - expected) / expected;
        // The 99.9 % quantile of chi-square with 9 degrees of freedom is 27.88.
        assertTrue(chi2 < 27.88, "chi-square " + chi2 + " for counts " + Arrays.toString(counts));
    }

    @Test
    void mistakesAreNamed() {
        ReplayBuffer buffer = new ReplayBuffer(4);
        assertThrows(IllegalStateException.class, () -> buffer.sample(2, rng(4)));
        buffer.extend(Transitions.batch(1, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> buffer.sample(0, rng(4)));
        TensorDict other = Transitions.batch(1, 2, 0);
        other.set("extra", Tensor.of(new float[2], 1, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> buffer.extend(other));
        assertTrue(e.getMessage().contains("extra"), e.getMessage());
        TensorDict wide = Transitions.batch(1, 2, 0);
        wide.set("observation", Tensor.of(new float[8], 1, 2, 4));
        e = assertThrows(IllegalArgumentException.class, () -> buffer.extend(wide));
        assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("[4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ReplayBuffer(0));
    }
}
