package org.rlgrad.examples.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LinearScheduleTest {
    @Test
    void movesLinearlyThenStays() {
        LinearSchedule s = new LinearSchedule(1.0, 0.04, 100);
        assertEquals(1.0, s.at(0), 0.0);
        assertEquals(1.0 - 0.96 * 0.25, s.at(25), 1e-12);
        assertEquals(0.04, s.at(100), 0.0);
        assertEquals(0.04, s.at(10_000), 0.0);
        assertEquals(1.0, new LinearSchedule(0.4, 1.0, 0).at(0), 0.0, "no duration: the end at once");
        assertThrows(IllegalArgumentException.class, () -> new LinearSchedule(0, 1, -1));
    }
}
