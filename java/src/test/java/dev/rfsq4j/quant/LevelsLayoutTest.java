package dev.rfsq4j.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rfsq4j.bindings.rfsq_h;
import dev.rfsq4j.bindings.rfsq_levels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The rfsq_levels struct as C lays it out: count at offset 0, then levels[16] from offset 4. */
class LevelsLayoutTest {
    @Test
    void writesTheCLayout() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment struct = rfsq_levels.allocate(arena);
            assertEquals(4 + 16 * 4, struct.byteSize());
            Levels.of(8, 5, 4, 3).writeTo(struct);
            assertEquals(4, struct.get(rfsq_h.C_INT, 0));
            int[] expected = {8, 5, 4, 3};
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], struct.get(rfsq_h.C_INT, 4 + 4L * i), "levels[" + i + "]");
            }
        }
    }
}
