/* rfsq.h: the one C ABI of rfsq4j (Robust Residual Finite Scalar Quantization).
 *
 * Conventions
 * - Every function returns RFSQ_OK (0) or a negative RFSQ_E_* status; rfsq_last_error() then gives a
 *   thread-local message that names the function and the cause. Nothing here aborts or prints.
 * - Tensor pointers are memory of the context's device (host memory for a CPU context, CUDA device memory
 *   for a CUDA context), allocated with rfsq_alloc. Sizes are int64_t; float tensors are float32, row-major.
 * - Latents are NCHW: (B, C, H, W) with C = levels.count. Indices are (B, H, W, K) int32.
 * - Calls on one context run in order (one CUDA stream); use one context per thread for concurrency. CPU ops use
 *   the calling thread's CPU thread count (rfsq_set_cpu_threads): OpenMP's, per calling thread.
 * - On a CPU context an op returns when its outputs are written, and reports bad data (NaN/Inf input,
 *   out-of-range index) in its own status. On a CUDA context ops are queued: bad data found by a kernel is
 *   reported by the next rfsq_ctx_sync or rfsq_copy_to_host on that context, naming the op that found it.
 * - Declarations stay plain C, one per line, so bindings/ can check itself against this file.
 * - Entry points that only tests call (the RFSQ stage building blocks) are declared in rfsq_testing.h, not here.
 */
#ifndef RFSQ_H
#define RFSQ_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RFSQ_ABI_VERSION 6

#define RFSQ_OK 0
#define RFSQ_E_INVALID (-1)
#define RFSQ_E_NO_DEVICE (-2)
#define RFSQ_E_CUDA (-3)
#define RFSQ_E_NOMEM (-4)
#define RFSQ_E_NONFINITE (-5)
#define RFSQ_E_RANGE (-6)

#define RFSQ_DEVICE_CPU (-1)

/* The instruction sets the CPU kernels are compiled for; a CPU context runs the best this CPU has, or the one
 * RFSQ_CPU_ISA (baseline, avx2, avx512, auto) names in the environment when the context is created. Every variant
 * gives the same bits. */
#define RFSQ_CPU_ISA_BASELINE 0
#define RFSQ_CPU_ISA_AVX2 1
#define RFSQ_CPU_ISA_AVX512 2

#define RFSQ_MAX_LEVELS 16
#define RFSQ_MAX_STAGES 16

#define RFSQ_STRATEGY_NONE 0
#define RFSQ_STRATEGY_SCALE 1
#define RFSQ_STRATEGY_LAYERNORM 2

/* FSQ levels, one per channel: count in 1..RFSQ_MAX_LEVELS, each level >= 2, product of levels < 2^31. */
typedef struct rfsq_levels {
    int32_t count;
    int32_t levels[RFSQ_MAX_LEVELS];
} rfsq_levels;

/* Residual FSQ: K = stages (1..RFSQ_MAX_STAGES) stages of the same levels, conditioned by strategy.
 * Parameters (params, dparams) are one float array: scale: theta[K] (s_k = softplus(theta_k));
 * layernorm: for each stage k, gamma[C] then beta[C] (K*2*C floats); none: no parameters (NULL).
 * Statistics: stats (K, B, C, 2) holds per-image (mu, sigma) per stage; running (K, C, 2) frozen ones. */
typedef struct rfsq_rfsq_cfg {
    rfsq_levels levels;
    int32_t stages;
    int32_t strategy;
} rfsq_rfsq_cfg;

/* One Adam step's hyper-parameters; step counts from 1 (bias correction). decoupled = 0: Adam with weight decay
 * added to the gradient (L2-coupled, PyTorch's Adam); 1: AdamW. max_grad_norm > 0 clips like PyTorch's
 * clip_grad_norm_ (with the sum of squared gradients given to rfsq_adam_step). Hyper-parameters are double,
 * as in PyTorch, so that derived constants such as 1 - beta2 round the same way. */
typedef struct rfsq_adam_cfg {
    double lr;
    double beta1;
    double beta2;
    double eps;
    double weight_decay;
    double max_grad_norm;
    int32_t decoupled;
    int32_t step;
} rfsq_adam_cfg;

/* 2-D convolution (or transposed convolution) over NCHW float32 with a square kernel, with bias.
 * Weights in PyTorch's layouts: convolution (out, in, k, k); transposed convolution (in, out, k, k). */
typedef struct rfsq_conv_cfg {
    int32_t in_channels;
    int32_t out_channels;
    int32_t kernel;
    int32_t stride;
    int32_t padding;
    int32_t transposed;
} rfsq_conv_cfg;

