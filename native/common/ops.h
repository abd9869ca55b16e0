// Every op of rfsq.h as a "team" functor: op(team, i) processes team-sized unit i (usually one image).
// A team is one CPU thread (CpuTeam: rank 0 of 1) or one CUDA block (CudaTeam); it offers rank(), size(),
// sync(), sum(v, n) (team-wide sum of n <= 64 floats, every member gets the totals), flag(bits) for bad
// data, and work(): the team's scratch floats (shared memory on the GPU when it fits).
// The math is written once here; the backends only decide how teams run.
#pragma once

#include "fsq_math.h"

namespace rfsq {

constexpr int kMaxSums = 4 * kMaxLevels;  // the largest team.sum (layernorm backward: 4 sums per channel)

// q_k of one element from its code: the inverse of the stage's conditioning.
RFSQ_HD float stage_q(const Affine& A, float code) { return (code - A.beta) * A.ainv + A.mu; }
RFSQ_HD float stage_u(const Affine& A, float x) { return (x - A.mu) * A.a + A.beta; }

// Per-channel mean and sigma = sqrt(biased var + eps) of an image (C, N); two passes for accuracy.
template <class Team>
RFSQ_HD void channel_stats(Team& t, const float* r, int C, int64_t N, float* mu, float* sig) {
    float acc[kMaxLevels];
    for (int c = 0; c < C; ++c) acc[c] = 0.0f;
    for (int64_t p = t.rank(); p < N; p += t.size())
        for (int c = 0; c < C; ++c) acc[c] += r[c * N + p];
    t.sum(acc, C);
    for (int c = 0; c < C; ++c) {
        mu[c] = acc[c] / (float)N;
        acc[c] = 0.0f;
    }
    for (int64_t p = t.rank(); p < N; p += t.size())
        for (int c = 0; c < C; ++c) {
            const float d = r[c * N + p] - mu[c];
            acc[c] += d * d;
        }
    t.sum(acc, C);
    for (int c = 0; c < C; ++c) sig[c] = sqrtf(acc[c] / (float)N + kLnEps);
}

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

// ---- FSQ -------------------------------------------------------------------------------------------------

struct FsqForward {
    static constexpr const char* kName = "rfsq_fsq_forward";
    FsqConsts k;
    const float* x;
    int64_t n;
    float* codes;
    int32_t* idx;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t b) const {
        const int C = k.count;
        unsigned bad = 0;
        for (int64_t p = t.rank(); p < n; p += t.size()) {
            int32_t index = 0;
            for (int c = 0; c < C; ++c) {
                const int64_t e = (b * C + c) * n + p;
                const int32_t d = fsq_digit(k, c, fsq_round(k, c, x[e], bad));
                codes[e] = fsq_code_of_digit(k, c, d);
                index += d * k.basis[c];
            }
            if (idx) idx[b * n + p] = index;
        }
        if (bad) t.flag(bad);
    }
};

struct FsqBackward {
    static constexpr const char* kName = "rfsq_fsq_backward";
    FsqConsts k;
    const float* x;
    const float* dcodes;
    int64_t n;
    float* dx;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t b) const {
        for (int c = 0; c < k.count; ++c)
            for (int64_t p = t.rank(); p < n; p += t.size()) {
                const int64_t e = (b * k.count + c) * n + p;
                dx[e] = dcodes[e] * fsq_deriv(k, c, x[e]);
            }
    }
};

struct CodesToIndices {
    static constexpr const char* kName = "rfsq_fsq_codes_to_indices";
    FsqConsts k;
    const float* codes;
    int64_t n;
    int32_t* idx;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t b) const {
        unsigned bad = 0;
        for (int64_t p = t.rank(); p < n; p += t.size()) {
            int32_t index = 0;
            for (int c = 0; c < k.count; ++c) {
                const float level = codes[(b * k.count + c) * n + p] * k.half[c];
                const float digit = rintf(level) + k.half[c];
                // Off-grid (more than 1e-3 of a step away), out of range, or NaN: bad data.
                if (!(fabsf(level - rintf(level)) <= 1e-3f) || !(digit >= 0.0f) || !(digit < (float)k.levels[c])) {
                    bad |= kBadRange;
                    continue;
                }
                index += (int32_t)digit * k.basis[c];
            }
            idx[b * n + p] = index;
        }
        if (bad) t.flag(bad);
    }
};

struct IndicesToCodes {
    static constexpr const char* kName = "rfsq_fsq_indices_to_codes";
    FsqConsts k;
    const int32_t* idx;
    int64_t n;
    float* codes;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t b) const {
        unsigned bad = 0;
        for (int64_t p = t.rank(); p < n; p += t.size()) {
            int32_t index = idx[b * n + p];
            if (index < 0 || index >= k.codebook) {
                bad |= kBadRange;
                index = 0;
            }
            for (int c = 0; c < k.count; ++c)
                codes[(b * k.count + c) * n + p] = fsq_code_of_digit(k, c, (index / k.basis[c]) % k.levels[c]);
        }
        if (bad) t.flag(bad);
    }
};

