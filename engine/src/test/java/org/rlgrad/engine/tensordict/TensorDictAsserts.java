package org.rlgrad.engine.tensordict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Shape;
import org.rlgrad.engine.tensor.Tensor;

/** Shared builders and checks of the TensorDict tests. */
final class TensorDictAsserts {
    private TensorDictAsserts() {}

    /** float64 values {@code offset, offset + 1, ...} of the given shape: every element distinct, so a misplaced one shows. */
    static Tensor seq(double offset, int... shape) {
        double[] v = new double[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = offset + i;
        return Tensor.of(DType.FLOAT64, v, shape);
    }

    /** A root of batch [B] in the RL layout: observation, action, and under "next" observation, reward, done, terminated. */
    static TensorDict transition(int b) {
        TensorDict td = new TensorDict(b);
        td.set("observation", seq(0, b, 3));
        td.set("action", seq(100, b, 2));
        td.set(Key.of("next", "observation"), seq(200, b, 3));
        td.set(Key.of("next", "reward"), seq(300, b, 1));
        boolean[] done = new boolean[b];
        for (int i = 0; i < b; i++) done[i] = i % 2 == 1;
        td.set(Key.of("next", "done"), Tensor.of(done, b, 1));
        td.set(Key.of("next", "terminated"), Tensor.of(done, b, 1));
        return td;
    }

    static void assertTensorEquals(Tensor expected, Tensor got, String what) {
        assertEquals(expected.dtype(), got.dtype(), what + ": dtype");
        assertArrayEquals(expected.shape(), got.shape(), what + ": shape");
        assertArrayEquals(expected.toDoubleArray(), got.toDoubleArray(), 0, what + ": values");
    }

    static void assertTensorClose(Tensor expected, Tensor got, double tol, String what) {
        assertArrayEquals(expected.shape(), got.shape(), what + ": shape");
        assertArrayEquals(expected.toDoubleArray(), got.toDoubleArray(), tol, what + ": values");
    }

    /** Same batch size, same keys in the same order, equal leaves (dtype, shape, values). */
    static void assertTdEquals(TensorDict expected, TensorDict got) {
        assertArrayEquals(expected.batchSize(), got.batchSize(), "batch size");
        assertEquals(expected.keys(true, false), got.keys(true, false), "keys");
        for (Map.Entry<Key, Tensor> e : expected.leaves().entrySet()) assertTensorEquals(e.getValue(), got.get(e.getKey()), e.getKey().toString());
        for (Map.Entry<Key, Object> e : expected.items(true, false).entrySet()) {
            if (e.getValue() instanceof TensorDict d) assertArrayEquals(d.batchSize(), got.getTensorDict(e.getKey()).batchSize(), "batch size of " + e.getKey());
        }
    }

    static void assertMessageContains(Throwable e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "expected the message to contain <" + p + ">, got: " + e.getMessage());
    }
}
