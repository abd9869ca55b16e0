// VQ-EMA (docs/BASELINES.md): code norms, the tiled nearest-code search, gather/decode, the EMA update with
// dead-code restarts, and the backward.
#pragma once

#include "team.h"

namespace rfsq {

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


// ---- launch geometry --------------------------------------------------------------------------------------

// VqNorms, VqEmaNormalize, VqRestart: one team per kVqNormCodes codes.
inline Launch vq_code_blocks_launch(int32_t m) { return Launch{ceil_div(m, kVqNormCodes), 0}; }
inline Launch vq_search_launch(int64_t npos) { return Launch{ceil_div(npos, kVqTP), vq_search_work()}; }
// jb codes per VqEmaAccumulate team: each backend's choice (Tuning in internal.h).
inline Launch vq_ema_launch(int32_t m, int32_t jb, int32_t d) { return Launch{ceil_div(m, jb), vq_ema_work(jb, d)}; }

#define RFSQ_VQ_OPS(X)                                                                                           \
    X(VqNorms) X(VqSearch) X(VqGather) X(VqDecode) X(VqEmaAccumulate) X(VqEmaNormalize) X(VqRestart) X(VqBackward)

}  // namespace rfsq
