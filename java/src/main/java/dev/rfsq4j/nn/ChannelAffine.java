package dev.rfsq4j.nn;

import static dev.rfsq4j.internal.Checks.exactly;
import static dev.rfsq4j.internal.Checks.expect;

import dev.rfsq4j.DType;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.bindings.rfsq_h;

/** Per-channel affine maps of (B,C,H,W) tensors (rfsq_channel_affine, rfsq_channel_scale_add). */
public final class ChannelAffine {
    private ChannelAffine() {}

    /** y = x * scale[c] + shift[c]; y may be x. */
    public static void apply(Tensor x, Tensor scale, Tensor shift, Tensor y) {
        expect(x, "input", DType.F32, "", "B", "C", "H", "W");
        expect(y, "output", DType.F32, " like the input", exactly(x.shape()));
        expect(scale, "scale", DType.F32, " (one per channel)", x.dim(1));
        expect(shift, "shift", DType.F32, " (one per channel)", x.dim(1));
        long b = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        x.device().call("rfsq_channel_affine", ctx -> rfsq_h.rfsq_channel_affine(ctx, x.address(), b, c, h, w,
                scale.address(), shift.address(), y.address()), x, y, scale, shift);
    }

    /** y += x * scale[c] (accumulates an input gradient through a per-channel scale). */
    public static void scaleAdd(Tensor x, Tensor scale, Tensor y) {
        expect(x, "input", DType.F32, "", "B", "C", "H", "W");
        expect(y, "accumulator", DType.F32, " like the input", exactly(x.shape()));
        expect(scale, "scale", DType.F32, " (one per channel)", x.dim(1));
        long b = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        x.device().call("rfsq_channel_scale_add", ctx -> rfsq_h.rfsq_channel_scale_add(ctx, x.address(), b, c, h, w,
                scale.address(), y.address()), x, scale, y);
    }
}