// ---- building blocks --------------------------------------------------------------------------------------

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
        for (int64_t i = chunk * kChunk + t.rank(); i < end; i += t.size()) out[i] = r[i] - q[i];
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
        for (int ch = 0; ch < c; ++ch) {
            const Affine A = affine_layernorm(stats[(b * c + ch) * 2], stats[(b * c + ch) * 2 + 1], gamma[ch], beta[ch]);
            for (int64_t p = t.rank(); p < n; p += t.size()) {
                const int64_t e = (b * c + ch) * n + p;
                out[e] = stage_q(A, y[e]);
            }
        }
    }
};

// ---- fused RFSQ ------------------------------------------------------------------------------------------

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
        unsigned bad = 0;
        for (int64_t i = t.rank(); i < CN; i += t.size()) {
            r[i] = zb[i];
            acc[i] = 0.0f;
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
        unsigned bad = 0;

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

// ---- training building blocks ----------------------------------------------------------------------------

constexpr int64_t kChunk = 1 << 14;  // floats per team of the flat (elementwise and reducing) ops

RFSQ_HD int64_t chunk_end(int64_t chunk, int64_t n) { return (chunk + 1) * kChunk < n ? (chunk + 1) * kChunk : n; }

struct ReluForward {
    static constexpr const char* kName = "rfsq_relu_forward";
    const float* x;
    int64_t n;
    float* y;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t chunk) const {
        for (int64_t i = chunk * kChunk + t.rank(); i < chunk_end(chunk, n); i += t.size()) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
    }
};

struct ReluBackward {
    static constexpr const char* kName = "rfsq_relu_backward";
    const float* y;
    const float* dy;
    int64_t n;
    float* dx;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t chunk) const {
        for (int64_t i = chunk * kChunk + t.rank(); i < chunk_end(chunk, n); i += t.size()) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
    }
};

struct ChannelAffine {
    static constexpr const char* kName = "rfsq_channel_affine";
    const float* x;
    int64_t c;
    int64_t n;  // H*W
    const float* scale;
    const float* shift;
    float* y;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t plane) const {  // one (image, channel) plane per team
        const float a = scale[plane % c], s = shift[plane % c];
        for (int64_t p = t.rank(); p < n; p += t.size()) y[plane * n + p] = x[plane * n + p] * a + s;
    }
};

// Per chunk: partial[chunk] = sum |a - b| and grad = weight * sign(a - b) / n.
struct L1Partial {
    static constexpr const char* kName = "rfsq_l1_loss";
    const float* a;
    const float* b;
    int64_t n;
    float weight;
    float* grad;
    float* partial;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t chunk) const {
        const float g = weight / (float)n;
        float acc = 0.0f;
        unsigned bad = 0;
        for (int64_t i = chunk * kChunk + t.rank(); i < chunk_end(chunk, n); i += t.size()) {
            const float d = a[i] - b[i];
            if (!isfinite(d)) bad |= kBadNonFinite;
            acc += fabsf(d);
            if (grad) grad[i] = d > 0.0f ? g : d < 0.0f ? -g : 0.0f;
        }
        t.sum(&acc, 1);
        if (t.rank() == 0) partial[chunk] = acc;
        if (bad) t.flag(bad);
    }
};

struct SquarePartial {
    static constexpr const char* kName = "rfsq_sum_squares";
    const float* x;
    int64_t n;
    float* partial;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t chunk) const {
        float acc = 0.0f;
        for (int64_t i = chunk * kChunk + t.rank(); i < chunk_end(chunk, n); i += t.size()) acc += x[i] * x[i];
        t.sum(&acc, 1);
        if (t.rank() == 0) partial[chunk] = acc;
    }
};

// out[0] = scale * sum of count partial sums, in a fixed order (deterministic).
struct PartialSum {
    static constexpr const char* kName = "rfsq_l1_loss / rfsq_sum_squares";
    const float* partial;
    int64_t count;
    float scale;
    float* out;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t) const {
        float acc = 0.0f;
        for (int64_t i = t.rank(); i < count; i += t.size()) acc += partial[i];
        t.sum(&acc, 1);
        if (t.rank() == 0) out[0] = scale * acc;
    }
};

