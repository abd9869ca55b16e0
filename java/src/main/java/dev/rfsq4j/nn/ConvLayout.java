package dev.rfsq4j.nn;

import static dev.rfsq4j.internal.Checks.exactly;
import static dev.rfsq4j.internal.Checks.expect;
import static dev.rfsq4j.internal.Checks.sameDevice;

import dev.rfsq4j.DType;
import dev.rfsq4j.Device;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.bindings.rfsq_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * How (B,C,H,W) activations lie in memory: NCHW, or the device's blocked layout (rfsq_conv_block: oneDNN's
 * nChw16c on a CPU with AVX-512, nChw8c with AVX2; the same as NCHW on CUDA), in which a model keeps the activations
 * between its convolutions so that no call converts them. A blocked tensor has the shape {@link #shape} gives,
 * (B, C rounded up to the channel block, H, W), and its contents are only meaningful to the convolutions and to
 * {@link #fromBlocked}.
 */
public enum ConvLayout {
    NCHW,
    BLOCKED;

    /** The channel block k of device's blocked layout: (B, ceil(C/k), H, W, k) floats; 1 means plain NCHW. */
    public static int channelBlock(Device device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(rfsq_h.C_INT);
            device.call("rfsq_conv_block", ctx -> rfsq_h.rfsq_conv_block(ctx, out));
            return out.get(rfsq_h.C_INT, 0);
        }
    }

    /** The shape of a tensor that holds (B,C,H,W) activations in this layout on device. */
    public long[] shape(Device device, long[] nchw) {
        if (nchw.length != 4) {
            throw new IllegalArgumentException("activations are (B,C,H,W), got " + Tensor.shapeString(nchw));
        }
        if (this == NCHW) {
            return nchw.clone();
        }
        long k = channelBlock(device);
        return new long[] {nchw[0], (nchw[1] + k - 1) / k * k, nchw[2], nchw[3]};
    }

    /** Copies x (B,C,H,W) in NCHW into y, shaped {@code BLOCKED.shape(device, x.shape())}, in the blocked layout. */
    public static void toBlocked(Tensor x, Tensor y) {
        convert(x, x.shape(), y, true);
    }

    /** Copies x, blocked activations of logical shape y.shape() = (B,C,H,W), into y in NCHW. */
    public static void fromBlocked(Tensor x, Tensor y) {
        convert(x, y.shape(), y, false);
    }

    private static void convert(Tensor x, long[] nchw, Tensor y, boolean toBlocked) {
        Tensor plain = toBlocked ? x : y, blocked = toBlocked ? y : x;
        expect(plain, "NCHW activations", DType.F32, "", "B", "C", "H", "W");
        Device device = plain.device();
        sameDevice(device, "blocked activations", blocked);
        expect(blocked, "blocked activations", DType.F32, " for " + plain.describe(), exactly(BLOCKED.shape(device, nchw)));
        device.call("rfsq_blocked_convert", ctx -> rfsq_h.rfsq_blocked_convert(ctx, x.address(), nchw[0], nchw[1], nchw[2],
                nchw[3], toBlocked ? 1 : 0, y.address()), x, y);
    }
}
