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

    /**
     * Sets how many threads the CPU ops that the calling thread runs use from now on (OpenMP's thread count for this
     * thread, which oneDNN's convolutions follow too); other threads keep theirs. Results do not depend on it. One
     * context per worker thread with 1 thread each is the robust choice on a shared machine (see the README); set it
     * on a platform thread you own, before its first convolution.
     *
     * @throws RfsqException unless 1 <= threads <= 4096
     */
    public static void setCpuThreads(int threads) {
        Status.check(rfsq_h.rfsq_set_cpu_threads(threads), "rfsq_set_cpu_threads");
    }

    /** How many threads the CPU ops the calling thread runs use (the machine's cores unless set). */
    public static int cpuThreads() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment n = arena.allocate(rfsq_h.C_INT);
            Status.check(rfsq_h.rfsq_cpu_threads(n), "rfsq_cpu_threads");
            return n.get(rfsq_h.C_INT, 0);
        }
    }

    /** Live native objects (contexts plus device buffers): a debug counter that makes leaks visible in tests. */
    static long liveObjects() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(rfsq_h.C_LONG);
            Status.check(rfsq_h.rfsq_live_objects(count), "rfsq_live_objects");
            return count.get(rfsq_h.C_LONG, 0);
        }
    }
}
