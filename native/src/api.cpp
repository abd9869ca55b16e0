// The C entry points: validate every argument, then hand the op to the context's backend.
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include <algorithm>
#include <atomic>
#include <new>
#include <string>

#include "../common/ops.h"
#include "internal.h"
#include "live_objects.h"

namespace rfsq {

namespace {
thread_local std::string t_last_error;

const char* const kOpNames[] = {
#define RFSQ_OP_NAME(Op) Op::kName,
    RFSQ_FOR_EACH_OP(RFSQ_OP_NAME)
#undef RFSQ_OP_NAME
};
}  // namespace

int fail(int status, const char* op, const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    t_last_error = std::string(op) + ": " + buf;
    return status;
}

const char* op_name(int id) {
    return id >= 0 && id < (int)(sizeof kOpNames / sizeof kOpNames[0]) ? kOpNames[id] : "rfsq (unknown op)";
}

int status_of_bad(unsigned bits) { return (bits & kBadNonFinite) ? RFSQ_E_NONFINITE : RFSQ_E_RANGE; }

const char* message_of_bad(unsigned bits) {
    return (bits & kBadNonFinite) ? "non-finite value (NaN or Inf) in the input or parameters"
                                  : "index or code out of range for the levels";
}

}  // namespace rfsq

using namespace rfsq;

namespace {

const Backend& backend_of(const rfsq_ctx* ctx) { return ctx->device == RFSQ_DEVICE_CPU ? cpu_backend() : cuda_backend(); }

template <class Op>
int run(rfsq_ctx* ctx, const Op& op, Launch launch) {
    return ctx->device == RFSQ_DEVICE_CPU ? cpu_run(ctx, op, launch) : cuda_run(ctx, op, launch);
}

// Runs body() and turns a C++ exception into a status, so nothing ever unwinds through the C ABI.
template <class F>
int guarded(const char* op, F body) {
    try {
        return body();
    } catch (const std::bad_alloc&) {
        return fail(RFSQ_E_NOMEM, op, "out of host memory");
    } catch (...) {
        return fail(RFSQ_E_INVALID, op, "internal error");
    }
}

constexpr int64_t kMaxElements = int64_t(1) << 40;  // keeps every index product far from overflow

int check_ctx(const rfsq_ctx* ctx, const char* op) {
    return ctx ? RFSQ_OK : fail(RFSQ_E_INVALID, op, "ctx is NULL");
}

int check_ptr(const void* p, const char* name, const char* op) {
    return p ? RFSQ_OK : fail(RFSQ_E_INVALID, op, "%s is NULL", name);
}

int check_dims(int64_t b, int64_t c, int64_t h, int64_t w, const char* op) {
    if (b <= 0 || c <= 0 || h <= 0 || w <= 0)
        return fail(RFSQ_E_INVALID, op, "shape (%lld, %lld, %lld, %lld) must be positive", (long long)b, (long long)c,
                    (long long)h, (long long)w);
    if (b > kMaxElements / c || b * c > kMaxElements / h || b * c * h > kMaxElements / w)
        return fail(RFSQ_E_INVALID, op, "shape (%lld, %lld, %lld, %lld) is too large", (long long)b, (long long)c,
                    (long long)h, (long long)w);
    if (b > INT32_MAX) return fail(RFSQ_E_INVALID, op, "batch %lld is too large", (long long)b);
    return RFSQ_OK;
}

int check_levels(const rfsq_levels* lv, const char* op) {
    if (!lv) return fail(RFSQ_E_INVALID, op, "levels is NULL");
    if (lv->count < 1 || lv->count > RFSQ_MAX_LEVELS)
        return fail(RFSQ_E_INVALID, op, "levels.count %d must be in 1..%d", lv->count, RFSQ_MAX_LEVELS);
    int64_t product = 1;
    for (int j = 0; j < lv->count; ++j) {
        if (lv->levels[j] < 2) return fail(RFSQ_E_INVALID, op, "level %d of channel %d must be >= 2", lv->levels[j], j);
        product *= lv->levels[j];
        if (product > INT32_MAX) return fail(RFSQ_E_INVALID, op, "product of levels exceeds 2^31 - 1");
    }
    return RFSQ_OK;
}

int check_cfg(const rfsq_rfsq_cfg* cfg, const char* op) {
    if (!cfg) return fail(RFSQ_E_INVALID, op, "cfg is NULL");
    if (int st = check_levels(&cfg->levels, op)) return st;
    if (cfg->stages < 1 || cfg->stages > RFSQ_MAX_STAGES)
        return fail(RFSQ_E_INVALID, op, "stages %d must be in 1..%d", cfg->stages, RFSQ_MAX_STAGES);
    if (cfg->strategy < RFSQ_STRATEGY_NONE || cfg->strategy > RFSQ_STRATEGY_LAYERNORM)
        return fail(RFSQ_E_INVALID, op, "strategy %d is not one of RFSQ_STRATEGY_*", cfg->strategy);
    return RFSQ_OK;
}

RfsqShape shape_of(const rfsq_rfsq_cfg* cfg, int64_t b, int64_t h, int64_t w) {
    return RfsqShape{make_fsq_consts(cfg->levels), cfg->stages, cfg->strategy, h * w, b};
}

int check_not_recording(const rfsq_ctx* ctx, const char* op) {
    if (ctx->recording)
        return fail(RFSQ_E_INVALID, op, "not allowed while this context records a graph (rfsq_graph_begin .. rfsq_graph_end): "
                    "allocation, freeing, syncs and host copies cannot be replayed");
    return RFSQ_OK;
}

#define RFSQ_TRY(expr)              \
    do {                            \
        if (int st_ = (expr)) return st_; \
    } while (0)

}  // namespace

namespace rfsq {
int check_fixed_memory(const rfsq_ctx* ctx, const char* op, long long bytes) {
    if (ctx->recording)
        return fail(RFSQ_E_INVALID, op, "needs %lld bytes of scratch while a graph is recorded: run the ops once before "
                    "rfsq_graph_begin, so that their scratch exists", bytes);
    if (ctx->graphs > 0)
        return fail(RFSQ_E_INVALID, op, "needs %lld bytes of scratch, more than %lld live graph(s) of this context were "
                    "recorded with: destroy them first (they hold the scratch's address)", bytes, (long long)ctx->graphs);
    return RFSQ_OK;
}
}  // namespace rfsq

