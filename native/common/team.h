// The team model every op is written in. An op is a functor: op(team, i) processes team-sized unit i (usually
// one image). A team is one CPU thread (CpuTeam: rank 0 of 1) or one CUDA block (CudaTeam); it offers rank(),
// size(), sync(), sum(v, n) (team-wide sum of n <= kMaxSums floats, every member gets the totals), flag(bits)
// for bad data, and work(): the team's scratch floats (shared memory on the GPU when it fits).
// The math is written once in the ops_<family>.h headers; the backends only decide how teams run.
// This header holds what the families share: launch geometry and team helpers.
#pragma once

#include "fsq_math.h"

namespace rfsq {

constexpr int kMaxSums = 4 * kMaxLevels;  // the largest team.sum (layernorm backward: 4 sums per channel)
constexpr int kMaxTeam = 1024;            // the largest team any backend runs (a CUDA block)

// How a launch runs: `teams` units of work, each with `work_floats` of team scratch.
struct Launch {
    int64_t teams;
    int64_t work_floats;
};

RFSQ_HD int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Sums over positions that the host compiler vectorizes keep kLanes partial sums (lane l takes every kLanes-th
// term) and add them up in a fixed order (lane_total), so they come out the same at every vector width: the CPU
// kernel variants (SSE2, AVX2, AVX-512) give identical bits. On the device each thread is a lane of its own.
#ifdef __CUDA_ARCH__
constexpr int kLanes = 1;
#else
constexpr int kLanes = 16;
#endif

template <class T>
RFSQ_HD T lane_total(const T* v) {
#ifdef __CUDA_ARCH__
    return v[0];
#else
    T a[kLanes / 2];
    for (int i = 0; i < kLanes / 2; ++i) a[i] = v[i] + v[i + kLanes / 2];
    for (int w = kLanes / 4; w >= 1; w /= 2)
        for (int i = 0; i < w; ++i) a[i] += a[i + w];
    return a[0];
#endif
}

// Floats between two teams' scratch in one buffer: every team's work() starts 16-byte aligned, as the CUDA
// backend's shared array does, so ops may keep doubles and 16-byte records there.
RFSQ_HD int64_t work_stride(int64_t work_floats) { return ceil_div(work_floats, 4) * 4; }

// The flat (elementwise and reducing) ops: one team per chunk of kChunk floats.
constexpr int64_t kChunk = 1 << 14;

RFSQ_HD int64_t chunk_end(int64_t chunk, int64_t n) { return (chunk + 1) * kChunk < n ? (chunk + 1) * kChunk : n; }
RFSQ_HD int64_t chunks(int64_t n) { return ceil_div(n, kChunk); }
inline Launch chunk_launch(int64_t n) { return Launch{chunks(n), 0}; }

// Element (position n, channel ch) of an NCHW tensor with hw positions per image.
RFSQ_HD int64_t nchw(int64_t n, int ch, int channels, int64_t hw) { return (n / hw * channels + ch) * hw + n % hw; }

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

}  // namespace rfsq
