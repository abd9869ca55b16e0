// Training building block entry points (ReLU, per-channel affine, L1 loss, sum of squares, Adam/AdamW):
// validate every argument, then hand the ops (ops_train.h) to the context's backend.
#include "checks.h"

using namespace rfsq;

extern "C" {

int rfsq_relu_forward(rfsq_ctx* ctx, const float* x, int64_t n, float* y) {
    const char* op = ReluForward::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_n(n, op));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(y, "y", op));
    return guarded(op, [&] { return run(ctx, op, ReluForward{x, n, y}, chunk_launch(n)); });
}

int rfsq_relu_backward(rfsq_ctx* ctx, const float* y, const float* dy, int64_t n, float* dx) {
    const char* op = ReluBackward::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_n(n, op));
    RFSQ_TRY(check_ptr(y, "y", op));
    RFSQ_TRY(check_ptr(dy, "dy", op));
    RFSQ_TRY(check_ptr(dx, "dx", op));
    return guarded(op, [&] { return run(ctx, op, ReluBackward{y, dy, n, dx}, chunk_launch(n)); });
}

int rfsq_channel_affine(rfsq_ctx* ctx, const float* x, int64_t b, int64_t c, int64_t h, int64_t w, const float* scale, const float* shift, float* y) {
    const char* op = ChannelAffine::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_dims(b, c, h, w, op));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(scale, "scale", op));
    RFSQ_TRY(check_ptr(shift, "shift", op));
    RFSQ_TRY(check_ptr(y, "y", op));
    return guarded(op, [&] { return run(ctx, op, ChannelAffine{x, c, h * w, scale, shift, y}, Launch{b * c, 0}); });
}

int rfsq_l1_loss(rfsq_ctx* ctx, const float* a, const float* b, int64_t n, float weight, float* loss, float* grad) {
    const char* op = L1Partial::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_n(n, op));
    RFSQ_TRY(check_ptr(a, "a", op));
    RFSQ_TRY(check_ptr(b, "b", op));
    RFSQ_TRY(check_ptr(loss, "loss", op));
    return guarded(op, [&] {
        L1Partial l1{a, b, n, weight, grad, nullptr};
        RFSQ_TRY(scratch_of(ctx, chunks(n), &l1.partial, op));
        RFSQ_TRY(run(ctx, op, l1, chunk_launch(n)));
        return run(ctx, op, PartialSum{l1.partial, chunks(n), weight / (float)n, loss}, Launch{1, 0});
    });
}

int rfsq_sum_squares(rfsq_ctx* ctx, const float* x, int64_t n, float* out) {
    const char* op = SquarePartial::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_n(n, op));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(out, "out", op));
    return guarded(op, [&] {
        float* partial = nullptr;
        RFSQ_TRY(scratch_of(ctx, chunks(n), &partial, op));
        RFSQ_TRY(run(ctx, op, SquarePartial{x, n, partial}, chunk_launch(n)));
        return run(ctx, op, PartialSum{partial, chunks(n), 1.0f, out}, Launch{1, 0});
    });
}

static int check_adam_cfg(const rfsq_adam_cfg* cfg, const char* op) {
    RFSQ_TRY(check_ptr(cfg, "cfg", op));
    const rfsq_adam_cfg& c = *cfg;
    if (!(c.lr >= 0) || !(c.beta1 >= 0 && c.beta1 < 1) || !(c.beta2 >= 0 && c.beta2 < 1) || !(c.eps > 0) ||
        !(c.weight_decay >= 0) || !(c.max_grad_norm >= 0) || c.step < 1 || (c.decoupled != 0 && c.decoupled != 1))
        return fail(RFSQ_E_INVALID, op, "adam cfg (lr %g, betas %g %g, eps %g, wd %g, max norm %g, decoupled %d, step %d) is invalid",
                    (double)c.lr, (double)c.beta1, (double)c.beta2, (double)c.eps, (double)c.weight_decay,
                    (double)c.max_grad_norm, c.decoupled, c.step);
    return RFSQ_OK;
}

// The per-step constants in double on the host, as PyTorch computes them in Python floats.
static void adam_constants(const rfsq_adam_cfg& c, float out[3]) {
    out[0] = (float)(1 - c.lr * c.weight_decay);
    out[1] = (float)(c.lr / (1 - pow(c.beta1, c.step)));
    out[2] = (float)sqrt(1 - pow(c.beta2, c.step));
}

static int adam(rfsq_ctx* ctx, const char* op, const rfsq_adam_cfg* cfg, const float* constants, float* param,
                const float* grad, float* m, float* v, int64_t n, const float* grad_sq) {
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_adam_cfg(cfg, op));
    RFSQ_TRY(check_n(n, op));
    RFSQ_TRY(check_ptr(param, "param", op));
    RFSQ_TRY(check_ptr(grad, "grad", op));
    RFSQ_TRY(check_ptr(m, "m", op));
    RFSQ_TRY(check_ptr(v, "v", op));
    const rfsq_adam_cfg& c = *cfg;
    if (c.max_grad_norm > 0) RFSQ_TRY(check_ptr(grad_sq, "grad_sq (needed for max_grad_norm > 0)", op));
    float k[3];
    adam_constants(c, k);
    const AdamStep step{(float)c.beta1, (float)(1 - c.beta1), (float)c.beta2, (float)(1 - c.beta2), (float)c.eps,
                        (float)c.weight_decay, (float)c.max_grad_norm, c.decoupled, k[0], k[1], k[2],
                        param, grad, m, v, n, grad_sq, constants};
    return guarded(op, [&] {
        return run(ctx, op, step, chunk_launch(n));
    });
}

int rfsq_adam_constants(const rfsq_adam_cfg* cfg, float* out) {
    const char* op = "rfsq_adam_constants";
    RFSQ_TRY(check_adam_cfg(cfg, op));
    RFSQ_TRY(check_ptr(out, "out", op));
    adam_constants(*cfg, out);
    return RFSQ_OK;
}

int rfsq_adam_step_device(rfsq_ctx* ctx, const rfsq_adam_cfg* cfg, const float* constants, float* param, const float* grad, float* m, float* v, int64_t n, const float* grad_sq) {
    RFSQ_TRY(check_ptr(constants, "constants", "rfsq_adam_step_device"));
    return adam(ctx, "rfsq_adam_step_device", cfg, constants, param, grad, m, v, n, grad_sq);
}

int rfsq_adam_step(rfsq_ctx* ctx, const rfsq_adam_cfg* cfg, float* param, const float* grad, float* m, float* v, int64_t n, const float* grad_sq) {
    return adam(ctx, AdamStep::kName, cfg, nullptr, param, grad, m, v, n, grad_sq);
}

}  // extern "C"