namespace {
// Live graphs, so a graph destroyed twice, or used after its context was destroyed, fails cleanly.
std::mutex g_graphs_mu;
std::unordered_set<rfsq_graph*> g_graphs;

bool live_graph(rfsq_graph* g) {
    std::lock_guard<std::mutex> lock(g_graphs_mu);
    return g_graphs.count(g) != 0;
}
}  // namespace

extern "C" {

int rfsq_abi_version(void) { return RFSQ_ABI_VERSION; }

const char* rfsq_last_error(void) { return t_last_error.c_str(); }

int rfsq_cuda_device_count(int32_t* count) {
    RFSQ_TRY(check_ptr(count, "count", "rfsq_cuda_device_count"));
    *count = cuda_device_count();
    return RFSQ_OK;
}

int rfsq_live_objects(int64_t* count) {
    RFSQ_TRY(check_ptr(count, "count", "rfsq_live_objects"));
    *count = live_objects().load();
    return RFSQ_OK;
}

int rfsq_ctx_create(int32_t device, rfsq_ctx** out) {
    const char* op = "rfsq_ctx_create";
    return guarded(op, [&] {
        RFSQ_TRY(check_ptr(out, "out", op));
        *out = nullptr;
        if (device < RFSQ_DEVICE_CPU) return fail(RFSQ_E_INVALID, op, "device %d is neither RFSQ_DEVICE_CPU nor a CUDA ordinal", device);
        if (device >= 0 && device >= cuda_device_count())
            return fail(RFSQ_E_NO_DEVICE, op, "CUDA device %d is not available (%d usable CUDA devices)", device, cuda_device_count());
        rfsq_ctx* ctx = new rfsq_ctx();
        ctx->device = device;
        if (int st = backend_of(ctx).init(ctx)) {
            delete ctx;
            return st;
        }
        ++live_objects();
        *out = ctx;
        return RFSQ_OK;
    });
}

int rfsq_ctx_destroy(rfsq_ctx* ctx) {
    if (!ctx) return RFSQ_OK;
    return guarded("rfsq_ctx_destroy", [&] {
        if (ctx->recording) cuda_graph_end(ctx, nullptr);  // an unfinished recording goes with its context
        {
            std::lock_guard<std::mutex> lock(g_graphs_mu);  // and so do its graphs
            for (auto it = g_graphs.begin(); it != g_graphs.end();) {
                if ((*it)->ctx != ctx) {
                    ++it;
                    continue;
                }
                cuda_graph_destroy(*it);
                --live_objects();
                it = g_graphs.erase(it);
            }
        }
        const Backend& be = backend_of(ctx);
        int st = be.sync(ctx, "rfsq_ctx_destroy");
        for (void* p : ctx->allocations) {
            be.free(ctx, p);
            --live_objects();
        }
        be.release(ctx);
        delete ctx;
        --live_objects();
        return st == RFSQ_E_CUDA ? st : RFSQ_OK;  // bad data from a last op no longer matters once destroyed
    });
}

int rfsq_ctx_sync(rfsq_ctx* ctx) {
    RFSQ_TRY(check_ctx(ctx, "rfsq_ctx_sync"));
    RFSQ_TRY(check_not_recording(ctx, "rfsq_ctx_sync"));
    return backend_of(ctx).sync(ctx, "rfsq_ctx_sync");
}

int rfsq_alloc(rfsq_ctx* ctx, int64_t bytes, void** out) {
    const char* op = "rfsq_alloc";
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_ptr(out, "out", op));
    *out = nullptr;
    RFSQ_TRY(check_not_recording(ctx, op));
    if (bytes <= 0 || bytes > (int64_t(1) << 46)) return fail(RFSQ_E_INVALID, op, "bytes %lld out of range", (long long)bytes);
    return guarded(op, [&] {
        void* p = nullptr;
        RFSQ_TRY(backend_of(ctx).alloc(ctx, bytes, &p, op));
        std::lock_guard<std::mutex> lock(ctx->mu);
        ctx->allocations.insert(p);
        ++live_objects();
        *out = p;
        return RFSQ_OK;
    });
}

int rfsq_free(rfsq_ctx* ctx, void* ptr) {
    const char* op = "rfsq_free";
    RFSQ_TRY(check_ctx(ctx, op));
    if (!ptr) return RFSQ_OK;
    RFSQ_TRY(check_not_recording(ctx, op));
    return guarded(op, [&] {
        {
            std::lock_guard<std::mutex> lock(ctx->mu);
            if (ctx->allocations.erase(ptr) == 0) return fail(RFSQ_E_INVALID, op, "pointer was not allocated by this context (or freed twice)");
        }
        --live_objects();
        return backend_of(ctx).free(ctx, ptr);
    });
}

static int copy(rfsq_ctx* ctx, void* dst, const void* src, int64_t bytes, int kind, const char* op) {
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_ptr(dst, "dst", op));
    RFSQ_TRY(check_ptr(src, "src", op));
    if (bytes < 0) return fail(RFSQ_E_INVALID, op, "bytes %lld is negative", (long long)bytes);
    if (kind != 2) RFSQ_TRY(check_not_recording(ctx, op));  // host memory cannot be part of a replayed graph
    if (bytes == 0) return RFSQ_OK;
    return backend_of(ctx).copy(ctx, dst, src, bytes, kind, op);
}

int rfsq_graph_begin(rfsq_ctx* ctx) {
    const char* op = "rfsq_graph_begin";
    RFSQ_TRY(check_ctx(ctx, op));
    if (ctx->device == RFSQ_DEVICE_CPU)
        return fail(RFSQ_E_INVALID, op, "a CPU context runs each op when it is called and records no graphs; use a CUDA context");
    if (ctx->recording) return fail(RFSQ_E_INVALID, op, "this context is already recording a graph");
    return guarded(op, [&] { return cuda_graph_begin(ctx); });
}

