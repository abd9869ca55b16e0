// FSQ entry points: validate every argument, then hand the op (ops_fsq.h) to the context's backend.
#include "checks.h"

using namespace rfsq;

extern "C" {

int rfsq_fsq_forward(rfsq_ctx* ctx, const rfsq_levels* levels, const float* x, int64_t b, int64_t h, int64_t w, float* codes, int32_t* idx) {
    const char* op = FsqForward::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_levels(levels, op));
    RFSQ_TRY(check_dims(b, levels->count, h, w, op));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(codes, "codes", op));
    return guarded(op, [&] { return run(ctx, op, FsqForward{make_fsq_consts(*levels), x, h * w, codes, idx}, Launch{b, 0}); });
}

int rfsq_fsq_backward(rfsq_ctx* ctx, const rfsq_levels* levels, const float* x, int64_t b, int64_t h, int64_t w, const float* dcodes, float* dx) {
    const char* op = FsqBackward::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_levels(levels, op));
    RFSQ_TRY(check_dims(b, levels->count, h, w, op));
    RFSQ_TRY(check_ptr(x, "x", op));
    RFSQ_TRY(check_ptr(dcodes, "dcodes", op));
    RFSQ_TRY(check_ptr(dx, "dx", op));
    return guarded(op, [&] { return run(ctx, op, FsqBackward{make_fsq_consts(*levels), x, dcodes, h * w, dx}, Launch{b, 0}); });
}

int rfsq_fsq_codes_to_indices(rfsq_ctx* ctx, const rfsq_levels* levels, const float* codes, int64_t b, int64_t h, int64_t w, int32_t* idx) {
    const char* op = CodesToIndices::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_levels(levels, op));
    RFSQ_TRY(check_dims(b, levels->count, h, w, op));
    RFSQ_TRY(check_ptr(codes, "codes", op));
    RFSQ_TRY(check_ptr(idx, "idx", op));
    return guarded(op, [&] { return run(ctx, op, CodesToIndices{make_fsq_consts(*levels), codes, h * w, idx}, Launch{b, 0}); });
}

int rfsq_fsq_indices_to_codes(rfsq_ctx* ctx, const rfsq_levels* levels, const int32_t* idx, int64_t b, int64_t h, int64_t w, float* codes) {
    const char* op = IndicesToCodes::kName;
    RFSQ_TRY(check_ctx(ctx, op));
    RFSQ_TRY(check_levels(levels, op));
    RFSQ_TRY(check_dims(b, levels->count, h, w, op));
    RFSQ_TRY(check_ptr(idx, "idx", op));
    RFSQ_TRY(check_ptr(codes, "codes", op));
    return guarded(op, [&] { return run(ctx, op, IndicesToCodes{make_fsq_consts(*levels), idx, h * w, codes}, Launch{b, 0}); });
}

}  // extern "C"
