package dev.rfsq4j.quant;

import dev.rfsq4j.Device;
import dev.rfsq4j.Tensor;
import java.util.stream.Stream;

/** The call-then-clean-up pattern of the quantizers (argument checks: {@link dev.rfsq4j.internal.Checks}). */
final class Ops {
    private Ops() {}

    /** Runs one native call; if it fails, frees the outputs allocated for it before rethrowing. */
    static void run(Device device, String op, Device.NativeCall call, Tensor[] inputs, Tensor... outputs) {
        invoke(device, op, call, false, inputs, outputs);
    }

    /** Like {@link #run}, and on CUDA waits for the op, so bad data it finds fails here (see Device#callAndWait). */
    static void runAndWait(Device device, String op, Device.NativeCall call, Tensor[] inputs, Tensor... outputs) {
        invoke(device, op, call, true, inputs, outputs);
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
