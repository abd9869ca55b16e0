package dev.rfsq4j.eval;

import static dev.rfsq4j.internal.Checks.exactly;
import static dev.rfsq4j.internal.Checks.expect;

import dev.rfsq4j.DType;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.bindings.rfsq_h;

/** The native LPIPS layer head (ops_lpips.h): one VGG16 layer's distance term and its gradient. */
final class LpipsHead {
    private LpipsHead() {}

    /** d (B) = (d +) mean over positions of sum_c weight[c] (fa/|fa| - fb/|fb|)^2. */
    static void forward(Tensor fa, Tensor fb, Tensor weight, boolean accumulate, Tensor d) {
        expect(fa, "features", DType.F32, "", "B", "C", "H", "W");
        expect(fb, "target features", DType.F32, " like the features", exactly(fa.shape()));
        expect(weight, "linear weight", DType.F32, " (one per channel)", fa.dim(1));
        expect(d, "distances", DType.F32, " (one per image)", fa.dim(0));
        long b = fa.dim(0), c = fa.dim(1), h = fa.dim(2), w = fa.dim(3);
        int acc = accumulate ? 1 : 0;
        fa.device().call("rfsq_lpips_layer_forward", ctx -> rfsq_h.rfsq_lpips_layer_forward(ctx, fa.address(),
                fb.address(), b, c, h, w, weight.address(), acc, d.address()), fa, fb, weight, d);
    }

    /** dfa = (dfa +) scale * d(layer term)/d fa. */
    static void backward(Tensor fa, Tensor fb, Tensor weight, double scale, boolean accumulate, Tensor dfa) {
        expect(fa, "features", DType.F32, "", "B", "C", "H", "W");
        expect(fb, "target features", DType.F32, " like the features", exactly(fa.shape()));
        expect(weight, "linear weight", DType.F32, " (one per channel)", fa.dim(1));
        expect(dfa, "feature gradient", DType.F32, " like the features", exactly(fa.shape()));
        long b = fa.dim(0), c = fa.dim(1), h = fa.dim(2), w = fa.dim(3);
        int acc = accumulate ? 1 : 0;
        float s = (float) scale;
        fa.device().call("rfsq_lpips_layer_backward", ctx -> rfsq_h.rfsq_lpips_layer_backward(ctx, fa.address(),
                fb.address(), b, c, h, w, weight.address(), s, acc, dfa.address()), fa, fb, weight, dfa);
    }
}
