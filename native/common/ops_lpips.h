// LPIPS v0.1's head on one VGG16 layer (spec §6; lpips.LPIPS(net='vgg') in eval mode): features unit-normalized
// over channels as lpips.normalize_tensor does, f / (sqrt(sum_c f^2) + 1e-10), squared difference, the 1x1 linear
// layer without bias (dropout off), spatial mean. Plus the per-channel scale-add that carries the input
// gradient back through LPIPS's scaling layer. One team per image (layer ops) or per (image, channel) plane.
#pragma once

#include "team.h"

namespace rfsq {

constexpr float kLpipsEps = 1e-10f;

// sqrt(sum_c f[c * hw]^2) at one position of a (C, H*W) feature map.
RFSQ_HD float lpips_norm(const float* f, int64_t c, int64_t hw) {
    float s = 0.0f;
    for (int64_t ch = 0; ch < c; ++ch) s += f[ch * hw] * f[ch * hw];
    return sqrtf(s);
}

// d[img] (+)= mean over positions of sum_c weight[c] (fa / (|fa| + eps) - fb / (|fb| + eps))^2.
struct LpipsLayerForward {
    static constexpr const char* kName = "rfsq_lpips_layer_forward";
    const float* fa;
    const float* fb;
    int64_t c, hw;
    const float* weight;
    int32_t accumulate;
    float* d;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t img) const {
        const float* a = fa + img * c * hw;
        const float* b = fb + img * c * hw;
        float acc = 0.0f;
        for (int64_t p = t.rank(); p < hw; p += t.size()) {
            const float na = lpips_norm(a + p, c, hw) + kLpipsEps, nb = lpips_norm(b + p, c, hw) + kLpipsEps;
            float s = 0.0f;
            for (int64_t ch = 0; ch < c; ++ch) {
                const float diff = a[ch * hw + p] / na - b[ch * hw + p] / nb;
                s += weight[ch] * (diff * diff);
            }
            acc += s;
        }
        t.sum(&acc, 1);
        if (t.rank() == 0) d[img] = (accumulate ? d[img] : 0.0f) + acc / (float)hw;
        if (!isfinite(acc)) t.flag(kBadNonFinite);
    }
};

// dfa (+)= scale * d d[img] / d fa: with u = f / (r + eps), r = |f|, g_c = 2 w_c (ua_c - ub_c) / hw:
// dfa_k = g_k / (r + eps) - fa_k (sum_c g_c fa_c) / (r (r + eps)^2), the second term 0 where r = 0 (PyTorch's
// autograd gives NaN there: sqrt's derivative at 0 times 0).
struct LpipsLayerBackward {
    static constexpr const char* kName = "rfsq_lpips_layer_backward";
    const float* fa;
    const float* fb;
    int64_t c, hw;
    const float* weight;
    float scale;
    int32_t accumulate;
    float* dfa;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t img) const {
        const float* a = fa + img * c * hw;
        const float* b = fb + img * c * hw;
        float* da = dfa + img * c * hw;
        const float k = 2.0f * scale / (float)hw;
        for (int64_t p = t.rank(); p < hw; p += t.size()) {
            const float r = lpips_norm(a + p, c, hw), na = r + kLpipsEps, nb = lpips_norm(b + p, c, hw) + kLpipsEps;
            float dot = 0.0f;  // sum_c g_c fa_c, without the factor k
            for (int64_t ch = 0; ch < c; ++ch) {
                const float fa_c = a[ch * hw + p];
                dot += weight[ch] * (fa_c / na - b[ch * hw + p] / nb) * fa_c;
            }
            const float second = r > 0.0f ? dot / (r * na * na) : 0.0f;
            for (int64_t ch = 0; ch < c; ++ch) {
                const float fa_c = a[ch * hw + p];
                const float g = k * (weight[ch] * (fa_c / na - b[ch * hw + p] / nb) / na - fa_c * second);
                da[ch * hw + p] = accumulate ? da[ch * hw + p] + g : g;
            }
        }
    }
};

// y += x * scale[c] per (image, channel) plane.
struct ChannelScaleAdd {
    static constexpr const char* kName = "rfsq_channel_scale_add";
    const float* x;
    int64_t c;
    int64_t n;  // H*W
    const float* scale;
    float* y;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t plane) const {
        const float a = scale[plane % c];
        for (int64_t p = t.rank(); p < n; p += t.size()) y[plane * n + p] += x[plane * n + p] * a;
    }
};

#define RFSQ_LPIPS_OPS(X) X(LpipsLayerForward) X(LpipsLayerBackward) X(ChannelScaleAdd)

}  // namespace rfsq
