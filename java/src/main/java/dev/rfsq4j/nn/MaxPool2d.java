package dev.rfsq4j.nn;

import static dev.rfsq4j.internal.Checks.exactly;
import static dev.rfsq4j.internal.Checks.expect;

import dev.rfsq4j.DType;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.bindings.rfsq_h;

/**
 * Max-pooling over 2x2 windows with stride 2 (VGG16's), as PyTorch's max_pool2d(2): output (B,C,H/2,W/2) rounded
 * down, ties to the first element, NaN propagates; the backward routes each gradient to its window's maximum.
 */
public final class MaxPool2d {
    private MaxPool2d() {}

    /** Output shape (B,C,H/2,W/2) for x (B,C,H,W), H and W at least 2. */
    public static long[] outputShape(long[] x) {
        if (x.length != 4 || x[2] < 2 || x[3] < 2) {
            throw new IllegalArgumentException("max-pool 2x2 needs (B,C,H,W) with H, W >= 2, got " + Tensor.shapeString(x));
        }
        return new long[] {x[0], x[1], x[2] / 2, x[3] / 2};
    }

    public static void forward(Tensor x, Tensor y) {
        expect(x, "max-pool input", DType.F32, "", "B", "C", "H", "W");
        expect(y, "max-pool output", DType.F32, " for input " + x.describe(), exactly(outputShape(x.shape())));
        long b = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        x.device().call("rfsq_max_pool2x2_forward",
                ctx -> rfsq_h.rfsq_max_pool2x2_forward(ctx, x.address(), b, c, h, w, y.address()), x, y);
    }

    /** dx (like x) = dy at each window's maximum in x, 0 elsewhere. */
    public static void backward(Tensor x, Tensor dy, Tensor dx) {
        expect(x, "max-pool input", DType.F32, "", "B", "C", "H", "W");
        expect(dy, "max-pool output gradient", DType.F32, " for input " + x.describe(), exactly(outputShape(x.shape())));
        expect(dx, "max-pool input gradient", DType.F32, " like the input", exactly(x.shape()));
        long b = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        x.device().call("rfsq_max_pool2x2_backward",
                ctx -> rfsq_h.rfsq_max_pool2x2_backward(ctx, x.address(), dy.address(), b, c, h, w, dx.address()),
                x, dy, dx);
    }
}
