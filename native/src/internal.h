// What the entry points (api_*.cpp) and the two backends share: the context, errors, and how an op runs.
#pragma once

#include <stdint.h>

#include <mutex>
#include <unordered_set>

#include "../common/team.h"
#include "rfsq.h"

namespace rfsq {
struct CpuConvCache;  // onednn.cpp: oneDNN engine, stream and primitives per shape
struct VqSearch;      // ops_vq.h
}

struct rfsq_ctx {
    int32_t device = RFSQ_DEVICE_CPU;
    int32_t cpu_isa = -1;                   // CPU only: RFSQ_CPU_ISA_* of the kernels this context runs
    std::mutex mu;                          // guards allocations (rfsq_free may race with rfsq_alloc)
    std::unordered_set<void*> allocations;  // live rfsq_alloc buffers, so a bad rfsq_free fails cleanly
    void* scratch[2] = {nullptr, nullptr};  // 0: op temporaries (backward partial sums), 1: team work
    int64_t scratch_bytes[2] = {0, 0};
    rfsq::CpuConvCache* cpu_conv = nullptr;  // CPU only, created by the first convolution
    // CUDA only
    void* stream = nullptr;          // cudaStream_t
    unsigned* bad_flags = nullptr;   // device [bits, op id + 1] raised by kernels, read at sync
    int32_t max_shared = 0;          // opt-in shared memory per block, bytes
    int32_t sm_count = 0;
    void* cudnn = nullptr;           // conv_cudnn.cu: cuDNN handle, plans, workspace (created by the first conv)
    void* staging[2] = {nullptr, nullptr};        // pinned host buffers that host-to-device copies go through
    int64_t staging_bytes[2] = {0, 0};
    void* staging_done[2] = {nullptr, nullptr};   // cudaEvent_t: the last copy out of that buffer has run
    int staging_next = 0;
    bool recording = false;  // between rfsq_graph_begin and rfsq_graph_end
    int64_t graphs = 0;      // live graphs recorded here: scratch and workspaces they use must not move
};

struct rfsq_graph {
    rfsq_ctx* ctx;
    void* exec;  // cudaGraphExec_t
};