int rfsq_graph_end(rfsq_ctx* ctx, rfsq_graph** out) {
    const char* op = "rfsq_graph_end";
    RFSQ_TRY(check_ctx(ctx, op));
    if (out) *out = nullptr;
    if (!ctx->recording) return fail(RFSQ_E_INVALID, op, "this context is not recording a graph (rfsq_graph_begin)");
    return guarded(op, [&] {
        RFSQ_TRY(cuda_graph_end(ctx, out));
        if (out) {
            std::lock_guard<std::mutex> lock(g_graphs_mu);
            g_graphs.insert(*out);
            ++live_objects();
        }
        return RFSQ_OK;
    });
}

int rfsq_graph_launch(rfsq_ctx* ctx, rfsq_graph* graph) {
    const char* op = "rfsq_graph_launch";
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_ptr(graph, "graph", op));
    RFSQ_TRY(check_not_recording(ctx, op));
    if (!live_graph(graph)) return fail(RFSQ_E_INVALID, op, "not a live graph (destroyed, or its context was)");
    return guarded(op, [&] { return cuda_graph_launch(ctx, graph); });
}

int rfsq_graph_destroy(rfsq_graph* graph) {
    const char* op = "rfsq_graph_destroy";
    if (!graph) return RFSQ_OK;
    {
        std::lock_guard<std::mutex> lock(g_graphs_mu);
        if (g_graphs.erase(graph) == 0) return fail(RFSQ_E_INVALID, op, "not a live graph (destroyed, or its context was)");
    }
    return guarded(op, [&] {
        cuda_graph_destroy(graph);
        --live_objects();
        return RFSQ_OK;
    });
}


int rfsq_copy_to_device(rfsq_ctx* ctx, void* dst, const void* src, int64_t bytes) {
    return copy(ctx, dst, src, bytes, 0, "rfsq_copy_to_device");
}
int rfsq_copy_to_host(rfsq_ctx* ctx, void* dst, const void* src, int64_t bytes) {
    return copy(ctx, dst, src, bytes, 1, "rfsq_copy_to_host");
}
int rfsq_copy_on_device(rfsq_ctx* ctx, void* dst, const void* src, int64_t bytes) {
    return copy(ctx, dst, src, bytes, 2, "rfsq_copy_on_device");
}

// ---- FSQ --------------------------------------------------------------------------------------------------

int rfsq_fsq_forward(rfsq_ctx* ctx, const rfsq_levels* levels, const float* x, int64_t b, int64_t h, int64_t w, float* codes, int32_t* idx) {
    const char* op = FsqForward::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_levels(levels, op));
    RFSQ_TRY(check_dims(b, levels->count, h, w, op));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(codes, "codes", op));
    return guarded(op, [&] { return run(ctx, FsqForward{make_fsq_consts(*levels), x, h * w, codes, idx}, Launch{b, 0}); });
}

int rfsq_fsq_backward(rfsq_ctx* ctx, const rfsq_levels* levels, const float* x, int64_t b, int64_t h, int64_t w, const float* dcodes, float* dx) {
    const char* op = FsqBackward::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_levels(levels, op));
    RFSQ_TRY(check_dims(b, levels->count, h, w, op));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(dcodes, "dcodes", op));
    RFSQ_TRY(check_ptr(dx, "dx", op));
    return guarded(op, [&] { return run(ctx, FsqBackward{make_fsq_consts(*levels), x, dcodes, h * w, dx}, Launch{b, 0}); });
}

int rfsq_fsq_codes_to_indices(rfsq_ctx* ctx, const rfsq_levels* levels, const float* codes, int64_t b, int64_t h, int64_t w, int32_t* idx) {
    const char* op = CodesToIndices::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_levels(levels, op));
    RFSQ_TRY(check_dims(b, levels->count, h, w, op));
    RFSQ_TRY(check_ptr(codes, "codes", op));
    RFSQ_TRY(check_ptr(idx, "idx", op));
    return guarded(op, [&] { return run(ctx, CodesToIndices{make_fsq_consts(*levels), codes, h * w, idx}, Launch{b, 0}); });
}

int rfsq_fsq_indices_to_codes(rfsq_ctx* ctx, const rfsq_levels* levels, const int32_t* idx, int64_t b, int64_t h, int64_t w, float* codes) {
    const char* op = IndicesToCodes::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_levels(levels, op));
    RFSQ_TRY(check_dims(b, levels->count, h, w, op));
    RFSQ_TRY(check_ptr(idx, "idx", op));
    RFSQ_TRY(check_ptr(codes, "codes", op));
    return guarded(op, [&] { return run(ctx, IndicesToCodes{make_fsq_consts(*levels), idx, h * w, codes}, Launch{b, 0}); });
}

// ---- building blocks --------------------------------------------------------------------------------------

int rfsq_residual_sub(rfsq_ctx* ctx, const float* r, const float* q, int64_t n, float* out) {
    const char* op = ResidualSub::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_ptr(r, "r", op));
    RFSQ_TRY(check_ptr(q, "q", op));
    RFSQ_TRY(check_ptr(out, "out", op));
    if (n <= 0 || n > kMaxElements) return fail(RFSQ_E_INVALID, op, "n %lld out of range", (long long)n);
    const int64_t teams = (n + ResidualSub::kChunk - 1) / ResidualSub::kChunk;
    return guarded(op, [&] { return run(ctx, ResidualSub{r, q, n, out}, Launch{teams, 0}); });
}

int rfsq_scale_forward(rfsq_ctx* ctx, const rfsq_levels* levels, const float* theta, const float* x, int64_t b, int64_t h, int64_t w, float* q) {
    const char* op = ScaleForward::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_levels(levels, op));
    RFSQ_TRY(check_dims(b, levels->count, h, w, op));
    RFSQ_TRY(check_ptr(theta, "theta", op));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(q, "q", op));
    return guarded(op, [&] { return run(ctx, ScaleForward{make_fsq_consts(*levels), theta, x, h * w, q}, Launch{b, 0}); });
}

static int check_layernorm(const char* op, rfsq_ctx* ctx, const float* in, int64_t b, int64_t c, int64_t h, int64_t w,
                           const float* gamma, const float* beta, const float* stats, const float* out) {
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_dims(b, c, h, w, op));
    if (c > RFSQ_MAX_LEVELS) return fail(RFSQ_E_INVALID, op, "channels %lld exceed %d", (long long)c, RFSQ_MAX_LEVELS);
    RFSQ_TRY(check_ptr(in, "input", op));
    RFSQ_TRY(check_ptr(gamma, "gamma", op));
    RFSQ_TRY(check_ptr(beta, "beta", op));
    RFSQ_TRY(check_ptr(stats, "stats", op));
    return check_ptr(out, "out", op);
}

