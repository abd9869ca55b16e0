// The CPU kernels, compiled once per instruction set (cpu_kernels.cpp with RFSQ_ISA_NS = baseline, avx2, avx512;
// see CMakeLists.txt) into namespaces of their own, so that the variants never share a function. The CPU backend
// (cpu_backend.cpp) calls the variant its context chose (cpu_isa.cpp).
#pragma once

#include "internal.h"

namespace rfsq {

#define RFSQ_DECLARE_CPU_VARIANT(ns)                       \
    namespace ns {                                         \
    template <class Op>                                    \
    int cpu_run(rfsq_ctx* ctx, const char* name, const Op& op, Launch launch); \
    }
RFSQ_DECLARE_CPU_VARIANT(baseline)
RFSQ_DECLARE_CPU_VARIANT(avx2)
RFSQ_DECLARE_CPU_VARIANT(avx512)
#undef RFSQ_DECLARE_CPU_VARIANT

// RFSQ_CPU_ISA_* of this CPU (CPUID, once): AVX-512 needs F, CD, BW, DQ and VL (x86-64-v4), AVX2 also FMA, BMI1/2,
// F16C, LZCNT and MOVBE (x86-64-v3).
int cpu_isa_best();
// The variant a new CPU context runs: RFSQ_CPU_ISA (baseline, avx2, avx512, or auto) from the environment, else the
// best. Fails, naming the variable, when it is unknown or asks for what this CPU lacks.
int cpu_isa_choose(int32_t* isa, const char* op);
const char* cpu_isa_name(int isa);

}  // namespace rfsq
