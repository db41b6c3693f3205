package org.rlgrad.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.Tensor;

/** int64 scatter and scatter_add keep every bit: values past 2^53 do not pass through a double. */
class Int64ScatterTest {
    private static final long BIG = (1L << 53) + 1; // the first long a double cannot hold

    @Test
    void scatterWritesLargeLongsExactly() {
        Tensor base = Tensor.of(new long[] {0, 0, 0}, 3);
        Tensor index = Tensor.of(new long[] {2, 0}, 2);
        Tensor src = Tensor.of(new long[] {BIG, Long.MAX_VALUE}, 2);
        assertArrayEquals(new long[] {Long.MAX_VALUE, 0, BIG}, base.scatter(0, index, src).toLongArray());
    }

    @Test
    void scatterAddAddsLargeLongsExactly() {
        Tensor base = Tensor.of(new long[] {BIG, 1, 0}, 3);
        Tensor index = Tensor.of(new long[] {0, 0, 1}, 3);
        Tensor src = Tensor.of(new long[] {2, 2, BIG}, 3);
        assertArrayEquals(new long[] {BIG + 4, BIG + 1, 0}, base.scatterAdd(0, index, src).toLongArray());
    }
}
