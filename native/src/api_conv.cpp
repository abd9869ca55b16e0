// Convolution entry points: validate every argument, then run the backend's convolution (oneDNN on the CPU,
// cuDNN on CUDA); the blocked layout's block and conversions (ops_conv.h).
#include "checks.h"

using namespace rfsq;

int rfsq::conv_block(const rfsq_ctx* ctx) { return is_cpu(ctx) ? cpu_conv_block() : 1; }

extern "C" {

static int conv_shape(const rfsq_conv_cfg* cfg, int64_t h, int64_t w, int64_t* oh, int64_t* ow, const char* op) {
    RFSQ_TRY(check_ptr(cfg, "cfg", op));
    if (cfg->in_channels < 1 || cfg->out_channels < 1 || cfg->kernel < 1 || cfg->stride < 1 || cfg->padding < 0 ||
        cfg->padding >= cfg->kernel || (cfg->transposed != 0 && cfg->transposed != 1) || cfg->in_channels > (1 << 16) ||
        cfg->out_channels > (1 << 16) || cfg->kernel > 64 || cfg->stride > 64)
        return fail(RFSQ_E_INVALID, op, "conv cfg (in %d, out %d, k %d, s %d, p %d, transposed %d) is invalid",
                    cfg->in_channels, cfg->out_channels, cfg->kernel, cfg->stride, cfg->padding, cfg->transposed);
    if (h < 1 || w < 1 || h > (1 << 20) || w > (1 << 20))
        return fail(RFSQ_E_INVALID, op, "input size %lld x %lld out of range", (long long)h, (long long)w);
    const int64_t k = cfg->kernel, s = cfg->stride, p = cfg->padding;
    *oh = cfg->transposed ? (h - 1) * s - 2 * p + k : (h + 2 * p - k) / s + 1;
    *ow = cfg->transposed ? (w - 1) * s - 2 * p + k : (w + 2 * p - k) / s + 1;
    if (*oh < 1 || *ow < 1 || (!cfg->transposed && (h + 2 * p < k || w + 2 * p < k)))
        return fail(RFSQ_E_INVALID, op, "input %lld x %lld is too small for kernel %lld", (long long)h, (long long)w, (long long)k);
    return RFSQ_OK;
}

int rfsq_conv_output_size(const rfsq_conv_cfg* cfg, int64_t h, int64_t w, int64_t* oh, int64_t* ow) {
    const char* op = "rfsq_conv_output_size";
    RFSQ_TRY(check_ptr(oh, "oh", op));
    RFSQ_TRY(check_ptr(ow, "ow", op));
    return conv_shape(cfg, h, w, oh, ow, op);
}

static int check_conv(const char* op, rfsq_ctx* ctx, const rfsq_conv_cfg* cfg, int64_t b, int64_t h, int64_t w, ConvShape* sh) {
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(conv_shape(cfg, h, w, &sh->oh, &sh->ow, op));
    RFSQ_TRY(check_dims(b, cfg->in_channels, h, w, op));
    RFSQ_TRY(check_dims(b, cfg->out_channels, sh->oh, sh->ow, op));
    sh->cfg = *cfg;
    sh->b = b;
    sh->h = h;
    sh->w = w;
    return RFSQ_OK;
}

static int forward(const char* op, rfsq_ctx* ctx, const rfsq_conv_cfg* cfg, const float* x, int64_t b, int64_t h, int64_t w,
                   const float* weight, const float* bias, int32_t flags, float* y) {
    ConvShape sh;
    RFSQ_TRY(check_conv(op, ctx, cfg, b, h, w, &sh));
    const int32_t allowed = RFSQ_CONV_X_BLOCKED | RFSQ_CONV_Y_BLOCKED | RFSQ_CONV_RELU;
    if (flags & ~allowed)
        return fail(RFSQ_E_INVALID, op, "flags 0x%x: a forward takes RFSQ_CONV_X_BLOCKED, _Y_BLOCKED and _RELU only", flags);
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(weight, "weight", op));
    RFSQ_TRY(check_ptr(bias, "bias", op));
    RFSQ_TRY(check_ptr(y, "y", op));
    sh.flags = flags;
    sh.block = conv_block(ctx);
    return guarded(op, [&] { return backend_of(ctx).conv_forward(ctx, sh, x, weight, bias, y); });
}