int rfsq_layernorm_forward(rfsq_ctx* ctx, const float* x, int64_t b, int64_t c, int64_t h, int64_t w, const float* gamma, const float* beta, float* n, float* stats) {
    const char* op = LayerNormForward::kName;
    RFSQ_TRY(check_layernorm(op, ctx, x, b, c, h, w, gamma, beta, stats, n));
    return guarded(op, [&] { return run(ctx, LayerNormForward{x, (int32_t)c, h * w, gamma, beta, n, stats}, Launch{b, 0}); });
}

int rfsq_layernorm_inverse(rfsq_ctx* ctx, const float* y, int64_t b, int64_t c, int64_t h, int64_t w, const float* gamma, const float* beta, const float* stats, float* out) {
    const char* op = LayerNormInverse::kName;
    RFSQ_TRY(check_layernorm(op, ctx, y, b, c, h, w, gamma, beta, stats, out));
    return guarded(op, [&] { return run(ctx, LayerNormInverse{y, (int32_t)c, h * w, gamma, beta, stats, out}, Launch{b, 0}); });
}

// ---- training building blocks ----------------------------------------------------------------------------

static int check_n(int64_t n, const char* op) {
    return n > 0 && n <= kMaxElements ? RFSQ_OK : fail(RFSQ_E_INVALID, op, "n %lld out of range", (long long)n);
}

static int64_t chunks(int64_t n) { return (n + kChunk - 1) / kChunk; }

int rfsq_relu_forward(rfsq_ctx* ctx, const float* x, int64_t n, float* y) {
    const char* op = ReluForward::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_n(n, op));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(y, "y", op));
    return guarded(op, [&] { return run(ctx, ReluForward{x, n, y}, Launch{chunks(n), 0}); });
}

int rfsq_relu_backward(rfsq_ctx* ctx, const float* y, const float* dy, int64_t n, float* dx) {
    const char* op = ReluBackward::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_n(n, op));
    RFSQ_TRY(check_ptr(y, "y", op));
    RFSQ_TRY(check_ptr(dy, "dy", op));
    RFSQ_TRY(check_ptr(dx, "dx", op));
    return guarded(op, [&] { return run(ctx, ReluBackward{y, dy, n, dx}, Launch{chunks(n), 0}); });
}

int rfsq_channel_affine(rfsq_ctx* ctx, const float* x, int64_t b, int64_t c, int64_t h, int64_t w, const float* scale, const float* shift, float* y) {
    const char* op = ChannelAffine::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_dims(b, c, h, w, op));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(scale, "scale", op));
    RFSQ_TRY(check_ptr(shift, "shift", op));
    RFSQ_TRY(check_ptr(y, "y", op));
    return guarded(op, [&] { return run(ctx, ChannelAffine{x, c, h * w, scale, shift, y}, Launch{b * c, 0}); });
}

int rfsq_l1_loss(rfsq_ctx* ctx, const float* a, const float* b, int64_t n, float weight, float* loss, float* grad) {
    const char* op = L1Partial::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_n(n, op));
    RFSQ_TRY(check_ptr(a, "a", op));
    RFSQ_TRY(check_ptr(b, "b", op));
    RFSQ_TRY(check_ptr(loss, "loss", op));
    return guarded(op, [&] {
        L1Partial l1{a, b, n, weight, grad, nullptr};
        void* p = nullptr;
        RFSQ_TRY(backend_of(ctx).scratch(ctx, 0, chunks(n) * (int64_t)sizeof(float), &p, op));
        l1.partial = static_cast<float*>(p);
        RFSQ_TRY(run(ctx, l1, Launch{chunks(n), 0}));
        return run(ctx, PartialSum{l1.partial, chunks(n), weight / (float)n, loss}, Launch{1, 0});
    });
}

int rfsq_sum_squares(rfsq_ctx* ctx, const float* x, int64_t n, float* out) {
    const char* op = SquarePartial::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_n(n, op));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(out, "out", op));
    return guarded(op, [&] {
        void* p = nullptr;
        RFSQ_TRY(backend_of(ctx).scratch(ctx, 0, chunks(n) * (int64_t)sizeof(float), &p, op));
        float* partial = static_cast<float*>(p);
        RFSQ_TRY(run(ctx, SquarePartial{x, n, partial}, Launch{chunks(n), 0}));
        return run(ctx, PartialSum{partial, chunks(n), 1.0f, out}, Launch{1, 0});
    });
}

static int check_adam_cfg(const rfsq_adam_cfg* cfg, const char* op) {
    RFSQ_TRY(check_ptr(cfg, "cfg", op));
    const rfsq_adam_cfg& c = *cfg;
    if (!(c.lr >= 0) || !(c.beta1 >= 0 && c.beta1 < 1) || !(c.beta2 >= 0 && c.beta2 < 1) || !(c.eps > 0) ||
        !(c.weight_decay >= 0) || !(c.max_grad_norm >= 0) || c.step < 1 || (c.decoupled != 0 && c.decoupled != 1))
        return fail(RFSQ_E_INVALID, op, "adam cfg (lr %g, betas %g %g, eps %g, wd %g, max norm %g, decoupled %d, step %d) is invalid",
                    (double)c.lr, (double)c.beta1, (double)c.beta2, (double)c.eps, (double)c.weight_decay,
                    (double)c.max_grad_norm, c.decoupled, c.step);
    return RFSQ_OK;
}

// The per-step constants in double on the host, as PyTorch computes them in Python floats.
static void adam_constants(const rfsq_adam_cfg& c, float out[3]) {
    out[0] = (float)(1 - c.lr * c.weight_decay);
    out[1] = (float)(c.lr / (1 - pow(c.beta1, c.step)));
    out[2] = (float)sqrt(1 - pow(c.beta2, c.step));
}