/* Flags of rfsq_conv_forward_ex and rfsq_conv_backward_ex. Activations may stay in the context's blocked layout
 * between layers (rfsq_conv_block), with no conversion per call; a ReLU after a convolution is fused into its
 * forward, and its backward into the next convolution's backward. */
#define RFSQ_CONV_X_BLOCKED 1 /* x and dx in the blocked layout (else NCHW) */
#define RFSQ_CONV_Y_BLOCKED 2 /* y and dy in the blocked layout (else NCHW) */
#define RFSQ_CONV_RELU 4      /* forward: y = max(conv(x) + bias, 0) */
#define RFSQ_CONV_RELU_X 8    /* backward: x is the output of a ReLU, whose backward dx *= (x > 0) is folded in */

/* LFQ (docs/BASELINES.md): channels C in 1..24 (codebook 2^C); loss weights (>= 0), diversity gamma, inverse temperature tau (> 0). */
typedef struct rfsq_lfq_cfg {
    int32_t channels;
    float commitment_weight;
    float entropy_weight;
    float diversity_gamma;
    float inv_temperature;
} rfsq_lfq_cfg;

/* VQ-EMA (docs/BASELINES.md): codes M in 1..2^24 of dim D in 1..65536; decay in [0, 1), eps > 0, commitment weight >= 0;
 * dead_threshold >= 0: the EMA update restarts codes whose cluster size is below it from the batch (0: never). */
typedef struct rfsq_vq_cfg {
    int32_t codes;
    int32_t dim;
    float decay;
    float eps;
    float commitment_weight;
    float dead_threshold;
} rfsq_vq_cfg;

typedef struct rfsq_ctx rfsq_ctx;
typedef struct rfsq_graph rfsq_graph;

/* Returns the ABI version this library implements (RFSQ_ABI_VERSION). */
int rfsq_abi_version(void);
/* Returns the message of the last failed call on this thread ("" if none); valid until the next call. */
const char *rfsq_last_error(void);
/* Writes the number of usable CUDA devices (0 when the CUDA backend is absent or no driver/GPU is usable). */
int rfsq_cuda_device_count(int32_t *count);
/* Writes the number of live native objects (contexts plus rfsq_alloc buffers) in this process. */
int rfsq_live_objects(int64_t *count);
/* Sets how many threads CPU ops called from the calling thread use from now on, n in 1..4096 (oneDNN's convolutions too). */
int rfsq_set_cpu_threads(int32_t n);
/* Writes how many threads CPU ops called from the calling thread use (the machine's cores until rfsq_set_cpu_threads). */
int rfsq_cpu_threads(int32_t *out);

/* Creates a context on device (RFSQ_DEVICE_CPU, or a CUDA ordinal >= 0) with its own stream and scratch. */
int rfsq_ctx_create(int32_t device, rfsq_ctx **out);
/* Waits for the context's queued work, frees its scratch and the context; NULL is a no-op. */
int rfsq_ctx_destroy(rfsq_ctx *ctx);
/* Waits for all queued work and reports any bad data an earlier op found (RFSQ_E_NONFINITE, RFSQ_E_RANGE). */
int rfsq_ctx_sync(rfsq_ctx *ctx);
/* Writes the instruction set (RFSQ_CPU_ISA_*) a CPU context's kernels run; -1 for a CUDA context. */
int rfsq_ctx_cpu_isa(rfsq_ctx *ctx, int32_t *isa);

/* Allocates bytes (> 0) of the context's device memory, 256-byte aligned. */
int rfsq_alloc(rfsq_ctx *ctx, int64_t bytes, void **out);
/* Frees memory from rfsq_alloc on this context after queued work; NULL is a no-op, unknown pointers fail. */
int rfsq_free(rfsq_ctx *ctx, void *ptr);
/* Copies bytes from host memory to device memory; returns when src may be reused. */
int rfsq_copy_to_device(rfsq_ctx *ctx, void *dst, const void *src, int64_t bytes);
/* Copies bytes from device memory to host memory after queued work; then reports like rfsq_ctx_sync. */
int rfsq_copy_to_host(rfsq_ctx *ctx, void *dst, const void *src, int64_t bytes);
/* Copies bytes between two device buffers of the context, in stream order. */
int rfsq_copy_on_device(rfsq_ctx *ctx, void *dst, const void *src, int64_t bytes);

