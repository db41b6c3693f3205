package org.rlgrad.engine.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.random.ReplayedDraws.Draw;
import org.rlgrad.engine.random.ReplayedDraws.Kind;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

class ReplayedDrawsTest {
    private static ReplayedDraws twoDraws() {
        return new ReplayedDraws(List.of(
                new Draw("Normal.rsample", Kind.STANDARD_NORMAL, Tensor.of(DType.FLOAT64, new double[] {0.5, -1}, 2)),
                new Draw("randperm", Kind.RANDPERM, Tensor.of(new long[] {2, 0, 1}, 3))));
    }

    @Test
    void drawsComeBackInOrder() {
        ReplayedDraws r = twoDraws();
        assertArrayEquals(new double[] {0.5, -1}, r.standardNormal("Normal.rsample", new int[] {2}, DType.FLOAT64).toDoubleArray());
        assertArrayEquals(new long[] {2, 0, 1}, r.randperm("randperm", 3).toLongArray());
        assertEquals(2, r.used());
        r.checkAllUsed();
    }

    @Test
    void aDifferentRequestNamesBothDraws() {
        ReplayedDraws r = twoDraws();
        var e = assertThrows(IllegalStateException.class, () -> r.standardNormal("Normal.rsample", new int[] {3}, DType.FLOAT64));
        assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("[3]"), e.getMessage());
        var site = assertThrows(IllegalStateException.class, () -> r.standardNormal("Normal.sample", new int[] {2}, DType.FLOAT64));
        assertTrue(site.getMessage().contains("Normal.rsample") && site.getMessage().contains("Normal.sample"), site.getMessage());
        var kind = assertThrows(IllegalStateException.class, () -> r.uniform("Normal.rsample", new int[] {2}, DType.FLOAT64, 0, 1));
        assertTrue(kind.getMessage().contains("UNIFORM"), kind.getMessage());
    }

    @Test
    void runningOutOrLeavingDrawsUnusedIsAnError() {
        ReplayedDraws r = twoDraws();
        r.standardNormal("Normal.rsample", new int[] {2}, DType.FLOAT64);
        var unused = assertThrows(IllegalStateException.class, r::checkAllUsed);
        assertTrue(unused.getMessage().contains("1 of 2"), unused.getMessage());
        r.randperm("randperm", 3);
        var over = assertThrows(IllegalStateException.class, () -> r.randperm("randperm", 3));
        assertTrue(over.getMessage().contains("only 2"), over.getMessage());
    }
}
