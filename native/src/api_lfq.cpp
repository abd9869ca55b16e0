// LFQ entry points (docs/BASELINES.md): validate every argument, then hand the ops (ops_lfq.h) to the context's
// backend.
#include "checks.h"

using namespace rfsq;

namespace {

int check_lfq(const char* op, rfsq_ctx* ctx, const rfsq_lfq_cfg* cfg, int64_t b, int64_t h, int64_t w) {
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_ptr(cfg, "cfg", op));
    const rfsq_lfq_cfg& c = *cfg;
    if (c.channels < 1 || c.channels > kLfqMaxChannels)
        return fail(RFSQ_E_INVALID, op, "channels %d must be in 1..%d", c.channels, kLfqMaxChannels);
    if (!(isfinite(c.commitment_weight) && c.commitment_weight >= 0) || !(isfinite(c.entropy_weight) && c.entropy_weight >= 0) ||
        !isfinite(c.diversity_gamma) || !(isfinite(c.inv_temperature) && c.inv_temperature > 0))
        return fail(RFSQ_E_INVALID, op,
                    "lfq cfg (commitment weight %g, entropy weight %g, diversity gamma %g, inverse temperature %g) is invalid: "
                    "weights must be finite and >= 0, gamma finite, inverse temperature finite and > 0",
                    (double)c.commitment_weight, (double)c.entropy_weight, (double)c.diversity_gamma, (double)c.inv_temperature);
    return check_dims(b, c.channels, h, w, op);
}

// The average probabilities a_j (and e'(a_j), per-block entropy sums when asked) of LFQ's entropy loss.
int lfq_avg(rfsq_ctx* ctx, const char* name, const rfsq_lfq_cfg& cfg, const float* x, int64_t b, int64_t hw, float* avg, float* dent,
            float* partial, int32_t jb) {
    const int C = cfg.channels;
    const LfqAvgProb op{x, C, hw, b * hw, cfg.inv_temperature, jb, kLfqTableChunk, avg, dent, partial};
    return run(ctx, name, op, lfq_avg_launch(C, jb));
}

}  // namespace

extern "C" {

int rfsq_lfq_forward(rfsq_ctx* ctx, const rfsq_lfq_cfg* cfg, const float* x, int64_t b, int64_t h, int64_t w, float* q, int32_t* idx, float* loss) {
    const char* op = LfqForward::kName;
    RFSQ_TRY(check_lfq(op, ctx, cfg, b, h, w));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(q, "q", op));
    return guarded(op, [&] {
        const int C = cfg->channels;
        const int64_t hw = h * w, n = b * hw, m = (int64_t)1 << C;
        const bool entropy = loss && cfg->entropy_weight != 0.0f;
        const int32_t jb = backend_of(ctx).tuning.lfq_codes_per_team;
        const int64_t blocks = entropy ? ceil_div(m, jb) : 0;
        float* commit = nullptr;
        if (loss) RFSQ_TRY(scratch_of(ctx, b + blocks + (entropy ? m : 0), &commit, op));
        RFSQ_TRY(run(ctx, op, LfqForward{x, C, hw, q, idx, commit}, Launch{b, 0}));
        if (!loss) return RFSQ_OK;
        float* partial = commit + b;
        float* avg = partial + blocks;
        if (entropy) RFSQ_TRY(lfq_avg(ctx, op, *cfg, x, b, hw, avg, nullptr, partial, jb));
        const LfqLoss l{commit, b, (float)(cfg->commitment_weight / ((double)n * C)), entropy ? partial : nullptr, blocks, avg, m,
                        cfg->entropy_weight, cfg->diversity_gamma, (float)(1.0 / ((double)n * (double)m)), (float)(1.0 / (double)m), loss};
        return run(ctx, op, l, Launch{1, 0});
    });
}

int rfsq_lfq_backward(rfsq_ctx* ctx, const rfsq_lfq_cfg* cfg, const float* x, int64_t b, int64_t h, int64_t w, const float* dq, float* dx) {
    const char* op = LfqBackward::kName;
    RFSQ_TRY(check_lfq(op, ctx, cfg, b, h, w));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(dq, "dq", op));
    RFSQ_TRY(check_ptr(dx, "dx", op));
    return guarded(op, [&] {
        const int C = cfg->channels;
        const int64_t hw = h * w, n = b * hw, m = (int64_t)1 << C;
        const bool entropy = cfg->entropy_weight != 0.0f;
        float* avg = nullptr;
        const Tuning& tune = backend_of(ctx).tuning;
        if (entropy) {
            RFSQ_TRY(scratch_of(ctx, 2 * m, &avg, op));
            RFSQ_TRY(lfq_avg(ctx, op, *cfg, x, b, hw, avg, avg + m, nullptr, tune.lfq_codes_per_team));
        }
        const int32_t chunk = tune.lfq_backward_chunk;
        const LfqBackward bw{x, dq, C, hw, n, cfg->inv_temperature, (float)(2.0 * cfg->commitment_weight / ((double)n * C)),
                             entropy ? (float)(cfg->entropy_weight / ((double)n * (double)m)) : 0.0f, cfg->diversity_gamma,
                             entropy ? avg + m : nullptr, chunk, dx};
        return run(ctx, op, bw, lfq_backward_launch(n, C, chunk, entropy));
    });
}

int rfsq_lfq_decode(rfsq_ctx* ctx, const rfsq_lfq_cfg* cfg, const int32_t* idx, int64_t b, int64_t h, int64_t w, float* q) {
    const char* op = LfqDecode::kName;
    RFSQ_TRY(check_lfq(op, ctx, cfg, b, h, w));
    RFSQ_TRY(check_ptr(idx, "idx", op));
    RFSQ_TRY(check_ptr(q, "q", op));
    return guarded(op, [&] { return run(ctx, op, LfqDecode{idx, cfg->channels, h * w, q}, Launch{b, 0}); });
}

}  // extern "C"
