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

// Runs cases on a CPU context and, when a GPU is usable, a CUDA context; checks that nothing leaked and
// prints the closing line. Returns the process exit code.
inline int run_on_every_device(const std::function<void(rfsq_ctx*, const char*)>& cases) {
    int64_t live0 = 0;
    rfsq_live_objects(&live0);
    int32_t gpus = 0;
    rfsq_cuda_device_count(&gpus);
    // RFSQ_TEST_DEVICES=cuda: the CUDA cases only (a sanitizer run), and no GPU is then a failure.
    const char* only = getenv("RFSQ_TEST_DEVICES");
    const bool cuda_only = only && strcmp(only, "cuda") == 0;
    std::vector<int32_t> devices;
    if (!cuda_only) devices.push_back(RFSQ_DEVICE_CPU);
    if (gpus > 0) devices.push_back(0);
    else if (cuda_only) {
        fprintf(stderr, "FAIL RFSQ_TEST_DEVICES=cuda but no usable GPU (rfsq_cuda_device_count = 0)\n");
        return 1;
    } else printf("CUDA: no usable GPU, CUDA cases SKIPPED (CPU cases run)\n");
    for (int32_t d : devices) {
        rfsq_ctx* ctx = nullptr;
        if (rfsq_ctx_create(d, &ctx) != RFSQ_OK) {
            fprintf(stderr, "cannot create context on device %d: %s\n", d, rfsq_last_error());
            return 1;
        }
        cases(ctx, d == RFSQ_DEVICE_CPU ? "cpu" : "cuda");
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
    printf("%-4s %-60s %s\n", dev, name.c_str(), g_failed == before ? "ok" : "FAILED");
}

}  // namespace
