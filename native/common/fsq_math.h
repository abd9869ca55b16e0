// Per-element FSQ / RFSQ math, written once and compiled for the CPU (g++) and the GPU (nvcc).
// Everything here is spec §1–2 of RFSQ-SPEC.md; constants are derived on the host in double precision.
#pragma once

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "rfsq.h"

// Host: always inlined. The CPU kernels are compiled once per instruction set (cpu_kernels.cpp); an out-of-line
// copy of a helper would be one function in the library whichever variant the linker kept, so an AVX-512 copy
// could run on a CPU without AVX-512. Inlined everywhere, each variant keeps its own code.
#if defined(__CUDACC__)
#define RFSQ_HD __host__ __device__ __forceinline__
#else
#define RFSQ_HD inline __attribute__((always_inline))
#endif

// A loop over positions that the host compiler should vectorize (OpenMP SIMD; ignored on the device).
#if defined(__CUDA_ARCH__) || !defined(_OPENMP)
#define RFSQ_SIMD(clauses)
#else
#define RFSQ_SIMD(clauses) _Pragma(RFSQ_STR(omp simd clauses))
#define RFSQ_STR(x) #x
#endif

namespace rfsq {

constexpr int kMaxLevels = RFSQ_MAX_LEVELS;
constexpr int kMaxStages = RFSQ_MAX_STAGES;
constexpr float kLnEps = 1e-5f;       // variance epsilon of the layernorm conditioning
constexpr float kMinGain = 1e-6f;     // |gamma| and softplus(theta) are clamped here so the inverse stays finite

// Bits a kernel raises when it meets bad data; the backend turns them into a status and a message (checks.cpp).
constexpr unsigned kBadNonFinite = 1u;       // NaN or Inf in an input or parameter: RFSQ_E_NONFINITE
constexpr unsigned kBadRange = 2u;           // index or code outside the levels: RFSQ_E_RANGE
constexpr unsigned kBadOverflow = 4u;        // NaN or Inf computed from finite inputs (too large): RFSQ_E_NONFINITE
constexpr unsigned kBadStatsNonFinite = 8u;  // given statistics with a NaN or infinite mu or sigma: RFSQ_E_NONFINITE
constexpr unsigned kBadStats = 16u;          // given statistics with sigma <= 0: RFSQ_E_INVALID

// Statistics (mu, sigma) a caller passes in (decode, the layernorm inverse, frozen running ones): mu and sigma
// finite and sigma > 0, as sigma = sqrt(var + eps) always is.
RFSQ_HD unsigned check_stats(float mu, float sig) {
    return !(isfinite(mu) && isfinite(sig)) ? kBadStatsNonFinite : sig > 0.0f ? 0u : kBadStats;
}

// FSQ constants of one level list: bound f_j(x) = tanh(x + shift_j) * h_j - o_j, code = round(f) / half_j.
struct FsqConsts {
    int32_t count;
    int32_t codebook;                 // product of levels
    int32_t levels[kMaxLevels];
    int32_t basis[kMaxLevels];        // mixed-radix place value, channel 0 least significant
    float half[kMaxLevels];           // floor(L/2)
    float h[kMaxLevels];
    float o[kMaxLevels];
    float shift[kMaxLevels];
    float slope[kMaxLevels];          // h / floor(L/2): the straight-through derivative's scale
};

// Host only: levels must already be validated (count 1..16, L >= 2, product < 2^31).
inline FsqConsts make_fsq_consts(const rfsq_levels& lv) {
    FsqConsts k{};
    k.count = lv.count;
    int64_t basis = 1;
    for (int j = 0; j < lv.count; ++j) {
        const int L = lv.levels[j];
        const double h = (L - 1) * (1.0 - 1e-3) / 2.0;
        const double o = (L % 2 == 0) ? 0.5 : 0.0;
        k.levels[j] = L;
        k.basis[j] = (int32_t)basis;
        k.half[j] = (float)(L / 2);
        k.h[j] = (float)h;
        k.o[j] = (float)o;
        k.shift[j] = (float)tan(o / h);
        k.slope[j] = (float)(h / (L / 2));
        basis *= L;
    }
    k.codebook = (int32_t)basis;
    return k;
}

// tanh: the GPU's tanhf (2 ulp) on the device; on the host a clamped rational approximation (Eigen's
// generic_fast_tanh_float, within 6 ulp / 3.5e-7 of tanh), because glibc's tanhf (through expm1f) made up
// half of the CPU backend's time.
RFSQ_HD float fast_tanh(float x) {
#ifdef __CUDA_ARCH__
    return tanhf(x);
#else
    const float c = x > 7.99881172180175781f ? 7.99881172180175781f : x < -7.99881172180175781f ? -7.99881172180175781f : x;
    const float x2 = c * c;
    float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
    p = x2 * p + -8.60467152213735e-11f;
    p = x2 * p + 5.12229709037114e-08f;
    p = x2 * p + 1.48572235717979e-05f;
    p = x2 * p + 6.37261928875436e-04f;
    p = x2 * p + 4.89352455891786e-03f;
    float q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
    q = x2 * q + 2.26843463243900e-03f;
    q = x2 * q + 4.89352518554385e-03f;
    return fabsf(x) < 0.0004f ? x : c * p / q;  // a select, so that loops over it vectorize
#endif
}

// Round half to even, as rintf in the default rounding mode. On the host without SSE4.1 rintf is a library
// call that stops vectorization; adding and subtracting 2^23 rounds the same way (IEEE round-to-nearest-even)
// for |f| < 2^23, and larger floats are integers already.
RFSQ_HD float round_even(float f) {
#ifdef __CUDA_ARCH__
    return rintf(f);
#else
    const float two23 = 8388608.0f, a = fabsf(f);
    return a < two23 ? copysignf((a + two23) - two23, f) : f;
#endif
}

// exp: the GPU's expf on the device; on the host Cephes' expf (Cody-Waite reduction, degree-6 polynomial, within
// 2 ulp) written with plain arithmetic and a bit cast, so that loops over it vectorize (glibc's expf is a call) and
// give the same bits at every vector width. Arguments are clamped to [-87, 88] (a normal result).
RFSQ_HD float fast_exp(float x) {
#ifdef __CUDA_ARCH__
    return expf(x);
#else
    const float c = x < -87.0f ? -87.0f : x > 88.0f ? 88.0f : x;
    const float n = round_even(c * 1.44269504088896341f);
    const float r = (c - n * 0.693359375f) - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    const float e = (p * (r * r) + r) + 1.0f;
    const int32_t bits = ((int32_t)n + 127) << 23;  // 2^n, n in [-126, 127]
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return e * scale;
#endif
}

// 1 - tanh^2(x) = sech^2(x) = 4 e / (1 + e)^2 with e = exp(-2|x|): accurate also where tanh saturates.
RFSQ_HD float sech2(float x) {
    const float e = fast_exp(-2.0f * fabsf(x));
    return 4.0f * e / ((1.0f + e) * (1.0f + e));
}

RFSQ_HD float fsq_bound(const FsqConsts& k, int j, float x) { return fast_tanh(x + k.shift[j]) * k.h[j] - k.o[j]; }

// Rounded level q in [-half, L-1-half] (round half to even). Non-finite input raises kBadNonFinite, gives 0
// (the input itself is checked: tanh would turn +-Inf into a finite bound).
RFSQ_HD float fsq_round(const FsqConsts& k, int j, float x, unsigned& bad) {
    const float f = fsq_bound(k, j, x);
    const bool finite = isfinite(x) && isfinite(f);  // no branch: loops over this vectorize on the host
    bad |= finite ? 0u : kBadNonFinite;
    const float q = round_even(finite ? f : 0.0f);
    const float lo = -k.half[j], hi = (float)(k.levels[j] - 1) - k.half[j];
    return q < lo ? lo : q > hi ? hi : q;
}

RFSQ_HD int32_t fsq_digit(const FsqConsts& k, int j, float q) { return (int32_t)q + (int32_t)k.half[j]; }

RFSQ_HD float fsq_code_of_digit(const FsqConsts& k, int j, int32_t digit) {
    return ((float)digit - k.half[j]) / k.half[j];
}

// Straight-through derivative d code / d x = h (1 - tanh^2(x + shift)) / half.
RFSQ_HD float fsq_deriv(const FsqConsts& k, int j, float x) { return k.slope[j] * sech2(x + k.shift[j]); }

RFSQ_HD float softplus(float t) { return t > 20.0f ? t : log1pf(expf(t)); }
RFSQ_HD float sigmoid(float t) { return 1.0f / (1.0f + expf(-t)); }

// Clamp a gain away from 0, keeping its sign (0 counts as positive).
RFSQ_HD float safe_gain(float g) { return fabsf(g) < kMinGain ? (g < 0.0f ? -kMinGain : kMinGain) : g; }

// One stage's conditioning of one channel: u = (r - mu) * a + beta feeds FSQ, q = (code - beta) * ainv + mu.
//   none:      a = 1,           ainv = 1,           mu = beta = 0
//   scale:     a = s,           ainv = 1 / s,       mu = beta = 0,  s = max(softplus(theta), kMinGain)
//   layernorm: a = gamma / sig, ainv = sig / gamma, mu, beta as given (gamma clamped by safe_gain)
struct Affine {
    float mu, a, beta, ainv;
};

RFSQ_HD Affine affine_none() { return Affine{0.0f, 1.0f, 0.0f, 1.0f}; }
RFSQ_HD Affine affine_scale(float s) { return Affine{0.0f, s, 0.0f, 1.0f / s}; }
RFSQ_HD Affine affine_layernorm(float mu, float sigma, float gamma, float beta) {
    const float g = safe_gain(gamma);
    return Affine{mu, g / sigma, beta, sigma / g};
}
RFSQ_HD float scale_of_theta(float theta) { return fmaxf(softplus(theta), kMinGain); }

}  // namespace rfsq
