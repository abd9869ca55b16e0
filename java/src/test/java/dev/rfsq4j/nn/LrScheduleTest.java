package dev.rfsq4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The reference's AnnealingLR: the n-th update uses the count of updates done before it. */
class LrScheduleTest {
    @Test
    void warmupThenLinearDecayClampedAtZero() {
        LrSchedule s = new LrSchedule(8e-4, 5000, 500_000);
        assertEquals(0, s.at(1));
        assertEquals(8e-4 / 5000, s.at(2), 1e-18);
        assertEquals(8e-4 * 2500 / 5000, s.at(2501), 1e-18);
        assertEquals(8e-4, s.at(5001), 1e-18);
        assertEquals(8e-4 * (500_000 - 1) / 500_000, s.at(5002), 1e-18);
        assertEquals(8e-4 * 0.5, s.at(5001 + 250_000), 1e-18);
        assertEquals(0, s.at(505_001));
        assertEquals(0, s.at(900_000));
    }

    @Test
    void withoutWarmupTheFirstUpdateRunsAtThePeak() {
        LrSchedule s = new LrSchedule(1e-3, 0, 1000);
        assertEquals(1e-3, s.at(1));
        assertEquals(1e-3 * 999 / 1000, s.at(2), 1e-18);
    }

    @Test
    void badSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(-1, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1, -1, 10));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1, 0, 10).at(0));
    }
}
