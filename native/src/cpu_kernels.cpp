// The CPU backend's kernels: every op of ops.h run as teams of one thread spread over OpenMP threads, and the
// fused RFSQ forward and backward scheduled for a CPU (cpu_rfsq.h). CMake compiles this file once per instruction
// set, with RFSQ_ISA_NS naming the variant's namespace: baseline (x86-64), avx2 (x86-64-v3: AVX2, FMA) and avx512
// (x86-64-v4, 512-bit vectors). All variants compile with -ffp-contract=off (no fused multiply-add: the same
// roundings everywhere), and the sums that vectorize have a fixed order (team.h's kLanes), so every variant gives
// the same bits. Everything defined here is either in RFSQ_ISA_NS or has internal linkage (the team type is
// local, and the shared helpers are always inlined), so no variant's code can be linked into another's.
#include <omp.h>

#include <algorithm>

#include "../common/ops.h"
#include "cpu_kernels.h"

#ifndef RFSQ_ISA_NS
#error "RFSQ_ISA_NS names the variant (baseline, avx2, avx512); CMakeLists.txt sets it"
#endif

namespace rfsq {
namespace RFSQ_ISA_NS {

#include "cpu_rfsq.h"

namespace {

// A team of one: the op's loops over rank..size cover everything, reductions are no-ops.
struct CpuTeam {
    float* scratch;
    unsigned bad = 0;

    int rank() const { return 0; }
    int size() const { return 1; }
    void sync() const {}
    void sum(float*, int) const {}
    void flag(unsigned bits) { bad |= bits; }
    float* work() const { return scratch; }
};

}  // namespace

template <class Op>
int cpu_run(rfsq_ctx* ctx, const char* name, const Op& op, Launch launch) {
    const int threads = (int)(launch.teams < omp_get_max_threads() ? launch.teams : omp_get_max_threads());
    const int64_t stride = work_stride(launch.work_floats);
    float* work = nullptr;
    if (launch.work_floats > 0) {
        void* p = nullptr;
        if (int st = cpu_scratch(ctx, 1, threads * stride * (int64_t)sizeof(float), &p, name)) return st;
        work = static_cast<float*>(p);
    }
    unsigned bad = 0;
    if (threads == 1) {  // no parallel region for one team: opening one costs ~0.7 us, more than a small op
        CpuTeam team{work};
        for (int64_t i = 0; i < launch.teams; ++i) op(team, i);
        bad = team.bad;
    } else {
#pragma omp parallel num_threads(threads) reduction(| : bad)
        {
            CpuTeam team{work ? work + omp_get_thread_num() * stride : nullptr};
#pragma omp for schedule(static)
            for (int64_t i = 0; i < launch.teams; ++i) op(team, i);
            bad |= team.bad;
        }
    }
    return bad ? fail(status_of_bad(bad), name, "%s", message_of_bad(bad)) : RFSQ_OK;
}

template <>
int cpu_run<RfsqForward>(rfsq_ctx* ctx, const char* name, const RfsqForward& op, Launch) {
    return rfsq_forward_cpu(ctx, name, op);
}

template <>
int cpu_run<RfsqBackward>(rfsq_ctx* ctx, const char* name, const RfsqBackward& op, Launch) {
    return rfsq_backward_cpu(ctx, name, op);
}

#define RFSQ_CPU_INSTANTIATE(Op) template int cpu_run<Op>(rfsq_ctx*, const char*, const Op&, Launch);
RFSQ_FOR_EACH_OP(RFSQ_CPU_INSTANTIATE)
#undef RFSQ_CPU_INSTANTIATE

}  // namespace RFSQ_ISA_NS
}  // namespace rfsq
