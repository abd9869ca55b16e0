package dev.rfsq4j.nn;

import static dev.rfsq4j.internal.Checks.exactly;
import static dev.rfsq4j.internal.Checks.expect;

import dev.rfsq4j.DType;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.bindings.rfsq_h;

/** ReLU, in place where the model allows it (its backward needs only the output). */
public final class Relu {
    private Relu() {}

    /** y = max(x, 0), NaN kept as PyTorch keeps it (a NaN weight shows up, never trains on as 0); y may be x. */
    public static void forward(Tensor x, Tensor y) {
        expect(y, "relu output", DType.F32, " like its input", exactly(x.shape()));
        long n = x.numel();
        x.device().call("rfsq_relu_forward", ctx -> rfsq_h.rfsq_relu_forward(ctx, x.address(), n, y.address()), x, y);
    }

    /** dx = 0 where y <= 0, else dy (NaN y included, as PyTorch's threshold_backward); dx may be dy. */
    public static void backward(Tensor y, Tensor dy, Tensor dx) {
        expect(y, "relu output", DType.F32, "", exactly(y.shape()));
        expect(dy, "relu output gradient", DType.F32, " like the output", exactly(y.shape()));
        expect(dx, "relu input gradient", DType.F32, " like the output", exactly(y.shape()));
        long n = y.numel();
        y.device().call("rfsq_relu_backward",
                ctx -> rfsq_h.rfsq_relu_backward(ctx, y.address(), dy.address(), n, dx.address()), y, dy, dx);
    }
}
