// RFSQ entry points (stage building blocks, the fused K-stage ops, decode, running statistics): validate every
// argument, then hand the ops (ops_rfsq.h) to the context's backend.
#include "checks.h"
#include "rfsq_testing.h"  // the stage building blocks: tests call them alone

using namespace rfsq;

namespace {

int check_cfg(const rfsq_rfsq_cfg* cfg, const char* op) {
    if (!cfg) return fail(RFSQ_E_INVALID, op, "cfg is NULL");
    if (int st = check_levels(&cfg->levels, op)) return st;
    if (cfg->stages < 1 || cfg->stages > RFSQ_MAX_STAGES)
        return fail(RFSQ_E_INVALID, op, "stages %d must be in 1..%d", cfg->stages, RFSQ_MAX_STAGES);
    if (cfg->strategy < RFSQ_STRATEGY_NONE || cfg->strategy > RFSQ_STRATEGY_LAYERNORM)
        return fail(RFSQ_E_INVALID, op, "strategy %d is not one of RFSQ_STRATEGY_*", cfg->strategy);
    return RFSQ_OK;
}

RfsqShape shape_of(const rfsq_rfsq_cfg* cfg, int64_t b, int64_t h, int64_t w) {
    return RfsqShape{make_fsq_consts(cfg->levels), cfg->stages, cfg->strategy, h * w, b};
}

}  // namespace

extern "C" {

int rfsq_residual_sub(rfsq_ctx* ctx, const float* r, const float* q, int64_t n, float* out) {
    const char* op = ResidualSub::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_ptr(r, "r", op));
    RFSQ_TRY(check_ptr(q, "q", op));
    RFSQ_TRY(check_ptr(out, "out", op));
    RFSQ_TRY(check_n(n, op));
    return guarded(op, [&] { return run(ctx, op, ResidualSub{r, q, n, out}, residual_sub_launch(n)); });
}

int rfsq_scale_forward(rfsq_ctx* ctx, const rfsq_levels* levels, const float* theta, const float* x, int64_t b, int64_t h, int64_t w, float* q) {
    const char* op = ScaleForward::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_levels(levels, op));
    RFSQ_TRY(check_dims(b, levels->count, h, w, op));
    RFSQ_TRY(check_ptr(theta, "theta", op));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(q, "q", op));
    return guarded(op, [&] { return run(ctx, op, ScaleForward{make_fsq_consts(*levels), theta, x, h * w, q}, Launch{b, 0}); });
}

static int check_layernorm(const char* op, rfsq_ctx* ctx, const float* in, int64_t b, int64_t c, int64_t h, int64_t w,
                           const float* gamma, const float* beta, const float* stats, const float* out) {
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_dims(b, c, h, w, op));
    if (c > RFSQ_MAX_LEVELS) return fail(RFSQ_E_INVALID, op, "channels %lld exceed %d", (long long)c, RFSQ_MAX_LEVELS);
    RFSQ_TRY(check_ptr(in, "input", op));
    RFSQ_TRY(check_ptr(gamma, "gamma", op));
    RFSQ_TRY(check_ptr(beta, "beta", op));
    RFSQ_TRY(check_ptr(stats, "stats", op));
    return check_ptr(out, "out", op);
}

int rfsq_layernorm_forward(rfsq_ctx* ctx, const float* x, int64_t b, int64_t c, int64_t h, int64_t w, const float* gamma, const float* beta, float* n, float* stats) {
    const char* op = LayerNormForward::kName;
    RFSQ_TRY(check_layernorm(op, ctx, x, b, c, h, w, gamma, beta, stats, n));
    return guarded(op, [&] { return run(ctx, op, LayerNormForward{x, (int32_t)c, h * w, gamma, beta, n, stats}, Launch{b, 0}); });
}

int rfsq_layernorm_inverse(rfsq_ctx* ctx, const float* y, int64_t b, int64_t c, int64_t h, int64_t w, const float* gamma, const float* beta, const float* stats, float* out) {
    const char* op = LayerNormInverse::kName;
    RFSQ_TRY(check_layernorm(op, ctx, y, b, c, h, w, gamma, beta, stats, out));
    return guarded(op, [&] { return run(ctx, op, LayerNormInverse{y, (int32_t)c, h * w, gamma, beta, stats, out}, Launch{b, 0}); });
}