// PyTorch's Adam / AdamW update (torch.optim, non-fused, non-amsgrad) with clip_grad_norm_'s factor.
struct AdamStep {
    static constexpr const char* kName = "rfsq_adam_step";
    float beta1, one_minus_beta1, beta2, one_minus_beta2, eps, weight_decay, max_grad_norm;
    int32_t decoupled;
    float decay;       // 1 - lr * weight_decay (AdamW)
    float step_size;   // lr / (1 - beta1^step)
    float bias2_sqrt;  // sqrt(1 - beta2^step)
    float* param;
    const float* grad;
    float* m;
    float* v;
    int64_t n;
    const float* grad_sq;
    const float* constants;  // NULL, or device (decay, step_size, bias2_sqrt) replacing the three above

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t chunk) const {
        float clip = 1.0f;
        if (max_grad_norm > 0.0f) {
            const float coef = max_grad_norm / (sqrtf(grad_sq[0]) + 1e-6f);
            clip = coef < 1.0f ? coef : 1.0f;
        }
        const float dec = constants ? constants[0] : decay;
        const float size = constants ? constants[1] : step_size;
        const float b2 = constants ? constants[2] : bias2_sqrt;
        for (int64_t i = chunk * kChunk + t.rank(); i < chunk_end(chunk, n); i += t.size()) {
            float p = param[i], g = grad[i] * clip;
            if (decoupled) p *= dec;
            else g += weight_decay * p;
            const float mi = beta1 * m[i] + one_minus_beta1 * g;
            const float vi = beta2 * v[i] + one_minus_beta2 * g * g;
            m[i] = mi;
            v[i] = vi;
            param[i] = p - size * mi / (sqrtf(vi) / b2 + eps);
        }
    }
};

// ---- baselines: LFQ and VQ-EMA (docs/BASELINES.md) -------------------------------------------------------

constexpr int kLfqMaxChannels = 24;
constexpr int kMaxTeam = 1024;          // the largest team any backend runs (a CUDA block)
constexpr float kEntropyClamp = 1e-5f;  // e(p) = -p ln(max(p, 1e-5))

// Entropy term e(p) and its derivative from p and ln p (the clamp below 1e-5 as in the reference).
RFSQ_HD float lfq_e(float p, float lnp) { return p < kEntropyClamp ? -p * logf(kEntropyClamp) : -p * lnp; }
RFSQ_HD float lfq_de(float p, float lnp) { return p < kEntropyClamp ? -logf(kEntropyClamp) : -(lnp + 1.0f); }

// Element (position n, channel ch) of an NCHW tensor with hw positions per image.
RFSQ_HD int64_t nchw(int64_t n, int ch, int channels, int64_t hw) { return (n / hw * channels + ch) * hw + n % hw; }

// LFQ code, index and commitment partial sum (x - q)^2 per image (partial may be NULL).
struct LfqForward {
    static constexpr const char* kName = "rfsq_lfq_forward";
    const float* x;
    int32_t c;
    int64_t n;  // H*W
    float* q;
    int32_t* idx;
    float* partial;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t b) const {
        unsigned bad = 0;
        double acc = 0.0;
        for (int64_t p = t.rank(); p < n; p += t.size()) {
            int32_t index = 0;
            for (int ch = 0; ch < c; ++ch) {
                const int64_t e = (b * c + ch) * n + p;
                const float v = x[e], s = v > 0.0f ? 1.0f : -1.0f;  // x = 0 gives -1
                bad |= isfinite(v) ? 0u : kBadNonFinite;
                q[e] = s;
                index |= (v > 0.0f ? 1 : 0) << (c - 1 - ch);
                const float d = v - s;
                acc += (double)(d * d);
            }
            if (idx) idx[b * n + p] = index;
        }
        if (partial) {
            float v = (float)acc;
            t.sum(&v, 1);
            if (t.rank() == 0) partial[b] = v;
        }
        if (bad) t.flag(bad);
    }
};

// Per position n of [n0, n0 + len) and channel ch, the factors of the softmax over the 2^C codes (it factorizes:
// l_nj = -tau sum_c (x_nc - s_jc)^2, so p_nj = prod_c sigma(s_jc 4 tau x_nc)): tab[(ch*4 + k)*stride + i] for
// k = 0: p(s = -1), 1: p(s = +1), 2: ln p(s = -1), 3: ln p(s = +1).
template <class Team>
RFSQ_HD void lfq_tables(Team& t, const float* x, int c, int64_t hw, float tau, int64_t n0, int len, int stride, float* tab) {
    for (int i = t.rank(); i < c * len; i += t.size()) {
        const int ch = i / len, pos = i % len;
        const float z = 4.0f * tau * x[nchw(n0 + pos, ch, c, hw)];
        const float lp = -softplus(-z), lm = -softplus(z);  // ln sigma(z), ln sigma(-z)
        tab[(ch * 4 + 0) * stride + pos] = expf(lm);
        tab[(ch * 4 + 1) * stride + pos] = expf(lp);
        tab[(ch * 4 + 2) * stride + pos] = lm;
        tab[(ch * 4 + 3) * stride + pos] = lp;
    }
}

