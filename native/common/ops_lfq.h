// LFQ (docs/BASELINES.md): sign quantization with the commitment and entropy auxiliary losses.
#pragma once

#include "team.h"

namespace rfsq {

constexpr int kLfqMaxChannels = 24;
constexpr int kLfqTableChunk = 64;      // positions per table chunk of LfqAvgProb
constexpr float kEntropyClamp = 1e-5f;  // e(p) = -p ln(max(p, 1e-5))

// Entropy term e(p) and its derivative from p and ln p (the clamp below 1e-5 as in the reference).
RFSQ_HD float lfq_e(float p, float lnp) { return p < kEntropyClamp ? -p * logf(kEntropyClamp) : -p * lnp; }
RFSQ_HD float lfq_de(float p, float lnp) { return p < kEntropyClamp ? -logf(kEntropyClamp) : -(lnp + 1.0f); }

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

// ---- launch geometry: jb codes per LfqAvgProb team and `chunk` positions per LfqBackward team are each
// backend's choice (Tuning in internal.h) ----------------------------------------------------------------------

inline Launch lfq_avg_launch(int c, int jb) {
    return Launch{ceil_div((int64_t)1 << c, jb), lfq_avg_work(c, kLfqTableChunk, jb)};
}
inline Launch lfq_backward_launch(int64_t npos, int c, int chunk, bool entropy) {
    return Launch{ceil_div(npos, chunk), entropy ? lfq_backward_work(c, chunk) : 0};
}

#define RFSQ_LFQ_OPS(X) X(LfqForward) X(LfqAvgProb) X(LfqLoss) X(LfqBackward) X(LfqDecode)

}  // namespace rfsq
