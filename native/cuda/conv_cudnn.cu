// CUDA convolutions through cuDNN 9, loaded at run time: librfsq.so does not need libcudnn to load, and a
// machine without cuDNN still runs every other CUDA op (the conv entry points then report RFSQ_E_NO_DEVICE).
//
// Loading (once per process, thread-safe): $RFSQ_CUDNN_LIBRARY (the path of libcudnn.so.9, or the directory
// holding it), then plain "libcudnn.so.9" through the loader's path (LD_LIBRARY_PATH, ld.so.cache). cuDNN 9's
// libcudnn.so.9 is a shim that later dlopens its sublibraries (libcudnn_cnn.so.9, ...) by bare name; when it
// was found by an explicit path, the sublibraries beside it are loaded first, so those bare-name lookups find
// them already loaded (glibc matches a loaded library by its soname) without LD_LIBRARY_PATH.
//
// Per context (ctx->cudnn, created by the first convolution, freed by cudnn_release from the backend's
// release): one cudnnHandle bound to the context's stream, a cache of plans (descriptors and algorithms) per
// shape and batch chunk, and one workspace that grows when a new plan needs more. Algorithms are picked once
// per plan and direction (cuDNN's heuristics, no benchmarking, no sync): a repeated shape costs no host work
// beyond the cuDNN calls themselves.
//
// Numerics: exact FP32 by default. On Ampere and Hopper, cuDNN's CUDNN_DEFAULT_MATH lets FP32 convolutions run
// on TF32 tensor cores (10-bit mantissa inputs, relative errors ~1e-3 instead of ~1e-6); CUDNN_FMA_MATH
// restricts cuDNN to FMA kernels, so every descriptor is set to it and only algorithms that report FMA math are
// accepted. RFSQ_CUDNN_TF32=1 in the environment (read once) allows TF32 instead (CUDNN_DEFAULT_MATH; a flag for
// later, to measure what TF32 buys against its error). Among the algorithms cuDNN ranks, the first
// deterministic one is preferred (backward-filter and backward-data also have atomics-based ones), so a
// result does not change from run to run; a non-deterministic one is used only when no deterministic one fits.
//
// Transposed convolution. PyTorch's ConvTranspose2d(in -> out, k, s, p) with weight (in, out, k, k) is the
// adjoint (the data gradient) of the ordinary convolution M = Conv2d(out -> in, k, s, p) whose filter, in
// cuDNN's (K = output channels, C = input channels, k, k) layout, is (K = in, C = out, k, k): exactly the
// PyTorch weight's memory, with no transpose or flip (both are cross-correlations over the same taps). M maps a
// (B, out, OH, OW) tensor to (B, in, H, W): (OH + 2p - k) / s + 1 = ((H - 1) s) / s + 1 = H for
// OH = (H - 1) s - 2p + k. So, with ci/co the input/output of the cuDNN convolution:
//   ordinary:   ci = x (B,in,H,W),   co = y (B,out,OH,OW), filter (out,in,k,k)
//     y = Forward(x);     dx = BackwardData(dy);   dw = BackwardFilter(x, dy)
//   transposed: ci = y (B,out,OH,OW), co = x (B,in,H,W),  filter (in,out,k,k)
//     y = BackwardData(x); dx = Forward(dy);       dw = BackwardFilter(ci = dy, co-gradient = x)
// (the last because <dy, M^T x> = <M dy, x>, so dL/dw is M's filter gradient with input dy and output grad x).
// The bias (out) is added to y by cudnnAddTensor from a (1,out,1,1) tensor; db = cudnnConvolutionBackwardBias(dy).
//
// rfsq_conv_*_ex: the blocked layout is plain NCHW here (rfsq_conv_block is 1 on CUDA), so the layout flags change
// nothing; a fused ReLU (RFSQ_CONV_RELU) is the ReluForward kernel on y after the bias, the folded ReLU backward
// (RFSQ_CONV_RELU_X) the ReluBackward kernel on dx, both queued on the context's stream.
//
// cuDNN's legacy descriptors use 32-bit sizes and strides, so a batch whose tensors exceed 2^31 - 1 elements is
// run in chunks of images (weight and bias gradients accumulate over chunks with beta = 1).
#include <cuda_runtime.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <string>
#include <unordered_map>