static int adam(rfsq_ctx* ctx, const char* op, const rfsq_adam_cfg* cfg, const float* constants, float* param,
                const float* grad, float* m, float* v, int64_t n, const float* grad_sq) {
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_adam_cfg(cfg, op));
    RFSQ_TRY(check_n(n, op));
    RFSQ_TRY(check_ptr(param, "param", op));
    RFSQ_TRY(check_ptr(grad, "grad", op));
    RFSQ_TRY(check_ptr(m, "m", op));
    RFSQ_TRY(check_ptr(v, "v", op));
    const rfsq_adam_cfg& c = *cfg;
    if (c.max_grad_norm > 0) RFSQ_TRY(check_ptr(grad_sq, "grad_sq (needed for max_grad_norm > 0)", op));
    float k[3];
    adam_constants(c, k);
    const AdamStep step{(float)c.beta1, (float)(1 - c.beta1), (float)c.beta2, (float)(1 - c.beta2), (float)c.eps,
                        (float)c.weight_decay, (float)c.max_grad_norm, c.decoupled, k[0], k[1], k[2],
                        param, grad, m, v, n, grad_sq, constants};
    return guarded(op, [&] {
        return run(ctx, step, Launch{chunks(n), 0});
    });
}

int rfsq_adam_constants(const rfsq_adam_cfg* cfg, float* out) {
    const char* op = "rfsq_adam_constants";
    RFSQ_TRY(check_adam_cfg(cfg, op));
    RFSQ_TRY(check_ptr(out, "out", op));
    adam_constants(*cfg, out);
    return RFSQ_OK;
}

int rfsq_adam_step_device(rfsq_ctx* ctx, const rfsq_adam_cfg* cfg, const float* constants, float* param, const float* grad, float* m, float* v, int64_t n, const float* grad_sq) {
    RFSQ_TRY(check_ptr(constants, "constants", "rfsq_adam_step_device"));
    return adam(ctx, "rfsq_adam_step_device", cfg, constants, param, grad, m, v, n, grad_sq);
}

int rfsq_adam_step(rfsq_ctx* ctx, const rfsq_adam_cfg* cfg, float* param, const float* grad, float* m, float* v, int64_t n, const float* grad_sq) {
    return adam(ctx, AdamStep::kName, cfg, nullptr, param, grad, m, v, n, grad_sq);
}

// ---- fused RFSQ -------------------------------------------------------------------------------------------

int rfsq_rfsq_param_count(const rfsq_rfsq_cfg* cfg, int64_t* count) {
    const char* op = "rfsq_rfsq_param_count";
    RFSQ_TRY(check_cfg(cfg, op));
    RFSQ_TRY(check_ptr(count, "count", op));
    *count = shape_of(cfg, 1, 1, 1).param_count();
    return RFSQ_OK;
}

static int check_rfsq(const char* op, rfsq_ctx* ctx, const rfsq_rfsq_cfg* cfg, int64_t b, int64_t h, int64_t w, const float* params) {
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_cfg(cfg, op));
    RFSQ_TRY(check_dims(b, cfg->levels.count, h, w, op));
    if (cfg->strategy != RFSQ_STRATEGY_NONE) RFSQ_TRY(check_ptr(params, "params", op));
    return RFSQ_OK;
}

int rfsq_rfsq_forward(rfsq_ctx* ctx, const rfsq_rfsq_cfg* cfg, const float* z, int64_t b, int64_t h, int64_t w, const float* params, const float* running, float* zhat, int32_t* idx, float* stats, float* rnorm) {
    const char* op = RfsqForward::kName;
    RFSQ_TRY(check_rfsq(op, ctx, cfg, b, h, w, params));
    RFSQ_TRY(check_ptr(z, "z", op));
    RFSQ_TRY(check_ptr(zhat, "zhat", op));
    return guarded(op, [&] {
        const RfsqShape sh = shape_of(cfg, b, h, w);
        return run(ctx, RfsqForward{sh, z, params, running, zhat, idx, stats, rnorm},
                   Launch{b, rfsq_forward_work(sh.C(), sh.n)});
    });
}

int rfsq_rfsq_backward(rfsq_ctx* ctx, const rfsq_rfsq_cfg* cfg, const float* z, int64_t b, int64_t h, int64_t w, const float* params, const float* dzhat, float* dz, float* dparams) {
    const char* op = RfsqBackward::kName;
    RFSQ_TRY(check_rfsq(op, ctx, cfg, b, h, w, params));
    RFSQ_TRY(check_ptr(z, "z", op));
    RFSQ_TRY(check_ptr(dzhat, "dzhat", op));
    RFSQ_TRY(check_ptr(dz, "dz", op));
    const RfsqShape sh = shape_of(cfg, b, h, w);
    const int64_t P = sh.param_count();
    if (P > 0) RFSQ_TRY(check_ptr(dparams, "dparams", op));
    return guarded(op, [&] {
        float* partial = nullptr;
        if (P > 0) {
            void* p = nullptr;
            RFSQ_TRY(backend_of(ctx).scratch(ctx, 0, b * P * (int64_t)sizeof(float), &p, op));
            partial = static_cast<float*>(p);
        }
        RFSQ_TRY(run(ctx, RfsqBackward{sh, z, params, dzhat, dz, partial}, Launch{b, rfsq_backward_work(sh.C(), sh.stages, sh.n)}));
        return P > 0 ? run(ctx, ParamReduce{partial, b, P, dparams}, Launch{1, 0}) : RFSQ_OK;
    });
}

int rfsq_rfsq_decode(rfsq_ctx* ctx, const rfsq_rfsq_cfg* cfg, const int32_t* idx, int64_t b, int64_t h, int64_t w, const float* params, const float* stats, int32_t stats_per_image, float* zhat) {
    const char* op = RfsqDecode::kName;
    RFSQ_TRY(check_rfsq(op, ctx, cfg, b, h, w, params));
    RFSQ_TRY(check_ptr(idx, "idx", op));
    RFSQ_TRY(check_ptr(zhat, "zhat", op));
    if (cfg->strategy == RFSQ_STRATEGY_LAYERNORM) RFSQ_TRY(check_ptr(stats, "stats", op));
    return guarded(op, [&] {
        return run(ctx, RfsqDecode{shape_of(cfg, b, h, w), idx, params, stats, stats_per_image != 0, zhat}, Launch{b, 0});
    });
}