/* Starts recording the ops queued on a CUDA context into a graph instead of running them (not alloc, free, sync or host copies). */
int rfsq_graph_begin(rfsq_ctx *ctx);
/* Ends the recording; *out gets the graph to replay, or out NULL discards it; fails if a recorded op failed. */
int rfsq_graph_end(rfsq_ctx *ctx, rfsq_graph **out);
/* Replays a graph recorded on ctx: the same ops on the same buffers, queued like one op. */
int rfsq_graph_launch(rfsq_ctx *ctx, rfsq_graph *graph);
/* Frees a graph; NULL is a no-op. */
int rfsq_graph_destroy(rfsq_graph *graph);

/* FSQ forward on x (B,C,H,W): codes = round_half_even(bound(x)) / floor(L/2); idx (B,H,W) may be NULL. */
int rfsq_fsq_forward(rfsq_ctx *ctx, const rfsq_levels *levels, const float *x, int64_t b, int64_t h, int64_t w, float *codes, int32_t *idx);
/* FSQ straight-through backward: dx = dcodes * d bound(x) / dx / floor(L/2). */
int rfsq_fsq_backward(rfsq_ctx *ctx, const rfsq_levels *levels, const float *x, int64_t b, int64_t h, int64_t w, const float *dcodes, float *dx);
/* Codes (B,C,H,W) on the FSQ grid to indices (B,H,W), channel 0 least significant; off-grid codes fail. */
int rfsq_fsq_codes_to_indices(rfsq_ctx *ctx, const rfsq_levels *levels, const float *codes, int64_t b, int64_t h, int64_t w, int32_t *idx);
/* Indices (B,H,W) to codes (B,C,H,W); an index outside [0, product of levels) fails with RFSQ_E_RANGE. */
int rfsq_fsq_indices_to_codes(rfsq_ctx *ctx, const rfsq_levels *levels, const int32_t *idx, int64_t b, int64_t h, int64_t w, float *codes);

/* ReLU y = max(x, 0) over n floats, NaN kept as PyTorch does (y may alias x). */
int rfsq_relu_forward(rfsq_ctx *ctx, const float *x, int64_t n, float *y);
/* ReLU backward dx = 0 where y <= 0, else dy (NaN y included, as PyTorch), over n floats (dx may alias dy). */
int rfsq_relu_backward(rfsq_ctx *ctx, const float *y, const float *dy, int64_t n, float *dx);
/* Per-channel affine y = x * scale[c] + shift[c] of x (B,C,H,W) (image normalization and its inverse; y may alias x). */
int rfsq_channel_affine(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, const float *scale, const float *shift, float *y);
/* L1 loss over n floats: loss[0] = weight * mean |a - b|; grad = d loss / d a (sign(0) = 0), may be NULL. */
int rfsq_l1_loss(rfsq_ctx *ctx, const float *a, const float *b, int64_t n, float weight, float *loss, float *grad);
/* Writes the sum of squares of n floats to out[0] (a gradient norm for clipping). */
int rfsq_sum_squares(rfsq_ctx *ctx, const float *x, int64_t n, float *out);
/* Writes the three per-step constants of cfg (lr, step) that rfsq_adam_step_device reads: 1 - lr*wd, lr/(1 - beta1^step), sqrt(1 - beta2^step). */
int rfsq_adam_constants(const rfsq_adam_cfg *cfg, float *out);
/* rfsq_adam_step with lr and step taken from constants (3 floats of device memory), so a recorded graph replays it at each step's values. */
int rfsq_adam_step_device(rfsq_ctx *ctx, const rfsq_adam_cfg *cfg, const float *constants, float *param, const float *grad, float *m, float *v, int64_t n, const float *grad_sq);
/* One Adam/AdamW step over n parameters in place (param, m, v); grad_sq: sum of squared gradients, needed when cfg->max_grad_norm > 0. */
int rfsq_adam_step(rfsq_ctx *ctx, const rfsq_adam_cfg *cfg, float *param, const float *grad, float *m, float *v, int64_t n, const float *grad_sq);

