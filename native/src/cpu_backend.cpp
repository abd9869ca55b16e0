// CPU backend: host memory, scratch, and the dispatch of every op to the kernels of the context's instruction set
// (cpu_kernels.cpp, compiled once per variant).
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>

#include "../common/ops.h"
#include "cpu_kernels.h"

namespace rfsq {

namespace {

int cpu_init(rfsq_ctx* ctx) { return cpu_isa_choose(&ctx->cpu_isa, "rfsq_ctx_create"); }

void cpu_release(rfsq_ctx* ctx) {
    cpu_conv_release(ctx);
    for (void*& p : ctx->scratch) {
        free(p);
        p = nullptr;
    }
}

int cpu_alloc(rfsq_ctx*, int64_t bytes, void** out, const char* op) {
    const size_t rounded = ((size_t)bytes + 255) / 256 * 256;
    *out = aligned_alloc(256, rounded);
    return *out ? RFSQ_OK : fail(RFSQ_E_NOMEM, op, "cannot allocate %lld bytes of host memory", (long long)bytes);
}

int cpu_free(rfsq_ctx*, void* p) {
    free(p);
    return RFSQ_OK;
}

int cpu_copy(rfsq_ctx*, void* dst, const void* src, int64_t bytes, int, const char*) {
    memmove(dst, src, (size_t)bytes);
    return RFSQ_OK;
}

int cpu_sync(rfsq_ctx*, const char*) { return RFSQ_OK; }  // CPU ops report bad data in their own status

// VQ's x.e as a GEMM (oneDNN picks the CPU's vector ISA), in chunks of positions of ~16 MiB of dot products.
int cpu_vq_nearest(rfsq_ctx* ctx, const char* name, const VqSearch& op) {
    const int64_t b = op.npos / op.hw;
    const int64_t rows = std::max<int64_t>(1, std::min<int64_t>(op.hw, (4 << 20) / op.m));
    void* dots = nullptr;
    if (int st = cpu_scratch(ctx, 1, rows * op.m * (int64_t)sizeof(float), &dots, name)) return st;
    return cpu_vq_search(ctx, op.x, b, op.d, op.hw, op.codebook, op.m, op.norms, op.idx, static_cast<float*>(dots), rows);
}

}  // namespace

int cpu_scratch(rfsq_ctx* ctx, int slot, int64_t bytes, void** out, const char* op) {
    if (ctx->scratch_bytes[slot] < bytes) {
        free(ctx->scratch[slot]);
        ctx->scratch_bytes[slot] = 0;
        ctx->scratch[slot] = nullptr;
        if (int st = cpu_alloc(ctx, bytes, &ctx->scratch[slot], op)) return st;
        ctx->scratch_bytes[slot] = bytes;
    }
    *out = ctx->scratch[slot];
    return RFSQ_OK;
}

const Backend& cpu_backend() {
    static const Backend be{cpu_init, cpu_release, cpu_alloc, cpu_free, cpu_copy, cpu_sync, cpu_scratch,
                            cpu_conv_forward, cpu_conv_backward, cpu_vq_nearest, kCpuTuning};
    return be;
}

// The context's variant of the kernels (cpu_kernels.h).
template <class Op>
int cpu_run(rfsq_ctx* ctx, const char* name, const Op& op, Launch launch) {
    switch (ctx->cpu_isa) {
        case RFSQ_CPU_ISA_AVX512:
            return avx512::cpu_run(ctx, name, op, launch);
        case RFSQ_CPU_ISA_AVX2:
            return avx2::cpu_run(ctx, name, op, launch);
        default:
            return baseline::cpu_run(ctx, name, op, launch);
    }
}

#define RFSQ_CPU_INSTANTIATE(Op) template int cpu_run<Op>(rfsq_ctx*, const char*, const Op&, Launch);
RFSQ_FOR_EACH_OP(RFSQ_CPU_INSTANTIATE)
#undef RFSQ_CPU_INSTANTIATE

}  // namespace rfsq
