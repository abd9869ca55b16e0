package dev.rfsq4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Views into one allocation (the flat parameter store's mechanism), device-to-device and off-heap copies. */
@ExtendWith(NoLeaks.class)
class TensorViewTest {
    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void viewsShareTheirBasesMemoryAndLiveAsLongAsIt(Backend backend) {
        try (Device device = Backends.open(backend); Scope scope = Scope.open(device)) {
            Tensor base = scope.fromArray(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 10);
            Tensor middle = base.view(3, 2, 2);
            assertArrayEquals(new float[] {3, 4, 5, 6}, middle.toFloatArray());
            middle.copyFrom(new float[] {-3, -4, -5, -6});
            assertArrayEquals(new float[] {0, 1, 2, -3, -4, -5, -6, 7, 8, 9}, base.toFloatArray());
            assertArrayEquals(new float[] {-5, -6}, middle.view(2, 2).toFloatArray(), "a view of a view");
            assertArrayEquals(new long[] {4}, middle.reshape(4).shape());

            assertThrows(IllegalArgumentException.class, () -> base.view(8, 3));
            assertThrows(IllegalArgumentException.class, () -> base.view(-1, 2));
            assertThrows(IllegalArgumentException.class, () -> middle.reshape(5));
            IllegalStateException e = assertThrows(IllegalStateException.class, middle::free);
            assertTrue(e.getMessage().contains("is a view"), e.getMessage());
            base.free();
            assertFalse(middle.isLive());
            assertThrows(IllegalStateException.class, middle::toFloatArray);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void deviceAndOffHeapCopiesCheckSizesAndRefuseOverlap(Backend backend) {
        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device); Arena arena = Arena.ofConfined()) {
            Tensor a = scope.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 6);
            Tensor b = scope.allocate(DType.F32, 2, 3);
            b.copyFrom(a);
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, b.toFloatArray());
            assertThrows(IllegalArgumentException.class, () -> b.copyFrom(a.view(0, 5)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.view(0, 4).copyFrom(a.view(2, 4)));
            assertTrue(e.getMessage().contains("overlapping"), e.getMessage());
            a.view(0, 2).copyFrom(a.view(4, 2)); // disjoint parts of one tensor are fine
            assertArrayEquals(new float[] {5, 6, 3, 4, 5, 6}, a.toFloatArray());

            MemorySegment host = arena.allocate(6 * Float.BYTES);
            host.copyFrom(MemorySegment.ofArray(new float[] {9, 8, 7, 6, 5, 4}));
            b.copyFrom(host);
            assertArrayEquals(new float[] {9, 8, 7, 6, 5, 4}, b.toFloatArray());
            assertThrows(IllegalArgumentException.class, () -> b.copyFrom(host.asSlice(0, 5 * Float.BYTES)));
            e = assertThrows(IllegalArgumentException.class, () -> b.copyFrom(MemorySegment.ofArray(new float[6])));
            assertTrue(e.getMessage().contains("heap segment"), e.getMessage());
        }
    }

    /** A segment the caller may not use fails as any FFM access does, not with the binding layer's AssertionError. */
    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void offHeapCopiesFromAClosedOrForeignThreadSegmentFailAsFfmDoes(Backend backend) throws Exception {
        try (Device device = Backends.open(backend); Scope scope = Scope.open(device)) {
            Tensor t = scope.allocate(DType.F32, 4);
            Arena closed = Arena.ofConfined();
            MemorySegment gone = closed.allocate(4 * Float.BYTES);
            closed.close();
            assertThrows(IllegalStateException.class, () -> t.copyFrom(gone));
            try (Arena confined = Arena.ofConfined()) {
                MemorySegment mine = confined.allocate(4 * Float.BYTES);
                Throwable[] thrown = new Throwable[1];
                Thread other = Thread.ofPlatform().start(() -> {
                    try {
                        t.copyFrom(mine);
                    } catch (Throwable e) {
                        thrown[0] = e;
                    }
                });
                other.join();
                assertTrue(thrown[0] instanceof WrongThreadException, String.valueOf(thrown[0]));
            }
            t.copyFrom(new float[] {1, 2, 3, 4}); // the device is still usable
            assertArrayEquals(new float[] {1, 2, 3, 4}, t.toFloatArray());
        }
    }
}