static int backward(const char* op, rfsq_ctx* ctx, const rfsq_conv_cfg* cfg, const float* x, int64_t b, int64_t h, int64_t w,
                    const float* weight, const float* dy, int32_t flags, float* dx, float* dweight, float* dbias) {
    ConvShape sh;
    RFSQ_TRY(check_conv(op, ctx, cfg, b, h, w, &sh));
    const int32_t allowed = RFSQ_CONV_X_BLOCKED | RFSQ_CONV_Y_BLOCKED | RFSQ_CONV_RELU_X;
    if (flags & ~allowed)
        return fail(RFSQ_E_INVALID, op, "flags 0x%x: a backward takes RFSQ_CONV_X_BLOCKED, _Y_BLOCKED and _RELU_X only", flags);
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(weight, "weight", op));
    RFSQ_TRY(check_ptr(dy, "dy", op));
    sh.flags = flags;
    sh.block = conv_block(ctx);
    return guarded(op, [&] { return backend_of(ctx).conv_backward(ctx, sh, x, weight, dy, dx, dweight, dbias); });
}

int rfsq_conv_forward(rfsq_ctx* ctx, const rfsq_conv_cfg* cfg, const float* x, int64_t b, int64_t h, int64_t w, const float* weight, const float* bias, float* y) {
    return forward("rfsq_conv_forward", ctx, cfg, x, b, h, w, weight, bias, 0, y);
}

int rfsq_conv_backward(rfsq_ctx* ctx, const rfsq_conv_cfg* cfg, const float* x, int64_t b, int64_t h, int64_t w, const float* weight, const float* dy, float* dx, float* dweight, float* dbias) {
    return backward("rfsq_conv_backward", ctx, cfg, x, b, h, w, weight, dy, 0, dx, dweight, dbias);
}

int rfsq_conv_forward_ex(rfsq_ctx* ctx, const rfsq_conv_cfg* cfg, const float* x, int64_t b, int64_t h, int64_t w, const float* weight, const float* bias, int32_t flags, float* y) {
    return forward("rfsq_conv_forward_ex", ctx, cfg, x, b, h, w, weight, bias, flags, y);
}

int rfsq_conv_backward_ex(rfsq_ctx* ctx, const rfsq_conv_cfg* cfg, const float* x, int64_t b, int64_t h, int64_t w, const float* weight, const float* dy, int32_t flags, float* dx, float* dweight, float* dbias) {
    return backward("rfsq_conv_backward_ex", ctx, cfg, x, b, h, w, weight, dy, flags, dx, dweight, dbias);
}

int rfsq_conv_block(rfsq_ctx* ctx, int32_t* block) {
    const char* op = "rfsq_conv_block";
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_ptr(block, "block", op));
    return guarded(op, [&] {
        *block = conv_block(ctx);
        return RFSQ_OK;
    });
}

int rfsq_blocked_convert(rfsq_ctx* ctx, const float* x, int64_t b, int64_t c, int64_t h, int64_t w, int32_t to_blocked, float* y) {
    const char* op = BlockedConvert::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_dims(b, c, h, w, op));
    if (to_blocked != 0 && to_blocked != 1) return fail(RFSQ_E_INVALID, op, "to_blocked %d must be 0 or 1", to_blocked);
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(y, "y", op));
    return guarded(op, [&] {
        const int32_t k = conv_block(ctx);
        RFSQ_TRY(check_dims(b, ceil_div(c, k) * k, h, w, op));
        const int64_t n = blocked_floats(b, c, h * w, k);
        return run(ctx, op, BlockedConvert{x, c, h * w, k, to_blocked, n, y}, chunk_launch(n));
    });
}

}  // extern "C"