int rfsq_rfsq_running_update(rfsq_ctx* ctx, const rfsq_rfsq_cfg* cfg, const float* stats, int64_t b, float momentum, float* running) {
    const char* op = RunningUpdate::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_cfg(cfg, op));
    RFSQ_TRY(check_dims(b, cfg->levels.count, 1, 1, op));
    RFSQ_TRY(check_ptr(stats, "stats", op));
    RFSQ_TRY(check_ptr(running, "running", op));
    if (!(momentum >= 0.0f && momentum <= 1.0f)) return fail(RFSQ_E_INVALID, op, "momentum %g must be in [0, 1]", (double)momentum);
    return guarded(op, [&] {
        return run(ctx, RunningUpdate{stats, b, cfg->stages, cfg->levels.count, momentum, running}, Launch{1, 0});
    });
}

// ---- convolutions -----------------------------------------------------------------------------------------

static int conv_shape(const rfsq_conv_cfg* cfg, int64_t h, int64_t w, int64_t* oh, int64_t* ow, const char* op) {
    RFSQ_TRY(check_ptr(cfg, "cfg", op));
    if (cfg->in_channels < 1 || cfg->out_channels < 1 || cfg->kernel < 1 || cfg->stride < 1 || cfg->padding < 0 ||
        cfg->padding >= cfg->kernel || (cfg->transposed != 0 && cfg->transposed != 1) || cfg->in_channels > (1 << 16) ||
        cfg->out_channels > (1 << 16) || cfg->kernel > 64 || cfg->stride > 64)
        return fail(RFSQ_E_INVALID, op, "conv cfg (in %d, out %d, k %d, s %d, p %d, transposed %d) is invalid",
                    cfg->in_channels, cfg->out_channels, cfg->kernel, cfg->stride, cfg->padding, cfg->transposed);
    if (h < 1 || w < 1 || h > (1 << 20) || w > (1 << 20))
        return fail(RFSQ_E_INVALID, op, "input size %lld x %lld out of range", (long long)h, (long long)w);
    const int64_t k = cfg->kernel, s = cfg->stride, p = cfg->padding;
    *oh = cfg->transposed ? (h - 1) * s - 2 * p + k : (h + 2 * p - k) / s + 1;
    *ow = cfg->transposed ? (w - 1) * s - 2 * p + k : (w + 2 * p - k) / s + 1;
    if (*oh < 1 || *ow < 1 || (!cfg->transposed && (h + 2 * p < k || w + 2 * p < k)))
        return fail(RFSQ_E_INVALID, op, "input %lld x %lld is too small for kernel %lld", (long long)h, (long long)w, (long long)k);
    return RFSQ_OK;
}

int rfsq_conv_output_size(const rfsq_conv_cfg* cfg, int64_t h, int64_t w, int64_t* oh, int64_t* ow) {
    const char* op = "rfsq_conv_output_size";
    RFSQ_TRY(check_ptr(oh, "oh", op));
    RFSQ_TRY(check_ptr(ow, "ow", op));
    return conv_shape(cfg, h, w, oh, ow, op);
}

static int check_conv(const char* op, rfsq_ctx* ctx, const rfsq_conv_cfg* cfg, int64_t b, int64_t h, int64_t w, ConvShape* sh) {
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(conv_shape(cfg, h, w, &sh->oh, &sh->ow, op));
    RFSQ_TRY(check_dims(b, cfg->in_channels, h, w, op));
    RFSQ_TRY(check_dims(b, cfg->out_channels, sh->oh, sh->ow, op));
    sh->cfg = *cfg;
    sh->b = b;
    sh->h = h;
    sh->w = w;
    return RFSQ_OK;
}

int rfsq_conv_forward(rfsq_ctx* ctx, const rfsq_conv_cfg* cfg, const float* x, int64_t b, int64_t h, int64_t w, const float* weight, const float* bias, float* y) {
    const char* op = "rfsq_conv_forward";
    ConvShape sh;
    RFSQ_TRY(check_conv(op, ctx, cfg, b, h, w, &sh));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(weight, "weight", op));
    RFSQ_TRY(check_ptr(bias, "bias", op));
    RFSQ_TRY(check_ptr(y, "y", op));
    return guarded(op, [&] {
        return ctx->device == RFSQ_DEVICE_CPU ? cpu_conv_forward(ctx, sh, x, weight, bias, y) : cuda_conv_forward(ctx, sh, x, weight, bias, y);
    });
}

int rfsq_conv_backward(rfsq_ctx* ctx, const rfsq_conv_cfg* cfg, const float* x, int64_t b, int64_t h, int64_t w, const float* weight, const float* dy, float* dx, float* dweight, float* dbias) {
    const char* op = "rfsq_conv_backward";
    ConvShape sh;
    RFSQ_TRY(check_conv(op, ctx, cfg, b, h, w, &sh));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(weight, "weight", op));
    RFSQ_TRY(check_ptr(dy, "dy", op));
    return guarded(op, [&] {
        return ctx->device == RFSQ_DEVICE_CPU ? cpu_conv_backward(ctx, sh, x, weight, dy, dx, dweight, dbias)
                                              : cuda_conv_backward(ctx, sh, x, weight, dy, dx, dweight, dbias);
    });
}

}  // extern "C"

// ---- baselines: LFQ and VQ-EMA ----------------------------------------------------------------------------

namespace {

constexpr int kLfqChunkCpu = 64;   // positions per table chunk (and per backward team on the CPU)
constexpr int kLfqChunkCuda = 256; // positions per backward team on CUDA: one per thread

bool is_cpu(const rfsq_ctx* ctx) { return ctx->device == RFSQ_DEVICE_CPU; }

int check_lfq(const char* op, rfsq_ctx* ctx, const rfsq_lfq_cfg* cfg, int64_t b, int64_t h, int64_t w) {
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_ptr(cfg, "cfg", op));
    const rfsq_lfq_cfg& c = *cfg;
    if (c.channels < 1 || c.channels > kLfqMaxChannels)
        return fail(RFSQ_E_INVALID, op, "channels %d must be in 1..%d", c.channels, kLfqMaxChannels);
    if (!(isfinite(c.commitment_weight) && c.commitment_weight >= 0) || !(isfinite(c.entropy_weight) && c.entropy_weight >= 0) ||
        !isfinite(c.diversity_gamma) || !(isfinite(c.inv_temperature) && c.inv_temperature > 0))
        return fail(RFSQ_E_INVALID, op,
                    "lfq cfg (commitment weight %g, entropy weight %g, diversity gamma %g, inverse temperature %g) is invalid: "
                    "weights must be finite and >= 0, gamma finite, inverse temperature finite and > 0",
                    (double)c.commitment_weight, (double)c.entropy_weight, (double)c.diversity_gamma, (double)c.inv_temperature);
    return check_dims(b, c.channels, h, w, op);
}

