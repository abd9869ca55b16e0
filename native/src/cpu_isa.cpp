// Which CPU kernel variant a context runs: CPUID once per process, RFSQ_CPU_ISA at every context creation (so a
// test can compare the variants in one process).
#include <stdlib.h>
#include <string.h>

#include "cpu_kernels.h"

namespace rfsq {

int cpu_isa_best() {
    static const int best = [] {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("x86-64-v4")) return RFSQ_CPU_ISA_AVX512;
        if (__builtin_cpu_supports("x86-64-v3")) return RFSQ_CPU_ISA_AVX2;
        return RFSQ_CPU_ISA_BASELINE;
    }();
    return best;
}

const char* cpu_isa_name(int isa) {
    return isa == RFSQ_CPU_ISA_AVX512 ? "avx512" : isa == RFSQ_CPU_ISA_AVX2 ? "avx2" : "baseline";
}

int cpu_isa_choose(int32_t* isa, const char* op) {
    const int best = cpu_isa_best();
    const char* env = getenv("RFSQ_CPU_ISA");
    if (!env || !*env || strcmp(env, "auto") == 0) {
        *isa = best;
        return RFSQ_OK;
    }
    for (int v = RFSQ_CPU_ISA_BASELINE; v <= RFSQ_CPU_ISA_AVX512; ++v) {
        if (strcmp(env, cpu_isa_name(v)) != 0) continue;
        if (v > best)
            return fail(RFSQ_E_INVALID, op, "RFSQ_CPU_ISA=%s, but this CPU supports at most %s: unset it or choose %s", env,
                        cpu_isa_name(best), best == RFSQ_CPU_ISA_AVX2 ? "baseline or avx2" : "baseline");
        *isa = v;
        return RFSQ_OK;
    }
    return fail(RFSQ_E_INVALID, op, "RFSQ_CPU_ISA=%s is not one of baseline, avx2, avx512, auto", env);
}

}  // namespace rfsq
