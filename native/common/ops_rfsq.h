// RFSQ (spec §2): the stage building blocks (residual subtraction, scale stage, layernorm and its inverse), the
// fused K-stage forward and backward, decode, and the running statistics update.
#pragma once

#include "team.h"

namespace rfsq {

// q_k of one element from its code: the inverse of the stage's conditioning.
RFSQ_HD float stage_q(const Affine& A, float code) { return (code - A.beta) * A.ainv + A.mu; }
RFSQ_HD float stage_u(const Affine& A, float x) { return (x - A.mu) * A.a + A.beta; }

// Parameter layout of rfsq_rfsq_cfg (see rfsq.h).
struct RfsqShape {
    FsqConsts fsq;
    int32_t stages;
    int32_t strategy;
    int64_t n;  // H*W positions per image
    int64_t b;  // batch

    RFSQ_HD int C() const { return fsq.count; }
    RFSQ_HD float gamma(const float* params, int s, int c) const { return params[(int64_t)s * 2 * C() + c]; }
    RFSQ_HD float beta(const float* params, int s, int c) const { return params[(int64_t)s * 2 * C() + C() + c]; }
    RFSQ_HD int64_t param_count() const {
        return strategy == RFSQ_STRATEGY_SCALE ? stages : strategy == RFSQ_STRATEGY_LAYERNORM ? 2LL * stages * C() : 0;
    }
    // Conditioning of stage s, channel c from (mu, sigma) (layernorm) or the parameters.
    RFSQ_HD Affine affine(const float* params, int s, int c, float mu, float sig) const {
        if (strategy == RFSQ_STRATEGY_LAYERNORM) return affine_layernorm(mu, sig, gamma(params, s, c), beta(params, s, c));
        if (strategy == RFSQ_STRATEGY_SCALE) return affine_scale(scale_of_theta(params[s]));
        return affine_none();
    }
};

// ---- building blocks (one team per image, except ResidualSub: one per chunk) ------------------------------

struct ResidualSub {
    static constexpr const char* kName = "rfsq_residual_sub";
    static constexpr int64_t kChunk = 1 << 14;  // floats per team
    const float* r;
    const float* q;
    int64_t n;
    float* out;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t chunk) const {
        const int64_t end = (chunk + 1) * kChunk < n ? (chunk + 1) * kChunk : n;
        const float *a = r, *b = q;  // locals: not reloaded after each store
        float* d = out;
        RFSQ_SIMD()  // out may be r
        for (int64_t i = chunk * kChunk + t.rank(); i < end; i += t.size()) d[i] = a[i] - b[i];
    }
};

struct ScaleForward {
    static constexpr const char* kName = "rfsq_scale_forward";
    FsqConsts k;
    const float* theta;
    const float* x;
    int64_t n;
    float* q;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t b) const {
        const Affine A = affine_scale(scale_of_theta(theta[0]));
        unsigned bad = 0;
        for (int c = 0; c < k.count; ++c)
            for (int64_t p = t.rank(); p < n; p += t.size()) {
                const int64_t e = (b * k.count + c) * n + p;
                const int32_t d = fsq_digit(k, c, fsq_round(k, c, stage_u(A, x[e]), bad));
                q[e] = stage_q(A, fsq_code_of_digit(k, c, d));
            }
        if (bad) t.flag(bad);
    }
};

struct LayerNormForward {
    static constexpr const char* kName = "rfsq_layernorm_forward";
    const float* x;
    int32_t c;
    int64_t n;
    const float* gamma;
    const float* beta;
    float* out;
    float* stats;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t b) const {
        float mu[kMaxLevels], sig[kMaxLevels];
        const float* xb = x + b * c * n;
        channel_stats(t, xb, c, n, mu, sig);
        for (int ch = 0; ch < c; ++ch) {
            const Affine A = affine_layernorm(mu[ch], sig[ch], gamma[ch], beta[ch]);
            for (int64_t p = t.rank(); p < n; p += t.size()) out[(b * c + ch) * n + p] = stage_u(A, xb[ch * n + p]);
            if (t.rank() == 0) {
                stats[(b * c + ch) * 2] = mu[ch];
                stats[(b * c + ch) * 2 + 1] = sig[ch];
            }
        }
    }
};

