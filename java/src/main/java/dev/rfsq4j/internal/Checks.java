package dev.rfsq4j.internal;

import dev.rfsq4j.DType;
import dev.rfsq4j.Device;
import dev.rfsq4j.Tensor;

import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Argument checks that every op wrapper runs before a native call, so a message can name the argument. Internal:
 * not exported by the module dev.rfsq4j.
 */
public final class Checks {
    private Checks() {}

    /**
     * Checks dtype and shape before any native call. {@code dims} holds a number (any integral {@link Number}: an
     * int, a long) for a required size or a String naming a free one, so the message shows the expected pattern:
     * "z must be float32 (B,4,H,W) for levels [8,8,8,4], got float32 (2,5,8,8)". Anything else is a programming
     * error and throws at once, so a size can never silently become a wildcard.
     */
    public static void expect(Tensor t, String name, DType dtype, String context, Object... dims) {
        Objects.requireNonNull(t, name);
        boolean ok = t.dtype() == dtype && t.rank() == dims.length;
        for (int i = 0; i < dims.length; i++) {
            Object d = dims[i];
            if (d instanceof Long || d instanceof Integer || d instanceof Short || d instanceof Byte) {
                ok &= i < t.rank() && t.dim(i) == ((Number) d).longValue();
            } else if (!(d instanceof String)) {
                throw new IllegalArgumentException("dimension " + i + " of the shape pattern for " + name
                        + " must be an integral number or a name, got " + d);
            }
        }
        if (!ok) {
            String pattern = Stream.of(dims).map(Object::toString).collect(Collectors.joining(",", "(", ")"));
            throw new IllegalArgumentException(
                    name + " must be " + dtype.label() + " " + pattern + context + ", got " + t.describe());
        }
    }

    /** Tensors of one call must share a device; checked here so the message can name the argument. */
    public static void sameDevice(Device device, String what, Tensor t) {
        if (t != null && t.device() != device) {
            throw new IllegalArgumentException(what + " belongs to another device (" + t.device() + ") than this op's ("
                    + device + "); use tensors from scopes of one Device");
        }
    }

    /** A fixed shape as {@link #expect} dims. */
    public static Object[] exactly(long... shape) {
        Object[] dims = new Object[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = shape[i];
        }
        return dims;
    }
}
