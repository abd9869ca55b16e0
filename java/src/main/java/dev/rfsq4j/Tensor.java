package dev.rfsq4j;

import dev.rfsq4j.bindings.rfsq_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A row-major float32 or int32 array in a device's memory, owned by a {@link Scope}. Host copies go through a
 * confined staging buffer; there is no element access from Java on purpose (every op is one native call).
 */
public final class Tensor {
    private final Scope scope;
    private final DType dtype;
    private final long[] shape;
    private final long numel;
    private final MemorySegment address;
    /** The allocation a view shares memory with; null for a tensor that owns its memory. */
    private final Tensor base;
    private volatile boolean freed;

    Tensor(Scope scope, DType dtype, long[] shape, MemorySegment address) {
        this(scope, dtype, shape, address, null);
    }

    private Tensor(Scope scope, DType dtype, long[] shape, MemorySegment address, Tensor base) {
        this.scope = scope;
        this.dtype = dtype;
        this.shape = shape;
        this.numel = checkShape(shape);
        this.address = address;
        this.base = base;
    }

    /**
     * A tensor of {@code shape} over this one's elements from {@code offset} on, sharing its memory (one flat
     * parameter buffer seen per layer, say). A view lives as long as the tensor it was made from and cannot be
     * freed on its own.
     */
    public Tensor view(long offset, long... shape) {
        long n = checkShape(shape);
        if (offset < 0 || offset > numel || n > numel - offset) {
            throw new IllegalArgumentException("a view of " + shapeString(shape) + " at element " + offset
                    + " does not fit in " + describe());
        }
        checkLive();
        Tensor owner = base == null ? this : base;
        MemorySegment at = MemorySegment.ofAddress(address.address() + offset * dtype.byteSize());
        return new Tensor(scope, dtype, shape.clone(), at, owner);
    }

    /** This tensor's elements under another shape of the same element count (a view). */
    public Tensor reshape(long... shape) {
        if (checkShape(shape) != numel) {
            throw new IllegalArgumentException("cannot reshape " + describe() + " to " + shapeString(shape));
        }
        return view(0, shape);
    }

    /** Copies src's elements (same dtype and element count) into this tensor on the device, in stream order. */
    public void copyFrom(Tensor src) {
        if (src.dtype != dtype || src.numel != numel) {
            throw new IllegalArgumentException("cannot copy " + src.describe() + " into " + describe());
        }
        long a = address.address(), b = src.address.address(), bytes0 = byteSize();
        if (src != this && a < b + bytes0 && b < a + bytes0) {
            throw new IllegalArgumentException("cannot copy between overlapping memory (views of one tensor)");
        }
        long bytes = byteSize();
        scope.device().call("rfsq_copy_on_device",
                ctx -> rfsq_h.rfsq_copy_on_device(ctx, address, src.address, bytes), this, src);
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int axis) {
        return shape[axis];
    }

    public long numel() {
        return numel;
    }

    public long byteSize() {
        return numel * dtype.byteSize();
    }

    public Scope scope() {
        return scope;
    }

    public Device device() {
        return scope.device();
    }

    /** The device pointer, for native calls; throws once the tensor is freed or its scope closed. */
    public MemorySegment address() {
        checkLive();
        return address;
    }

    /** Whether this tensor shares the memory of another (see {@link #view}). */
    public boolean isView() {
        return base != null;
    }

    public boolean isLive() {
        return base == null ? !freed && scope.isOpen() : base.isLive();
    }

    /** Frees this tensor now rather than when its scope closes. Idempotent. Views cannot be freed on their own. */
    public void free() {
        if (base != null) {
            throw new IllegalStateException("tensor " + describe() + " is a view; free the tensor it was made from");
        }
        scope.release(this);
    }

    public float[] toFloatArray() {
        checkDType(DType.F32);
        float[] out = new float[hostLength()];
        copyToHost(out, ValueLayout.JAVA_FLOAT);
        return out;
    }