struct LayerNormInverse {
    static constexpr const char* kName = "rfsq_layernorm_inverse";
    const float* y;
    int32_t c;
    int64_t n;
    const float* gamma;
    const float* beta;
    const float* stats;
    float* out;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t b) const {
        unsigned bad = 0;
        for (int ch = 0; ch < c; ++ch) {
            const float mu = stats[(b * c + ch) * 2], sig = stats[(b * c + ch) * 2 + 1];
            bad |= check_stats(mu, sig);
            const Affine A = affine_layernorm(mu, sig, gamma[ch], beta[ch]);
            for (int64_t p = t.rank(); p < n; p += t.size()) {
                const int64_t e = (b * c + ch) * n + p;
                out[e] = stage_q(A, y[e]);
            }
        }
        if (bad && t.rank() == 0) t.flag(bad);
    }
};

// ---- fused RFSQ (one team per image) ----------------------------------------------------------------------

// Team scratch of the fused forward: conditioning per channel, the residual r, the running sum of q_k and
// the current stage's index per position.
RFSQ_HD int64_t rfsq_forward_work(int C, int64_t n) { return 4 * kMaxLevels + 2 * C * n + n; }

struct RfsqForward {
    static constexpr const char* kName = "rfsq_rfsq_forward";
    RfsqShape sh;
    const float* z;
    const float* params;
    const float* running;  // (K, C, 2) frozen statistics, or NULL for per-image ones
    float* zhat;
    int32_t* idx;
    float* stats;
    float* rnorm;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t b) const {
        const int C = sh.C(), K = sh.stages;
        const int64_t N = sh.n, CN = C * N;
        const FsqConsts& k = sh.fsq;
        Affine* aff = reinterpret_cast<Affine*>(t.work());
        float* r = t.work() + 4 * kMaxLevels;
        float* acc = r + CN;
        int32_t* index = reinterpret_cast<int32_t*>(acc + CN);
        const float* zb = z + b * CN;
        unsigned bad = 0;     // rounding met NaN or Inf: reported as an overflow unless the input itself holds one
        unsigned bad_in = 0;  // the input holds NaN or Inf, or the frozen statistics are not valid
        for (int64_t i = t.rank(); i < CN; i += t.size()) {
            r[i] = zb[i];
            acc[i] = 0.0f;
            bad_in |= isfinite(zb[i]) ? 0u : kBadNonFinite;
        }
        t.sync();
        for (int s = 0; s < K; ++s) {
            float mu[kMaxLevels], sig[kMaxLevels];
            for (int c = 0; c < C; ++c) mu[c] = 0.0f, sig[c] = 1.0f;
            if (sh.strategy == RFSQ_STRATEGY_LAYERNORM) {
                if (running) {
                    for (int c = 0; c < C; ++c) {
                        mu[c] = running[(s * C + c) * 2];
                        sig[c] = running[(s * C + c) * 2 + 1];
                        bad_in |= check_stats(mu[c], sig[c]);
                    }
                } else {
                    channel_stats(t, r, C, N, mu, sig);
                }
            }
            if (t.rank() == 0)
                for (int c = 0; c < C; ++c) {
                    aff[c] = sh.affine(params, s, c, mu[c], sig[c]);
                    if (stats && !running && sh.strategy == RFSQ_STRATEGY_LAYERNORM) {
                        stats[((s * sh.b + b) * C + c) * 2] = mu[c];
                        stats[((s * sh.b + b) * C + c) * 2 + 1] = sig[c];
                    }
                }
            t.sync();
            // Channel by channel over contiguous positions (vectorizes on the host), digits summed into index.
            float sq = 0.0f;
            for (int64_t p = t.rank(); p < N; p += t.size()) index[p] = 0;
            for (int c = 0; c < C; ++c) {
                const Affine A = aff[c];
                const int32_t basis = k.basis[c];
                float* rc = r + c * N;
                float* ac = acc + c * N;
                RFSQ_SIMD(reduction(+ : sq) reduction(| : bad))
                for (int64_t p = t.rank(); p < N; p += t.size()) {
                    const float x = rc[p];
                    unsigned bad_here = 0;  // a local, not the reduction variable by reference: keeps the loop vectorizable
                    const int32_t d = fsq_digit(k, c, fsq_round(k, c, stage_u(A, x), bad_here));
                    bad |= bad_here;
                    const float q = stage_q(A, fsq_code_of_digit(k, c, d));
                    const float rn = x - q;
                    ac[p] += q;
                    rc[p] = rn;
                    sq += rn * rn;
                    index[p] += d * basis;
                }
            }
            if (idx)
                for (int64_t p = t.rank(); p < N; p += t.size()) idx[(b * N + p) * K + s] = index[p];
            if (rnorm) {
                t.sum(&sq, 1);
                if (t.rank() == 0) rnorm[b * K + s] = sqrtf(sq);
            }
            t.sync();
        }
        for (int64_t i = t.rank(); i < CN; i += t.size()) zhat[b * CN + i] = acc[i];
        bad = (bad & ~kBadNonFinite) | ((bad & kBadNonFinite) ? kBadOverflow : 0u) | bad_in;
        if (bad) t.flag(bad);
    }
};