namespace rfsq {

// Records "op: message" as this thread's last error and returns status.
int fail(int status, const char* op, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

// Status and message of the bad-data bits (kBad*) a kernel raised.
int status_of_bad(unsigned bits);
const char* message_of_bad(unsigned bits);

// Convolutions, validated by api_conv.cpp (shapes: x (b, in, h, w), y (b, out, oh, ow)); one implementation per
// backend: oneDNN on the CPU, cuDNN on CUDA.
// flags: RFSQ_CONV_* (layouts of x/dx and y/dy, fused ReLUs); block: the context's channel block (rfsq_conv_block)
// when a layout is blocked.
struct ConvShape {
    rfsq_conv_cfg cfg;
    int64_t b, h, w, oh, ow;
    int32_t flags = 0;
    int32_t block = 1;
};

// The channel block of a context's blocked layout: oneDNN's preferred nChw{k}c on the CPU (probed once), 1 on CUDA.
int conv_block(const rfsq_ctx*);
int cpu_conv_block();

// A backend's choices of how to split work into teams: they change speed, never what an op computes.
struct Tuning {
    int32_t lfq_codes_per_team;  // LfqAvgProb: codes whose average probability one team sums
    int32_t lfq_backward_chunk;  // LfqBackward: positions per team
    int32_t vq_ema_codes;        // VqEmaAccumulate: codes per team, at most ...
    int64_t vq_ema_sums;         // ... and at most this many (code, dim) sums per team
    int32_t vq_ema_codes_per_team(int32_t dim) const {
        const int64_t by_sums = vq_ema_sums / dim;
        return (int32_t)(by_sums < 1 ? 1 : by_sums < vq_ema_codes ? by_sums : vq_ema_codes);
    }
};

// Each backend's tuning (declared here so that the team emulation tests, native/tests/team_tests.cpp, run every op
// as the CUDA backend does). CPU: a team is one thread, so more codes per team (the sums stay under ~8 MiB) and
// fewer LFQ backward positions give each thread enough work; CUDA: many small teams keep every SM busy, one LFQ
// backward position per thread of a 256-thread block.
constexpr Tuning kCpuTuning{64, 64, 64, 1 << 20};
constexpr Tuning kCudaTuning{32, 256, 8, int64_t(1) << 40};

// One backend: memory, copies, sync and scratch (run<Op> is a template, declared per backend below), its tuning,
// and VQ's nearest-code search (oneDNN's matmul on the CPU, the tiled VqSearch kernel on CUDA).
struct Backend {
    int (*init)(rfsq_ctx*);
    void (*release)(rfsq_ctx*);
    int (*alloc)(rfsq_ctx*, int64_t, void**, const char* op);
    int (*free)(rfsq_ctx*, void*);
    int (*copy)(rfsq_ctx*, void*, const void*, int64_t, int kind, const char* op);  // kind: 0 h2d, 1 d2h, 2 d2d
    int (*sync)(rfsq_ctx*, const char* op);
    int (*scratch)(rfsq_ctx*, int slot, int64_t bytes, void** out, const char* op);
    int (*conv_forward)(rfsq_ctx*, const ConvShape&, const float* x, const float* weight, const float* bias, float* y);
    int (*conv_backward)(rfsq_ctx*, const ConvShape&, const float* x, const float* weight, const float* dy, float* dx,
                         float* dweight, float* dbias);
    int (*vq_search)(rfsq_ctx*, const char* op, const VqSearch&);  // writes idx; reports NaN/Inf in x
    Tuning tuning;
};

const Backend& cpu_backend();
const Backend& cuda_backend();  // returns stubs reporting RFSQ_E_NO_DEVICE when CUDA is not compiled in
int cuda_device_count();

// The backends' convolutions and VQ search.
// Scratch slot of a CPU context, grown to at least bytes (the CPU kernels' team work).
int cpu_scratch(rfsq_ctx*, int slot, int64_t bytes, void** out, const char* op);
int cpu_conv_forward(rfsq_ctx*, const ConvShape&, const float* x, const float* weight, const float* bias, float* y);
int cpu_conv_backward(rfsq_ctx*, const ConvShape&, const float* x, const float* weight, const float* dy, float* dx,
                      float* dweight, float* dbias);
void cpu_conv_release(rfsq_ctx*);
// VQ nearest codes on the CPU (onednn.cpp): x.e by oneDNN's matmul per chunk of positions into dots (room for
// dots_rows x m floats), then argmin of norms - 2 x.e per position, ties to the smallest index. Reports NaN/Inf in x.
int cpu_vq_search(rfsq_ctx*, const float* x, int64_t b, int32_t d, int64_t hw, const float* codebook, int32_t m,
                  const float* norms, int32_t* idx, float* dots, int64_t dots_rows);
int cuda_conv_forward(rfsq_ctx*, const ConvShape&, const float* x, const float* weight, const float* bias, float* y);
int cuda_conv_backward(rfsq_ctx*, const ConvShape&, const float* x, const float* weight, const float* dy, float* dx,
                       float* dweight, float* dbias);
void cudnn_release(rfsq_ctx*);  // frees ctx->cudnn; called by the CUDA backend's release

// Graphs (CUDA only; api_core.cpp refuses CPU contexts and keeps the set of live graphs).
int cuda_graph_begin(rfsq_ctx*);
int cuda_graph_end(rfsq_ctx*, rfsq_graph** out);  // out NULL: discard
int cuda_graph_launch(rfsq_ctx*, rfsq_graph*);
void cuda_graph_destroy(rfsq_graph*);
// Scratch and workspaces cannot be reallocated while a graph is recorded or alive: it holds their addresses.
int check_fixed_memory(const rfsq_ctx*, const char* op, long long bytes);

// Runs launch.teams teams of op; name (the entry point) is what errors name.
template <class Op>
int cpu_run(rfsq_ctx* ctx, const char* name, const Op& op, Launch launch);
template <class Op>
int cuda_run(rfsq_ctx* ctx, const char* name, const Op& op, Launch launch);

}  // namespace rfsq
