// The entry points that are not ops: ABI version, errors, contexts, memory, copies and graphs.
#include "checks.h"
#include "live_objects.h"

using namespace rfsq;

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

const char* rfsq_last_error(void) { return last_error(); }

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

}  // extern "C"