// Team scratch of the fused backward: per stage and channel (mu, sigma, conditioning), the residuals
// r_1..r_{K-1} (r_0 is z itself) and the adjoint of the current residual.
constexpr int kStageRec = 8;  // floats per (stage, channel) record: Affine + sigma, padded
RFSQ_HD int64_t rfsq_backward_work(int C, int K, int64_t n) { return (int64_t)kStageRec * kMaxLevels * kMaxStages + (int64_t)K * C * n; }

struct RfsqBackward {
    static constexpr const char* kName = "rfsq_rfsq_backward";
    RfsqShape sh;
    const float* z;
    const float* params;
    const float* dzhat;
    float* dz;
    float* partial;  // (B, P) per-image parameter gradients, summed over the batch by ParamReduce

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t b) const {
        const int C = sh.C(), K = sh.stages;
        const int64_t N = sh.n, CN = C * N, P = sh.param_count();
        const FsqConsts& k = sh.fsq;
        float* rec = t.work();
        float* res = rec + kStageRec * kMaxLevels * kMaxStages;  // r_s at res + (s-1)*CN for s >= 1
        float* adj = res + (K - 1) * CN;
        const float* zb = z + b * CN;
        const float* gb = dzhat + b * CN;
        unsigned bad = 0;     // rounding met NaN or Inf: reported as an overflow unless the input itself holds one
        unsigned bad_in = 0;  // the input holds NaN or Inf
        for (int64_t i = t.rank(); i < CN; i += t.size()) bad_in |= isfinite(zb[i]) ? 0u : kBadNonFinite;

        // Recompute the forward, keeping each stage's input residual and conditioning.
        for (int s = 0; s < K; ++s) {
            const float* src = s == 0 ? zb : res + (s - 1) * CN;
            float mu[kMaxLevels], sig[kMaxLevels];
            for (int c = 0; c < C; ++c) mu[c] = 0.0f, sig[c] = 1.0f;
            if (sh.strategy == RFSQ_STRATEGY_LAYERNORM) channel_stats(t, src, C, N, mu, sig);
            if (t.rank() == 0)
                for (int c = 0; c < C; ++c) {
                    const Affine A = sh.affine(params, s, c, mu[c], sig[c]);
                    float* R = rec + (s * kMaxLevels + c) * kStageRec;
                    R[0] = A.mu;
                    R[1] = A.a;
                    R[2] = A.beta;
                    R[3] = A.ainv;
                    R[4] = sh.strategy == RFSQ_STRATEGY_LAYERNORM ? sig[c] : 1.0f;
                }
            t.sync();
            if (s + 1 < K) {
                float* dst = res + s * CN;
                for (int64_t p = t.rank(); p < N; p += t.size())
                    for (int c = 0; c < C; ++c) {
                        const float* R = rec + (s * kMaxLevels + c) * kStageRec;
                        const Affine A{R[0], R[1], R[2], R[3]};
                        const float x = src[c * N + p];
                        const int32_t d = fsq_digit(k, c, fsq_round(k, c, stage_u(A, x), bad));
                        dst[c * N + p] = x - stage_q(A, fsq_code_of_digit(k, c, d));
                    }
            }
        }
        for (int64_t i = t.rank(); i < CN; i += t.size()) adj[i] = 0.0f;
        t.sync();

        // Reverse sweep: qbar_s = g - adj_s; adj_{s-1} = adj_s + J_s^T qbar_s.
        for (int s = K - 1; s >= 0; --s) {
            const float* src = s == 0 ? zb : res + (s - 1) * CN;
            if (sh.strategy == RFSQ_STRATEGY_LAYERNORM) {
                float sums[kMaxSums];  // per channel: sum nbar, sum nbar*xhat, sum qbar, sum qbar*(code-beta)
                for (int i = 0; i < 4 * C; ++i) sums[i] = 0.0f;
                for (int64_t p = t.rank(); p < N; p += t.size())
                    for (int c = 0; c < C; ++c) {
                        const float* R = rec + (s * kMaxLevels + c) * kStageRec;
                        const Affine A{R[0], R[1], R[2], R[3]};
                        const float x = src[c * N + p], u = stage_u(A, x);
                        const float code = fsq_code_of_digit(k, c, fsq_digit(k, c, fsq_round(k, c, u, bad)));
                        const float qbar = gb[c * N + p] - adj[c * N + p];
                        const float nbar = qbar * A.ainv * fsq_deriv(k, c, u);
                        const float xhat = (x - A.mu) / R[4];
                        sums[4 * c] += nbar;
                        sums[4 * c + 1] += nbar * xhat;
                        sums[4 * c + 2] += qbar;
                        sums[4 * c + 3] += qbar * (code - A.beta);
                    }
                t.sum(sums, 4 * C);
                const float invN = 1.0f / (float)N;
                for (int64_t p = t.rank(); p < N; p += t.size())
                    for (int c = 0; c < C; ++c) {
                        const float* R = rec + (s * kMaxLevels + c) * kStageRec;
                        const Affine A{R[0], R[1], R[2], R[3]};
                        const float sig = R[4], g = safe_gain(sh.gamma(params, s, c));
                        const float x = src[c * N + p], u = stage_u(A, x);
                        const float qbar = gb[c * N + p] - adj[c * N + p];
                        const float nbar = qbar * A.ainv * fsq_deriv(k, c, u);
                        const float xhat = (x - A.mu) / sig;
                        const float* S = sums + 4 * c;
                        adj[c * N + p] += g / sig * (nbar - S[0] * invN - xhat * S[1] * invN) + S[2] * invN +
                                          S[3] / g * xhat * invN;
                    }
                if (t.rank() == 0)
                    for (int c = 0; c < C; ++c) {
                        const float sig = rec[(s * kMaxLevels + c) * kStageRec + 4];
                        const float graw = sh.gamma(params, s, c), g = safe_gain(graw);
                        const float* S = sums + 4 * c;
                        const bool clamped = fabsf(graw) < kMinGain;
                        partial[b * P + (int64_t)s * 2 * C + c] = clamped ? 0.0f : S[1] - S[3] * sig / (g * g);
                        partial[b * P + (int64_t)s * 2 * C + C + c] = S[0] - S[2] * sig / g;
                    }
            } else {
                const bool scale = sh.strategy == RFSQ_STRATEGY_SCALE;
                const float sc = scale ? rec[s * kMaxLevels * kStageRec + 1] : 1.0f;
                float dtheta = 0.0f;
                for (int64_t p = t.rank(); p < N; p += t.size())
                    for (int c = 0; c < C; ++c) {
                        const float x = src[c * N + p], u = x * sc;
                        const float qbar = gb[c * N + p] - adj[c * N + p];
                        const float D = fsq_deriv(k, c, u);
                        adj[c * N + p] += qbar * D;
                        if (scale) {
                            const float code = fsq_code_of_digit(k, c, fsq_digit(k, c, fsq_round(k, c, u, bad)));
                            dtheta += qbar * (D * x / sc - code / (sc * sc));
                        }
                    }
                if (scale) {
                    t.sum(&dtheta, 1);
                    const float theta = params[s];
                    if (t.rank() == 0) partial[b * P + s] = softplus(theta) < kMinGain ? 0.0f : dtheta * sigmoid(theta);
                }
            }
            t.sync();
        }
        for (int64_t i = t.rank(); i < CN; i += t.size()) dz[b * CN + i] = adj[i];
        bad = (bad & ~kBadNonFinite) | ((bad & kBadNonFinite) ? kBadOverflow : 0u) | bad_in;
        if (bad) t.flag(bad);
    }
};

