// Convolutions run on oneDNN (CPU) and cuDNN (CUDA); what is ours around them, written once: the conversion between
// NCHW and the blocked activation layout of rfsq_conv_block (nChw{k}c: (B, ceil(C/k), H, W, k), channels >= C
// zero). Flat op: one team per chunk of the blocked tensor, Launch{chunks(n), 0}.
#pragma once

#include "team.h"

namespace rfsq {

struct BlockedConvert {
    static constexpr const char* kName = "rfsq_blocked_convert";
    const float* x;
    int64_t c;
    int64_t hw;
    int32_t k;  // channel block
    int32_t to_blocked;
    int64_t n;  // floats of the blocked tensor
    float* y;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t chunk) const {
        const int64_t cb = ceil_div(c, k);
        for (int64_t i = chunk * kChunk + t.rank(); i < chunk_end(chunk, n); i += t.size()) {
            const int64_t j = i % k, rest = i / k, p = rest % hw, plane = rest / hw;
            const int64_t ch = plane % cb * k + j, b = plane / cb;
            if (to_blocked) y[i] = ch < c ? x[(b * c + ch) * hw + p] : 0.0f;
            else if (ch < c) y[(b * c + ch) * hw + p] = x[i];
        }
    }
};

RFSQ_HD int64_t blocked_floats(int64_t b, int64_t c, int64_t hw, int32_t k) { return b * ceil_div(c, k) * k * hw; }

#define RFSQ_CONV_OPS(X) X(BlockedConvert)

}  // namespace rfsq