int check_vq(const char* op, rfsq_ctx* ctx, const rfsq_vq_cfg* cfg, int64_t b, int64_t h, int64_t w) {
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_ptr(cfg, "cfg", op));
    const rfsq_vq_cfg& c = *cfg;
    if (c.codes < 1 || c.codes > (1 << 24)) return fail(RFSQ_E_INVALID, op, "codes %d must be in 1..2^24", c.codes);
    if (c.dim < 1 || c.dim > (1 << 16)) return fail(RFSQ_E_INVALID, op, "dim %d must be in 1..65536", c.dim);
    if (!(c.decay >= 0 && c.decay < 1) || !(isfinite(c.eps) && c.eps > 0) ||
        !(isfinite(c.commitment_weight) && c.commitment_weight >= 0) || !(isfinite(c.dead_threshold) && c.dead_threshold >= 0))
        return fail(RFSQ_E_INVALID, op,
                    "vq cfg (decay %g, eps %g, commitment weight %g, dead threshold %g) is invalid: decay must be in [0, 1), "
                    "eps finite and > 0, the weight and the threshold finite and >= 0",
                    (double)c.decay, (double)c.eps, (double)c.commitment_weight, (double)c.dead_threshold);
    return check_dims(b, c.dim, h, w, op);
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// The average probabilities a_j (and e'(a_j), per-block entropy sums when asked) of LFQ's entropy loss.
int lfq_avg(rfsq_ctx* ctx, const rfsq_lfq_cfg& cfg, const float* x, int64_t b, int64_t hw, float* avg, float* dent,
            float* partial, int32_t jb) {
    const int C = cfg.channels;
    const LfqAvgProb op{x, C, hw, b * hw, cfg.inv_temperature, jb, kLfqChunkCpu, avg, dent, partial};
    return run(ctx, op, Launch{ceil_div((int64_t)1 << C, jb), lfq_avg_work(C, kLfqChunkCpu, jb)});
}

}  // namespace

extern "C" {

int rfsq_lfq_forward(rfsq_ctx* ctx, const rfsq_lfq_cfg* cfg, const float* x, int64_t b, int64_t h, int64_t w, float* q, int32_t* idx, float* loss) {
    const char* op = LfqForward::kName;
    RFSQ_TRY(check_lfq(op, ctx, cfg, b, h, w));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(q, "q", op));
    return guarded(op, [&] {
        const int C = cfg->channels;
        const int64_t hw = h * w, n = b * hw, m = (int64_t)1 << C;
        const bool entropy = loss && cfg->entropy_weight != 0.0f;
        const int32_t jb = is_cpu(ctx) ? 64 : 32;
        const int64_t blocks = entropy ? ceil_div(m, jb) : 0;
        float* commit = nullptr;
        if (loss) {
            void* p = nullptr;
            RFSQ_TRY(backend_of(ctx).scratch(ctx, 0, (b + blocks + (entropy ? m : 0)) * (int64_t)sizeof(float), &p, op));
            commit = static_cast<float*>(p);
        }
        RFSQ_TRY(run(ctx, LfqForward{x, C, hw, q, idx, commit}, Launch{b, 0}));
        if (!loss) return RFSQ_OK;
        float* partial = commit + b;
        float* avg = partial + blocks;
        if (entropy) RFSQ_TRY(lfq_avg(ctx, *cfg, x, b, hw, avg, nullptr, partial, jb));
        const LfqLoss l{commit, b, (float)(cfg->commitment_weight / ((double)n * C)), entropy ? partial : nullptr, blocks, avg, m,
                        cfg->entropy_weight, cfg->diversity_gamma, (float)(1.0 / ((double)n * (double)m)), (float)(1.0 / (double)m), loss};
        return run(ctx, l, Launch{1, 0});
    });
}

int rfsq_lfq_backward(rfsq_ctx* ctx, const rfsq_lfq_cfg* cfg, const float* x, int64_t b, int64_t h, int64_t w, const float* dq, float* dx) {
    const char* op = LfqBackward::kName;
    RFSQ_TRY(check_lfq(op, ctx, cfg, b, h, w));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(dq, "dq", op));
    RFSQ_TRY(check_ptr(dx, "dx", op));
    return guarded(op, [&] {
        const int C = cfg->channels;
        const int64_t hw = h * w, n = b * hw, m = (int64_t)1 << C;
        const bool entropy = cfg->entropy_weight != 0.0f;
        float* avg = nullptr;
        if (entropy) {
            void* p = nullptr;
            RFSQ_TRY(backend_of(ctx).scratch(ctx, 0, 2 * m * (int64_t)sizeof(float), &p, op));
            avg = static_cast<float*>(p);
            RFSQ_TRY(lfq_avg(ctx, *cfg, x, b, hw, avg, avg + m, nullptr, is_cpu(ctx) ? 64 : 32));
        }
        const int32_t chunk = is_cpu(ctx) ? kLfqChunkCpu : kLfqChunkCuda;
        const LfqBackward bw{x, dq, C, hw, n, cfg->inv_temperature, (float)(2.0 * cfg->commitment_weight / ((double)n * C)),
                             entropy ? (float)(cfg->entropy_weight / ((double)n * (double)m)) : 0.0f, cfg->diversity_gamma,
                             entropy ? avg + m : nullptr, chunk, dx};
        return run(ctx, bw, Launch{ceil_div(n, chunk), entropy ? lfq_backward_work(C, chunk) : 0});
    });
}