#include "../common/ops.h"
#include "../src/internal.h"
#include "cudnn_subset.h"

namespace rfsq {

namespace {

using namespace cudnn;

constexpr const char* kLibName = "libcudnn.so.9";
constexpr int kMaxAlgos = 16;                              // room for every algorithm cuDNN may list
constexpr size_t kMaxWorkspace = size_t(512) << 20;        // algorithms needing more are skipped
constexpr size_t kPlanCacheLimit = 256;                    // plans kept per context before the cache is cleared
#ifndef RFSQ_CUDNN_MAX_TENSOR_ELEMENTS  // a host test lowers it to exercise the batch chunks
#define RFSQ_CUDNN_MAX_TENSOR_ELEMENTS INT_MAX
#endif
constexpr int64_t kMaxTensorElements = RFSQ_CUDNN_MAX_TENSOR_ELEMENTS;  // legacy descriptors: 32-bit sizes, strides

// ---- the library ---------------------------------------------------------------------------------------------

struct Library {
    Api api;
    int status = RFSQ_E_NO_DEVICE;  // RFSQ_OK once loaded and checked
    std::string why;                // what went wrong otherwise
    size_t version = 0;
    bool tf32 = false;
};

// cuDNN 9's sublibraries, dependencies first; those beside an explicitly given libcudnn.so.9 are preloaded.
const char* const kSublibraries[] = {
    "libcudnn_graph.so.9",         "libcudnn_engines_precompiled.so.9", "libcudnn_engines_runtime_compiled.so.9",
    "libcudnn_engines_tensor_ir.so.9", "libcudnn_ext.so.9",             "libcudnn_heuristic.so.9",
    "libcudnn_ops.so.9",           "libcudnn_cnn.so.9",                 "libcudnn_adv.so.9",
};

std::string dl_error() {
    const char* e = dlerror();
    return e ? e : "unknown dlopen error";
}

void* open_explicit(std::string path, std::string* why) {
    struct stat st;
    if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) path += std::string("/") + kLibName;
    void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        *why += "RFSQ_CUDNN_LIBRARY: " + dl_error() + "; ";
        return nullptr;
    }
    const size_t slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? std::string(".") : path.substr(0, slash);
    for (const char* name : kSublibraries) {  // best effort: cuDNN reports a sublibrary it cannot load itself
        const std::string sub = dir + "/" + name;
        if (stat(sub.c_str(), &st) == 0) {
            if (!dlopen(sub.c_str(), RTLD_LAZY | RTLD_LOCAL)) dlerror();  // left loaded for the process's life
        }
    }
    return h;
}

Library load() {
    Library lib;
    std::string why, where;
    void* h = nullptr;
    const char* env = getenv("RFSQ_CUDNN_LIBRARY");
    if (env && *env && (h = open_explicit(env, &why))) where = env;
    if (!h) {
        h = dlopen(kLibName, RTLD_NOW | RTLD_LOCAL);
        if (!h) why += dl_error();  // names the library
        where = kLibName;
    }
    if (!h) {
        lib.why = "cuDNN (libcudnn.so.9) not found: set RFSQ_CUDNN_LIBRARY or LD_LIBRARY_PATH (" + why + ")";
        return lib;
    }
    dlerror();
#define RFSQ_CUDNN_RESOLVE(name, ret, params)                                                                 \
    lib.api.name = reinterpret_cast<name##_fn>(dlsym(h, #name));                                              \
    if (!lib.api.name) {                                                                                      \
        lib.why = "cuDNN library " + where + " lacks " #name " (" + dl_error() + "): it is not a usable cuDNN 9"; \
        return lib;                                                                                           \
    }
    RFSQ_CUDNN_FUNCTIONS(RFSQ_CUDNN_RESOLVE)
#undef RFSQ_CUDNN_RESOLVE
    lib.version = lib.api.cudnnGetVersion();  // 9.x.y reads 9xxyy
    if (lib.version < 90000 || lib.version >= 100000) {
        lib.why = "the loaded libcudnn.so.9 reports version " + std::to_string(lib.version) + "; rfsq needs cuDNN 9";
        return lib;
    }
    const char* tf32 = getenv("RFSQ_CUDNN_TF32");
    lib.tf32 = tf32 && strcmp(tf32, "1") == 0;
    lib.status = RFSQ_OK;
    return lib;
}

