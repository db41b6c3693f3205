package org.rlgrad.engine.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Philox4x32-10 against the known-answer vectors of Random123 ({@code kat_vectors}, philox4x32_10). */
class PhiloxTest {
    private static int[] block(int c0, int c1, int c2, int c3, int k0, int k1) {
        int[] out = new int[4];
        Philox.block(c0, c1, c2, c3, k0, k1, out);
        return out;
    }

    @Test
    void zeroCounterAndKey() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, block(0, 0, 0, 0, 0, 0));
    }

    @Test
    void allOnes() {
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}, block(-1, -1, -1, -1, -1, -1));
    }

    @Test
    void digitsOfPi() {
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                block(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0));
    }

    @Test
    void uniformsLieInTheHalfOpenUnitInterval() {
        assertEquals(0f, Philox.uniformFloat(0));
        assertTrue(Philox.uniformFloat(-1) < 1f);
        assertEquals(1 - 0x1p-24f, Philox.uniformFloat(-1));
        assertEquals(0d, Philox.uniformDouble(0, 0));
        assertEquals(1 - 0x1p-53, Philox.uniformDouble(-1, -1));
    }

    @Test
    void boxMullerIsFiniteAtTheEndsOfTheInterval() {
        assertTrue(Double.isFinite(Philox.boxMullerFirst(0, 0)));
        assertTrue(Double.isFinite(Philox.boxMullerFirst(1 - 0x1p-53, 0.25)));
        assertEquals(Math.sqrt(-2 * Math.log(0.5)), Philox.boxMullerFirst(0.5, 0), 1e-15);
        assertEquals(Math.sqrt(-2 * Math.log(0.5)), Philox.boxMullerSecond(0.5, 0.25), 1e-15);
    }
}