int rfsq_lfq_decode(rfsq_ctx* ctx, const rfsq_lfq_cfg* cfg, const int32_t* idx, int64_t b, int64_t h, int64_t w, float* q) {
    const char* op = LfqDecode::kName;
    RFSQ_TRY(check_lfq(op, ctx, cfg, b, h, w));
    RFSQ_TRY(check_ptr(idx, "idx", op));
    RFSQ_TRY(check_ptr(q, "q", op));
    return guarded(op, [&] { return run(ctx, LfqDecode{idx, cfg->channels, h * w, q}, Launch{b, 0}); });
}

int rfsq_vq_forward(rfsq_ctx* ctx, const rfsq_vq_cfg* cfg, const float* x, int64_t b, int64_t h, int64_t w, const float* codebook, float* zq, int32_t* idx, float* loss) {
    const char* op = VqSearch::kName;
    RFSQ_TRY(check_vq(op, ctx, cfg, b, h, w));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(codebook, "codebook", op));
    RFSQ_TRY(check_ptr(zq, "zq", op));
    RFSQ_TRY(check_ptr(idx, "idx", op));
    return guarded(op, [&] {
        const int32_t M = cfg->codes, D = cfg->dim;
        const int64_t hw = h * w, n = b * hw;
        void* p = nullptr;
        RFSQ_TRY(backend_of(ctx).scratch(ctx, 0, (M + b) * (int64_t)sizeof(float), &p, op));
        float* norms = static_cast<float*>(p);
        float* commit = norms + M;
        RFSQ_TRY(run(ctx, VqNorms{codebook, M, D, norms}, Launch{ceil_div(M, kVqNormCodes), 0}));
        if (is_cpu(ctx)) {
            // A GEMM for x.e (oneDNN picks the CPU's vector ISA), in chunks of positions of ~16 MiB of dot products.
            const int64_t rows = std::max<int64_t>(1, std::min<int64_t>(hw, (4 << 20) / M));
            void* dots = nullptr;
            RFSQ_TRY(backend_of(ctx).scratch(ctx, 1, rows * M * (int64_t)sizeof(float), &dots, op));
            RFSQ_TRY(cpu_vq_search(ctx, x, b, D, hw, codebook, M, norms, idx, static_cast<float*>(dots), rows));
        } else {
            RFSQ_TRY(run(ctx, VqSearch{x, D, hw, n, codebook, norms, M, idx}, Launch{ceil_div(n, kVqTP), vq_search_work()}));
        }
        RFSQ_TRY(run(ctx, VqGather{codebook, idx, M, D, hw, x, zq, loss ? commit : nullptr}, Launch{b, 0}));
        if (!loss) return RFSQ_OK;
        return run(ctx, PartialSum{commit, b, (float)(cfg->commitment_weight / ((double)n * D)), loss}, Launch{1, 0});
    });
}

int rfsq_vq_ema_update(rfsq_ctx* ctx, const rfsq_vq_cfg* cfg, const float* x, int64_t b, int64_t h, int64_t w, const int32_t* idx, float* cluster_size, float* embed_avg, float* codebook) {
    const char* op = VqEmaAccumulate::kName;
    RFSQ_TRY(check_vq(op, ctx, cfg, b, h, w));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(idx, "idx", op));
    RFSQ_TRY(check_ptr(cluster_size, "cluster_size", op));
    RFSQ_TRY(check_ptr(embed_avg, "embed_avg", op));
    RFSQ_TRY(check_ptr(codebook, "codebook", op));
    return guarded(op, [&] {
        const int32_t M = cfg->codes, D = cfg->dim;
        const int64_t hw = h * w;
        // Codes per team: many teams on the GPU; on the CPU enough work per thread, with the sums under ~8 MiB.
        const int32_t jb = is_cpu(ctx) ? std::max(1, std::min(64, (1 << 20) / D)) : 8;
        RFSQ_TRY(run(ctx, VqEmaAccumulate{x, D, hw, b * hw, idx, M, jb, cfg->decay, cluster_size, embed_avg},
                     Launch{ceil_div(M, jb), vq_ema_work(jb, D)}));
        void* p = nullptr;
        RFSQ_TRY(backend_of(ctx).scratch(ctx, 0, (int64_t)sizeof(float), &p, op));
        float* total = static_cast<float*>(p);
        RFSQ_TRY(run(ctx, PartialSum{cluster_size, M, 1.0f, total}, Launch{1, 0}));
        const VqEmaNormalize norm{cluster_size, embed_avg, total, M, D, cfg->eps, (float)((double)M * (double)cfg->eps), codebook};
        RFSQ_TRY(run(ctx, norm, Launch{ceil_div(M, kVqNormCodes), 0}));
        if (cfg->dead_threshold == 0) return RFSQ_OK;
        const VqRestart restart{x, D, hw, b * hw, M, cfg->dead_threshold, cluster_size, embed_avg, codebook};
        return run(ctx, restart, Launch{ceil_div(M, kVqNormCodes), 0});
    });
}

int rfsq_vq_backward(rfsq_ctx* ctx, const rfsq_vq_cfg* cfg, const float* x, const float* zq, int64_t b, int64_t h, int64_t w, const float* dzq, float* dx) {
    const char* op = VqBackward::kName;
    RFSQ_TRY(check_vq(op, ctx, cfg, b, h, w));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(zq, "zq", op));
    RFSQ_TRY(check_ptr(dzq, "dzq", op));
    RFSQ_TRY(check_ptr(dx, "dx", op));
    return guarded(op, [&] {
        const int64_t n = b * cfg->dim * h * w;
        return run(ctx, VqBackward{x, zq, dzq, n, (float)(2.0 * cfg->commitment_weight / (double)n), dx}, Launch{chunks(n), 0});
    });
}

int rfsq_vq_decode(rfsq_ctx* ctx, const rfsq_vq_cfg* cfg, const float* codebook, const int32_t* idx, int64_t b, int64_t h, int64_t w, float* zq) {
    const char* op = VqDecode::kName;
    RFSQ_TRY(check_vq(op, ctx, cfg, b, h, w));
    RFSQ_TRY(check_ptr(codebook, "codebook", op));
    RFSQ_TRY(check_ptr(idx, "idx", op));
    RFSQ_TRY(check_ptr(zq, "zq", op));
    return guarded(op, [&] {
        return run(ctx, VqDecode{{codebook, idx, cfg->codes, cfg->dim, h * w, nullptr, zq, nullptr}}, Launch{b, 0});
    });
}

}  // extern "C"