// p_nj and ln p_nj of code j at table position pos.
RFSQ_HD void lfq_prob(const float* tab, int c, int stride, int64_t j, int pos, float& p, float& lnp) {
    p = 1.0f;
    lnp = 0.0f;
    for (int ch = 0; ch < c; ++ch) {
        const int bit = (int)((j >> (c - 1 - ch)) & 1);
        p *= tab[(ch * 4 + bit) * stride + pos];
        lnp += tab[(ch * 4 + 2 + bit) * stride + pos];
    }
}

// Team work of LfqAvgProb: tables of one chunk of positions, then one double per (lane, code) of the block.
RFSQ_HD int64_t lfq_avg_work(int c, int chunk, int jb) {
    return 4LL * c * chunk + 2LL * (jb > kMaxTeam ? jb : kMaxTeam);
}

// One team per block of jb codes: a_j = (1/N) sum_n p_nj over all N positions (fixed order), e'(a_j) if dent,
// and partial[block] = sum over the block's codes and all positions of e(p_nj) if partial.
// Members split the block's codes; when the team is larger than the block, lanes of members split positions.
struct LfqAvgProb {
    static constexpr const char* kName = "rfsq_lfq_forward";
    const float* x;
    int32_t c;
    int64_t hw;
    int64_t npos;
    float tau;
    int32_t jb;
    int32_t chunk;
    float* avg;
    float* dent;
    float* partial;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t blk) const {
        const int64_t m = (int64_t)1 << c, j0 = blk * jb;
        const int jn = (int)(m - j0 < jb ? m - j0 : jb);
        const int S = t.size(), r = t.rank();
        const int lanes = S >= jn ? S / jn : 1, lane = S >= jn ? r / jn : 0;
        const int jfirst = S >= jn ? r % jn : r, jstep = S >= jn ? jn : S;
        float* tab = t.work();
        double* acc = reinterpret_cast<double*>(tab + 4 * c * chunk);  // acc[lane * jn + jj]
        for (int i = r; i < lanes * jn; i += S) acc[i] = 0.0;
        double ent = 0.0;
        for (int64_t n0 = 0; n0 < npos; n0 += chunk) {
            const int len = (int)(npos - n0 < chunk ? npos - n0 : chunk);
            t.sync();  // the previous chunk's tables are no longer read
            lfq_tables(t, x, c, hw, tau, n0, len, chunk, tab);
            t.sync();
            if (lane < lanes)
                for (int jj = jfirst; jj < jn; jj += jstep) {
                    double sa = 0.0, se = 0.0;
                    RFSQ_SIMD(reduction(+ : sa, se))
                    for (int pos = lane; pos < len; pos += lanes) {
                        float p, lnp;
                        lfq_prob(tab, c, chunk, j0 + jj, pos, p, lnp);
                        sa += p;
                        se += lfq_e(p, lnp);
                    }
                    acc[lane * jn + jj] += sa;
                    ent += se;
                }
        }
        t.sync();
        for (int jj = r; jj < jn; jj += S) {
            double s = 0.0;
            for (int l = 0; l < lanes; ++l) s += acc[l * jn + jj];
            const float a = (float)(s / (double)npos);
            avg[j0 + jj] = a;
            if (dent) dent[j0 + jj] = lfq_de(a, logf(a));
        }
        if (partial) {
            float v = (float)ent;
            t.sum(&v, 1);
            if (r == 0) partial[blk] = v;
        }
    }
};

// loss[0] = w_c mean (x - q)^2 + w_e (P - gamma Q) from the per-image commitment sums and, when entropy is on
// (ent_partial not NULL), the per-block entropy sums and the average probabilities.
struct LfqLoss {
    static constexpr const char* kName = "rfsq_lfq_forward";
    const float* commit;
    int64_t b;
    float commit_scale;  // w_c / (B C H W)
    const float* ent_partial;
    int64_t blocks;
    const float* avg;
    int64_t m;
    float we, gamma;
    float inv_nm, inv_m;  // 1 / (N M), 1 / M
    float* loss;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t) const {
        double s[3] = {0.0, 0.0, 0.0};
        for (int64_t i = t.rank(); i < b; i += t.size()) s[0] += commit[i];
        if (ent_partial) {
            for (int64_t i = t.rank(); i < blocks; i += t.size()) s[1] += ent_partial[i];
            for (int64_t j = t.rank(); j < m; j += t.size()) s[2] += lfq_e(avg[j], logf(avg[j]));
        }
        float v[3] = {(float)s[0], (float)s[1], (float)s[2]};
        t.sum(v, 3);
        if (t.rank() == 0) loss[0] = commit_scale * v[0] + (ent_partial ? we * (v[1] * inv_nm - gamma * v[2] * inv_m) : 0.0f);
    }
};

