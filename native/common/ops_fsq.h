// FSQ (spec §1): forward, straight-through backward, and codes <-> indices. One team per image: Launch{b, 0}.
#pragma once

#include "team.h"

namespace rfsq {

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

#define RFSQ_FSQ_OPS(X) X(FsqForward) X(FsqBackward) X(CodesToIndices) X(IndicesToCodes)

}  // namespace rfsq