// dparams[j] = sum over the batch of partial[b][j], in a fixed order (deterministic).
struct ParamReduce {
    static constexpr const char* kName = "rfsq_rfsq_backward";
    const float* partial;
    int64_t b;
    int64_t p;
    float* out;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t) const {
        for (int64_t j = t.rank(); j < p; j += t.size()) {
            float s = 0.0f;
            for (int64_t i = 0; i < b; ++i) s += partial[i * p + j];
            out[j] = s;
        }
    }
};

struct RfsqDecode {
    static constexpr const char* kName = "rfsq_rfsq_decode";
    RfsqShape sh;
    const int32_t* idx;
    const float* params;
    const float* stats;
    int32_t per_image;
    float* zhat;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t b) const {
        const int C = sh.C(), K = sh.stages;
        const int64_t N = sh.n;
        const FsqConsts& k = sh.fsq;
        unsigned bad = 0;
        for (int64_t p = t.rank(); p < N; p += t.size())
            for (int c = 0; c < C; ++c) {
                float acc = 0.0f;
                for (int s = 0; s < K; ++s) {
                    int32_t index = idx[(b * N + p) * K + s];
                    if (index < 0 || index >= k.codebook) {
                        bad |= kBadRange;
                        index = 0;
                    }
                    float mu = 0.0f, sig = 1.0f;
                    if (sh.strategy == RFSQ_STRATEGY_LAYERNORM) {
                        const float* st = per_image ? stats + ((s * sh.b + b) * C + c) * 2 : stats + (s * C + c) * 2;
                        mu = st[0];
                        sig = st[1];
                        bad |= check_stats(mu, sig);
                    }
                    const Affine A = sh.affine(params, s, c, mu, sig);
                    acc += stage_q(A, fsq_code_of_digit(k, c, (index / k.basis[c]) % k.levels[c]));
                }
                zhat[(b * C + c) * N + p] = acc;
            }
        if (bad) t.flag(bad);
    }
};

