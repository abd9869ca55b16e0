package dev.rfsq4j;

import dev.rfsq4j.bindings.rfsq_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Process-wide facts about the native library. */
public final class Native {
    private Native() {}

    /** ABI version of the loaded library (rfsq.h's RFSQ_ABI_VERSION). */
    public static int abiVersion() {
        return rfsq_h.rfsq_abi_version();
    }

    /** Usable CUDA devices; 0 when the CUDA backend is absent or no driver/GPU is usable. */
    public static int cudaDeviceCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(rfsq_h.C_INT);
            Status.check(rfsq_h.rfsq_cuda_device_count(count), "rfsq_cuda_device_count");
            return count.get(rfsq_h.C_INT, 0);
        }
    }

    /** Live native objects (contexts plus device buffers): a debug counter that makes leaks visible in tests. */
    public static long liveObjects() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(rfsq_h.C_LONG);
            Status.check(rfsq_h.rfsq_live_objects(count), "rfsq_live_objects");
            return count.get(rfsq_h.C_LONG, 0);
        }
    }
}
