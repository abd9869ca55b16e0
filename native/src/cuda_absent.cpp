// Built instead of cuda/cuda_backend.cu when nvcc is absent: every CUDA request reports RFSQ_E_NO_DEVICE.
#include "../common/ops.h"
#include "internal.h"

namespace rfsq {

namespace {
constexpr const char* kWhy = "this librfsq was built without the CUDA backend (no nvcc at build time)";
int absent_init(rfsq_ctx*) { return fail(RFSQ_E_NO_DEVICE, "rfsq_ctx_create", "%s", kWhy); }
void absent_release(rfsq_ctx*) {}
int absent_alloc(rfsq_ctx*, int64_t, void**, const char* op) { return fail(RFSQ_E_NO_DEVICE, op, "%s", kWhy); }
int absent_free(rfsq_ctx*, void*) { return RFSQ_OK; }
int absent_copy(rfsq_ctx*, void*, const void*, int64_t, int, const char* op) { return fail(RFSQ_E_NO_DEVICE, op, "%s", kWhy); }
int absent_sync(rfsq_ctx*, const char*) { return RFSQ_OK; }
int absent_scratch(rfsq_ctx*, int, int64_t, void**, const char* op) { return fail(RFSQ_E_NO_DEVICE, op, "%s", kWhy); }
int absent_vq_search(rfsq_ctx*, const char* op, const VqSearch&) { return fail(RFSQ_E_NO_DEVICE, op, "%s", kWhy); }
}  // namespace

const Backend& cuda_backend() {
    static const Backend be{absent_init,     absent_release,     absent_alloc,      absent_free,
                            absent_copy,     absent_sync,        absent_scratch,    cuda_conv_forward,
                            cuda_conv_backward, absent_vq_search, Tuning{1, 1, 1, 1}};
    return be;
}

int cuda_device_count() { return 0; }

int cuda_conv_forward(rfsq_ctx*, const ConvShape&, const float*, const float*, const float*, float*) {
    return fail(RFSQ_E_NO_DEVICE, "rfsq_conv_forward", "%s", kWhy);
}
int cuda_conv_backward(rfsq_ctx*, const ConvShape&, const float*, const float*, const float*, float*, float*, float*) {
    return fail(RFSQ_E_NO_DEVICE, "rfsq_conv_backward", "%s", kWhy);
}

int cuda_graph_begin(rfsq_ctx*) { return fail(RFSQ_E_NO_DEVICE, "rfsq_graph_begin", "%s", kWhy); }
int cuda_graph_end(rfsq_ctx*, rfsq_graph**) { return fail(RFSQ_E_NO_DEVICE, "rfsq_graph_end", "%s", kWhy); }
int cuda_graph_launch(rfsq_ctx*, rfsq_graph*) { return fail(RFSQ_E_NO_DEVICE, "rfsq_graph_launch", "%s", kWhy); }
void cuda_graph_destroy(rfsq_graph*) {}

template <class Op>
int cuda_run(rfsq_ctx*, const char* name, const Op&, Launch) {
    return fail(RFSQ_E_NO_DEVICE, name, "%s", kWhy);
}

#define RFSQ_CUDA_INSTANTIATE(Op) template int cuda_run<Op>(rfsq_ctx*, const char*, const Op&, Launch);
RFSQ_FOR_EACH_OP(RFSQ_CUDA_INSTANTIATE)
#undef RFSQ_CUDA_INSTANTIATE

}  // namespace rfsq
