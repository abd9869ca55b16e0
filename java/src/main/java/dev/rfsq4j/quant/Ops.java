package dev.rfsq4j.quant;

import dev.rfsq4j.DType;
import dev.rfsq4j.Device;
import dev.rfsq4j.Tensor;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Argument checks (public: the layers of dev.rfsq4j.nn use them too) and the call-then-clean-up pattern of the quantizers. */
public final class Ops {
    private Ops() {}

    /**
     * Checks dtype and shape before any native call. {@code dims} holds a Long for a required size or a String
     * naming a free one, so the message shows the expected pattern: "z must be float32 (B,4,H,W) for levels
     * [8,8,8,4], got float32 (2,5,8,8)".
     */
    public static void expect(Tensor t, String name, DType dtype, String context, Object... dims) {
        Objects.requireNonNull(t, name);
        boolean ok = t.dtype() == dtype && t.rank() == dims.length;
        for (int i = 0; ok && i < dims.length; i++) {
            ok = !(dims[i] instanceof Long size) || t.dim(i) == size;
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

    /** Runs one native call; if it fails, frees the outputs allocated for it before rethrowing. */
    static void run(Device device, String op, Device.NativeCall call, Tensor[] inputs, Tensor... outputs) {
        invoke(device, op, call, false, inputs, outputs);
    }

    /** Like {@link #run}, and on CUDA waits for the op, so bad data it finds fails here (see Device#callAndWait). */
    static void runAndWait(Device device, String op, Device.NativeCall call, Tensor[] inputs, Tensor... outputs) {
        invoke(device, op, call, true, inputs, outputs);
    }

    /** A fixed shape as {@link #expect} dims. */
    public static Object[] exactly(long... shape) {
        Object[] dims = new Object[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = shape[i];
        }
        return dims;
    }

    static Tensor[] in(Tensor... inputs) {
        return inputs;
    }

    private static void invoke(Device device, String op, Device.NativeCall call, boolean wait, Tensor[] inputs,
            Tensor[] outputs) {
        Tensor[] operands = Stream.concat(Stream.of(inputs), Stream.of(outputs)).toArray(Tensor[]::new);
        try {
            if (wait) {
                device.callAndWait(op, call, operands);
            } else {
                device.call(op, call, operands);
            }
        } catch (RuntimeException e) {
            for (Tensor t : outputs) {
                if (t != null && !t.isView()) {
                    t.free();
                }
            }
            throw e;
        }
    }
}
