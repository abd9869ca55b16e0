/* rfsq_testing.h: entry points of librfsq that only tests call (not part of rfsq.h's ABI; may change without notice).
 *
 * The fused ops of rfsq.h compose these building blocks; the library exports them so that the native and Java
 * tests can check each block alone against the float64 references. Conventions as in rfsq.h; declarations stay
 * plain C, one per line, so bindings/ can check its test bindings (rfsq_testing_h) against this file.
 */
#ifndef RFSQ_TESTING_H
#define RFSQ_TESTING_H

#include "rfsq.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Residual subtraction out = r - q over n floats (out may alias r). */
int rfsq_residual_sub(rfsq_ctx *ctx, const float *r, const float *q, int64_t n, float *out);
/* Scale-conditioned FSQ stage on x (B,C,H,W): q = FSQ(s * x) / s with s = softplus(theta[0]). */
int rfsq_scale_forward(rfsq_ctx *ctx, const rfsq_levels *levels, const float *theta, const float *x, int64_t b, int64_t h, int64_t w, float *q);
/* Per-image, per-channel normalization of x (B,C,H,W): n = gamma*(x-mu)/sigma + beta; writes stats (B,C,2). */
int rfsq_layernorm_forward(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, const float *gamma, const float *beta, float *n, float *stats);
/* Inverse of rfsq_layernorm_forward: out = (y - beta) / gamma * sigma + mu, with stats (B,C,2) (NaN/Inf mu or sigma: RFSQ_E_NONFINITE; sigma <= 0: RFSQ_E_INVALID). */
int rfsq_layernorm_inverse(rfsq_ctx *ctx, const float *y, int64_t b, int64_t c, int64_t h, int64_t w, const float *gamma, const float *beta, const float *stats, float *out);

#ifdef __cplusplus
}
#endif

#endif /* RFSQ_TESTING_H */
