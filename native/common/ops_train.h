// Training building blocks (ReLU, per-channel affine, L1 loss, sum of squares, Adam/AdamW) and the fixed-order
// PartialSum the reducing ops of every family finish with. Flat ops: one team per chunk, Launch{chunks(n), 0};
// ChannelAffine: one team per (image, channel) plane; PartialSum: one team.
#pragma once

#include "team.h"

namespace rfsq {

struct ReluForward {
    static constexpr const char* kName = "rfsq_relu_forward";
    const float* x;
    int64_t n;
    float* y;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t chunk) const {
        const float* in = x;  // locals: the compiler need not reload the members after each store
        float* out = y;
        const int64_t end = chunk_end(chunk, n);
        // x <= 0 is false for NaN: NaN stays NaN, as in PyTorch (a NaN weight must not train on as 0).
        RFSQ_SIMD()  // in place too: each element is read before it is written
        for (int64_t i = chunk * kChunk + t.rank(); i < end; i += t.size()) out[i] = in[i] <= 0.0f ? 0.0f : in[i];
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
        const float *out = y, *g = dy;  // locals: the compiler need not reload the members after each store
        float* gx = dx;
        const int64_t end = chunk_end(chunk, n);
        // PyTorch's threshold_backward: 0 where y <= 0, else dy (also where y is NaN).
        RFSQ_SIMD()  // in place too (dx = dy): without it the compiler's overlap check would fall back to scalar code
        for (int64_t i = chunk * kChunk + t.rank(); i < end; i += t.size()) gx[i] = out[i] <= 0.0f ? 0.0f : g[i];
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
        const float* in = x + plane * n;  // locals: not reloaded after each store
        float* out = y + plane * n;
        const int64_t len = n;
        RFSQ_SIMD()  // in place too
        for (int64_t p = t.rank(); p < len; p += t.size()) out[p] = in[p] * a + s;
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
        RFSQ_SIMD()  // param, m and v in place
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

#define RFSQ_TRAIN_OPS(X) \
    X(ReluForward) X(ReluBackward) X(ChannelAffine) X(L1Partial) X(SquarePartial) X(PartialSum) X(AdamStep)

}  // namespace rfsq
