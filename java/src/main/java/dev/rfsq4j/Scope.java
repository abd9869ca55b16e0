package dev.rfsq4j;

import dev.rfsq4j.bindings.rfsq_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Owner of device memory: every tensor allocated here is freed when the scope closes, and using one afterwards
 * throws {@link IllegalStateException}. Thread-safe (its bookkeeping runs under the device lock).
 */
public final class Scope implements AutoCloseable {
    private final Device device;
    private final boolean poison;
    /** Live tensors in allocation order; a set (Tensor has identity equality) so that a free is O(1), not a scan. */
    private final Set<Tensor> tensors = new LinkedHashSet<>();
    private volatile boolean open = true;

    private Scope(Device device, boolean poison) {
        this.device = device;
        this.poison = poison;
        device.register(this);
    }

    public static Scope open(Device device) {
        return new Scope(device, false);
    }

    /**
     * Debug scope: every allocation starts filled with 0xFF bytes (NaN as float32, -1 as int32), so a test sees any
     * output element an op failed to write.
     */
    public static Scope openPoisoned(Device device) {
        return new Scope(device, true);
    }

    public Device device() {
        return device;
    }

    public boolean isOpen() {
        return open;
    }

    /** Uninitialized device memory (unless poisoned) of the given dtype and shape; every dimension must be > 0. */
    public Tensor allocate(DType dtype, long... shape) {
        long bytes = Math.multiplyExact(Tensor.checkShape(shape), (long) dtype.byteSize());
        return device.locked(() -> {
            checkOpen();
            Tensor tensor;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = arena.allocate(rfsq_h.C_POINTER);
                device.call("rfsq_alloc", ctx -> rfsq_h.rfsq_alloc(ctx, bytes, out));
                tensor = new Tensor(this, dtype, shape.clone(), out.get(rfsq_h.C_POINTER, 0));
            }
            tensors.add(tensor);
            if (poison) {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment host = arena.allocate(bytes).fill((byte) 0xFF);
                    device.call("rfsq_copy_to_device",
                            ctx -> rfsq_h.rfsq_copy_to_device(ctx, tensor.address(), host, bytes), tensor);
                }
            }
            return tensor;
        });
    }

    /** A float32 tensor holding a copy of {@code data}; its length must equal the product of {@code shape}. */
    public Tensor fromArray(float[] data, long... shape) {
        Tensor.checkLength(data.length, shape);
        Tensor t = allocate(DType.F32, shape);
        t.copyFrom(data);
        return t;
    }

    /** An int32 tensor holding a copy of {@code data}; its length must equal the product of {@code shape}. */
    public Tensor fromArray(int[] data, long... shape) {
        Tensor.checkLength(data.length, shape);
        Tensor t = allocate(DType.I32, shape);
        t.copyFrom(data);
        return t;
    }

    /** Frees every tensor this scope still owns. Idempotent. */
    @Override
    public void close() {
        device.locked(() -> {
            if (!open) {
                return null;
            }
            open = false;
            device.unregister(this);
            RuntimeException first = null;
            for (Tensor t : tensors) {
                try {
                    freeNative(t);
                } catch (RuntimeException e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
            tensors.clear();
            if (first != null) {
                throw first;
            }
            return null;
        });
    }

    @Override
    public String toString() {
        return "Scope[" + device + (open ? "" : ", closed") + "]";
    }

    void release(Tensor tensor) {
        device.locked(() -> {
            if (open && tensors.contains(tensor)) {
                freeNative(tensor); // first: a refused free leaves the tensor owned and usable
                tensors.remove(tensor);
            }
            return null;
        });
    }

    /** Frees t's memory, then marks it freed: a refused free (while a graph records) leaves t usable. */
    private void freeNative(Tensor t) {
        MemorySegment ptr = t.rawAddress();
        device.call("rfsq_free", ctx -> rfsq_h.rfsq_free(ctx, ptr));
        t.markFreed();
    }

    private void checkOpen() {
        if (!open) {
            throw new IllegalStateException("scope on " + device + " is closed");
        }
    }
}
