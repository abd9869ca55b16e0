// CUDA backend: device memory on the context's stream, and ops run as one thread block per team.
// Every CUDA call is checked; every launch is followed by cudaGetLastError; bad data found by a kernel is
// recorded in ctx->bad_flags and reported at the next sync (rfsq_ctx_sync / rfsq_copy_to_host).
#include <cuda_runtime.h>

#include <cstring>
#include <map>
#include <mutex>
#include <vector>

#include "../common/ops.h"
#include "../src/internal.h"

namespace rfsq {

namespace {

constexpr int kThreads = 256;            // threads per team (block); a multiple of 32
constexpr int kWarps = kThreads / 32;
constexpr int kMaxGrid = 65535;          // teams beyond this loop inside a block
constexpr int kGlobalWorkBlocksPerSm = 4;  // grid when team work lives in global memory (bounds its size)

int cuda_fail(cudaError_t err, const char* op, const char* what) {
    cudaGetLastError();  // consumed here, so the next launch's check does not blame its op
    return fail(err == cudaErrorMemoryAllocation ? RFSQ_E_NOMEM : RFSQ_E_CUDA, op, "%s: %s (%s)", what,
                cudaGetErrorName(err), cudaGetErrorString(err));
}

#define RFSQ_CUDA_TRY(call, op)                                         \
    do {                                                                \
        cudaError_t err_ = (call);                                      \
        if (err_ != cudaSuccess) return cuda_fail(err_, op, #call);     \
    } while (0)

cudaStream_t stream_of(const rfsq_ctx* ctx) { return static_cast<cudaStream_t>(ctx->stream); }

// One block. sum() reduces within warps by shuffles, then across warps through shared memory in a fixed
// order, so results are deterministic for a given block size.
struct CudaTeam {
    float* scratch;
    float* red;  // [kWarps + 1][kMaxSums] shared floats
    unsigned* bad_flags;
    int op_id;

    RFSQ_HD int rank() const {
#ifdef __CUDA_ARCH__
        return threadIdx.x;
#else
        return 0;
#endif
    }
    RFSQ_HD int size() const {
#ifdef __CUDA_ARCH__
        return blockDim.x;
#else
        return 1;
#endif
    }
    RFSQ_HD void sync() const {
#ifdef __CUDA_ARCH__
        __syncthreads();
#endif
    }
    RFSQ_HD void sum(float* v, int n) const {
#ifdef __CUDA_ARCH__
        const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
        for (int i = 0; i < n; ++i) {
            float x = v[i];
            for (int o = 16; o > 0; o >>= 1) x += __shfl_xor_sync(0xffffffffu, x, o);
            if (lane == 0) red[warp * kMaxSums + i] = x;
        }
        __syncthreads();
        if (threadIdx.x < n) {
            float s = 0.0f;
            for (int w = 0; w < kWarps; ++w) s += red[w * kMaxSums + threadIdx.x];
            red[kWarps * kMaxSums + threadIdx.x] = s;
        }
        __syncthreads();
        for (int i = 0; i < n; ++i) v[i] = red[kWarps * kMaxSums + i];
        __syncthreads();
#endif
    }
    RFSQ_HD void flag(unsigned bits) const {
#ifdef __CUDA_ARCH__
        atomicOr(bad_flags, bits);
        atomicCAS(bad_flags + 1, 0u, (unsigned)op_id + 1u);
#endif
    }
    RFSQ_HD float* work() const { return scratch; }
};

// work_stride: floats between two blocks' scratch in global_work (16-byte aligned, like the shared array).
template <class Op>
__global__ void __launch_bounds__(kThreads) team_kernel(Op op, int64_t teams, float* global_work, int64_t work_stride,
                                                        unsigned* bad_flags, int op_id) {
    extern __shared__ __align__(16) float shared_work[];
    __shared__ float red[(kWarps + 1) * kMaxSums];
    const CudaTeam team{global_work ? global_work + blockIdx.x * work_stride : shared_work, red, bad_flags, op_id};
    for (int64_t i = blockIdx.x; i < teams; i += gridDim.x) {
        op(team, i);
        __syncthreads();  // the next team reuses the block's scratch
    }
}

// The entry points a kernel can report bad data for: a kernel stores the index of its launch's entry point (a
// string literal), and gpu_sync names it. Several functors serve several entry points, so the launch, not the
// functor, says which one the user called.
std::mutex g_names_mu;
std::vector<const char*> g_names;

int name_id(const char* name) {
    std::lock_guard<std::mutex> lock(g_names_mu);
    for (size_t i = 0; i < g_names.size(); ++i)
        if (g_names[i] == name || std::strcmp(g_names[i], name) == 0) return (int)i;
    g_names.push_back(name);
    return (int)g_names.size() - 1;
}

const char* name_of(int id) {
    std::lock_guard<std::mutex> lock(g_names_mu);
    return id >= 0 && id < (int)g_names.size() ? g_names[id] : "rfsq (unknown op)";
}

int set_device(const rfsq_ctx* ctx, const char* op) {
    RFSQ_CUDA_TRY(cudaSetDevice(ctx->device), op);
    return RFSQ_OK;
}

void gpu_release(rfsq_ctx* ctx);

int gpu_init_steps(rfsq_ctx* ctx) {
    const char* op = "rfsq_ctx_create";
    if (int st = set_device(ctx, op)) return st;
    cudaStream_t s = nullptr;
    RFSQ_CUDA_TRY(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), op);
    ctx->stream = s;
    void* flags = nullptr;
    RFSQ_CUDA_TRY(cudaMalloc(&flags, 2 * sizeof(unsigned)), op);
    ctx->bad_flags = static_cast<unsigned*>(flags);
    RFSQ_CUDA_TRY(cudaMemsetAsync(flags, 0, 2 * sizeof(unsigned), s), op);
    int v = 0;
    RFSQ_CUDA_TRY(cudaDeviceGetAttribute(&v, cudaDevAttrMaxSharedMemoryPerBlockOptin, ctx->device), op);
    ctx->max_shared = v;
    RFSQ_CUDA_TRY(cudaDeviceGetAttribute(&v, cudaDevAttrMultiProcessorCount, ctx->device), op);
    ctx->sm_count = v;
    RFSQ_CUDA_TRY(cudaStreamSynchronize(s), op);
    return RFSQ_OK;
}

// A failed init frees what it made (the stream, the flags): api_core.cpp then deletes the context.
int gpu_init(rfsq_ctx* ctx) {
    const int st = gpu_init_steps(ctx);
    if (st != RFSQ_OK) gpu_release(ctx);
    return st;
}

void gpu_release(rfsq_ctx* ctx) {
    // Errors here cannot be reported usefully (the context is going away); the calls are still made.
    cudaSetDevice(ctx->device);
    cudnn_release(ctx);  // before the stream it is bound to goes away
    for (void*& p : ctx->scratch) {
        if (p) cudaFree(p);
        p = nullptr;
    }
    if (ctx->bad_flags) cudaFree(ctx->bad_flags);
    for (int i = 0; i < 2; ++i) {
        if (ctx->staging_done[i]) cudaEventSynchronize(static_cast<cudaEvent_t>(ctx->staging_done[i]));
        if (ctx->staging_done[i]) cudaEventDestroy(static_cast<cudaEvent_t>(ctx->staging_done[i]));
        if (ctx->staging[i]) cudaFreeHost(ctx->staging[i]);
        ctx->staging_done[i] = ctx->staging[i] = nullptr;
    }
    if (ctx->stream) cudaStreamDestroy(stream_of(ctx));
    ctx->bad_flags = nullptr;
    ctx->stream = nullptr;
}

int gpu_alloc(rfsq_ctx* ctx, int64_t bytes, void** out, const char* op) {
    if (int st = set_device(ctx, op)) return st;
    RFSQ_CUDA_TRY(cudaMalloc(out, (size_t)bytes), op);
    return RFSQ_OK;
}

int gpu_free(rfsq_ctx* ctx, void* p) {
    const char* op = "rfsq_free";
    if (int st = set_device(ctx, op)) return st;
    RFSQ_CUDA_TRY(cudaStreamSynchronize(stream_of(ctx)), op);
    RFSQ_CUDA_TRY(cudaFree(p), op);
    return RFSQ_OK;
}

int gpu_sync(rfsq_ctx* ctx, const char* op) {
    if (int st = set_device(ctx, op)) return st;
    unsigned flags[2] = {0, 0};
    // On the context's stream, not the legacy default stream (which would wait for every blocking stream of the
    // process, PyTorch's included).
    RFSQ_CUDA_TRY(cudaMemcpyAsync(flags, ctx->bad_flags, sizeof flags, cudaMemcpyDeviceToHost, stream_of(ctx)), op);
    RFSQ_CUDA_TRY(cudaStreamSynchronize(stream_of(ctx)), op);
    if (flags[0] == 0) return RFSQ_OK;
    // On the context's stream: kernels queued after this sync must see the cleared flags.
    RFSQ_CUDA_TRY(cudaMemsetAsync(ctx->bad_flags, 0, sizeof flags, stream_of(ctx)), op);
    RFSQ_CUDA_TRY(cudaStreamSynchronize(stream_of(ctx)), op);
    return fail(status_of_bad(flags[0]), name_of((int)flags[1] - 1), "%s (found on the GPU, reported by %s)",
                message_of_bad(flags[0]), op);
}

constexpr int64_t kMaxStaged = 64 << 20;  // larger host-to-device copies wait for the stream instead

// A host-to-device copy that returns once src may be reused without waiting for the stream: src goes into one of
// two pinned buffers (alternately) and is copied from there in stream order, so a training loop that uploads a
// batch per step does not stall the GPU. A buffer is refilled only after the copy out of it has run (its event).
int gpu_upload(rfsq_ctx* ctx, void* dst, const void* src, int64_t bytes, const char* op) {
    const int slot = ctx->staging_next;
    ctx->staging_next ^= 1;
    cudaEvent_t done = static_cast<cudaEvent_t>(ctx->staging_done[slot]);
    if (done) {
        RFSQ_CUDA_TRY(cudaEventSynchronize(done), op);
    } else {
        RFSQ_CUDA_TRY(cudaEventCreateWithFlags(&done, cudaEventDisableTiming), op);
        ctx->staging_done[slot] = done;
    }
    if (ctx->staging_bytes[slot] < bytes) {
        if (ctx->staging[slot]) RFSQ_CUDA_TRY(cudaFreeHost(ctx->staging[slot]), op);
        ctx->staging[slot] = nullptr;
        ctx->staging_bytes[slot] = 0;
        if (cudaMallocHost(&ctx->staging[slot], (size_t)bytes) != cudaSuccess) {
            cudaGetLastError();  // no pinned memory (locked-memory limit): copy from src and wait instead
            ctx->staging[slot] = nullptr;
            RFSQ_CUDA_TRY(cudaMemcpyAsync(dst, src, (size_t)bytes, cudaMemcpyHostToDevice, stream_of(ctx)), op);
            RFSQ_CUDA_TRY(cudaStreamSynchronize(stream_of(ctx)), op);
            return RFSQ_OK;
        }
        ctx->staging_bytes[slot] = bytes;
    }
    std::memcpy(ctx->staging[slot], src, (size_t)bytes);
    RFSQ_CUDA_TRY(cudaMemcpyAsync(dst, ctx->staging[slot], (size_t)bytes, cudaMemcpyHostToDevice, stream_of(ctx)), op);
    RFSQ_CUDA_TRY(cudaEventRecord(done, stream_of(ctx)), op);
    return RFSQ_OK;
}

int gpu_copy(rfsq_ctx* ctx, void* dst, const void* src, int64_t bytes, int kind, const char* op) {
    if (int st = set_device(ctx, op)) return st;
    if (kind == 0 && bytes <= kMaxStaged) return gpu_upload(ctx, dst, src, bytes, op);
    const cudaMemcpyKind k = kind == 0 ? cudaMemcpyHostToDevice : kind == 1 ? cudaMemcpyDeviceToHost : cudaMemcpyDeviceToDevice;
    RFSQ_CUDA_TRY(cudaMemcpyAsync(dst, src, (size_t)bytes, k, stream_of(ctx)), op);
    if (kind == 0) RFSQ_CUDA_TRY(cudaStreamSynchronize(stream_of(ctx)), op);  // src may be reused on return
    return kind == 1 ? gpu_sync(ctx, op) : RFSQ_OK;
}

int gpu_scratch(rfsq_ctx* ctx, int slot, int64_t bytes, void** out, const char* op) {
    if (ctx->scratch_bytes[slot] < bytes) {
        if (int st = check_fixed_memory(ctx, op, (long long)bytes)) return st;
        if (int st = set_device(ctx, op)) return st;
        if (ctx->scratch[slot]) {
            RFSQ_CUDA_TRY(cudaStreamSynchronize(stream_of(ctx)), op);  // queued ops may still use the old one
            RFSQ_CUDA_TRY(cudaFree(ctx->scratch[slot]), op);
        }
        ctx->scratch[slot] = nullptr;
        ctx->scratch_bytes[slot] = 0;
        RFSQ_CUDA_TRY(cudaMalloc(&ctx->scratch[slot], (size_t)bytes), op);
        ctx->scratch_bytes[slot] = bytes;
    }
    *out = ctx->scratch[slot];
    return RFSQ_OK;
}

}  // namespace


int cuda_graph_begin(rfsq_ctx* ctx) {
    const char* op = "rfsq_graph_begin";
    if (int st = set_device(ctx, op)) return st;
    // Thread-local mode: a call that cannot be recorded (cudaMalloc, a sync) fails instead of running.
    RFSQ_CUDA_TRY(cudaStreamBeginCapture(stream_of(ctx), cudaStreamCaptureModeThreadLocal), op);
    ctx->recording = true;
    return RFSQ_OK;
}

int cuda_graph_end(rfsq_ctx* ctx, rfsq_graph** out) {
    const char* op = "rfsq_graph_end";
    cudaSetDevice(ctx->device);  // its error, if any, is the capture's to report
    cudaGraph_t graph = nullptr;
    cudaError_t e = cudaStreamEndCapture(stream_of(ctx), &graph);
    ctx->recording = false;
    if (e != cudaSuccess) {
        cudaGetLastError();
        if (graph) cudaGraphDestroy(graph);
        return fail(RFSQ_E_CUDA, op, "the recording is lost (an op recorded into it failed): %s", cudaGetErrorString(e));
    }
    if (!out) {
        RFSQ_CUDA_TRY(cudaGraphDestroy(graph), op);
        return RFSQ_OK;
    }
    cudaGraphExec_t exec = nullptr;
    e = cudaGraphInstantiate(&exec, graph, 0);
    cudaGraphDestroy(graph);
    RFSQ_CUDA_TRY(e, op);
    *out = new rfsq_graph{ctx, exec};
    ++ctx->graphs;
    return RFSQ_OK;
}

int cuda_graph_launch(rfsq_ctx* ctx, rfsq_graph* graph) {
    const char* op = "rfsq_graph_launch";
    if (graph->ctx != ctx) return fail(RFSQ_E_INVALID, op, "the graph was recorded on another context");
    if (int st = set_device(ctx, op)) return st;
    RFSQ_CUDA_TRY(cudaGraphLaunch(static_cast<cudaGraphExec_t>(graph->exec), stream_of(ctx)), op);
    return RFSQ_OK;
}

void cuda_graph_destroy(rfsq_graph* graph) {
    cudaGraphExecDestroy(static_cast<cudaGraphExec_t>(graph->exec));  // nothing useful to report on the way out
    --graph->ctx->graphs;
    delete graph;
}

namespace {
int gpu_vq_search(rfsq_ctx* ctx, const char* name, const VqSearch& op) { return cuda_run(ctx, name, op, vq_search_launch(op.npos)); }
}  // namespace

const Backend& cuda_backend() {
    static_assert(kCudaTuning.lfq_backward_chunk == kThreads, "one LFQ backward position per thread");
    static const Backend be{gpu_init, gpu_release, gpu_alloc, gpu_free, gpu_copy, gpu_sync, gpu_scratch,
                            cuda_conv_forward, cuda_conv_backward, gpu_vq_search, kCudaTuning};
    return be;
}

int cuda_device_count() {
    int n = 0;  // left untouched by cudaGetDeviceCount when there is no driver
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
        cudaGetLastError();  // clear the sticky-free error so later calls do not see it
        return 0;
    }
    return n;
}

