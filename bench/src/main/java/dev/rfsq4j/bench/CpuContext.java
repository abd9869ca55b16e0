package dev.rfsq4j.bench;

import static dev.rfsq4j.bindings.rfsq_h.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/** A CPU context and its buffers, straight through the raw bindings; close() frees everything. */
final class CpuContext implements AutoCloseable {
    final MemorySegment ctx;
    private final List<MemorySegment> buffers = new ArrayList<>();

    CpuContext() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_POINTER);
            check(rfsq_ctx_create(RFSQ_DEVICE_CPU(), out), "rfsq_ctx_create");
            ctx = out.get(C_POINTER, 0);
        }
    }

    /** Device memory of bytes, freed by close(). */
    MemorySegment alloc(long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_POINTER);
            check(rfsq_alloc(ctx, bytes, out), "rfsq_alloc");
            MemorySegment p = out.get(C_POINTER, 0);
            buffers.add(p);
            return p;
        }
    }

    /** A device copy of values. */
    MemorySegment upload(float[] values) {
        MemorySegment dst = alloc(4L * values.length);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocateFrom(ValueLayout.JAVA_FLOAT, values);
            check(rfsq_copy_to_device(ctx, dst, src, src.byteSize()), "rfsq_copy_to_device");
        }
        return dst;
    }

    static void check(int rc, String what) {
        if (rc != RFSQ_OK()) {
            throw new IllegalStateException(what + " failed (" + rc + "): " + rfsq_last_error().getString(0));
        }
    }

    @Override
    public void close() {
        for (MemorySegment p : buffers) check(rfsq_free(ctx, p), "rfsq_free");
        buffers.clear();
        check(rfsq_ctx_destroy(ctx), "rfsq_ctx_destroy");
    }
}
