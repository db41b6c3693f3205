package org.rlgrad.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rlgrad.engine.tensor.DType;
import org.rlgrad.engine.tensor.Tensor;

/** Spec losses.md §1.10: α, its bounds, in-place versus copy clamping, the automatic target entropy. */
class EntropyTemperatureTest {
    @Test
    void logAlphaStartsAtTheLogOfAlphaInitAndTrainsUnlessFixed() {
        EntropyTemperature t = new EntropyTemperature(0.5, null, null, false, DType.FLOAT64);
        assertEquals(Math.log(0.5), t.logAlpha().item(), 1e-15);
        assertTrue(t.logAlpha().requiresGrad());
        assertFalse(t.alpha().requiresGrad(), "α is read detached");
        assertEquals(0.5, t.alpha().item(), 1e-15);
        assertFalse(new EntropyTemperature(0.5, null, null, true, DType.FLOAT64).logAlpha().requiresGrad());
        assertFalse(t.bounded());
        assertNull(t.minLogAlpha());
    }

    @Test
    void oneBoundGivesTheOtherItsDefault() {
        EntropyTemperature onlyMin = new EntropyTemperature(1, 0.2, null, false, DType.FLOAT64);
        assertEquals(Math.log(0.2), onlyMin.minLogAlpha(), 1e-15);
        assertEquals(Math.log(1e9), onlyMin.maxLogAlpha(), 1e-12);
        EntropyTemperature onlyMax = new EntropyTemperature(1, null, 3.0, false, DType.FLOAT64);
        assertEquals(Double.NEGATIVE_INFINITY, onlyMax.minLogAlpha());
        assertEquals(Math.log(3), onlyMax.maxLogAlpha(), 1e-15);
        EntropyTemperature zeroMinIsAbsent = new EntropyTemperature(1, 0.0, null, false, DType.FLOAT64);
        assertFalse(zeroMinIsAbsent.bounded());
        assertThrows(IllegalArgumentException.class, () -> new EntropyTemperature(1, null, 0.0, false, DType.FLOAT64));
        assertThrows(IllegalArgumentException.class, () -> new EntropyTemperature(0, null, null, false, DType.FLOAT64));
        assertThrows(IllegalArgumentException.class, () -> new EntropyTemperature(1, 2.0, 1.0, false, DType.FLOAT64));
    }

    @Test
    void readingAlphaClampsTheStoredLogAlphaInPlaceButTheClampedCopyDoesNot() {
        EntropyTemperature inPlace = new EntropyTemperature(20, 0.1, 10.0, false, DType.FLOAT64);
        assertEquals(10, inPlace.alpha().item(), 1e-12);
        assertEquals(Math.log(10), inPlace.logAlpha().item(), 1e-15, "the stored value moved to the bound");

        EntropyTemperature copy = new EntropyTemperature(20, 0.1, 10.0, false, DType.FLOAT64);
        assertEquals(10, copy.clampedAlpha().item(), 1e-12);
        assertEquals(Math.log(20), copy.logAlpha().item(), 1e-15, "the stored value is untouched");
    }

    @Test
    void setAlphaOverwritesTheScalarInPlace() {
        EntropyTemperature t = new EntropyTemperature(1, null, null, false, DType.FLOAT32);
        Tensor before = t.logAlpha();
        t.setAlpha(0.25);
        assertTrue(before == t.logAlpha());
        assertEquals(DType.FLOAT32, t.logAlpha().dtype());
        assertEquals(0.25, t.alpha().item(), 1e-6);
    }

    @Test
    void automaticTargetEntropyIsMinusTheActionComponentsPerSample() {
        assertEquals(-6, EntropyTemperature.autoTargetEntropy(2, 3));
        assertEquals(-1, EntropyTemperature.autoTargetEntropy());
        Tensor action = Tensor.zeros(DType.FLOAT64, 5, 4, 2);
        assertEquals(-2, EntropyTemperature.autoTargetEntropy(action, 2));
        assertEquals(-8, EntropyTemperature.autoTargetEntropy(action, 1));
        assertThrows(IllegalArgumentException.class, () -> EntropyTemperature.autoTargetEntropy(action, 4));
    }
}
