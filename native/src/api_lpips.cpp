// LPIPS head entry points (one VGG16 layer's distance term and its gradient, and the input gradient's per-channel
// scale-add): validate every argument, then hand the ops (ops_lpips.h) to the context's backend.
#include "checks.h"

using namespace rfsq;

namespace {

int check_layer(rfsq_ctx* ctx, const float* fa, const float* fb, int64_t b, int64_t c, int64_t h, int64_t w,
                const float* weight, int32_t accumulate, const void* out, const char* out_name, const char* op) {
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_dims(b, c, h, w, op));
    if (accumulate != 0 && accumulate != 1) return fail(RFSQ_E_INVALID, op, "accumulate %d must be 0 or 1", accumulate);
    RFSQ_TRY(check_ptr(fa, "fa", op));
    RFSQ_TRY(check_ptr(fb, "fb", op));
    RFSQ_TRY(check_ptr(weight, "weight", op));
    return check_ptr(out, out_name, op);
}

}  // namespace

extern "C" {

int rfsq_lpips_layer_forward(rfsq_ctx* ctx, const float* fa, const float* fb, int64_t b, int64_t c, int64_t h, int64_t w, const float* weight, int32_t accumulate, float* d) {
    const char* op = LpipsLayerForward::kName;
    RFSQ_TRY(check_layer(ctx, fa, fb, b, c, h, w, weight, accumulate, d, "d", op));
    return guarded(op, [&] { return run(ctx, op, LpipsLayerForward{fa, fb, c, h * w, weight, accumulate, d}, Launch{b, 0}); });
}

int rfsq_lpips_layer_backward(rfsq_ctx* ctx, const float* fa, const float* fb, int64_t b, int64_t c, int64_t h, int64_t w, const float* weight, float scale, int32_t accumulate, float* dfa) {
    const char* op = LpipsLayerBackward::kName;
    RFSQ_TRY(check_layer(ctx, fa, fb, b, c, h, w, weight, accumulate, dfa, "dfa", op));
    if (!isfinite(scale)) return fail(RFSQ_E_INVALID, op, "scale %g must be finite", (double)scale);
    return guarded(op, [&] {
        return run(ctx, op, LpipsLayerBackward{fa, fb, c, h * w, weight, scale, accumulate, dfa}, Launch{b, 0});
    });
}

int rfsq_channel_scale_add(rfsq_ctx* ctx, const float* x, int64_t b, int64_t c, int64_t h, int64_t w, const float* scale, float* y) {
    const char* op = ChannelScaleAdd::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_dims(b, c, h, w, op));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(scale, "scale", op));
    RFSQ_TRY(check_ptr(y, "y", op));
    return guarded(op, [&] { return run(ctx, op, ChannelScaleAdd{x, c, h * w, scale, y}, Launch{b * c, 0}); });
}

}  // extern "C"
