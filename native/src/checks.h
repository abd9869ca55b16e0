// What every family's entry points (api_<family>.cpp) share: argument checks that record a one-line error naming
// the op, the guard that keeps C++ exceptions out of the C ABI, and run<Op>, which hands an op to the context's
// backend. Errors themselves (fail, the op-name table) are in checks.cpp.
#pragma once

#include <new>

#include "../common/ops.h"
#include "internal.h"

// Returns the status of expr from the enclosing function when it is not RFSQ_OK.
#define RFSQ_TRY(expr)                    \
    do {                                  \
        if (int st_ = (expr)) return st_; \
    } while (0)

namespace rfsq {

constexpr int64_t kMaxElements = int64_t(1) << 40;  // keeps every index product far from overflow

// This thread's last error message (rfsq_last_error).
const char* last_error();

inline bool is_cpu(const rfsq_ctx* ctx) { return ctx->device == RFSQ_DEVICE_CPU; }
inline const Backend& backend_of(const rfsq_ctx* ctx) { return is_cpu(ctx) ? cpu_backend() : cuda_backend(); }

// Runs op on ctx's backend; errors (a failed launch, bad data) name the entry point `name`.
template <class Op>
int run(rfsq_ctx* ctx, const char* name, const Op& op, Launch launch) {
    return is_cpu(ctx) ? cpu_run(ctx, name, op, launch) : cuda_run(ctx, name, op, launch);
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

// Slot 0 of the context's scratch (op temporaries) as count values of T.
template <class T>
int scratch_of(rfsq_ctx* ctx, int64_t count, T** out, const char* op) {
    void* p = nullptr;
    RFSQ_TRY(backend_of(ctx).scratch(ctx, 0, count * (int64_t)sizeof(T), &p, op));
    *out = static_cast<T*>(p);
    return RFSQ_OK;
}

int check_ctx(const rfsq_ctx* ctx, const char* op);
int check_ptr(const void* p, const char* name, const char* op);
// b, c, h, w positive, their product below kMaxElements, b a 32-bit int.
int check_dims(int64_t b, int64_t c, int64_t h, int64_t w, const char* op);
// n in 1..kMaxElements.
int check_n(int64_t n, const char* op);
int check_levels(const rfsq_levels* lv, const char* op);
// Refuses what a graph cannot replay (allocation, freeing, syncs, host copies) while ctx records one.
int check_not_recording(const rfsq_ctx* ctx, const char* op);

}  // namespace rfsq
