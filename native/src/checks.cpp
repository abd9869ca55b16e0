// Errors (this thread's last message, bad-data statuses) and the argument checks every
// family's entry points share.
#include "checks.h"

#include <stdarg.h>
#include <stdio.h>

#include <string>

namespace rfsq {

namespace {
thread_local std::string t_last_error;
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

const char* last_error() { return t_last_error.c_str(); }

int status_of_bad(unsigned bits) {
    if (bits & (kBadNonFinite | kBadStatsNonFinite | kBadOverflow)) return RFSQ_E_NONFINITE;
    return (bits & kBadStats) ? RFSQ_E_INVALID : RFSQ_E_RANGE;
}

// The most telling message when several bits are raised: a NaN or Inf input explains the rest.
const char* message_of_bad(unsigned bits) {
    if (bits & kBadNonFinite) return "non-finite value (NaN or Inf) in the input or parameters";
    if (bits & kBadStatsNonFinite)
        return "statistics with a NaN or infinite mu or sigma: pass the (mu, sigma) that encode returned";
    if (bits & kBadOverflow)
        return "a value overflowed to Inf or NaN inside the op although the input is finite: the input is too large "
               "for float32 arithmetic (|z| above ~1e19 overflows the layernorm variance; scale it down) or a "
               "parameter or statistic is not finite";
    if (bits & kBadStats) return "statistics with sigma <= 0 (sigma = sqrt(var + 1e-5) is positive): pass the (mu, sigma) that encode returned";
    return "index or code out of range for the levels";
}

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

int check_n(int64_t n, const char* op) {
    return n > 0 && n <= kMaxElements ? RFSQ_OK : fail(RFSQ_E_INVALID, op, "n %lld out of range", (long long)n);
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

int check_not_recording(const rfsq_ctx* ctx, const char* op) {
    if (ctx->recording)
        return fail(RFSQ_E_INVALID, op, "not allowed while this context records a graph (rfsq_graph_begin .. rfsq_graph_end): "
                    "allocation, freeing, syncs and host copies cannot be replayed");
    return RFSQ_OK;
}

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
