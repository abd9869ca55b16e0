// 2x2 pooling entry points (max-pool forward and backward for VGG16, average pooling for MS-SSIM): validate every
// argument, then hand the ops (ops_pool.h) to the context's backend, one team per (image, channel) plane.
#include "checks.h"

using namespace rfsq;

namespace {

int check_pool(rfsq_ctx* ctx, const float* x, int64_t b, int64_t c, int64_t h, int64_t w, const float* y,
               const char* y_name, const char* op) {
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_dims(b, c, h, w, op));
    if (h < 2 || w < 2)
        return fail(RFSQ_E_INVALID, op, "input %lld x %lld is smaller than the 2 x 2 window", (long long)h, (long long)w);
    RFSQ_TRY(check_ptr(x, "x", op));
    return check_ptr(y, y_name, op);
}

}  // namespace

extern "C" {

int rfsq_max_pool2x2_forward(rfsq_ctx* ctx, const float* x, int64_t b, int64_t c, int64_t h, int64_t w, float* y) {
    const char* op = MaxPoolForward::kName;
    RFSQ_TRY(check_pool(ctx, x, b, c, h, w, y, "y", op));
    return guarded(op, [&] { return run(ctx, op, MaxPoolForward{x, h, w, y}, Launch{b * c, 0}); });
}

int rfsq_max_pool2x2_backward(rfsq_ctx* ctx, const float* x, const float* dy, int64_t b, int64_t c, int64_t h, int64_t w, float* dx) {
    const char* op = MaxPoolBackward::kName;
    RFSQ_TRY(check_pool(ctx, x, b, c, h, w, dx, "dx", op));
    RFSQ_TRY(check_ptr(dy, "dy", op));
    return guarded(op, [&] { return run(ctx, op, MaxPoolBackward{x, dy, h, w, dx}, Launch{b * c, 0}); });
}

int rfsq_avg_pool2x2_forward(rfsq_ctx* ctx, const float* x, int64_t b, int64_t c, int64_t h, int64_t w, float* y) {
    const char* op = AvgPoolForward::kName;
    RFSQ_TRY(check_pool(ctx, x, b, c, h, w, y, "y", op));
    return guarded(op, [&] { return run(ctx, op, AvgPoolForward{x, h, w, y}, Launch{b * c, 0}); });
}

}  // extern "C"