/* Writes the number of floats in the parameter array of cfg (0 for the none strategy). */
int rfsq_rfsq_param_count(const rfsq_rfsq_cfg *cfg, int64_t *count);
/* Fused K-stage RFSQ forward on z (B,C,H,W): zhat = z - r_K, idx (B,H,W,K); running NULL: per-image stats written to stats (K,B,C,2) if not NULL; running (K,C,2): frozen stats; rnorm (B,K) = ||r_k|| per image, may be NULL; idx may be NULL. */
int rfsq_rfsq_forward(rfsq_ctx *ctx, const rfsq_rfsq_cfg *cfg, const float *z, int64_t b, int64_t h, int64_t w, const float *params, const float *running, float *zhat, int32_t *idx, float *stats, float *rnorm);
/* Exact backward of rfsq_rfsq_forward with per-image stats (residuals and statistics not detached): dz, and dparams (summed over the batch; may be NULL without parameters). */
int rfsq_rfsq_backward(rfsq_ctx *ctx, const rfsq_rfsq_cfg *cfg, const float *z, int64_t b, int64_t h, int64_t w, const float *params, const float *dzhat, float *dz, float *dparams);
/* Decodes idx (B,H,W,K) to zhat (B,C,H,W); layernorm needs stats: (K,B,C,2) if stats_per_image != 0, else running (K,C,2); NaN/Inf mu or sigma: RFSQ_E_NONFINITE, sigma <= 0: RFSQ_E_INVALID. */
int rfsq_rfsq_decode(rfsq_ctx *ctx, const rfsq_rfsq_cfg *cfg, const int32_t *idx, int64_t b, int64_t h, int64_t w, const float *params, const float *stats, int32_t stats_per_image, float *zhat);
/* Running statistics update: running (K,C,2) = momentum * running + (1 - momentum) * batch mean of stats (K,B,C,2). */
int rfsq_rfsq_running_update(rfsq_ctx *ctx, const rfsq_rfsq_cfg *cfg, const float *stats, int64_t b, float momentum, float *running);

/* Output size of cfg for an h x w input: (h + 2p - k) / s + 1, transposed (h - 1) s - 2p + k; fails if < 1. */
int rfsq_conv_output_size(const rfsq_conv_cfg *cfg, int64_t h, int64_t w, int64_t *oh, int64_t *ow);
/* Convolution forward y (B,out,OH,OW) = conv(x (B,in,H,W), weight) + bias (out). */
int rfsq_conv_forward(rfsq_ctx *ctx, const rfsq_conv_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *weight, const float *bias, float *y);
/* Convolution backward from dy: dx (may be NULL), dweight and dbias (overwritten, each may be NULL). */
int rfsq_conv_backward(rfsq_ctx *ctx, const rfsq_conv_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *weight, const float *dy, float *dx, float *dweight, float *dbias);

/* Writes the channel block k of the context's blocked layout: (B, ceil(C/k), H, W, k) floats, channels c >= C zero (oneDNN's nChw16c on a CPU with AVX-512, nChw8c with AVX2); 1 (plain NCHW) elsewhere and on CUDA. */
int rfsq_conv_block(rfsq_ctx *ctx, int32_t *block);
/* Converts x (B,C,H,W) between NCHW and the blocked layout into y: to_blocked 1 from NCHW to blocked, 0 back. */
int rfsq_blocked_convert(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, int32_t to_blocked, float *y);
/* rfsq_conv_forward with flags: RFSQ_CONV_X_BLOCKED, RFSQ_CONV_Y_BLOCKED (layouts of x and y), RFSQ_CONV_RELU (ReLU fused after the bias). */
int rfsq_conv_forward_ex(rfsq_ctx *ctx, const rfsq_conv_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *weight, const float *bias, int32_t flags, float *y);
/* rfsq_conv_backward with flags: RFSQ_CONV_X_BLOCKED (x, dx), RFSQ_CONV_Y_BLOCKED (dy), RFSQ_CONV_RELU_X (dx *= (x > 0)). */
int rfsq_conv_backward_ex(rfsq_ctx *ctx, const rfsq_conv_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *weight, const float *dy, int32_t flags, float *dx, float *dweight, float *dbias);