struct RunningUpdate {
    static constexpr const char* kName = "rfsq_rfsq_running_update";
    const float* stats;  // (K, B, C, 2)
    int64_t b;
    int32_t stages;
    int32_t c;
    float momentum;
    float* running;  // (K, C, 2)

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t) const {
        const int64_t per_stage = 2LL * c;
        for (int64_t j = t.rank(); j < stages * per_stage; j += t.size()) {
            const int64_t s = j / per_stage, e = j % per_stage;
            float sum = 0.0f;
            for (int64_t i = 0; i < b; ++i) sum += stats[(s * b + i) * per_stage + e];
            running[j] = momentum * running[j] + (1.0f - momentum) * (sum / (float)b);
        }
    }
};

// ---- launch geometry --------------------------------------------------------------------------------------

inline Launch residual_sub_launch(int64_t n) { return Launch{ceil_div(n, ResidualSub::kChunk), 0}; }
inline Launch rfsq_forward_launch(const RfsqShape& sh) { return Launch{sh.b, rfsq_forward_work(sh.C(), sh.n)}; }
inline Launch rfsq_backward_launch(const RfsqShape& sh) { return Launch{sh.b, rfsq_backward_work(sh.C(), sh.stages, sh.n)}; }

#define RFSQ_RFSQ_OPS(X)                                                                                      \
    X(ResidualSub) X(ScaleForward) X(LayerNormForward) X(LayerNormInverse) X(RfsqForward) X(RfsqBackward)     \
    X(ParamReduce) X(RfsqDecode) X(RunningUpdate)

}  // namespace rfsq
