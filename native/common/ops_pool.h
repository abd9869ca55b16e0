// 2x2 pooling with stride 2 over NCHW planes (VGG16's max-pool, MS-SSIM's downsampling): output (H/2, W/2),
// rounded down, so an odd last row or column is dropped (PyTorch's max_pool2d / avg_pool2d(2) without ceil_mode).
// One team per (image, channel) plane: Launch{b * c, 0}.
#pragma once

#include "team.h"

namespace rfsq {

// Index (0..3, row-major in the window) of the window's maximum as PyTorch's max_pool2d picks it: a value
// replaces the running maximum when it is larger or NaN (so ties go to the first, and NaN propagates).
RFSQ_HD int max_in_window(const float* x, int64_t w, int64_t i, int64_t j) {
    int best = 0;
    float m = x[(2 * i) * w + 2 * j];
    for (int k = 1; k < 4; ++k) {
        const float v = x[(2 * i + k / 2) * w + 2 * j + k % 2];
        if (v > m || isnan(v)) {
            m = v;
            best = k;
        }
    }
    return best;
}

struct MaxPoolForward {
    static constexpr const char* kName = "rfsq_max_pool2x2_forward";
    const float* x;
    int64_t h, w;
    float* y;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t plane) const {
        const int64_t oh = h / 2, ow = w / 2;
        const float* xp = x + plane * h * w;
        for (int64_t p = t.rank(); p < oh * ow; p += t.size()) {
            const int64_t i = p / ow, j = p % ow;
            const int k = max_in_window(xp, w, i, j);
            y[plane * oh * ow + p] = xp[(2 * i + k / 2) * w + 2 * j + k % 2];
        }
    }
};

// dx = dy at each window's maximum (the one the forward picked), 0 elsewhere, including dropped rows/columns.
struct MaxPoolBackward {
    static constexpr const char* kName = "rfsq_max_pool2x2_backward";
    const float* x;
    const float* dy;
    int64_t h, w;
    float* dx;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t plane) const {
        const int64_t oh = h / 2, ow = w / 2;
        const float* xp = x + plane * h * w;
        float* dxp = dx + plane * h * w;
        for (int64_t p = t.rank(); p < h * w; p += t.size()) {
            const int64_t r = p / w, c = p % w, i = r / 2, j = c / 2;
            float g = 0.0f;
            if (i < oh && j < ow && max_in_window(xp, w, i, j) == (int)((r % 2) * 2 + c % 2)) g = dy[plane * oh * ow + i * ow + j];
            dxp[p] = g;
        }
    }
};

struct AvgPoolForward {
    static constexpr const char* kName = "rfsq_avg_pool2x2_forward";
    const float* x;
    int64_t h, w;
    float* y;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t plane) const {
        const int64_t oh = h / 2, ow = w / 2;
        const float* xp = x + plane * h * w;
        for (int64_t p = t.rank(); p < oh * ow; p += t.size()) {
            const int64_t i = p / ow, j = p % ow;
            const float* a = xp + (2 * i) * w + 2 * j;
            y[plane * oh * ow + p] = (a[0] + a[1] + a[w] + a[w + 1]) * 0.25f;  // avg_pool2d's order
        }
    }
};

#define RFSQ_POOL_OPS(X) X(MaxPoolForward) X(MaxPoolBackward) X(AvgPoolForward)

}  // namespace rfsq
