// The fused RFSQ forward and backward on the CPU (RfsqForward, RfsqBackward of ops_rfsq.h, scheduled for a CPU):
// channel by channel over contiguous positions, kLanes at a time, so the compiler vectorizes every inner loop at
// the width of the variant being compiled (cpu_kernels.cpp). Per element the math is ops_rfsq.h's own (stage_u,
// fsq_round, stage_q, fsq_deriv with the vectorizable tanh and sech^2 of fsq_math.h).
//
// Reductions have one fixed order, whatever the vector width, the number of threads or the batch: a sum over an
// image's positions takes blocks of kBlock positions, each summed in kLanes lanes (lane_total), and then the blocks
// in order. So an image's results are the same bits on every CPU variant, alone or in any batch, and whether its
// positions were shared among threads or not. Three schedules:
//   - by image: each thread takes whole images (large batches);
//   - by position: all threads work on one image at a time, each on its own blocks, meeting at a barrier where a
//     per-image sum is needed (few images: serving batches of 1-16);
//   - tiles: images of at most kLanes / 2 positions ((N,C,1,1) vectors, say) are packed kLanes positions to a
//     tile, several images side by side, and tiles are spread over the threads.
// The backward runs by image (training batches), its per-image parameter gradients summed by ParamReduce in a
// fixed order.
// Included only by cpu_kernels.cpp, inside its variant's namespace: everything here has internal linkage.
#pragma once

#include <omp.h>

#include "../common/ops_rfsq.h"
#include "internal.h"

namespace {

using namespace rfsq;

#define RFSQ_INLINE inline __attribute__((always_inline))

constexpr int64_t kBlock = 128;  // positions per reduction block, a multiple of kLanes

// f(p, l) for p in [p0, p1) with l = (p - p0) % kLanes: whole groups of kLanes as one vector loop, then the tail.
template <class F>
RFSQ_INLINE void over_lanes(int64_t p0, int64_t p1, F&& f) {
    int64_t p = p0;
    for (; p + kLanes <= p1; p += kLanes) {
#pragma omp simd
        for (int l = 0; l < kLanes; ++l) f(p + l, l);
    }
    for (int l = 0; p + l < p1; ++l) f(p + l, l);
}

RFSQ_INLINE void zero_lanes(float* v) {
    for (int l = 0; l < kLanes; ++l) v[l] = 0.0f;
}

// The sum of per-block partial sums part[blk * stride], in block order.
RFSQ_INLINE float sum_blocks(const float* part, int64_t blocks, int64_t stride) {
    float t = 0.0f;
    for (int64_t blk = 0; blk < blocks; ++blk) t += part[blk * stride];
    return t;
}

// The threads working on one image: rank of size, owning blocks [first, last) of the image's positions. A crew
// of one (size 1) owns every block and never waits.
struct Crew {
    int rank, size;
    int64_t first, last;

    static Crew of(int rank, int size, int64_t blocks) {
        return Crew{rank, size, blocks * rank / size, blocks * (rank + 1) / size};
    }
    void sync() const {
        if (size > 1) {
#pragma omp barrier
        }
    }
};

// Where one image's forward writes: the outputs (each may be NULL), and the residuals. Stage s reads r_s (z for
// s = 0) and writes r_{s+1} to res + s * res_stride (res_stride 0: in place; the last stage's is not written).
struct FwdImage {
    const float* z;
    float* zhat;
    int32_t* idx;     // (N, K) of this image
    float* stats;     // stats of rfsq.h for the whole batch, or NULL
    float* rnorm;     // (K) of this image
    float* res;
    int64_t res_stride;
    float* codes;     // no zhat: the FSQ code of every element, (K, C, N), for the backward
    float* part;      // per-block partial sums: mean [blocks][C], variance [blocks][C], squares [blocks][K]
    Affine* aff_out;  // [K][kMaxLevels] conditioning per stage and channel, or NULL
    float* sig_out;   // [K][kMaxLevels] sigma per stage and channel (1 without layernorm), or NULL
};

// Conditioning of every stage and channel that does not depend on the image (none, scale, frozen statistics).
struct Conditioning {
    Affine aff[kMaxStages][kMaxLevels];
    float sig[kMaxStages][kMaxLevels];
    bool per_image;  // layernorm with per-image statistics: aff is computed per image