int rfsq_rfsq_param_count(const rfsq_rfsq_cfg* cfg, int64_t* count) {
    const char* op = "rfsq_rfsq_param_count";
    RFSQ_TRY(check_cfg(cfg, op));
    RFSQ_TRY(check_ptr(count, "count", op));
    *count = shape_of(cfg, 1, 1, 1).param_count();
    return RFSQ_OK;
}

static int check_rfsq(const char* op, rfsq_ctx* ctx, const rfsq_rfsq_cfg* cfg, int64_t b, int64_t h, int64_t w, const float* params) {
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_cfg(cfg, op));
    RFSQ_TRY(check_dims(b, cfg->levels.count, h, w, op));
    if (cfg->strategy != RFSQ_STRATEGY_NONE) RFSQ_TRY(check_ptr(params, "params", op));
    return RFSQ_OK;
}

int rfsq_rfsq_forward(rfsq_ctx* ctx, const rfsq_rfsq_cfg* cfg, const float* z, int64_t b, int64_t h, int64_t w, const float* params, const float* running, float* zhat, int32_t* idx, float* stats, float* rnorm) {
    const char* op = RfsqForward::kName;
    RFSQ_TRY(check_rfsq(op, ctx, cfg, b, h, w, params));
    RFSQ_TRY(check_ptr(z, "z", op));
    RFSQ_TRY(check_ptr(zhat, "zhat", op));
    return guarded(op, [&] {
        const RfsqShape sh = shape_of(cfg, b, h, w);
        return run(ctx, op, RfsqForward{sh, z, params, running, zhat, idx, stats, rnorm}, rfsq_forward_launch(sh));
    });
}

int rfsq_rfsq_backward(rfsq_ctx* ctx, const rfsq_rfsq_cfg* cfg, const float* z, int64_t b, int64_t h, int64_t w, const float* params, const float* dzhat, float* dz, float* dparams) {
    const char* op = RfsqBackward::kName;
    RFSQ_TRY(check_rfsq(op, ctx, cfg, b, h, w, params));
    RFSQ_TRY(check_ptr(z, "z", op));
    RFSQ_TRY(check_ptr(dzhat, "dzhat", op));
    RFSQ_TRY(check_ptr(dz, "dz", op));
    const RfsqShape sh = shape_of(cfg, b, h, w);
    const int64_t P = sh.param_count();
    if (P > 0) RFSQ_TRY(check_ptr(dparams, "dparams", op));
    return guarded(op, [&] {
        float* partial = nullptr;
        if (P > 0) RFSQ_TRY(scratch_of(ctx, b * P, &partial, op));
        RFSQ_TRY(run(ctx, op, RfsqBackward{sh, z, params, dzhat, dz, partial}, rfsq_backward_launch(sh)));
        return P > 0 ? run(ctx, op, ParamReduce{partial, b, P, dparams}, Launch{1, 0}) : RFSQ_OK;
    });
}

int rfsq_rfsq_decode(rfsq_ctx* ctx, const rfsq_rfsq_cfg* cfg, const int32_t* idx, int64_t b, int64_t h, int64_t w, const float* params, const float* stats, int32_t stats_per_image, float* zhat) {
    const char* op = RfsqDecode::kName;
    RFSQ_TRY(check_rfsq(op, ctx, cfg, b, h, w, params));
    RFSQ_TRY(check_ptr(idx, "idx", op));
    RFSQ_TRY(check_ptr(zhat, "zhat", op));
    if (cfg->strategy == RFSQ_STRATEGY_LAYERNORM) RFSQ_TRY(check_ptr(stats, "stats", op));
    return guarded(op, [&] {
        return run(ctx, op, RfsqDecode{shape_of(cfg, b, h, w), idx, params, stats, stats_per_image != 0, zhat}, Launch{b, 0});
    });
}

int rfsq_rfsq_running_update(rfsq_ctx* ctx, const rfsq_rfsq_cfg* cfg, const float* stats, int64_t b, float momentum, float* running) {
    const char* op = RunningUpdate::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_cfg(cfg, op));
    RFSQ_TRY(check_dims(b, cfg->levels.count, 1, 1, op));
    RFSQ_TRY(check_ptr(stats, "stats", op));
    RFSQ_TRY(check_ptr(running, "running", op));
    if (!(momentum >= 0.0f && momentum <= 1.0f)) return fail(RFSQ_E_INVALID, op, "momentum %g must be in [0, 1]", (double)momentum);
    return guarded(op, [&] {
        return run(ctx, op, RunningUpdate{stats, b, cfg->stages, cfg->levels.count, momentum, running}, Launch{1, 0});
    });
}

}  // extern "C"