/* LFQ forward on x (B,C,H,W): q = sign (x = 0 gives -1), idx (B,H,W) (may be NULL), loss[0] = L_c + L_e (may be NULL). */
int rfsq_lfq_forward(rfsq_ctx *ctx, const rfsq_lfq_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, float *q, int32_t *idx, float *loss);
/* LFQ backward: dx = dq + dL_c/dx + dL_e/dx (straight-through plus the gradients of the auxiliary loss). */
int rfsq_lfq_backward(rfsq_ctx *ctx, const rfsq_lfq_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *dq, float *dx);
/* LFQ indices (B,H,W) to codes q (B,C,H,W), channel 0 the most significant bit; an index outside [0, 2^C) fails with RFSQ_E_RANGE. */
int rfsq_lfq_decode(rfsq_ctx *ctx, const rfsq_lfq_cfg *cfg, const int32_t *idx, int64_t b, int64_t h, int64_t w, float *q);
/* VQ forward on x (B,D,H,W) with codebook (M,D): idx (B,H,W) of the nearest code (ties: smallest), zq = its code, loss[0] = w_c mean (x - zq)^2 (may be NULL). */
int rfsq_vq_forward(rfsq_ctx *ctx, const rfsq_vq_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const float *codebook, float *zq, int32_t *idx, float *loss);
/* VQ EMA update in place from x (B,D,H,W) and its idx (B,H,W): cluster_size (M), embed_avg (M,D), codebook (M,D), then dead-code restarts. */
int rfsq_vq_ema_update(rfsq_ctx *ctx, const rfsq_vq_cfg *cfg, const float *x, int64_t b, int64_t h, int64_t w, const int32_t *idx, float *cluster_size, float *embed_avg, float *codebook);
/* VQ backward: dx = dzq + 2 w_c (x - zq) / (B D H W), with zq from the forward (the EMA update changes the codebook). */
int rfsq_vq_backward(rfsq_ctx *ctx, const rfsq_vq_cfg *cfg, const float *x, const float *zq, int64_t b, int64_t h, int64_t w, const float *dzq, float *dx);
/* VQ indices (B,H,W) to zq (B,D,H,W) from codebook (M,D); an index outside [0, M) fails with RFSQ_E_RANGE. */
int rfsq_vq_decode(rfsq_ctx *ctx, const rfsq_vq_cfg *cfg, const float *codebook, const int32_t *idx, int64_t b, int64_t h, int64_t w, float *zq);

/* Max-pool 2x2, stride 2, of x (B,C,H,W) into y (B,C,H/2,W/2) (rounded down), as PyTorch's max_pool2d (NaN propagates, ties to the first). */
int rfsq_max_pool2x2_forward(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, float *y);
/* Max-pool backward: dx (B,C,H,W) = dy (B,C,H/2,W/2) at each window's maximum in x, 0 elsewhere. */
int rfsq_max_pool2x2_backward(rfsq_ctx *ctx, const float *x, const float *dy, int64_t b, int64_t c, int64_t h, int64_t w, float *dx);
/* Average-pool 2x2, stride 2, of x (B,C,H,W) into y (B,C,H/2,W/2) (rounded down). */
int rfsq_avg_pool2x2_forward(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, float *y);

/* 8-bit image values (as float) of x (B,C,H,W): y = clamp(floor(x * scale[c] + shift[c] + 0.5), 0, 255), in double. */
int rfsq_to_8bit(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, const float *scale, const float *shift, float *y);
/* Per-image error sums of a, b (batch, n): out (batch, 2) = (sum |a - b|, sum (a - b)^2), accumulated in double. */
int rfsq_image_errors(rfsq_ctx *ctx, const float *a, const float *b, int64_t batch, int64_t n, float *out);
/* SSIM per plane of x, y (B,C,H,W), H, W >= 11, as skimage's (Gaussian 11x11, sigma 1.5, K 0.01/0.03, border of 5 cropped; covariances x 121/120 if sample_covariance): out (B,C,2) = (mean SSIM, mean contrast-structure). */
int rfsq_ssim(rfsq_ctx *ctx, const float *x, const float *y, int64_t b, int64_t c, int64_t h, int64_t w, float data_range, int32_t sample_covariance, float *out);

/* LPIPS layer term of features fa, fb (B,C,H,W) and linear weight (C): d (B) (+= if accumulate) = mean_hw sum_c weight[c] (fa/(|fa|+1e-10) - fb/(|fb|+1e-10))^2, |f| over channels. */
int rfsq_lpips_layer_forward(rfsq_ctx *ctx, const float *fa, const float *fb, int64_t b, int64_t c, int64_t h, int64_t w, const float *weight, int32_t accumulate, float *d);
/* Gradient of scale * (that layer term) with respect to fa: dfa (B,C,H,W) written (or added to if accumulate). */
int rfsq_lpips_layer_backward(rfsq_ctx *ctx, const float *fa, const float *fb, int64_t b, int64_t c, int64_t h, int64_t w, const float *weight, float scale, int32_t accumulate, float *dfa);
/* Per-channel scale-add y += x * scale[c] of x, y (B,C,H,W) (accumulates an input gradient). */
int rfsq_channel_scale_add(rfsq_ctx *ctx, const float *x, int64_t b, int64_t c, int64_t h, int64_t w, const float *scale, float *y);

#ifdef __cplusplus
}
#endif

#endif /* RFSQ_H */
