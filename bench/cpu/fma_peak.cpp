// The measured fused-multiply-add peak of this CPU, to set GFLOP/s figures against (bench/RESULTS.md): every
// thread runs independent chains of vector FMAs (enough of them to cover the FMA latency on two pipes) for a fixed
// time, with AVX-512 (zmm) and AVX2 (ymm) where the CPU has them. 2 flops per lane per FMA.
//
//   rfsq_fma_peak [seconds per measurement, default 1] [repeats, default 5]
//
// Prints GFLOP/s on one thread and on all of OpenMP's threads (OMP_NUM_THREADS), the best of the repeats.
#include <immintrin.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>

namespace {

constexpr long kInner = 1000;  // FMAs per chain between clock reads

template <class F>
double rate(int threads, double seconds, F chains) {  // GFLOP/s of `chains` run on `threads` threads
    double flops = 0;
    float sink = 0;
    const auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads) reduction(+ : flops, sink)
    {
        double mine = 0;
        float s = 0;
        while (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < seconds) {
            float out;
            mine += chains(&out);
            s += out;
        }
        flops += mine;
        sink += s;
    }
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (sink == 12345.678f) printf(" ");  // keeps the results alive
    return flops / t * 1e-9;
}

__attribute__((target("avx512f"))) double chains512(float* out) {
    __m512 acc[16];
    for (int i = 0; i < 16; ++i) acc[i] = _mm512_set1_ps(1.0f + i * 1e-3f);
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (long n = 0; n < kInner; ++n) {
#pragma GCC unroll 16
        for (int i = 0; i < 16; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);  // 16 chains, all in registers
    }
    __m512 s = acc[0];
    for (int i = 1; i < 16; ++i) s = _mm512_add_ps(s, acc[i]);
    *out = _mm512_reduce_add_ps(s);
    return 2.0 * 16 * 16 * kInner;
}

__attribute__((target("avx2,fma"))) double chains256(float* out) {
    __m256 acc[12];
    for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps(1.0f + i * 1e-3f);
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    for (long n = 0; n < kInner; ++n) {
#pragma GCC unroll 12
        for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
    }
    __m256 s = acc[0];
    for (int i = 1; i < 12; ++i) s = _mm256_add_ps(s, acc[i]);
    float v[8];
    _mm256_storeu_ps(v, s);
    *out = v[0] + v[7];
    return 2.0 * 8 * 12 * kInner;
}

}  // namespace

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    const int repeats = argc > 2 ? atoi(argv[2]) : 5;
    const int threads = omp_get_max_threads();
    __builtin_cpu_init();
    printf("FMA peak, best of %d runs of %.1f s each (GFLOP/s)\n", repeats, seconds);
    auto report = [&](const char* name, double (*chains)(float*)) {
        for (int t : {1, threads}) {
            double best = 0;
            for (int r = 0; r < repeats; ++r) best = std::max(best, rate(t, seconds, chains));
            printf("%-24s %2d thread(s): %8.1f\n", name, t, best);
            if (threads == 1) break;
        }
    };
    if (__builtin_cpu_supports("avx512f")) report("AVX-512 (zmm) FMA", chains512);
    else printf("AVX-512: not on this CPU\n");
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) report("AVX2 (ymm) FMA", chains256);
    else printf("AVX2+FMA: not on this CPU\n");
    return 0;
}
