// What every native test executable shares: checks with a closing "N passed, N failed" line, a seeded RNG,
// poisoned device buffers, error measures, and a loop over the CPU and (when usable) the first CUDA device.
#pragma once

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "rfsq.h"
#include "rfsq_testing.h"  // tests also call the entry points only tests use

namespace {

int g_passed = 0, g_failed = 0;
std::string g_case;

void check(bool ok, const char* what, double got = 0, double limit = 0) {
    if (ok) {
        ++g_passed;
        return;
    }
    ++g_failed;
    fprintf(stderr, "FAIL [%s] %s (got %.6g, limit %.6g; last native error: \"%s\")\n", g_case.c_str(), what, got, limit,
            rfsq_last_error());
}

struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
    uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    double uniform() { return (next() >> 11) * (1.0 / 9007199254740992.0); }
    double normal() { return sqrt(-2 * log(uniform() + 1e-300)) * cos(6.283185307179586 * uniform()); }
};
uint64_t g_seed = 20261123;
Rng fresh() { return Rng(g_seed++); }

// A device buffer that is poisoned on allocation and copied back on demand.
template <class T>
struct Buf {
    rfsq_ctx* ctx;
    T* d = nullptr;
    size_t n;
    Buf(rfsq_ctx* c, size_t count) : ctx(c), n(count) {
        if (rfsq_alloc(ctx, (int64_t)(n * sizeof(T)), (void**)&d) != RFSQ_OK) {
            fprintf(stderr, "rfsq_alloc failed: %s\n", rfsq_last_error());
            exit(2);
        }
        std::vector<T> poison(n);
        memset(poison.data(), 0xFF, n * sizeof(T));  // NaN for floats, -1 for ints
        put(poison);
    }
    Buf(rfsq_ctx* c, const std::vector<T>& v) : Buf(c, v.size()) { put(v); }
    ~Buf() { rfsq_free(ctx, d); }
    Buf(const Buf&) = delete;
    void put(const std::vector<T>& v) { rfsq_copy_to_device(ctx, d, v.data(), (int64_t)(v.size() * sizeof(T))); }
    std::vector<T> get() const {
        std::vector<T> v(n);
        if (rfsq_copy_to_host(ctx, v.data(), d, (int64_t)(n * sizeof(T))) != RFSQ_OK)
            fprintf(stderr, "copy_to_host reported: %s\n", rfsq_last_error());
        return v;
    }
};

// Waits for queued work so that a CUDA context reports bad data the same way a CPU op does.
int settle(rfsq_ctx* ctx, int st) { return st != RFSQ_OK ? st : rfsq_ctx_sync(ctx); }

rfsq_levels levels_of(std::vector<int> L) {
    rfsq_levels lv{};
    lv.count = (int)L.size();
    for (size_t j = 0; j < L.size(); ++j) lv.levels[j] = L[j];
    return lv;
}

// max |a - b| / max(max |b|, floor)
template <class A, class B>
double rel_err(const std::vector<A>& a, const std::vector<B>& b, double floor = 1e-6) {
    double num = 0, den = floor;
    for (size_t i = 0; i < b.size(); ++i) {
        const double d = fabs((double)a[i] - (double)b[i]);
        num = std::isnan(d) ? INFINITY : std::max(num, d);
        den = std::max(den, fabs((double)b[i]));
    }
    return num / den;
}

std::vector<float> randn(Rng& g, int64_t n, double scale, double offset = 0) {
    std::vector<float> v(n);
    for (auto& x : v) x = (float)(g.normal() * scale + offset);
    return v;
}

template <class T>
std::vector<double> to_double(const std::vector<T>& v) {
    return std::vector<double>(v.begin(), v.end());
}

// d loss() / d x[i] by central differences of step eps (x[i] is restored): gradient checks against finite differences.
template <class Loss>
inline double central_difference(std::vector<double>& x, size_t i, double eps, Loss&& loss) {
    const double keep = x[i];
    x[i] = keep + eps;
    const double up = loss();
    x[i] = keep - eps;
    const double down = loss();
    x[i] = keep;
    return (up - down) / (2 * eps);
}

// A VQ codebook (M, D) uniform in [-half, half].
inline std::vector<float> uniform_codebook(Rng& g, int32_t M, int32_t D, double half) {
    std::vector<float> cb((size_t)M * D);
    for (auto& v : cb) v = (float)((g.uniform() * 2 - 1) * half);
    return cb;
}

// Latents of a VQ case k (ref::VqCase) near random codes of cb plus N(0, 0.3^2) noise, so that the search matters.
template <class VqCase>
std::vector<float> latents_near_codes(Rng& g, const std::vector<float>& cb, const VqCase& k) {
    std::vector<float> x(k.E());
    for (int64_t n = 0; n < k.N(); ++n) {
        const int64_t j = (int64_t)(g.uniform() * k.M);
        for (int d = 0; d < k.D; ++d) x[k.at(n, d)] = (float)(cb[j * k.D + d] + 0.3 * g.normal());
    }
    return x;
}

