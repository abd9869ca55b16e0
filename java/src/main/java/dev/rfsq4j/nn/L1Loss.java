package dev.rfsq4j.nn;

import static dev.rfsq4j.internal.Checks.exactly;
import static dev.rfsq4j.internal.Checks.expect;

import dev.rfsq4j.DType;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.bindings.rfsq_h;
import java.lang.foreign.MemorySegment;

/** The reconstruction loss: weight * mean |a - b|, fused with its gradient (one pass, one scalar on the device). */
public final class L1Loss {
    private L1Loss() {}

    /** loss (1) = weight * mean|a - b| and grad = d loss / d a (grad may be null), both left on the device. */
    public static void compute(Tensor a, Tensor b, double weight, Tensor loss, Tensor grad) {
        expect(b, "target", DType.F32, " like the prediction", exactly(a.shape()));
        expect(loss, "loss", DType.F32, "", exactly(1));
        if (grad != null) {
            expect(grad, "loss gradient", DType.F32, " like the prediction", exactly(a.shape()));
        }
        long n = a.numel();
        float w = (float) weight;
        a.device().call("rfsq_l1_loss", ctx -> rfsq_h.rfsq_l1_loss(ctx, a.address(), b.address(), n, w, loss.address(),
                grad == null ? MemorySegment.NULL : grad.address()), a, b, loss, grad);
    }
}
