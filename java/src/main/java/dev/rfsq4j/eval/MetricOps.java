package dev.rfsq4j.eval;

import static dev.rfsq4j.internal.Checks.exactly;
import static dev.rfsq4j.internal.Checks.expect;

import dev.rfsq4j.DType;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.bindings.rfsq_h;

/** The native image-metric ops (ops_metrics.h, and ops_pool.h's average pooling), checked before each call. */
final class MetricOps {
    private MetricOps() {}

    /** y = clamp(floor(x * scale[c] + shift[c] + 0.5), 0, 255): an 8-bit image's values, as float. */
    static void to8Bit(Tensor x, Tensor scale, Tensor shift, Tensor y) {
        expect(x, "images", DType.F32, "", "B", "C", "H", "W");
        expect(y, "8-bit images", DType.F32, " like the input", exactly(x.shape()));
        expect(scale, "scale", DType.F32, " (one per channel)", x.dim(1));
        expect(shift, "shift", DType.F32, " (one per channel)", x.dim(1));
        long b = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        x.device().call("rfsq_to_8bit", ctx -> rfsq_h.rfsq_to_8bit(ctx, x.address(), b, c, h, w, scale.address(),
                shift.address(), y.address()), x, scale, shift, y);
    }

    /** out (B,2) = (sum |a - b|, sum (a - b)^2) per image. */
    static void imageErrors(Tensor a, Tensor b, Tensor out) {
        expect(b, "target images", DType.F32, " like the images", exactly(a.shape()));
        expect(out, "error sums", DType.F32, "", a.dim(0), 2L);
        long batch = a.dim(0), n = a.numel() / batch;
        a.device().call("rfsq_image_errors", ctx -> rfsq_h.rfsq_image_errors(ctx, a.address(), b.address(), batch, n,
                out.address()), a, b, out);
    }

    /** out (B,C,2) = (mean SSIM, mean contrast-structure term) per plane, skimage's conventions. */
    static void ssim(Tensor x, Tensor y, double dataRange, boolean sampleCovariance, Tensor out) {
        expect(x, "images", DType.F32, "", "B", "C", "H", "W");
        expect(y, "target images", DType.F32, " like the images", exactly(x.shape()));
        expect(out, "ssim planes", DType.F32, "", x.dim(0), x.dim(1), 2L);
        long b = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        float range = (float) dataRange;
        int sample = sampleCovariance ? 1 : 0;
        x.device().call("rfsq_ssim", ctx -> rfsq_h.rfsq_ssim(ctx, x.address(), y.address(), b, c, h, w, range, sample,
                out.address()), x, y, out);
    }

    /** y (B,C,H/2,W/2) = means of 2x2 blocks of x. */
    static void avgPool(Tensor x, Tensor y) {
        expect(x, "images", DType.F32, "", "B", "C", "H", "W");
        expect(y, "pooled images", DType.F32, "", x.dim(0), x.dim(1), x.dim(2) / 2, x.dim(3) / 2);
        long b = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        x.device().call("rfsq_avg_pool2x2_forward",
                ctx -> rfsq_h.rfsq_avg_pool2x2_forward(ctx, x.address(), b, c, h, w, y.address()), x, y);
    }
}