// Team work of LfqBackward: tables, then per position G, S and D_c (doubles).
RFSQ_HD int64_t lfq_backward_work(int c, int chunk) { return 4LL * c * chunk + 2LL * (2 + c) * chunk; }

// One team per chunk of positions: dx = dq + 2 w_c (x - q) / (B C H W) + the entropy gradient (when we_scale != 0):
// g_nj = w_e (e'(p_nj) - gamma e'(a_j)) / (N M), G_n = sum_j p_nj g_nj, dl_nj = p_nj (g_nj - G_n),
// dx_nc = -2 tau sum_j dl_nj (x_nc - s_jc) = -2 tau (x_nc S_n - D_nc), S_n = sum_j dl_nj, D_nc = sum_j dl_nj s_jc.
struct LfqBackward {
    static constexpr const char* kName = "rfsq_lfq_backward";
    const float* x;
    const float* dq;
    int32_t c;
    int64_t hw;
    int64_t npos;
    float tau;
    float commit_scale;  // 2 w_c / (B C H W)
    float we_scale;      // w_e / (N M); 0: no entropy term
    float gamma;
    const float* dent;   // e'(a_j)
    int32_t chunk;
    float* dx;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t team) const {
        const int64_t n0 = team * chunk;
        const int len = (int)(npos - n0 < chunk ? npos - n0 : chunk);
        float* tab = t.work();
        double* G = reinterpret_cast<double*>(tab + 4 * c * chunk);
        double* Sd = G + chunk;
        double* D = Sd + chunk;  // D[ch * chunk + pos]
        if (we_scale != 0.0f) {
            const int64_t m = (int64_t)1 << c;
            lfq_tables(t, x, c, hw, tau, n0, len, chunk, tab);
            for (int pos = t.rank(); pos < len; pos += t.size()) {
                G[pos] = Sd[pos] = 0.0;
                for (int ch = 0; ch < c; ++ch) D[ch * chunk + pos] = 0.0;
            }
            t.sync();
            for (int64_t j = 0; j < m; ++j) {
                const float ga = gamma * dent[j];
                RFSQ_SIMD()
                for (int pos = t.rank(); pos < len; pos += t.size()) {
                    float p, lnp;
                    lfq_prob(tab, c, chunk, j, pos, p, lnp);
                    G[pos] += (double)(p * (we_scale * (lfq_de(p, lnp) - ga)));
                }
            }
            for (int64_t j = 0; j < m; ++j) {
                const float ga = gamma * dent[j];
                RFSQ_SIMD()
                for (int pos = t.rank(); pos < len; pos += t.size()) {
                    float p, lnp;
                    lfq_prob(tab, c, chunk, j, pos, p, lnp);
                    const double dl = (double)p * ((double)(we_scale * (lfq_de(p, lnp) - ga)) - G[pos]);
                    Sd[pos] += dl;
                    for (int ch = 0; ch < c; ++ch) D[ch * chunk + pos] += ((j >> (c - 1 - ch)) & 1) ? dl : -dl;
                }
            }
        }
        unsigned bad = 0;
        for (int pos = t.rank(); pos < len; pos += t.size())
            for (int ch = 0; ch < c; ++ch) {
                const int64_t e = nchw(n0 + pos, ch, c, hw);
                const float v = x[e];
                bad |= isfinite(v) ? 0u : kBadNonFinite;
                float g = dq[e] + commit_scale * (v - (v > 0.0f ? 1.0f : -1.0f));
                if (we_scale != 0.0f) g += (float)(-2.0 * (double)tau * ((double)v * Sd[pos] - D[ch * chunk + pos]));
                dx[e] = g;
            }
        if (bad) t.flag(bad);
    }
};

// Indices (B,H,W) to LFQ codes: bit (C-1-c) set gives +1, else -1; an index outside [0, 2^C) fails.
struct LfqDecode {
    static constexpr const char* kName = "rfsq_lfq_decode";
    const int32_t* idx;
    int32_t c;
    int64_t n;
    float* q;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t b) const {
        unsigned bad = 0;
        for (int64_t p = t.rank(); p < n; p += t.size()) {
            int32_t index = idx[b * n + p];
            if (index < 0 || index >= (int32_t)(1 << c)) {
                bad |= kBadRange;
                index = 0;
            }
            for (int ch = 0; ch < c; ++ch) q[(b * c + ch) * n + p] = ((index >> (c - 1 - ch)) & 1) ? 1.0f : -1.0f;
        }
        if (bad) t.flag(bad);
    }
};

// ---- VQ ----------------------------------------------------------------------------------------------------

constexpr int kVqNormCodes = 64;  // codes per team of VqNorms

