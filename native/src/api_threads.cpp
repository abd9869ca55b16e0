// CPU threads per calling thread. Both the CPU backend (a team per OpenMP thread, up to omp_get_max_threads()) and
// oneDNN (built for the OpenMP runtime, sharing this process's libgomp) size their parallel regions by the calling
// thread's OpenMP thread count, so setting that one ICV sets both. It belongs to the OS thread, not to a context.
#include <omp.h>

#include "internal.h"

int rfsq_set_cpu_threads(int32_t n) {
    if (n < 1 || n > 4096) return rfsq::fail(RFSQ_E_INVALID, "rfsq_set_cpu_threads", "thread count %d is not in 1..4096", n);
    omp_set_num_threads(n);
    return RFSQ_OK;
}

int rfsq_cpu_threads(int32_t* out) {
    if (out == nullptr) return rfsq::fail(RFSQ_E_INVALID, "rfsq_cpu_threads", "out is NULL");
    *out = omp_get_max_threads();
    return RFSQ_OK;
}