const Library& library() {
    static const Library lib = load();  // C++11 guarantees one thread-safe initialisation
    return lib;
}

const Api& api() { return library().api; }

// ---- errors --------------------------------------------------------------------------------------------------

int cudnn_fail(cudnnStatus_t st, const char* op, const char* what) {
    const int status = st == CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED ||
                               st == CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED
                           ? RFSQ_E_NOMEM
                           : RFSQ_E_CUDA;
    const char* text = api().cudnnGetErrorString ? api().cudnnGetErrorString(st) : nullptr;
    return fail(status, op, "%s failed: %s (cuDNN status %d)", what, text ? text : "?", (int)st);
}

int cuda_fail(cudaError_t err, const char* op, const char* what) {
    cudaGetLastError();  // consumed here, so the next launch's check does not blame its op
    return fail(err == cudaErrorMemoryAllocation ? RFSQ_E_NOMEM : RFSQ_E_CUDA, op, "%s: %s (%s)", what,
                cudaGetErrorName(err), cudaGetErrorString(err));
}

#define RFSQ_CUDNN_TRY(op, fn, args)                                       \
    do {                                                                   \
        const cudnnStatus_t st_ = api().fn args;                           \
        if (st_ != CUDNN_STATUS_SUCCESS) return cudnn_fail(st_, op, #fn);  \
    } while (0)

#define RFSQ_CUDA_TRY(call, op)                                     \
    do {                                                            \
        const cudaError_t err_ = (call);                            \
        if (err_ != cudaSuccess) return cuda_fail(err_, op, #call); \
    } while (0)

// ---- per-context state ---------------------------------------------------------------------------------------

enum Dir { kFwd = 0, kBwdData = 1, kBwdFilter = 2 };
const char* const kDirName[] = {"forward", "backward-data", "backward-filter"};

struct PlanKey {
    rfsq_conv_cfg cfg;
    int64_t b, h, w;  // b: images in this chunk
    bool operator==(const PlanKey& o) const {
        return cfg.in_channels == o.cfg.in_channels && cfg.out_channels == o.cfg.out_channels &&
               cfg.kernel == o.cfg.kernel && cfg.stride == o.cfg.stride && cfg.padding == o.cfg.padding &&
               cfg.transposed == o.cfg.transposed && b == o.b && h == o.h && w == o.w;
    }
};

struct PlanKeyHash {
    size_t operator()(const PlanKey& k) const {
        const int64_t v[] = {k.cfg.in_channels, k.cfg.out_channels, k.cfg.kernel, k.cfg.stride, k.cfg.padding,
                             k.cfg.transposed,  k.b,                k.h,          k.w};
        uint64_t x = 1469598103934665603ull;  // FNV-1a over the fields
        for (int64_t f : v) x = (x ^ (uint64_t)f) * 1099511628211ull;
        return (size_t)x;
    }
};

struct Plan {
    cudnnTensorDescriptor_t xd = nullptr;  // x (b, in, h, w)
    cudnnTensorDescriptor_t yd = nullptr;  // y (b, out, oh, ow)
    cudnnTensorDescriptor_t bd = nullptr;  // bias (1, out, 1, 1)
    cudnnFilterDescriptor_t wd = nullptr;  // the PyTorch weight as cuDNN's (K, C, k, k) filter
    cudnnConvolutionDescriptor_t cd[3] = {nullptr, nullptr, nullptr};  // per direction: its algorithm's math type
    int algo[3] = {-1, -1, -1};
    bool transposed = false;
    cudnnTensorDescriptor_t ci() const { return transposed ? yd : xd; }  // the cuDNN convolution's input
    cudnnTensorDescriptor_t co() const { return transposed ? xd : yd; }  // ... and output
};

struct State {
    cudnnHandle_t handle = nullptr;
    std::unordered_map<PlanKey, Plan*, PlanKeyHash> plans;
    void* workspace = nullptr;
    size_t workspace_bytes = 0;
};

void destroy_plan(Plan* p) {
    if (!p) return;
    const Api& a = api();
    if (p->xd) a.cudnnDestroyTensorDescriptor(p->xd);
    if (p->yd) a.cudnnDestroyTensorDescriptor(p->yd);
    if (p->bd) a.cudnnDestroyTensorDescriptor(p->bd);
    if (p->wd) a.cudnnDestroyFilterDescriptor(p->wd);
    for (auto c : p->cd)
        if (c) a.cudnnDestroyConvolutionDescriptor(c);
    delete p;
}

void clear_plans(State* s) {
    for (auto& kv : s->plans) destroy_plan(kv.second);  // host objects only: queued kernels do not use them
    s->plans.clear();
}

int set_device(const rfsq_ctx* ctx, const char* op) {
    RFSQ_CUDA_TRY(cudaSetDevice(ctx->device), op);
    return RFSQ_OK;
}

int get_state(rfsq_ctx* ctx, const char* op, State** out) {
    const Library& lib = library();
    if (lib.status != RFSQ_OK) return fail(lib.status, op, "%s", lib.why.c_str());
    if (int st = set_device(ctx, op)) return st;
    if (!ctx->cudnn) {
        cudnnHandle_t h = nullptr;
        RFSQ_CUDNN_TRY(op, cudnnCreate, (&h));
        const cudnnStatus_t st = api().cudnnSetStream(h, static_cast<cudaStream_t>(ctx->stream));
        if (st != CUDNN_STATUS_SUCCESS) {
            api().cudnnDestroy(h);
            return cudnn_fail(st, op, "cudnnSetStream");
        }
        State* s = new State();
        s->handle = h;
        ctx->cudnn = s;
    }
    *out = static_cast<State*>(ctx->cudnn);
    return RFSQ_OK;
}

int grow_workspace(rfsq_ctx* ctx, State* s, size_t bytes, const char* op) {
    if (bytes <= s->workspace_bytes) return RFSQ_OK;
    if (int st = check_fixed_memory(ctx, op, (long long)bytes)) return st;
    bytes = (bytes + ((size_t(1) << 20) - 1)) & ~((size_t(1) << 20) - 1);  // whole MiB: fewer regrowths
    if (s->workspace) {
        RFSQ_CUDA_TRY(cudaStreamSynchronize(static_cast<cudaStream_t>(ctx->stream)), op);  // queued work may use it
        RFSQ_CUDA_TRY(cudaFree(s->workspace), op);
        s->workspace = nullptr;
        s->workspace_bytes = 0;
    }
    RFSQ_CUDA_TRY(cudaMalloc(&s->workspace, bytes), op);
    s->workspace_bytes = bytes;
    return RFSQ_OK;
}

int shape_text_fail(int status, const char* op, const ConvShape& sh, int64_t nb, const char* what) {
    const rfsq_conv_cfg& c = sh.cfg;
    return fail(status, op, "%s (conv in %d, out %d, k %d, s %d, p %d, transposed %d; x %lld x %d x %lld x %lld)", what,
                c.in_channels, c.out_channels, c.kernel, c.stride, c.padding, c.transposed, (long long)nb,
                c.in_channels, (long long)sh.h, (long long)sh.w);
}

int make_plan(const ConvShape& sh, int64_t nb, const char* op, Plan* p) {
    const rfsq_conv_cfg& c = sh.cfg;
    const cudnnMathType_t math = library().tf32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH;
    p->transposed = c.transposed != 0;
    RFSQ_CUDNN_TRY(op, cudnnCreateTensorDescriptor, (&p->xd));
    RFSQ_CUDNN_TRY(op, cudnnCreateTensorDescriptor, (&p->yd));
    RFSQ_CUDNN_TRY(op, cudnnCreateTensorDescriptor, (&p->bd));
    RFSQ_CUDNN_TRY(op, cudnnCreateFilterDescriptor, (&p->wd));
    RFSQ_CUDNN_TRY(op, cudnnSetTensor4dDescriptor,
                   (p->xd, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, (int)nb, c.in_channels, (int)sh.h, (int)sh.w));
    RFSQ_CUDNN_TRY(op, cudnnSetTensor4dDescriptor,
                   (p->yd, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, (int)nb, c.out_channels, (int)sh.oh, (int)sh.ow));
    RFSQ_CUDNN_TRY(op, cudnnSetTensor4dDescriptor, (p->bd, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, c.out_channels, 1, 1));
    // PyTorch's weight, read as (K, C, k, k): (out, in, k, k) for a convolution, (in, out, k, k) transposed.
    const int k0 = p->transposed ? c.in_channels : c.out_channels, k1 = p->transposed ? c.out_channels : c.in_channels;
    RFSQ_CUDNN_TRY(op, cudnnSetFilter4dDescriptor, (p->wd, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, k0, k1, c.kernel, c.kernel));
    for (auto& cd : p->cd) {
        RFSQ_CUDNN_TRY(op, cudnnCreateConvolutionDescriptor, (&cd));
        RFSQ_CUDNN_TRY(op, cudnnSetConvolution2dDescriptor,
                       (cd, c.padding, c.padding, c.stride, c.stride, 1, 1, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
        RFSQ_CUDNN_TRY(op, cudnnSetConvolutionMathType, (cd, math));
    }
    // The roles above are right only if cuDNN's convolution maps ci's shape onto co's: check once per plan.
    int n = 0, ch = 0, oh = 0, ow = 0;
    RFSQ_CUDNN_TRY(op, cudnnGetConvolution2dForwardOutputDim, (p->cd[kFwd], p->ci(), p->wd, &n, &ch, &oh, &ow));
    const int want_c = p->transposed ? c.in_channels : c.out_channels;
    const int64_t want_h = p->transposed ? sh.h : sh.oh, want_w = p->transposed ? sh.w : sh.ow;
    if (n != nb || ch != want_c || oh != want_h || ow != want_w)
        return shape_text_fail(RFSQ_E_INVALID, op, sh, nb, "internal error: cuDNN's output shape differs from rfsq's");
    return RFSQ_OK;
}

int get_plan(State* s, const ConvShape& sh, int64_t nb, const char* op, Plan** out) {
    const PlanKey key{sh.cfg, nb, sh.h, sh.w};
    auto it = s->plans.find(key);
    if (it != s->plans.end()) {
        *out = it->second;
        return RFSQ_OK;
    }
    if (s->plans.size() >= kPlanCacheLimit) clear_plans(s);
    Plan* p = new Plan();
    if (int st = make_plan(sh, nb, op, p)) {
        destroy_plan(p);
        return st;
    }
    s->plans.emplace(key, p);
    *out = p;
    return RFSQ_OK;
}

// The first usable algorithm in cuDNN's ranking: succeeded, FMA math (unless TF32 is allowed; never the
// FP16-converting math), workspace within bounds, deterministic if any such one exists.
template <class Perf>
int pick(const Perf* perf, int n) {
    const bool tf32 = library().tf32;
    for (int pass = 0; pass < 2; ++pass)
        for (int i = 0; i < n; ++i) {
            const Perf& q = perf[i];
            const bool math_ok = tf32 ? q.mathType != CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION : q.mathType == CUDNN_FMA_MATH;
            if (q.status == CUDNN_STATUS_SUCCESS && math_ok && q.memory <= kMaxWorkspace &&
                (pass == 1 || q.determinism == CUDNN_DETERMINISTIC))
                return i;
        }
    return -1;
}

template <class Perf>
int no_algorithm(const Perf* perf, int n, Dir d, const ConvShape& sh, int64_t nb, const char* op) {
    char what[256];
    int len = snprintf(what, sizeof what, "cuDNN offers no usable FP32 %s algorithm among %d:", kDirName[d], n);
    for (int i = 0; i < n && len > 0 && len < (int)sizeof what; ++i)
        len += snprintf(what + len, sizeof what - len, " [algo %d status %d math %d mem %zu]", (int)perf[i].algo,
                        (int)perf[i].status, (int)perf[i].mathType, perf[i].memory);
    return shape_text_fail(RFSQ_E_CUDA, op, sh, nb, what);
}

// Picks plan p's algorithm for direction d once, and grows the workspace to what it needs.
int prepare(rfsq_ctx* ctx, State* s, Plan* p, Dir d, const ConvShape& sh, int64_t nb, const char* op) {
    if (p->algo[d] >= 0) return RFSQ_OK;
    int n = 0, idx = -1, algo = -1;
    size_t ws = 0;
    cudnnConvolutionDescriptor_t cd = p->cd[d];
    if (d == kFwd) {
        cudnnConvolutionFwdAlgoPerf_t perf[kMaxAlgos];
        RFSQ_CUDNN_TRY(op, cudnnGetConvolutionForwardAlgorithm_v7, (s->handle, p->ci(), p->wd, cd, p->co(), kMaxAlgos, &n, perf));
        if ((idx = pick(perf, n)) < 0) return no_algorithm(perf, n, d, sh, nb, op);
        RFSQ_CUDNN_TRY(op, cudnnSetConvolutionMathType, (cd, perf[idx].mathType));
        RFSQ_CUDNN_TRY(op, cudnnGetConvolutionForwardWorkspaceSize, (s->handle, p->ci(), p->wd, cd, p->co(), perf[idx].algo, &ws));
        algo = perf[idx].algo;
    } else if (d == kBwdData) {
        cudnnConvolutionBwdDataAlgoPerf_t perf[kMaxAlgos];
        RFSQ_CUDNN_TRY(op, cudnnGetConvolutionBackwardDataAlgorithm_v7, (s->handle, p->wd, p->co(), cd, p->ci(), kMaxAlgos, &n, perf));
        if ((idx = pick(perf, n)) < 0) return no_algorithm(perf, n, d, sh, nb, op);
        RFSQ_CUDNN_TRY(op, cudnnSetConvolutionMathType, (cd, perf[idx].mathType));
        RFSQ_CUDNN_TRY(op, cudnnGetConvolutionBackwardDataWorkspaceSize, (s->handle, p->wd, p->co(), cd, p->ci(), perf[idx].algo, &ws));
        algo = perf[idx].algo;
    } else {
        cudnnConvolutionBwdFilterAlgoPerf_t perf[kMaxAlgos];
        RFSQ_CUDNN_TRY(op, cudnnGetConvolutionBackwardFilterAlgorithm_v7, (s->handle, p->ci(), p->co(), cd, p->wd, kMaxAlgos, &n, perf));
        if ((idx = pick(perf, n)) < 0) return no_algorithm(perf, n, d, sh, nb, op);
        RFSQ_CUDNN_TRY(op, cudnnSetConvolutionMathType, (cd, perf[idx].mathType));
        RFSQ_CUDNN_TRY(op, cudnnGetConvolutionBackwardFilterWorkspaceSize, (s->handle, p->ci(), p->co(), cd, p->wd, perf[idx].algo, &ws));
        algo = perf[idx].algo;
    }
    if (int st = grow_workspace(ctx, s, ws, op)) return st;
    p->algo[d] = algo;
    return RFSQ_OK;
}

// Images per cuDNN call: every tensor of the call within 32-bit sizes.
int chunk_of(const ConvShape& sh, const char* op, int64_t* chunk) {
    const rfsq_conv_cfg& c = sh.cfg;
    const int64_t per_x = (int64_t)c.in_channels * sh.h * sh.w, per_y = (int64_t)c.out_channels * sh.oh * sh.ow;
    const int64_t per_image = per_x > per_y ? per_x : per_y;
    const int64_t weights = (int64_t)c.in_channels * c.out_channels * c.kernel * c.kernel;
    if (per_image > kMaxTensorElements || weights > kMaxTensorElements)
        return shape_text_fail(RFSQ_E_INVALID, op, sh, sh.b,
                               "one image or the weight has more than 2^31 - 1 elements, beyond cuDNN's 32-bit sizes");
    const int64_t most = kMaxTensorElements / per_image;
    *chunk = sh.b < most ? sh.b : most;
    return RFSQ_OK;
}

const float kOne = 1.0f, kZero = 0.0f;

}  // namespace

int cuda_conv_forward(rfsq_ctx* ctx, const ConvShape& sh, const float* x, const float* weight, const float* bias, float* y) {
    const char* op = "rfsq_conv_forward";
    State* s = nullptr;
    int64_t chunk = 0;
    if (int st = chunk_of(sh, op, &chunk)) return st;
    if (int st = get_state(ctx, op, &s)) return st;
    const int64_t per_x = (int64_t)sh.cfg.in_channels * sh.h * sh.w, per_y = (int64_t)sh.cfg.out_channels * sh.oh * sh.ow;
    for (int64_t i = 0; i < sh.b; i += chunk) {
        const int64_t nb = sh.b - i < chunk ? sh.b - i : chunk;
        const float* xi = x + i * per_x;
        float* yi = y + i * per_y;
        Plan* p = nullptr;
        if (int st = get_plan(s, sh, nb, op, &p)) return st;
        if (!p->transposed) {
            if (int st = prepare(ctx, s, p, kFwd, sh, nb, op)) return st;
            RFSQ_CUDNN_TRY(op, cudnnConvolutionForward,
                           (s->handle, &kOne, p->xd, xi, p->wd, weight, p->cd[kFwd], (cudnnConvolutionFwdAlgo_t)p->algo[kFwd],
                            s->workspace, s->workspace_bytes, &kZero, p->yd, yi));
        } else {
            if (int st = prepare(ctx, s, p, kBwdData, sh, nb, op)) return st;
            RFSQ_CUDNN_TRY(op, cudnnConvolutionBackwardData,
                           (s->handle, &kOne, p->wd, weight, p->xd, xi, p->cd[kBwdData],
                            (cudnnConvolutionBwdDataAlgo_t)p->algo[kBwdData], s->workspace, s->workspace_bytes, &kZero,
                            p->yd, yi));
        }
        RFSQ_CUDNN_TRY(op, cudnnAddTensor, (s->handle, &kOne, p->bd, bias, &kOne, p->yd, yi));
    }
    if (sh.flags & RFSQ_CONV_RELU) return cuda_run(ctx, "rfsq_conv_forward_ex", ReluForward{y, sh.b * per_y, y}, chunk_launch(sh.b * per_y));
    return RFSQ_OK;
}

int cuda_conv_backward(rfsq_ctx* ctx, const ConvShape& sh, const float* x, const float* weight, const float* dy, float* dx,
                       float* dweight, float* dbias) {
    const char* op = "rfsq_conv_backward";
    if (!dx && !dweight && !dbias) return RFSQ_OK;
    State* s = nullptr;
    int64_t chunk = 0;
    if (int st = chunk_of(sh, op, &chunk)) return st;
    if (int st = get_state(ctx, op, &s)) return st;
    const int64_t per_x = (int64_t)sh.cfg.in_channels * sh.h * sh.w, per_y = (int64_t)sh.cfg.out_channels * sh.oh * sh.ow;
    for (int64_t i = 0; i < sh.b; i += chunk) {
        const int64_t nb = sh.b - i < chunk ? sh.b - i : chunk;
        const float* xi = x + i * per_x;
        const float* dyi = dy + i * per_y;
        const float* accumulate = i == 0 ? &kZero : &kOne;  // weight and bias gradients sum over chunks
        Plan* p = nullptr;
        if (int st = get_plan(s, sh, nb, op, &p)) return st;
        if (dx) {
            float* dxi = dx + i * per_x;
            if (!p->transposed) {
                if (int st = prepare(ctx, s, p, kBwdData, sh, nb, op)) return st;
                RFSQ_CUDNN_TRY(op, cudnnConvolutionBackwardData,
                               (s->handle, &kOne, p->wd, weight, p->yd, dyi, p->cd[kBwdData],
                                (cudnnConvolutionBwdDataAlgo_t)p->algo[kBwdData], s->workspace, s->workspace_bytes,
                                &kZero, p->xd, dxi));
            } else {
                if (int st = prepare(ctx, s, p, kFwd, sh, nb, op)) return st;
                RFSQ_CUDNN_TRY(op, cudnnConvolutionForward,
                               (s->handle, &kOne, p->yd, dyi, p->wd, weight, p->cd[kFwd],
                                (cudnnConvolutionFwdAlgo_t)p->algo[kFwd], s->workspace, s->workspace_bytes, &kZero,
                                p->xd, dxi));
            }
        }
        if (dweight) {
            if (int st = prepare(ctx, s, p, kBwdFilter, sh, nb, op)) return st;
            // ordinary: input x, output gradient dy; transposed: input dy, output gradient x (see the top).
            const float* in = p->transposed ? dyi : xi;
            const float* out_grad = p->transposed ? xi : dyi;
            RFSQ_CUDNN_TRY(op, cudnnConvolutionBackwardFilter,
                           (s->handle, &kOne, p->ci(), in, p->co(), out_grad, p->cd[kBwdFilter],
                            (cudnnConvolutionBwdFilterAlgo_t)p->algo[kBwdFilter], s->workspace, s->workspace_bytes,
                            accumulate, p->wd, dweight));
        }
        if (dbias) RFSQ_CUDNN_TRY(op, cudnnConvolutionBackwardBias, (s->handle, &kOne, p->yd, dyi, accumulate, p->bd, dbias));
    }
    if (dx && (sh.flags & RFSQ_CONV_RELU_X)) return cuda_run(ctx, "rfsq_conv_backward_ex", ReluBackward{x, dx, sh.b * per_x, dx}, chunk_launch(sh.b * per_x));
    return RFSQ_OK;
}

void cudnn_release(rfsq_ctx* ctx) {
    // Called by the CUDA backend's release, after the context's queued work; errors cannot be reported here.
    State* s = static_cast<State*>(ctx->cudnn);
    if (!s) return;
    cudaSetDevice(ctx->device);
    clear_plans(s);
    if (s->handle) api().cudnnDestroy(s->handle);
    if (s->workspace) {
        cudaStreamSynchronize(static_cast<cudaStream_t>(ctx->stream));
        cudaFree(s->workspace);
    }
    delete s;
    ctx->cudnn = nullptr;
}

}  // namespace rfsq
