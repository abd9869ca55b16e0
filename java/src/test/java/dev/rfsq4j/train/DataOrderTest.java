package dev.rfsq4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

class DataOrderTest {
    @Test
    void eachEpochIsAPermutationWithoutThePartialBatch() {
        DataOrder order = new DataOrder(10, 3, 1234);
        assertEquals(3, order.batchesPerEpoch());
        for (int epoch = 0; epoch < 3; epoch++) {
            BitSet seen = new BitSet();
            for (int i = 0; i < 3; i++) {
                for (int idx : order.batch(epoch * 3L + i)) {
                    assertFalse(seen.get(idx), "image " + idx + " twice in epoch " + epoch);
                    seen.set(idx);
                }
            }
            assertEquals(9, seen.cardinality());
        }
    }

    @Test
    void orderIsAFunctionOfSeedAndStepAlone() {
        DataOrder a = new DataOrder(100, 8, 42), b = new DataOrder(100, 8, 42), c = new DataOrder(100, 8, 43);
        int[] late = a.batch(37);
        a.batch(0);
        assertArrayEquals(late, a.batch(37));
        assertArrayEquals(late, b.batch(37));
        assertFalse(Arrays.equals(late, c.batch(37)));
        assertFalse(Arrays.equals(a.batch(0), a.batch(12)), "epochs 0 and 1 should differ");
    }

    @Test
    void tooFewImagesForOneBatchFails() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DataOrder(5, 8, 1));
        assertEquals("a batch of 8 needs at least 8 images, the data has 5", e.getMessage());
    }
}
