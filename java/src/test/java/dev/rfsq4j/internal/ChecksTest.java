package dev.rfsq4j.internal;

import dev.rfsq4j.Backend;
import dev.rfsq4j.DType;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Checks.expect: an int, a long (any integral number) is a fixed size; a String a free one; nothing else. */
@ExtendWith(NoLeaks.class)
class ChecksTest {
    @Test
    void everyIntegralNumberIsAFixedSize() {
        try (Device device = Device.open(Backend.CPU); Scope scope = Scope.open(device)) {
            Tensor t = scope.allocate(DType.F32, 2, 4, 3, 3);
            assertDoesNotThrow(() -> Checks.expect(t, "z", DType.F32, "", "B", 4, "H", "W"));
            assertDoesNotThrow(() -> Checks.expect(t, "z", DType.F32, "", 2L, (short) 4, (byte) 3, "W"));
            // An int that does not match is enforced (it once fell through as a wildcard).
            var e = assertThrows(IllegalArgumentException.class,
                    () -> Checks.expect(t, "z", DType.F32, " for levels [8,8,8,4,4]", "B", 5, "H", "W"));
            assertEquals("z must be float32 (B,5,H,W) for levels [8,8,8,4,4], got float32 (2,4,3,3)", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Checks.expect(t, "z", DType.F32, "", "B", 4, "H"));
            assertThrows(IllegalArgumentException.class, () -> Checks.expect(t, "z", DType.I32, "", "B", 4, "H", "W"));
            var odd = assertThrows(IllegalArgumentException.class,
                    () -> Checks.expect(t, "z", DType.F32, "", "B", 4.0, "H", "W"));
            assertEquals("dimension 1 of the shape pattern for z must be an integral number or a name, got 4.0", odd.getMessage());
        }
    }
}
