package org.rlgrad.estimators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;
import org.rlgrad.engine.testing.Property;

/** The trajectory split of the vectorised fast path (spec estimators.md §4.1 and its utility examples in §7). */
class TrajectorySegmentsTest {
    @Test
    void lengthsWithoutDonesAndWithADoneHalfway() {
        int t = 7;
        assertArrayEquals(new long[] {t, t, t}, TrajectorySegments.lengths(Tensor.of(new boolean[3 * t], 3, t)));
        boolean[] half = new boolean[2 * t];
        half[t / 2] = true;
        half[t + t / 2] = true;
        assertArrayEquals(new long[] {t / 2 + 1, t - t / 2 - 1, t / 2 + 1, t - t / 2 - 1}, TrajectorySegments.lengths(Tensor.of(half, 2, t)));
    }

    @Test
    void theSpecSplitExample() {
        // [[0..4], [5..9]] with lengths [3, 2, 1, 4]: dones at columns 2 and 4 of row 0 and 0 and 4 of row 1.
        Tensor x = Tensor.arange(0, 10, 1, DType.FLOAT64).reshape(2, 5);
        Tensor done = Tensor.of(new boolean[] {false, false, true, false, true, true, false, false, false, true}, 2, 5);
        TrajectorySegments s = TrajectorySegments.of(done);
        assertArrayEquals(new long[] {3, 2, 1, 4}, s.lengths());
        assertArrayEquals(new double[] {0, 1, 2, 0, 3, 4, 0, 0, 5, 0, 0, 0, 6, 7, 8, 9}, s.split(x).toDoubleArray(), 0);
    }

    @Test
    void splitThenMergeIsTheIdentity() {
        Property.forAll("split/merge round trip", 30, gen -> {
            int n = gen.intIn(1, 4), t = gen.intIn(1, 9);
            Tensor x = gen.uniform(new int[] {n, t}, -1, 1);
            TrajectorySegments s = TrajectorySegments.of(gen.bools(new int[] {n, t}, gen.choose(0, 0.3, 1)));
            assertArrayEquals(x.toDoubleArray(), s.merge(s.split(x)).toDoubleArray(), 0);
        });
    }
}