    public int[] toIntArray() {
        checkDType(DType.I32);
        int[] out = new int[hostLength()];
        copyToHost(out, ValueLayout.JAVA_INT);
        return out;
    }

    public void copyFrom(float[] data) {
        checkDType(DType.F32);
        checkLength(data.length, shape);
        copyToDevice(data, ValueLayout.JAVA_FLOAT);
    }

    public void copyFrom(int[] data) {
        checkDType(DType.I32);
        checkLength(data.length, shape);
        copyToDevice(data, ValueLayout.JAVA_INT);
    }

    /**
     * Copies host memory (a native segment of exactly {@link #byteSize()} bytes, this tensor's element layout) in,
     * without the staging copy of the array overloads: for a buffer a caller refills and uploads every step.
     */
    public void copyFrom(MemorySegment host) {
        if (!host.isNative() || host.byteSize() != byteSize()) {
            throw new IllegalArgumentException("host memory must be a native segment of " + byteSize() + " bytes for "
                    + describe() + ", got " + (host.isNative() ? host.byteSize() + " bytes" : "a heap segment"));
        }
        long bytes = byteSize();
        scope.device().call("rfsq_copy_to_device", ctx -> rfsq_h.rfsq_copy_to_device(ctx, address, host, bytes), this);
    }

    /** dtype and shape as messages show them, e.g. {@code float32 (2,4,8,8)}. */
    public String describe() {
        return dtype.label() + " " + shapeString(shape);
    }

    @Override
    public String toString() {
        return "Tensor[" + describe() + " on " + scope.device() + (isLive() ? "" : ", freed") + "]";
    }

    /** A shape as messages show it, e.g. {@code (2,4,8,8)}. */
    public static String shapeString(long... shape) {
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(",", "(", ")"));
    }

    static long checkShape(long[] shape) {
        if (shape.length == 0) {
            throw new IllegalArgumentException("a tensor needs at least one dimension");
        }
        long n = 1;
        for (long d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("tensor dimensions must be > 0, got " + shapeString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    static void checkLength(int length, long[] shape) {
        long n = checkShape(shape);
        if (length != n) {
            throw new IllegalArgumentException(
                    "array of " + length + " elements does not match shape " + shapeString(shape) + " (" + n + " elements)");
        }
    }

    void checkUsableOn(Device device) {
        if (scope.device() != device) {
            throw new IllegalArgumentException("tensor " + describe() + " belongs to another device ("
                    + scope.device() + ") than this call's (" + device + "); use tensors from scopes of one Device");
        }
        checkLive();
    }

    /** The device pointer without the liveness check, for the scope that frees it. */
    MemorySegment rawAddress() {
        return address;
    }

    void markFreed() {
        freed = true;
    }

    private void checkLive() {
        if (base != null) {
            base.checkLive();
            return;
        }
        if (!scope.isOpen()) {
            throw new IllegalStateException("tensor " + describe() + " is used after its scope was closed");
        }
        if (freed) {
            throw new IllegalStateException("tensor " + describe() + " was freed");
        }
    }

    private void checkDType(DType expected) {
        if (dtype != expected) {
            throw new IllegalArgumentException("tensor is " + describe() + ", not " + expected.label());
        }
    }

    private int hostLength() {
        if (numel > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor " + describe() + " is too large for one Java array");
        }
        return (int) numel;
    }

    private void copyToHost(Object array, ValueLayout layout) {
        long bytes = byteSize();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(bytes, 64);
            scope.device().call("rfsq_copy_to_host", ctx -> rfsq_h.rfsq_copy_to_host(ctx, host, address, bytes), this);
            MemorySegment.copy(host, layout, 0, array, 0, (int) numel);
        }
    }

    private void copyToDevice(Object array, ValueLayout layout) {
        long bytes = byteSize();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(bytes, 64);
            MemorySegment.copy(array, 0, host, layout, 0, (int) numel);
            scope.device().call("rfsq_copy_to_device", ctx -> rfsq_h.rfsq_copy_to_device(ctx, address, host, bytes), this);
        }
    }
}