// norms[j] = ||e_j||^2 (fixed order); a non-finite codebook entry is bad data.
struct VqNorms {
    static constexpr const char* kName = "rfsq_vq_forward";
    const float* codebook;
    int32_t m, d;
    float* norms;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t blk) const {
        unsigned bad = 0;
        for (int64_t j = blk * kVqNormCodes + t.rank(); j < (blk + 1) * kVqNormCodes && j < m; j += t.size()) {
            float s = 0.0f;
            for (int k = 0; k < d; ++k) {
                const float v = codebook[j * d + k];
                bad |= isfinite(v) ? 0u : kBadNonFinite;
                s += v * v;
            }
            norms[j] = s;
        }
        if (bad) t.flag(bad);
    }
};

// Nearest-code search, one team per tile of kVqTP positions: the tile walks the codebook in tiles of kVqTC codes
// and the dimension in chunks of kVqDK, both staged in team work (shared memory on the GPU); each of the
// kVqMicro micro tiles (kVqRC codes x kVqRP positions, one per CUDA thread, register-blocked on the host)
// accumulates x.e in a fixed order over the dimension, then ||e||^2 - 2 x.e picks the nearest code, ties to the
// smallest index (strict < over codes in increasing order everywhere).
constexpr int kVqTP = 64, kVqTC = 128, kVqDK = 32, kVqRP = 8, kVqRC = 4;
constexpr int kVqPG = kVqTP / kVqRP;             // position groups per tile
constexpr int kVqMicro = kVqPG * (kVqTC / kVqRC);  // 256
constexpr int kVqES = kVqTC + 1;                 // row stride of the staged codes (no shared-memory bank conflicts)
RFSQ_HD int64_t vq_search_work() {
    return (int64_t)kVqDK * kVqTP + (int64_t)kVqDK * kVqES + (int64_t)kVqMicro * kVqRC * kVqRP + 2LL * kVqMicro * kVqRP +
           2LL * kVqTP;
}

struct VqSearch {
    static constexpr const char* kName = "rfsq_vq_forward";
    const float* x;
    int32_t d;
    int64_t hw;
    int64_t npos;
    const float* codebook;
    const float* norms;
    int32_t m;
    int32_t* idx;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t tile) const {
        float* xs = t.work();                        // xs[k * kVqTP + pos]
        float* es = xs + kVqDK * kVqTP;              // es[k * kVqES + code]
        float* acc = es + kVqDK * kVqES;             // acc[(c * kVqRP + p) * kVqMicro + micro]
        float* bv = acc + kVqMicro * kVqRC * kVqRP;  // best value / index of a micro tile per position
        int32_t* bi = reinterpret_cast<int32_t*>(bv + kVqMicro * kVqRP);
        float* rv = reinterpret_cast<float*>(bi + kVqMicro * kVqRP);  // running best per tile position
        int32_t* ri = reinterpret_cast<int32_t*>(rv + kVqTP);
        const int64_t n0 = tile * kVqTP;
        unsigned bad = 0;
        for (int i = t.rank(); i < kVqTP; i += t.size()) {
            rv[i] = INFINITY;
            ri[i] = 0;
        }
        for (int c0 = 0; c0 < m; c0 += kVqTC) {
            for (int k0 = 0; k0 < d; k0 += kVqDK) {
                const int kn = d - k0 < kVqDK ? d - k0 : kVqDK;
                const bool last = k0 + kn == d;
                t.sync();  // the previous chunk is no longer read
                for (int i = t.rank(); i < kVqDK * kVqTP; i += t.size()) {
                    const int k = i / kVqTP, pos = i % kVqTP;
                    float v = 0.0f;
                    if (k < kn && n0 + pos < npos) {
                        v = x[nchw(n0 + pos, k0 + k, d, hw)];
                        bad |= isfinite(v) ? 0u : kBadNonFinite;
                    }
                    xs[i] = v;
                }
                for (int i = t.rank(); i < kVqDK * kVqTC; i += t.size()) {
                    const int code = i / kVqDK, k = i % kVqDK;  // consecutive members read one code's row
                    es[k * kVqES + code] = k < kn && c0 + code < m ? codebook[(int64_t)(c0 + code) * d + k0 + k] : 0.0f;
                }
                t.sync();
                for (int mt = t.rank(); mt < kVqMicro; mt += t.size()) {
                    const int p0 = (mt % kVqPG) * kVqRP, cc0 = (mt / kVqPG) * kVqRC;
                    float a[kVqRC][kVqRP];
                    for (int c = 0; c < kVqRC; ++c)
                        for (int p = 0; p < kVqRP; ++p) a[c][p] = k0 == 0 ? 0.0f : acc[(c * kVqRP + p) * kVqMicro + mt];
                    for (int k = 0; k < kn; ++k) {
                        const float* xr = xs + k * kVqTP + p0;
                        const float* er = es + k * kVqES + cc0;
                        for (int c = 0; c < kVqRC; ++c) {
                            const float e = er[c];
                            RFSQ_SIMD()  // across positions (on the host the compiler would otherwise vectorize k)
                            for (int p = 0; p < kVqRP; ++p) a[c][p] += e * xr[p];
                        }
                    }
                    if (!last) {
                        for (int c = 0; c < kVqRC; ++c)
                            for (int p = 0; p < kVqRP; ++p) acc[(c * kVqRP + p) * kVqMicro + mt] = a[c][p];
                        continue;
                    }
                    for (int p = 0; p < kVqRP; ++p) {
                        float best = INFINITY;
                        int32_t at = c0 + cc0;
                        for (int c = 0; c < kVqRC; ++c) {
                            const int32_t j = c0 + cc0 + c;
                            const float dist = j < m ? norms[j] - 2.0f * a[c][p] : INFINITY;
                            if (dist < best) {
                                best = dist;
                                at = j;
                            }
                        }
                        bv[p * kVqMicro + mt] = best;
                        bi[p * kVqMicro + mt] = at;
                    }
                }
            }
            t.sync();
            for (int pos = t.rank(); pos < kVqTP; pos += t.size()) {
                const int pg = pos / kVqRP, p = pos % kVqRP;
                for (int cg = 0; cg < kVqTC / kVqRC; ++cg) {
                    const int mt = cg * kVqPG + pg;
                    if (bv[p * kVqMicro + mt] < rv[pos]) {
                        rv[pos] = bv[p * kVqMicro + mt];
                        ri[pos] = bi[p * kVqMicro + mt];
                    }
                }
            }
        }
        t.sync();
        for (int pos = t.rank(); pos < kVqTP && n0 + pos < npos; pos += t.size()) idx[n0 + pos] = ri[pos];
        if (bad) t.flag(bad);
    }
};