// The VQ ties case: codes 17, 140 and 299 of cb (M >= 300) become exact copies of code 5; returns latents of k
// (ref::VqCase) next to code 5 (noise 1e-3), whose nearest codes are then tied.
template <class VqCase>
std::vector<float> tie_to_code_5(Rng& g, std::vector<float>& cb, const VqCase& k) {
    for (int j : {17, 140, 299})
        for (int d = 0; d < k.D; ++d) cb[j * k.D + d] = cb[5 * k.D + d];
    std::vector<float> x(k.E());
    for (int64_t n = 0; n < k.N(); ++n)
        for (int d = 0; d < k.D; ++d) x[k.at(n, d)] = cb[5 * k.D + d] + (float)(1e-3 * g.normal());
    return x;
}

// The CPU kernel variants to test: every one this CPU supports (RFSQ_CPU_ISA picks the variant of a new context),
// or only the one RFSQ_CPU_ISA names when it is set.
inline std::vector<std::string> cpu_variants() {
    const char* env = getenv("RFSQ_CPU_ISA");
    if (env && *env && strcmp(env, "auto") != 0) return {env};
    rfsq_ctx* ctx = nullptr;
    int32_t best = RFSQ_CPU_ISA_BASELINE;
    if (rfsq_ctx_create(RFSQ_DEVICE_CPU, &ctx) == RFSQ_OK) rfsq_ctx_cpu_isa(ctx, &best);
    rfsq_ctx_destroy(ctx);
    const char* names[] = {"baseline", "avx2", "avx512"};
    std::vector<std::string> out;
    for (int v = RFSQ_CPU_ISA_BASELINE; v <= best; ++v) out.push_back(names[v]);
    return out;
}

// Creates a CPU context running variant (RFSQ_CPU_ISA is set for the call and restored after).
inline int cpu_context(const std::string& variant, rfsq_ctx** ctx) {
    const char* env = getenv("RFSQ_CPU_ISA");
    const std::string saved = env ? env : "";
    setenv("RFSQ_CPU_ISA", variant.c_str(), 1);
    const int st = rfsq_ctx_create(RFSQ_DEVICE_CPU, ctx);
    if (env) setenv("RFSQ_CPU_ISA", saved.c_str(), 1);
    else unsetenv("RFSQ_CPU_ISA");
    return st;
}

// Runs cases on a CPU context per kernel variant (cpu_variants) and, when a GPU is usable, a CUDA context; checks
// that nothing leaked and prints the closing line. Returns the process exit code.
inline int run_on_every_device(const std::function<void(rfsq_ctx*, const char*)>& cases) {
    int64_t live0 = 0;
    rfsq_live_objects(&live0);
    int32_t gpus = 0;
    rfsq_cuda_device_count(&gpus);
    // RFSQ_TEST_DEVICES=cuda: the CUDA cases only (a sanitizer run), and no GPU is then a failure.
    const char* only = getenv("RFSQ_TEST_DEVICES");
    const bool cuda_only = only && strcmp(only, "cuda") == 0;
    std::vector<std::string> devices;
    if (!cuda_only)
        for (const std::string& v : cpu_variants()) devices.push_back("cpu-" + v);
    if (gpus > 0) devices.push_back("cuda");
    else if (cuda_only) {
        fprintf(stderr, "FAIL RFSQ_TEST_DEVICES=cuda but no usable GPU (rfsq_cuda_device_count = 0)\n");
        return 1;
    } else printf("CUDA: no usable GPU, CUDA cases SKIPPED (CPU cases run)\n");
    for (const std::string& d : devices) {
        rfsq_ctx* ctx = nullptr;
        const int st = d == "cuda" ? rfsq_ctx_create(0, &ctx) : cpu_context(d.substr(4), &ctx);
        if (st != RFSQ_OK) {
            fprintf(stderr, "cannot create a context on %s: %s\n", d.c_str(), rfsq_last_error());
            return 1;
        }
        cases(ctx, d.c_str());
        g_case = "lifecycle";
        check(rfsq_ctx_destroy(ctx) == RFSQ_OK, "ctx_destroy");
    }
    int64_t live = -1;
    rfsq_live_objects(&live);
    g_case = "lifecycle";
    check(live == live0, "no native object leaked", (double)live, (double)live0);
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}

// RFSQ_TEST_FILTER=a,b: only the cases whose name contains one of these (short sanitizer runs).
inline bool selected(const std::string& name) {
    const char* filter = getenv("RFSQ_TEST_FILTER");
    if (!filter || !*filter) return true;
    std::string rest = filter;
    for (size_t at; !rest.empty(); rest = at == std::string::npos ? "" : rest.substr(at + 1)) {
        at = rest.find(',');
        const std::string part = rest.substr(0, at);
        if (!part.empty() && name.find(part) != std::string::npos) return true;
    }
    return false;
}

// Runs one named case and prints a line with its outcome.
inline void named_case(const char* dev, const std::string& name, const std::function<void()>& f) {
    if (!selected(name)) return;
    g_case = std::string(dev) + " " + name;
    const int before = g_failed;
    f();
    printf("%-12s %-60s %s\n", dev, name.c_str(), g_failed == before ? "ok" : "FAILED");
}

}  // namespace
