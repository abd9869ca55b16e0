// Image metric entry points (8-bit conversion, per-image error sums, SSIM planes): validate every argument, then
// hand the ops (ops_metrics.h) to the context's backend.
#include <math.h>

#include "checks.h"

using namespace rfsq;

extern "C" {

int rfsq_to_8bit(rfsq_ctx* ctx, const float* x, int64_t b, int64_t c, int64_t h, int64_t w, const float* scale, const float* shift, float* y) {
    const char* op = To8Bit::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_dims(b, c, h, w, op));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(scale, "scale", op));
    RFSQ_TRY(check_ptr(shift, "shift", op));
    RFSQ_TRY(check_ptr(y, "y", op));
    return guarded(op, [&] { return run(ctx, op, To8Bit{x, c, h * w, scale, shift, y}, Launch{b * c, 0}); });
}

int rfsq_image_errors(rfsq_ctx* ctx, const float* a, const float* b, int64_t batch, int64_t n, float* out) {
    const char* op = ImageErrors::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_dims(batch, 1, 1, n, op));
    RFSQ_TRY(check_ptr(a, "a", op));
    RFSQ_TRY(check_ptr(b, "b", op));
    RFSQ_TRY(check_ptr(out, "out", op));
    return guarded(op, [&] { return run(ctx, op, ImageErrors{a, b, n, out}, Launch{batch, 0}); });
}

int rfsq_ssim(rfsq_ctx* ctx, const float* x, const float* y, int64_t b, int64_t c, int64_t h, int64_t w, float data_range, int32_t sample_covariance, float* out) {
    const char* op = Ssim::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_dims(b, c, h, w, op));
    if (h < kSsimTaps || w < kSsimTaps)
        return fail(RFSQ_E_INVALID, op, "images of %lld x %lld are smaller than the %d x %d window", (long long)h,
                    (long long)w, kSsimTaps, kSsimTaps);
    if (!(data_range > 0) || !isfinite(data_range))
        return fail(RFSQ_E_INVALID, op, "data_range %g must be finite and > 0", (double)data_range);
    if (sample_covariance != 0 && sample_covariance != 1)
        return fail(RFSQ_E_INVALID, op, "sample_covariance %d must be 0 or 1", sample_covariance);
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(y, "y", op));
    RFSQ_TRY(check_ptr(out, "out", op));
    Ssim s{x, y, h, w, 0, 0, 0, {}, out};
    const double r = data_range, np = (double)kSsimTaps * kSsimTaps;
    s.c1 = (0.01 * r) * (0.01 * r);
    s.c2 = (0.03 * r) * (0.03 * r);
    s.cov_norm = sample_covariance ? np / (np - 1) : 1.0;
    double total = 0;  // scipy.ndimage's _gaussian_kernel1d(1.5, 0, 5)
    for (int k = 0; k < kSsimTaps; ++k) total += s.taps[k] = exp(-0.5 / (1.5 * 1.5) * (double)((k - kSsimRadius) * (k - kSsimRadius)));
    for (double& t : s.taps) t /= total;
    return guarded(op, [&] { return run(ctx, op, s, Launch{b * c, ssim_work_floats(w)}); });
}

}  // extern "C"
