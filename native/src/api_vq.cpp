// VQ-EMA entry points (docs/BASELINES.md): validate every argument, then hand the ops (ops_vq.h) to the context's
// backend.
#include "checks.h"

using namespace rfsq;

namespace {

int check_vq(const char* op, rfsq_ctx* ctx, const rfsq_vq_cfg* cfg, int64_t b, int64_t h, int64_t w) {
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_ptr(cfg, "cfg", op));
    const rfsq_vq_cfg& c = *cfg;
    if (c.codes < 1 || c.codes > (1 << 24)) return fail(RFSQ_E_INVALID, op, "codes %d must be in 1..2^24", c.codes);
    if (c.dim < 1 || c.dim > (1 << 16)) return fail(RFSQ_E_INVALID, op, "dim %d must be in 1..65536", c.dim);
    if (!(c.decay >= 0 && c.decay < 1) || !(isfinite(c.eps) && c.eps > 0) ||
        !(isfinite(c.commitment_weight) && c.commitment_weight >= 0) || !(isfinite(c.dead_threshold) && c.dead_threshold >= 0))
        return fail(RFSQ_E_INVALID, op,
                    "vq cfg (decay %g, eps %g, commitment weight %g, dead threshold %g) is invalid: decay must be in [0, 1), "
                    "eps finite and > 0, the weight and the threshold finite and >= 0",
                    (double)c.decay, (double)c.eps, (double)c.commitment_weight, (double)c.dead_threshold);
    return check_dims(b, c.dim, h, w, op);
}

}  // namespace

extern "C" {

int rfsq_vq_forward(rfsq_ctx* ctx, const rfsq_vq_cfg* cfg, const float* x, int64_t b, int64_t h, int64_t w, const float* codebook, float* zq, int32_t* idx, float* loss) {
    const char* op = VqSearch::kName;
    RFSQ_TRY(check_vq(op, ctx, cfg, b, h, w));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(codebook, "codebook", op));
    RFSQ_TRY(check_ptr(zq, "zq", op));
    RFSQ_TRY(check_ptr(idx, "idx", op));
    return guarded(op, [&] {
        const int32_t M = cfg->codes, D = cfg->dim;
        const int64_t hw = h * w, n = b * hw;
        float* norms = nullptr;
        RFSQ_TRY(scratch_of(ctx, M + b, &norms, op));
        float* commit = norms + M;
        RFSQ_TRY(run(ctx, op, VqNorms{codebook, M, D, norms}, vq_code_blocks_launch(M)));
        RFSQ_TRY(backend_of(ctx).vq_search(ctx, op, VqSearch{x, D, hw, n, codebook, norms, M, idx}));
        RFSQ_TRY(run(ctx, op, VqGather{codebook, idx, M, D, hw, x, zq, loss ? commit : nullptr}, Launch{b, 0}));
        if (!loss) return RFSQ_OK;
        return run(ctx, op, PartialSum{commit, b, (float)(cfg->commitment_weight / ((double)n * D)), loss}, Launch{1, 0});
    });
}

int rfsq_vq_ema_update(rfsq_ctx* ctx, const rfsq_vq_cfg* cfg, const float* x, int64_t b, int64_t h, int64_t w, const int32_t* idx, float* cluster_size, float* embed_avg, float* codebook) {
    const char* op = VqEmaAccumulate::kName;
    RFSQ_TRY(check_vq(op, ctx, cfg, b, h, w));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(idx, "idx", op));
    RFSQ_TRY(check_ptr(cluster_size, "cluster_size", op));
    RFSQ_TRY(check_ptr(embed_avg, "embed_avg", op));
    RFSQ_TRY(check_ptr(codebook, "codebook", op));
    return guarded(op, [&] {
        const int32_t M = cfg->codes, D = cfg->dim;
        const int64_t hw = h * w;
        const int32_t jb = backend_of(ctx).tuning.vq_ema_codes_per_team(D);
        RFSQ_TRY(run(ctx, op, VqEmaAccumulate{x, D, hw, b * hw, idx, M, jb, cfg->decay, cluster_size, embed_avg},
                     vq_ema_launch(M, jb, D)));
        float* total = nullptr;
        RFSQ_TRY(scratch_of(ctx, 1, &total, op));
        RFSQ_TRY(run(ctx, op, PartialSum{cluster_size, M, 1.0f, total}, Launch{1, 0}));
        const VqEmaNormalize norm{cluster_size, embed_avg, total, M, D, cfg->eps, (float)((double)M * (double)cfg->eps), codebook};
        RFSQ_TRY(run(ctx, op, norm, vq_code_blocks_launch(M)));
        if (cfg->dead_threshold == 0) return RFSQ_OK;
        const VqRestart restart{x, D, hw, b * hw, M, cfg->dead_threshold, cluster_size, embed_avg, codebook};
        return run(ctx, op, restart, vq_code_blocks_launch(M));
    });
}

int rfsq_vq_backward(rfsq_ctx* ctx, const rfsq_vq_cfg* cfg, const float* x, const float* zq, int64_t b, int64_t h, int64_t w, const float* dzq, float* dx) {
    const char* op = VqBackward::kName;
    RFSQ_TRY(check_vq(op, ctx, cfg, b, h, w));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(zq, "zq", op));
    RFSQ_TRY(check_ptr(dzq, "dzq", op));
    RFSQ_TRY(check_ptr(dx, "dx", op));
    return guarded(op, [&] {
        const int64_t n = b * cfg->dim * h * w;
        return run(ctx, op, VqBackward{x, zq, dzq, n, (float)(2.0 * cfg->commitment_weight / (double)n), dx}, chunk_launch(n));
    });
}

int rfsq_vq_decode(rfsq_ctx* ctx, const rfsq_vq_cfg* cfg, const float* codebook, const int32_t* idx, int64_t b, int64_t h, int64_t w, float* zq) {
    const char* op = VqDecode::kName;
    RFSQ_TRY(check_vq(op, ctx, cfg, b, h, w));
    RFSQ_TRY(check_ptr(codebook, "codebook", op));
    RFSQ_TRY(check_ptr(idx, "idx", op));
    RFSQ_TRY(check_ptr(zq, "zq", op));
    return guarded(op, [&] {
        return run(ctx, op, VqDecode{{codebook, idx, cfg->codes, cfg->dim, h * w, nullptr, zq, nullptr}}, Launch{b, 0});
    });
}

}  // extern "C"