namespace {

// The static shared memory of team_kernel<Op> (team.sum's reduction array, when the op uses it) on ctx's device.
// The first call for a kernel and device also raises the kernel's dynamic shared memory limit to everything the
// device allows beside the static part, once: the attribute is process-wide, so setting it per launch to that
// launch's size would race between contexts on two threads, and a smaller later value would break a graph that
// recorded a larger launch.
template <class Op>
int static_shared(const rfsq_ctx* ctx, const char* name, int64_t* bytes) {
    static std::mutex mu;
    static std::map<int32_t, int64_t> by_device;
    std::lock_guard<std::mutex> lock(mu);
    auto it = by_device.find(ctx->device);
    if (it == by_device.end()) {
        cudaFuncAttributes a;
        RFSQ_CUDA_TRY(cudaFuncGetAttributes(&a, team_kernel<Op>), name);
        RFSQ_CUDA_TRY(cudaFuncSetAttribute(team_kernel<Op>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                           ctx->max_shared - (int)a.sharedSizeBytes), name);
        it = by_device.emplace(ctx->device, (int64_t)a.sharedSizeBytes).first;
    }
    *bytes = it->second;
    return RFSQ_OK;
}

}  // namespace

// Team work lives in dynamic shared memory when it fits beside the kernel's static shared memory (up to the
// device's opt-in maximum), else in global scratch, with the grid capped so that scratch stays bounded.
template <class Op>
int cuda_run(rfsq_ctx* ctx, const char* name, const Op& op, Launch launch) {
    if (int st = set_device(ctx, name)) return st;
    int64_t static_bytes = 0;
    if (int st = static_shared<Op>(ctx, name, &static_bytes)) return st;
    const int64_t work_bytes = launch.work_floats * (int64_t)sizeof(float);
    const bool in_shared = static_bytes + work_bytes <= ctx->max_shared;
    const int64_t stride = work_stride(launch.work_floats);
    int64_t grid = launch.teams < kMaxGrid ? launch.teams : kMaxGrid;
    float* global_work = nullptr;
    if (!in_shared) {
        const int64_t cap = (int64_t)ctx->sm_count * kGlobalWorkBlocksPerSm;
        grid = grid < cap ? grid : cap;
        void* p = nullptr;
        if (int st = gpu_scratch(ctx, 1, grid * stride * (int64_t)sizeof(float), &p, name)) return st;
        global_work = static_cast<float*>(p);
    }
    const size_t dyn = in_shared ? (size_t)work_bytes : 0;
    team_kernel<Op><<<(unsigned)grid, kThreads, dyn, stream_of(ctx)>>>(op, launch.teams, global_work, stride, ctx->bad_flags,
                                                                       name_id(name));
    RFSQ_CUDA_TRY(cudaGetLastError(), name);
    return RFSQ_OK;
}

#define RFSQ_CUDA_INSTANTIATE(Op) template int cuda_run<Op>(rfsq_ctx*, const char*, const Op&, Launch);
RFSQ_FOR_EACH_OP(RFSQ_CUDA_INSTANTIATE)
#undef RFSQ_CUDA_INSTANTIATE

}  // namespace rfsq