    explicit Conditioning(const RfsqShape& sh, const float* params, const float* running) {
        per_image = sh.strategy == RFSQ_STRATEGY_LAYERNORM && !running;
        for (int s = 0; s < sh.stages; ++s)
            for (int c = 0; c < sh.C(); ++c) {
                float mu = 0.0f, sig = 1.0f;
                if (sh.strategy == RFSQ_STRATEGY_LAYERNORM && running) {
                    mu = running[(s * sh.C() + c) * 2];
                    sig = running[(s * sh.C() + c) * 2 + 1];
                }
                aff[s][c] = per_image ? affine_none() : sh.affine(params, s, c, mu, sig);
                this->sig[s][c] = sig;
            }
    }
};

// Per-channel sums of one block: out[c] = sum over positions of x[c * n + p] (or of (x - mu[c])^2).
__attribute__((noinline)) void block_sums(const float* x, int C, int64_t n, int64_t p0, int64_t p1, const float* mu,
                                          float* out) {
    for (int c = 0; c < C; ++c) {
        const float* xc = x + c * n;
        float acc[kLanes];
        zero_lanes(acc);
        if (mu) {
            const float m = mu[c];
            over_lanes(p0, p1, [&](int64_t p, int l) __attribute__((always_inline)) {
                const float d = xc[p] - m;
                acc[l] += d * d;
            });
        } else {
            over_lanes(p0, p1, [&](int64_t p, int l) __attribute__((always_inline)) { acc[l] += xc[p]; });
        }
        out[c] = lane_total(acc);
    }
}

// fsq_code_of_digit's (digit - half) / half: a multiplication by 1 / half where half is a power of two (the same
// bits, and a division less per element: all the presets' levels), else the division.
template <bool kPow2>
RFSQ_INLINE float code_of_digit(const FsqConsts& k, int c, int32_t d, float inv_half) {
    return kPow2 ? ((float)d - k.half[c]) * inv_half : fsq_code_of_digit(k, c, d);
}

RFSQ_INLINE bool half_is_pow2(const FsqConsts& k, int c) {
    const int32_t h = (int32_t)k.half[c];
    return (h & (h - 1)) == 0;
}

// The identity conditioning (strategy none, and any stage whose mu = 0, a = 1, beta = 0, ainv = 1): u = r and
// q = code give stage_u's and stage_q's bits (they differ only at r = -0, where u + shift is the same +0 or shift,
// and a code is never -0), without their four multiplications and additions.
RFSQ_INLINE bool is_identity(const Affine& A) { return A.mu == 0.0f && A.a == 1.0f && A.beta == 0.0f && A.ainv == 1.0f; }

// One channel of stage_block over positions [p0, p1).
template <int kZhat, bool kRes, bool kMean, bool kPow2, bool kIdent>
RFSQ_INLINE void stage_row(const FsqConsts& k, int c, const Affine A, const float* x, float* r, float* zh, float* cd,
                           int32_t* index, int64_t p0, int64_t p1, float* sql, unsigned* badl, float* mean) {
    const int32_t basis = k.basis[c];
    const float inv_half = 1.0f / k.half[c];
    over_lanes(p0, p1, [&](int64_t p, int l) __attribute__((always_inline)) {
        const float xv = x[p];
        unsigned bad = 0;
        const int32_t d = fsq_digit(k, c, fsq_round(k, c, kIdent ? xv : stage_u(A, xv), bad));
        badl[l] |= bad;
        const float code = code_of_digit<kPow2>(k, c, d, inv_half);
        const float q = kIdent ? code : stage_q(A, code);
        const float rn = xv - q;
        if (kZhat == 0) cd[p] = code;
        if (kZhat == 1) zh[p] = 0.0f + q;
        if (kZhat == 2) zh[p] += q;
        if (kRes) r[p] = rn;
        sql[l] += rn * rn;
        if (kMean) mean[l] += rn;
        index[p - p0] += d * basis;
    });
}

// One stage over positions [p0, p1) of one image: quantize every channel of src, add q into zhat, write the new
// residual, the stage's index digits; sq = the block's sum of squared new residuals, and, when next_mean is given,
// the block's per-channel sums of the new residual (the next stage's mean). Returns bad-data bits. What is written
// is a template flag, so that the inner loop has no branch: kZhat 1: zhat = q (stage 0), 2: zhat += q, 0: no zhat
// but the FSQ code of every element into codes (the backward's forward), -1: neither.
template <int kZhat, bool kRes, bool kMean>
__attribute__((noinline)) unsigned stage_block(const FsqConsts& consts, int C, int64_t N, const Affine* aff,
                                               const float* src, float* dst, float* zhat, float* codes, int32_t* index,
                                               int64_t p0, int64_t p1, float* sq, float* next_mean) {
    const FsqConsts k = consts;  // a local copy: the stores below cannot alias it, so its loads stay out of the loop
    float sql[kLanes];
    unsigned badl[kLanes];
    zero_lanes(sql);
    for (int l = 0; l < kLanes; ++l) badl[l] = 0;
    for (int64_t p = 0; p < p1 - p0; ++p) index[p] = 0;
    for (int c = 0; c < C; ++c) {
        float* r = kRes ? dst + c * N : nullptr;
        float* zh = kZhat > 0 ? zhat + c * N : nullptr;
        float* cd = kZhat == 0 ? codes + c * N : nullptr;
        float mean[kLanes];
        zero_lanes(mean);
#define RFSQ_ROW(pow2, ident) \
    stage_row<kZhat, kRes, kMean, pow2, ident>(k, c, aff[c], src + c * N, r, zh, cd, index, p0, p1, sql, badl, mean)
        if (half_is_pow2(k, c)) {
            if (is_identity(aff[c])) RFSQ_ROW(true, true);
            else RFSQ_ROW(true, false);
        } else {
            if (is_identity(aff[c])) RFSQ_ROW(false, true);
            else RFSQ_ROW(false, false);
        }
#undef RFSQ_ROW
        if (kMean) next_mean[c] = lane_total(mean);
    }
    *sq = lane_total(sql);
    unsigned bad = 0;
    for (int l = 0; l < kLanes; ++l) bad |= badl[l];
    return bad;
}

// The forward of image b by a crew (every member calls it). Returns this member's bad-data bits.
unsigned forward_image(const RfsqShape& sh, const float* params, const Conditioning& cond, int64_t b, const FwdImage& io,
                       const Crew& crew) {
    const int C = sh.C(), K = sh.stages;
    const int64_t N = sh.n, blocks = ceil_div(N, kBlock);
    float* pmean = io.part;
    float* pvar = pmean + blocks * C;
    float* psq = pvar + blocks * C;
    const bool ln = cond.per_image;
    unsigned bad = 0;
    if (ln)
        for (int64_t blk = crew.first; blk < crew.last; ++blk)
            block_sums(io.z, C, N, blk * kBlock, std::min(N, (blk + 1) * kBlock), nullptr, pmean + blk * C);
    for (int s = 0; s < K; ++s) {
        const float* src = s == 0 ? io.z : io.res + (s - 1) * io.res_stride;
        float* dst = s + 1 < K ? io.res + s * io.res_stride : nullptr;
        Affine aff[kMaxLevels];
        float sig[kMaxLevels];
        for (int c = 0; c < C; ++c) aff[c] = cond.aff[s][c], sig[c] = cond.sig[s][c];
        if (ln) {
            float mu[kMaxLevels];
            crew.sync();  // every block's mean partials are in
            for (int c = 0; c < C; ++c) mu[c] = sum_blocks(pmean + c, blocks, C) / (float)N;
            for (int64_t blk = crew.first; blk < crew.last; ++blk)
                block_sums(src, C, N, blk * kBlock, std::min(N, (blk + 1) * kBlock), mu, pvar + blk * C);
            crew.sync();  // and the variance partials
            for (int c = 0; c < C; ++c) {
                sig[c] = sqrtf(sum_blocks(pvar + c, blocks, C) / (float)N + kLnEps);
                aff[c] = sh.affine(params, s, c, mu[c], sig[c]);
                if (io.stats && crew.rank == 0) {
                    io.stats[((s * sh.b + b) * C + c) * 2] = mu[c];
                    io.stats[((s * sh.b + b) * C + c) * 2 + 1] = sig[c];
                }
            }
        }
        if (io.aff_out)
            for (int c = 0; c < C; ++c) io.aff_out[s * kMaxLevels + c] = aff[c], io.sig_out[s * kMaxLevels + c] = sig[c];
        const bool next = ln && s + 1 < K;
        // The backward's forward without parameters (strategy none) needs no last stage: it writes nothing the
        // sweep reads, and its rounding cannot meet a NaN or Inf that an earlier stage did not (u = r, and r - q
        // stays finite for a finite r with |q| <= 1).
        if (!io.zhat && !io.codes && !dst && !io.idx && !io.rnorm && s > 0) break;
        for (int64_t blk = crew.first; blk < crew.last; ++blk) {
            const int64_t p0 = blk * kBlock, p1 = std::min(N, p0 + kBlock);
            int32_t index[kBlock];
            float* sq = psq + blk * K + s;
            float* mean = pmean + blk * C;
            float* codes = io.codes ? io.codes + s * C * N : nullptr;
#define RFSQ_STAGE(z, r, m) stage_block<z, r, m>(sh.fsq, C, N, aff, src, dst, io.zhat, codes, index, p0, p1, sq, mean)
            if (!io.zhat && !codes)  // the backward's forward without parameters: residuals
                bad |= !dst ? RFSQ_STAGE(-1, false, false) : RFSQ_STAGE(-1, true, false);
            else if (!io.zhat)  // and with: residuals and codes
                bad |= !dst ? RFSQ_STAGE(0, false, false) : next ? RFSQ_STAGE(0, true, true) : RFSQ_STAGE(0, true, false);
            else if (s == 0)
                bad |= !dst ? RFSQ_STAGE(1, false, false) : next ? RFSQ_STAGE(1, true, true) : RFSQ_STAGE(1, true, false);
            else
                bad |= !dst ? RFSQ_STAGE(2, false, false) : next ? RFSQ_STAGE(2, true, true) : RFSQ_STAGE(2, true, false);
#undef RFSQ_STAGE
            if (io.idx)
                for (int64_t p = p0; p < p1; ++p) io.idx[p * K + s] = index[p - p0];
        }
    }
    if (io.rnorm) {
        crew.sync();
        if (crew.rank == 0)
            for (int s = 0; s < K; ++s) io.rnorm[s] = sqrtf(sum_blocks(psq + s, blocks, K));
    }
    return bad;
}

RFSQ_INLINE int64_t part_floats(const RfsqShape& sh) { return ceil_div(sh.n, kBlock) * (2 * sh.C() + sh.stages); }

// Images of n <= kLanes / 2 positions, packed g = kLanes / n to a tile of kLanes lanes (lane = image * n + position),
// each lane with its own conditioning. The sums per image are those of forward_image (one block: lane p holds
// position p, the others 0), so a vector gives the same bits in a tile as alone.
unsigned forward_tile(const RfsqForward& op, const Conditioning& cond, int64_t b0) {
    const RfsqShape& sh = op.sh;
    const FsqConsts k = sh.fsq;  // local: not aliased by the stores below
    const int C = sh.C(), K = sh.stages, n = (int)sh.n, g = kLanes / n;
    const int images = (int)std::min<int64_t>(g, sh.b - b0), used = images * n;
    const int64_t CN = (int64_t)C * n;
    float r[kMaxLevels][kLanes], zh[kMaxLevels][kLanes], mu[kMaxLevels][kLanes], a[kMaxLevels][kLanes],
        be[kMaxLevels][kLanes], ainv[kMaxLevels][kLanes];
    unsigned badl[kLanes];
    for (int c = 0; c < C; ++c)
        for (int l = 0; l < kLanes; ++l) r[c][l] = l < used ? op.z[(b0 + l / n) * CN + c * n + l % n] : 0.0f, zh[c][l] = 0.0f;
    for (int l = 0; l < kLanes; ++l) badl[l] = 0;
    // Per image: the lanes of its n positions, others 0, summed as forward_image's single block.
    auto image_sum = [&](const float* row, int img, const float* m) {
        float v[kLanes];
        zero_lanes(v);
        for (int p = 0; p < n; ++p) {
            const float x = row[img * n + p];
            v[p] = m ? (x - *m) * (x - *m) : x;
        }
        return 0.0f + lane_total(v);
    };
    for (int s = 0; s < K; ++s) {
        for (int c = 0; c < C; ++c)
            for (int img = 0; img < g; ++img) {
                Affine A = cond.aff[s][c];
                if (cond.per_image && img < images) {
                    const float m = image_sum(r[c], img, nullptr) / (float)n;
                    const float sd = sqrtf(image_sum(r[c], img, &m) / (float)n + kLnEps);
                    A = sh.affine(op.params, s, c, m, sd);
                    if (op.stats) {
                        op.stats[((s * sh.b + b0 + img) * C + c) * 2] = m;
                        op.stats[((s * sh.b + b0 + img) * C + c) * 2 + 1] = sd;
                    }
                }
                for (int p = 0; p < n; ++p) mu[c][img * n + p] = A.mu, a[c][img * n + p] = A.a, be[c][img * n + p] = A.beta,
                                            ainv[c][img * n + p] = A.ainv;
            }
        for (int c = 0; c < C; ++c)
            for (int l = g * n; l < kLanes; ++l) mu[c][l] = 0.0f, a[c][l] = 1.0f, be[c][l] = 0.0f, ainv[c][l] = 1.0f;
        int32_t index[kLanes];
        float sq[kLanes];
        for (int l = 0; l < kLanes; ++l) index[l] = 0, sq[l] = 0.0f;
        for (int c = 0; c < C; ++c) {
            const int32_t basis = k.basis[c];
#pragma omp simd
            for (int l = 0; l < kLanes; ++l) {
                const Affine A{mu[c][l], a[c][l], be[c][l], ainv[c][l]};
                const float xv = r[c][l];
                unsigned bad = 0;
                const int32_t d = fsq_digit(k, c, fsq_round(k, c, stage_u(A, xv), bad));
                badl[l] |= bad;
                const float q = stage_q(A, fsq_code_of_digit(k, c, d));
                const float rn = xv - q;
                zh[c][l] += q;
                r[c][l] = rn;
                sq[l] += rn * rn;
                index[l] += d * basis;
            }
        }
        for (int l = 0; l < used; ++l)
            if (op.idx) op.idx[((b0 + l / n) * n + l % n) * K + s] = index[l];
        if (op.rnorm)
            for (int img = 0; img < images; ++img) op.rnorm[(b0 + img) * K + s] = sqrtf(image_sum(sq, img, nullptr));
    }
    for (int c = 0; c < C; ++c)
        for (int l = 0; l < used; ++l) op.zhat[(b0 + l / n) * CN + c * n + l % n] = zh[c][l];
    unsigned bad = 0;
    for (int l = 0; l < used; ++l) bad |= badl[l];
    return bad;
}

// ops_rfsq.h's report of bad data: NaN or Inf met while rounding is an overflow unless the input itself holds one
// (RFSQ_E_NONFINITE either way, with a message that says which). The input is scanned only when rounding met one:
// a NaN or Inf in the input always reaches the rounding. Frozen running statistics are checked as given.
unsigned classify_bad(unsigned bad, const float* z, int64_t count, const RfsqShape& sh, const float* running) {
    unsigned in = 0;
    if (bad & kBadNonFinite) {
        for (int64_t i = 0; i < count; ++i) in |= isfinite(z[i]) ? 0u : kBadNonFinite;
        bad = (bad & ~kBadNonFinite) | kBadOverflow;
    }
    if (running && sh.strategy == RFSQ_STRATEGY_LAYERNORM)
        for (int64_t i = 0; i < (int64_t)sh.stages * sh.C(); ++i) in |= check_stats(running[2 * i], running[2 * i + 1]);
    return bad | in;
}

int rfsq_forward_cpu(rfsq_ctx* ctx, const char* name, const RfsqForward& op) {
    const RfsqShape& sh = op.sh;
    const int64_t B = sh.b, N = sh.n, CN = sh.C() * N, blocks = ceil_div(N, kBlock);
    const int threads = omp_get_max_threads();
    const Conditioning cond(sh, op.params, op.running);
    unsigned bad = 0;
    if (N <= kLanes / 2) {  // tiles of several images
        const int64_t per = kLanes / N, tiles = ceil_div(B, per);
#pragma omp parallel for schedule(static) reduction(| : bad) num_threads((int)std::min<int64_t>(threads, tiles)) if (tiles > 1)
        for (int64_t t = 0; t < tiles; ++t) bad |= forward_tile(op, cond, t * per);
    } else {
        // By position when the images are too few to share out evenly and have blocks to split; else by image.
        const bool by_position = threads > 1 && blocks > 1 && B % threads != 0 && B < 4 * threads;
        const int teams = by_position ? 1 : (int)std::min<int64_t>(threads, B);
        const int64_t per_team = CN + part_floats(sh);
        void* p = nullptr;
        if (int st = cpu_scratch(ctx, 1, teams * per_team * (int64_t)sizeof(float), &p, name)) return st;
        float* work = static_cast<float*>(p);
        auto image = [&](int64_t b, float* w, const Crew& crew) {
            const FwdImage io{op.z + b * CN, op.zhat + b * CN, op.idx ? op.idx + b * N * sh.stages : nullptr, op.stats,
                              op.rnorm ? op.rnorm + b * sh.stages : nullptr, w, 0, nullptr, w + CN, nullptr, nullptr};
            return forward_image(sh, op.params, cond, b, io, crew);
        };
        if (by_position) {
#pragma omp parallel reduction(| : bad) num_threads(threads)
            {
                const Crew crew = Crew::of(omp_get_thread_num(), omp_get_num_threads(), blocks);
                for (int64_t b = 0; b < B; ++b) {
                    bad |= image(b, work, crew);
                    crew.sync();  // the next image reuses the scratch
                }
            }
        } else if (teams == 1) {
            for (int64_t b = 0; b < B; ++b) bad |= image(b, work, Crew::of(0, 1, blocks));
        } else {
#pragma omp parallel for schedule(static) reduction(| : bad) num_threads(teams)
            for (int64_t b = 0; b < B; ++b) bad |= image(b, work + omp_get_thread_num() * per_team, Crew::of(0, 1, blocks));
        }
    }
    bad = classify_bad(bad, op.z, B * CN, sh, op.running);
    return bad ? fail(status_of_bad(bad), name, "%s", message_of_bad(bad)) : RFSQ_OK;
}

// ---- backward ----------------------------------------------------------------------------------------------

// One stage and channel of the layernorm reverse sweep (RfsqBackward's): S = per-channel sums of nbar, nbar * xhat,
// qbar, qbar * (code - beta); then adj += the adjoint through the normalization. nb: room for N floats.
__attribute__((noinline)) void layernorm_stage(const FsqConsts& consts, int c, int64_t N, const Affine A, float sg, float g,
                                               const float* x, const float* code, const float* gc, float* ad, float* nb,
                                               float* S) {
    const FsqConsts k = consts;  // local: not aliased by the stores below
    const float inv_sig = 1.0f / sg, invN = 1.0f / (float)N;
    float s0[kLanes], s1[kLanes], s2[kLanes], s3[kLanes];
    zero_lanes(s0), zero_lanes(s1), zero_lanes(s2), zero_lanes(s3);
    over_lanes(0, N, [&](int64_t p, int l) __attribute__((always_inline)) {
        const float xv = x[p], u = stage_u(A, xv);
        const float qbar = gc[p] - ad[p];
        const float nbar = qbar * A.ainv * fsq_deriv(k, c, u);
        const float xhat = (xv - A.mu) * inv_sig;
        nb[p] = nbar;
        s0[l] += nbar;
        s1[l] += nbar * xhat;
        s2[l] += qbar;
        s3[l] += qbar * (code[p] - A.beta);
    });
    S[0] = lane_total(s0), S[1] = lane_total(s1), S[2] = lane_total(s2), S[3] = lane_total(s3);
    const float k1 = g * inv_sig, m0 = S[0] * invN, m1 = S[1] * invN, m2 = S[2] * invN, k3 = S[3] / g * invN;
    over_lanes(0, N, [&](int64_t p, int) __attribute__((always_inline)) {
        const float xhat = (x[p] - A.mu) * inv_sig;
        ad[p] += k1 * (nb[p] - m0 - xhat * m1) + m2 + k3 * xhat;
    });
}

// One stage of the reverse sweep without layernorm: adj += qbar * D per element; with scale, returns d loss / d s
// (times sigmoid(theta) it is the gradient of theta).
template <bool kScale>
__attribute__((noinline)) float none_scale_stage(const FsqConsts& consts, int C, int64_t N, const Affine A,
                                                 const float* src, const float* codes, const float* gb, float* adj) {
    const FsqConsts k = consts;  // local: not aliased by the stores to adj
    const float sc = A.a, inv_sc = 1.0f / sc, inv_sc2 = 1.0f / (sc * sc);
    float dth[kLanes];
    zero_lanes(dth);
    for (int c = 0; c < C; ++c) {
        const float* x = src + c * N;
        const float* code = codes + c * N;
        const float* gc = gb + c * N;
        float* ad = adj + c * N;
        over_lanes(0, N, [&](int64_t p, int l) __attribute__((always_inline)) {
            const float xv = x[p];
            const float qbar = gc[p] - ad[p];
            const float D = fsq_deriv(k, c, stage_u(A, xv));
            ad[p] += qbar * D;
            if (kScale) dth[l] += qbar * (D * xv * inv_sc - code[p] * inv_sc2);
        });
    }
    return lane_total(dth);
}

// The backward of image b (a team of one thread): the forward again, keeping every stage's residual, conditioning
// and codes, then the reverse sweep of ops_rfsq.h's RfsqBackward, channel by channel over positions.
unsigned backward_image(const RfsqBackward& op, const Conditioning& cond, int64_t b, float* w) {
    const RfsqShape& sh = op.sh;
    const FsqConsts& k = sh.fsq;
    const int C = sh.C(), K = sh.stages;
    const int64_t N = sh.n, CN = C * N, P = sh.param_count(), blocks = ceil_div(N, kBlock);
    float* res = w;                   // r_1 .. r_{K-1}
    float* codes = res + (K - 1) * CN;  // per stage
    float* adj = codes + K * CN;      // adjoint of the current residual
    float* nb = adj + CN;             // nbar of one channel (layernorm)
    float* part = nb + N;
    Affine aff[kMaxStages * kMaxLevels];
    float sig[kMaxStages * kMaxLevels];
    const float* zb = op.z + b * CN;
    const float* gb = op.dzhat + b * CN;
    const bool none = sh.strategy == RFSQ_STRATEGY_NONE;  // needs no codes
    const FwdImage io{zb, nullptr, nullptr, nullptr, nullptr, res, CN, none ? nullptr : codes, part, aff, sig};
    const unsigned bad = forward_image(sh, op.params, cond, b, io, Crew::of(0, 1, blocks));
    for (int64_t i = 0; i < CN; ++i) adj[i] = 0.0f;
    for (int s = K - 1; s >= 0; --s) {
        const float* src = s == 0 ? zb : res + (s - 1) * CN;
        const float* cs = codes + s * CN;
        if (sh.strategy == RFSQ_STRATEGY_LAYERNORM) {
            for (int c = 0; c < C; ++c) {
                const float sg = sig[s * kMaxLevels + c], graw = sh.gamma(op.params, s, c), g = safe_gain(graw);
                float S[4];
                layernorm_stage(k, c, N, aff[s * kMaxLevels + c], sg, g, src + c * N, cs + c * N, gb + c * N, adj + c * N,
                                nb, S);
                const bool clamped = fabsf(graw) < kMinGain;
                op.partial[b * P + (int64_t)s * 2 * C + c] = clamped ? 0.0f : S[1] - S[3] * sg / (g * g);
                op.partial[b * P + (int64_t)s * 2 * C + C + c] = S[0] - S[2] * sg / g;
            }
        } else if (sh.strategy == RFSQ_STRATEGY_SCALE) {
            const float theta = op.params[s];
            const float dtheta = none_scale_stage<true>(k, C, N, aff[s * kMaxLevels], src, cs, gb, adj);
            op.partial[b * P + s] = softplus(theta) < kMinGain ? 0.0f : dtheta * sigmoid(theta);
        } else {
            none_scale_stage<false>(k, C, N, aff[s * kMaxLevels], src, cs, gb, adj);
        }
    }
    float* dz = op.dz + b * CN;
    for (int64_t i = 0; i < CN; ++i) dz[i] = adj[i];
    return bad;
}

int rfsq_backward_cpu(rfsq_ctx* ctx, const char* name, const RfsqBackward& op) {
    const RfsqShape& sh = op.sh;
    const int64_t B = sh.b, N = sh.n, CN = sh.C() * N;
    const int teams = (int)std::min<int64_t>(omp_get_max_threads(), B);
    const int64_t per_team = 2LL * sh.stages * CN + N + part_floats(sh);
    void* p = nullptr;
    if (int st = cpu_scratch(ctx, 1, teams * per_team * (int64_t)sizeof(float), &p, name)) return st;
    float* work = static_cast<float*>(p);
    const Conditioning cond(sh, op.params, nullptr);
    unsigned bad = 0;
    if (teams == 1) {
        for (int64_t b = 0; b < B; ++b) bad |= backward_image(op, cond, b, work);
    } else {
#pragma omp parallel for schedule(static) reduction(| : bad) num_threads(teams)
        for (int64_t b = 0; b < B; ++b) bad |= backward_image(op, cond, b, work + omp_get_thread_num() * per_team);
    }
    bad = classify_bad(bad, op.z, B * CN, sh, nullptr);
    return bad ? fail(status_of_bad(bad), name, "%s", message_of_bad(bad)) : RFSQ_OK;
}

#undef RFSQ_INLINE

}  // namespace