// zq = e_idx per position (one team per image) and, if partial, partial[b] = sum (x - zq)^2; an index outside
// [0, M) is bad data (decode; the forward's own indices are always in range).
struct VqGather {
    static constexpr const char* kName = "rfsq_vq_forward";
    const float* codebook;
    const int32_t* idx;
    int32_t m, d;
    int64_t n;  // H*W
    const float* x;
    float* zq;
    float* partial;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t b) const {
        unsigned bad = 0;
        double sq = 0.0;
        for (int k = 0; k < d; ++k)
            for (int64_t p = t.rank(); p < n; p += t.size()) {
                int32_t j = idx[b * n + p];
                if (j < 0 || j >= m) {
                    bad |= kBadRange;
                    j = 0;
                }
                const int64_t e = (b * d + k) * n + p;
                const float v = codebook[(int64_t)j * d + k];
                zq[e] = v;
                if (partial) {
                    const float r = x[e] - v;
                    sq += (double)(r * r);
                }
            }
        if (partial) {
            float v = (float)sq;
            t.sum(&v, 1);
            if (t.rank() == 0) partial[b] = v;
        }
        if (bad) t.flag(bad);
    }
};

struct VqDecode : VqGather {
    static constexpr const char* kName = "rfsq_vq_decode";
};

// EMA statistics, one team per block of jb codes: every team scans all indices in order, so each code's count
// and sum of x run over its positions in increasing order (deterministic, no atomics); then
// cluster_size = decay cluster_size + (1 - decay) count, embed_avg = decay embed_avg + (1 - decay) sum.
constexpr int kVqScan = 256;  // indices staged per step
RFSQ_HD int64_t vq_ema_work(int jb, int d) { return kVqScan + 2LL * jb + 2LL * jb * d; }

struct VqEmaAccumulate {
    static constexpr const char* kName = "rfsq_vq_ema_update";
    const float* x;
    int32_t d;
    int64_t hw;
    int64_t npos;
    const int32_t* idx;
    int32_t m;
    int32_t jb;
    float decay;
    float* cluster_size;
    float* embed_avg;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t blk) const {
        const int32_t j0 = (int32_t)blk * jb;
        const int jn = m - j0 < jb ? m - j0 : jb;
        int32_t* stage = reinterpret_cast<int32_t*>(t.work());
        double* cnt = reinterpret_cast<double*>(t.work() + kVqScan);
        double* sum = cnt + jb;  // sum[jj * d + k]
        unsigned bad = 0;
        for (int i = t.rank(); i < jn; i += t.size()) cnt[i] = 0.0;
        for (int64_t i = t.rank(); i < (int64_t)jn * d; i += t.size()) sum[i] = 0.0;
        for (int64_t s0 = 0; s0 < npos; s0 += kVqScan) {
            const int len = (int)(npos - s0 < kVqScan ? npos - s0 : kVqScan);
            t.sync();
            for (int i = t.rank(); i < len; i += t.size()) stage[i] = idx[s0 + i];
            t.sync();
            for (int i = 0; i < len; ++i) {
                const int32_t j = stage[i];
                if (j < 0 || j >= m) {
                    bad |= kBadRange;
                    continue;
                }
                if (j < j0 || j >= j0 + jn) continue;
                if (t.rank() == 0) cnt[j - j0] += 1.0;
                for (int k = t.rank(); k < d; k += t.size()) {
                    const float v = x[nchw(s0 + i, k, d, hw)];
                    bad |= isfinite(v) ? 0u : kBadNonFinite;
                    sum[(int64_t)(j - j0) * d + k] += v;
                }
            }
        }
        t.sync();
        const float keep = decay, take = 1.0f - decay;
        for (int i = t.rank(); i < jn; i += t.size()) cluster_size[j0 + i] = keep * cluster_size[j0 + i] + take * (float)cnt[i];
        for (int64_t i = t.rank(); i < (int64_t)jn * d; i += t.size())
            embed_avg[(int64_t)j0 * d + i] = keep * embed_avg[(int64_t)j0 * d + i] + take * (float)sum[i];
        if (bad) t.flag(bad);
    }
};

// e_j = embed_avg_j / cs_j with cs_j = (cluster_size_j + eps) / (n_tot + M eps) n_tot (one team per code block).
struct VqEmaNormalize {
    static constexpr const char* kName = "rfsq_vq_ema_update";
    const float* cluster_size;
    const float* embed_avg;
    const float* total;  // n_tot
    int32_t m, d;
    float eps, m_eps;
    float* codebook;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t blk) const {
        const float ntot = total[0];
        const int64_t end = ((blk + 1) * kVqNormCodes < m ? (blk + 1) * kVqNormCodes : m) * (int64_t)d;
        for (int64_t i = blk * kVqNormCodes * (int64_t)d + t.rank(); i < end; i += t.size()) {
            const float cs = (cluster_size[i / d] + eps) / (ntot + m_eps) * ntot;
            codebook[i] = embed_avg[i] / cs;
        }
    }
};

// Dead-code restart after the EMA update (docs/BASELINES.md), one team per block of codes: a code with
// cluster_size < t takes the batch's latent at position ((j * 2654435761) mod 2^32) mod N; embed_avg = t * it,
// cluster_size = t. Depends on the code and the batch only (a resumed run restarts alike).
struct VqRestart {
    static constexpr const char* kName = "rfsq_vq_ema_update";
    const float* x;
    int32_t d;
    int64_t hw;
    int64_t npos;
    int32_t m;
    float t;
    float* cluster_size;
    float* embed_avg;
    float* codebook;

    template <class Team>
    RFSQ_HD void operator()(Team& team, int64_t blk) const {
        for (int64_t j = blk * kVqNormCodes + team.rank(); j < (blk + 1) * kVqNormCodes && j < m; j += team.size()) {
            if (!(cluster_size[j] < t)) continue;
            const int64_t n = (int64_t)((uint32_t)j * 2654435761u % (uint64_t)npos);
            for (int k = 0; k < d; ++k) {
                const float v = x[nchw(n, k, d, hw)];
                codebook[j * d + k] = v;
                embed_avg[j * d + k] = t * v;
            }
            cluster_size[j] = t;
        }
    }
};

// dx = dzq + scale (x - zq) over n floats, scale = 2 w_c / (B D H W).
struct VqBackward {
    static constexpr const char* kName = "rfsq_vq_backward";
    const float* x;
    const float* zq;
    const float* dzq;
    int64_t n;
    float scale;
    float* dx;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t chunk) const {
        for (int64_t i = chunk * kChunk + t.rank(); i < chunk_end(chunk, n); i += t.size())
            dx[i] = dzq[i] + scale * (x[i] - zq[i]);
    }
};

// Every op, for the backends' explicit instantiations and the table of op names.
#define RFSQ_FOR_EACH_OP(X)                                                                                     \
    X(FsqForward) X(FsqBackward) X(CodesToIndices) X(IndicesToCodes) X(ResidualSub) X(ScaleForward)           \
    X(LayerNormForward) X(LayerNormInverse) X(RfsqForward) X(RfsqBackward) X(ParamReduce) X(RfsqDecode)       \
    X(RunningUpdate) X(ReluForward) X(ReluBackward) X(ChannelAffine) X(L1Partial) X(SquarePartial) X(PartialSum)  \
    X(AdamStep) X(LfqForward) X(LfqAvgProb) X(LfqLoss) X(LfqBackward) X(LfqDecode) X(VqNorms) X(VqSearch)         \
    X(VqGather) X(VqDecode) X(VqEmaAccumulate) X(VqEmaNormalize) X(VqRestart) X(VqBackward)

}  // namespace rfsq
