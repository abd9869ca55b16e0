// rfsq_cuda_bench: the fused RFSQ forward / backward on a CUDA context against a device-to-device copy of the
// same bytes, after a check against a float64 CPU reference (llm.c style: reference, check, GB/s).
// Uses only the public rfsq.h API, plus the CUDA runtime for the device's properties.
//
//   rfsq_cuda_bench [--out FILE] [--repeats N] [--large B] [--device D]
//
// Prints a Markdown table; --out also writes it to FILE. Exits 0 with "no CUDA device: skipped" without a GPU.
// --device -1 runs the same checks and timings on a CPU context (to try the bench itself without a GPU; use a
// small --large there).
#include <cuda_runtime.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "reference.h"
#include "rfsq.h"

#define RFSQ_CHECK(call)                                                                                   \
    do {                                                                                                   \
        int rc_ = (call);                                                                                  \
        if (rc_ != RFSQ_OK) {                                                                              \
            fprintf(stderr, "%s:%d: %s returned %d: %s\n", __FILE__, __LINE__, #call, rc_, rfsq_last_error()); \
            exit(1);                                                                                       \
        }                                                                                                  \
    } while (0)

#define CUDA_CHECK(call)                                                                                   \
    do {                                                                                                   \
        cudaError_t e_ = (call);                                                                           \
        if (e_ != cudaSuccess) {                                                                           \
            fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(e_));        \
            exit(1);                                                                                       \
        }                                                                                                  \
    } while (0)

static void fail(const char* what) {
    fprintf(stderr, "FAILED: %s\n", what);
    exit(1);
}

// ---------------------------------------------------------------------------------------------------------
// Configurations (spec §3) and random data

struct Preset {
    const char* name;
    std::vector<int> levels;
    int stages;
};
static const Preset kPresets[] = {{"2x2048", {8, 8, 8, 4}, 2}, {"4x1024", {4, 4, 4, 4, 4}, 4}};
static const char* kStrategyNames[] = {"none", "scale", "layernorm"};

static rfsq_rfsq_cfg make_cfg(const Preset& p, int strategy) {
    rfsq_rfsq_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.levels.count = (int32_t)p.levels.size();
    for (size_t j = 0; j < p.levels.size(); j++) cfg.levels.levels[j] = p.levels[j];
    cfg.stages = p.stages;
    cfg.strategy = strategy;
    return cfg;
}

// xorshift64*: fast, seeded, good enough for test data.
struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
    uint32_t next() {
        s ^= s >> 12, s ^= s << 25, s ^= s >> 27;
        return (uint32_t)((s * 0x2545F4914F6CDD1Dull) >> 32);
    }
    float uniform() { return (next() >> 8) * (1.0f / 16777216.0f); }  // [0, 1)
    float normal() {
        float u = uniform() + 1e-7f, v = uniform();
        return sqrtf(-2.0f * logf(u)) * cosf(6.2831853f * v);
    }
};

static std::vector<float> normals(size_t n, uint64_t seed) {
    Rng r(seed);
    std::vector<float> v(n);
    for (auto& x : v) x = r.normal();
    return v;
}

// Parameters near their init (spec §2), perturbed so that a wrong layout shows: theta[K] or (gamma[C], beta[C]) x K.
static std::vector<float> make_params(const Preset& p, int strategy, uint64_t seed) {
    Rng r(seed);
    const int c = (int)p.levels.size(), k = p.stages;
    std::vector<float> v;
    if (strategy == RFSQ_STRATEGY_SCALE)
        for (int i = 0; i < k; i++) v.push_back(r.uniform() - 0.5f);
    if (strategy == RFSQ_STRATEGY_LAYERNORM)
        for (int s = 0; s < k; s++) {
            for (int j = 0; j < c; j++) v.push_back(1.0f + 0.4f * (r.uniform() - 0.5f));
            for (int j = 0; j < c; j++) v.push_back(0.4f * (r.uniform() - 0.5f));
        }
    return v;
}

// ---------------------------------------------------------------------------------------------------------
// The float64 reference: native/tests/reference.h, the one the native tests use (gain clamps included)

static ref::RefRfsq reference_forward(const rfsq_rfsq_cfg& cfg, const std::vector<float>& z, int B, int H, int W,
                                      const std::vector<float>& params) {
    const ref::RfsqCase tc{cfg, B, H, W};
    return ref::ref_rfsq(tc, std::vector<double>(z.begin(), z.end()), std::vector<double>(params.begin(), params.end()),
                         nullptr, nullptr, nullptr, nullptr);
}

// ---------------------------------------------------------------------------------------------------------
// Device buffers

struct Dev {
    rfsq_ctx* ctx;
    std::vector<void*> live;
    void* alloc(size_t bytes) {
        void* p = nullptr;
        RFSQ_CHECK(rfsq_alloc(ctx, (int64_t)std::max<size_t>(bytes, 4), &p));
        live.push_back(p);
        return p;
    }
    void* upload(const void* src, size_t bytes) {
        void* p = alloc(bytes);
        if (bytes) RFSQ_CHECK(rfsq_copy_to_device(ctx, p, src, (int64_t)bytes));
        return p;
    }
    void free_all() {
        for (void* p : live) RFSQ_CHECK(rfsq_free(ctx, p));
        live.clear();
    }
};

static double rel_l2(const std::vector<float>& got, const std::vector<double>& want, const std::vector<char>* skip,
                     size_t per_image) {
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < want.size(); i++) {
        if (skip && (*skip)[i / per_image]) continue;
        const double d = (double)got[i] - want[i];
        num += d * d, den += want[i] * want[i];
    }
    const double e = sqrt(num / std::max(den, 1e-300));
    return isfinite(e) ? e : INFINITY;  // an unwritten (NaN-poisoned) output never passes
}

// One forward on fresh random data against the float64 reference; a backward must write every dz.
static void check_once(Dev& dev, const Preset& p, int strategy, int B, int H, int W, uint64_t seed) {
    const int C = (int)p.levels.size(), K = p.stages, HW = H * W;
    const size_t n = (size_t)B * C * HW, ni = (size_t)B * HW * K, ns = (size_t)K * B * C * 2;
    const rfsq_rfsq_cfg cfg = make_cfg(p, strategy);
    const bool ln = strategy == RFSQ_STRATEGY_LAYERNORM;
    std::vector<float> z = normals(n, seed), g = normals(n, seed + 1), params = make_params(p, strategy, seed + 2);
    // Outputs start poisoned, so an element the kernel never writes fails the comparison.
    std::vector<float> nan_n(n, NAN), nan_s(ns, NAN);
    std::vector<int32_t> bad_i(ni, -1);
    float* dz_ = (float*)dev.upload(z.data(), n * 4);
    float* dg = (float*)dev.upload(g.data(), n * 4);
    float* dp = params.empty() ? nullptr : (float*)dev.upload(params.data(), params.size() * 4);
    float* dzhat = (float*)dev.upload(nan_n.data(), n * 4);
    float* ddz = (float*)dev.upload(nan_n.data(), n * 4);
    int32_t* didx = (int32_t*)dev.upload(bad_i.data(), ni * 4);
    float* dstats = ln ? (float*)dev.upload(nan_s.data(), ns * 4) : nullptr;
    float* ddp = params.empty() ? nullptr : (float*)dev.alloc(params.size() * 4);

    RFSQ_CHECK(rfsq_rfsq_forward(dev.ctx, &cfg, dz_, B, H, W, dp, nullptr, dzhat, didx, dstats, nullptr));
    RFSQ_CHECK(rfsq_rfsq_backward(dev.ctx, &cfg, dz_, B, H, W, dp, dg, ddz, ddp));
    std::vector<float> zhat(n), stats(ns), dzv(n);
    std::vector<int32_t> idx(ni);
    RFSQ_CHECK(rfsq_copy_to_host(dev.ctx, zhat.data(), dzhat, (int64_t)n * 4));
    RFSQ_CHECK(rfsq_copy_to_host(dev.ctx, idx.data(), didx, (int64_t)ni * 4));
    RFSQ_CHECK(rfsq_copy_to_host(dev.ctx, dzv.data(), ddz, (int64_t)n * 4));
    if (ln) RFSQ_CHECK(rfsq_copy_to_host(dev.ctx, stats.data(), dstats, (int64_t)ns * 4));
    dev.free_all();

    const ref::RefRfsq ref = reference_forward(cfg, z, B, H, W, params);
    // An index may differ only where float32 and float64 round a value within 1e-3 of a boundary differently;
    // that stage's residual then differs, so later stages of that position, and (layernorm) its image, are excused.
    std::vector<char> skip_image(B, 0);
    size_t excused = 0;
    for (int b = 0; b < B; b++)
        for (int i = 0; i < HW; i++) {
            double margin = INFINITY;
            for (int k = 0; k < K; k++) {
                const size_t at = ((size_t)b * HW + i) * K + k;
                margin = std::min(margin, ref.margin[at]);
                if (idx[at] == ref.idx[at]) continue;
                if (margin >= 1e-3) {
                    fprintf(stderr, "index mismatch: %s %s image %d position %d stage %d: got %d, want %d (margin %.2e)\n",
                            p.name, kStrategyNames[strategy], b, i, k, idx[at], ref.idx[at], margin);
                    fail("indices differ away from a rounding boundary");
                }
                excused++, skip_image[b] = 1;
                break;
            }
        }
    if (excused > std::max<size_t>(1, ni / K / 1000)) fail("too many near-boundary index flips (over 0.1% of positions)");
    const double ez = rel_l2(zhat, ref.zhat, &skip_image, (size_t)C * HW);
    const double es = ln ? rel_l2(stats, ref.stats, nullptr, 1) : 0.0;
    size_t nonfinite = 0;
    for (float v : dzv) nonfinite += !isfinite(v);
    printf("check %-6s %-9s B=%d %dx%d: zhat rel err %.2e, stats rel err %.2e, %zu near-boundary flips, dz all written: %s\n",
           p.name, kStrategyNames[strategy], B, H, W, ez, es, excused, nonfinite ? "NO" : "yes");
    if (!(ez < 1e-4)) fail("zhat differs from the float64 reference");
    if (ln && !(es < 1e-4)) fail("stats differ from the float64 reference");
    if (nonfinite) fail("backward left dz elements unwritten or non-finite");
}

// ---------------------------------------------------------------------------------------------------------
// Timing

// The library queues work on its own non-blocking stream, which rfsq.h does not expose, so CUDA events on
// another stream cannot bracket it. Time on the host instead: a burst of back-to-back calls and one
// rfsq_ctx_sync, long enough (>= 200 us) that the sync's wake-up is noise; per call = burst / calls. Small
// batches then show the cost a caller really pays per call, launch included.
struct Timer {
    rfsq_ctx* ctx;

    template <class F>
    double burst_us(F&& op, int calls, int first, int sets) {
        RFSQ_CHECK(rfsq_ctx_sync(ctx));
        const auto a = std::chrono::steady_clock::now();
        for (int i = 0; i < calls; i++) op((first + i) % sets);
        RFSQ_CHECK(rfsq_ctx_sync(ctx));
        return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - a).count() / calls;
    }

    // Median over repeats of the per-call time of op(set), rotating set in [0, sets) so inputs do not stay in L2.
    template <class F>
    double median(F&& op, int sets, int repeats) {
        burst_us(op, std::max(5, sets), 0, sets);  // warm-up
        const double one = burst_us(op, sets, 0, sets);
        const int calls = (int)std::min(256.0, std::max(1.0, ceil(200.0 / one)));
        std::vector<double> t;
        for (int i = 0; i < repeats; i++) t.push_back(burst_us(op, calls, i * calls, sets));
        std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
        return t[t.size() / 2];
    }
};

struct Row {
    std::string config, strategy, pass;
    int batch;
    double mb, us, gbs, copy_gbs;
};

// Median time of a device-to-device copy (rfsq_copy_on_device: cudaMemcpyAsync on the library's stream) whose
// bytes read + written equal traffic.
static double copy_gbs(Dev& dev, Timer& tm, size_t traffic, size_t l2, int repeats) {
    const size_t bytes = std::max<size_t>(traffic / 2 / 256 * 256, 256);
    const int sets = (int)std::max<size_t>(3, (2 * l2 + bytes - 1) / bytes);
    std::vector<void*> src, dst;
    static const std::vector<float> fill = normals((size_t)4 << 20, 7);  // 16 MB of random data, tiled
    for (int s = 0; s < sets; s++) {
        src.push_back(dev.alloc(bytes)), dst.push_back(dev.alloc(bytes));
        for (size_t at = 0; at < bytes; at += fill.size() * 4)
            RFSQ_CHECK(rfsq_copy_to_device(dev.ctx, (char*)src.back() + at, fill.data(),
                                           (int64_t)std::min(fill.size() * 4, bytes - at)));
    }
    const double us = tm.median([&](int s) { RFSQ_CHECK(rfsq_copy_on_device(dev.ctx, dst[s], src[s], (int64_t)bytes)); },
                                sets, repeats);
    dev.free_all();
    return 2.0 * bytes / (us * 1e-6) / 1e9;
}

static void bench_case(Dev& dev, Timer& tm, const Preset& p, int B, size_t l2, int repeats, std::vector<Row>& rows) {
    const int C = (int)p.levels.size(), K = p.stages, H = 32, W = 32, HW = H * W;
    const size_t n = (size_t)B * C * HW, ni = (size_t)B * HW * K, ns = (size_t)K * B * C * 2;
    // One set: every input and output of one call, so that rotating sets also rotates what is written.
    const size_t set_bytes = 4 * (4 * n + ni + ns);
    const int sets = (int)std::max<size_t>(3, (2 * l2 + set_bytes - 1) / set_bytes);
    std::vector<float> host = normals(n + 64 * (size_t)sets, 1234 + B);
    struct Set { float *z, *g, *zhat, *stats, *dz; int32_t* idx; };
    std::vector<Set> s(sets);
    for (int i = 0; i < sets; i++) {  // shifted windows of one random array: different data in every set
        s[i].z = (float*)dev.upload(host.data() + 64 * i, n * 4);
        s[i].g = (float*)dev.upload(host.data() + 64 * (sets - 1 - i), n * 4);
        s[i].zhat = (float*)dev.alloc(n * 4);
        s[i].dz = (float*)dev.alloc(n * 4);
        s[i].idx = (int32_t*)dev.alloc(ni * 4);
        s[i].stats = (float*)dev.alloc(ns * 4);
    }
    for (int strategy = 0; strategy < 3; strategy++) {
        const rfsq_rfsq_cfg cfg = make_cfg(p, strategy);
        const bool ln = strategy == RFSQ_STRATEGY_LAYERNORM;
        std::vector<float> params = make_params(p, strategy, 99);
        float* dp = params.empty() ? nullptr : (float*)dev.upload(params.data(), params.size() * 4);
        float* ddp = params.empty() ? nullptr : (float*)dev.alloc(params.size() * 4);
        auto fwd = [&](int i) {
            RFSQ_CHECK(rfsq_rfsq_forward(dev.ctx, &cfg, s[i].z, B, H, W, dp, nullptr, s[i].zhat, s[i].idx,
                                         ln ? s[i].stats : nullptr, nullptr));
        };
        auto fwd_bwd = [&](int i) {
            fwd(i);
            RFSQ_CHECK(rfsq_rfsq_backward(dev.ctx, &cfg, s[i].z, B, H, W, dp, s[i].g, s[i].dz, ddp));
        };
        // Fewest bytes: forward reads z, writes zhat, idx (+ stats); backward reads z and dzhat, writes dz.
        const size_t fwd_bytes = 4 * (2 * n + ni + (ln ? ns : 0)), bwd_bytes = 4 * 3 * n;
        const double t_f = tm.median(fwd, sets, repeats), t_fb = tm.median(fwd_bwd, sets, repeats);
        rows.push_back({p.name, kStrategyNames[strategy], "fwd", B, fwd_bytes / 1e6, t_f, fwd_bytes / t_f / 1e3, 0});
        rows.push_back({p.name, kStrategyNames[strategy], "fwd+bwd", B, (fwd_bytes + bwd_bytes) / 1e6, t_fb,
                        (fwd_bytes + bwd_bytes) / t_fb / 1e3, 0});
    }
    dev.free_all();
    for (auto& r : rows)
        if (r.copy_gbs == 0) r.copy_gbs = copy_gbs(dev, tm, (size_t)(r.mb * 1e6), l2, repeats);
}

int main(int argc, char** argv) {
    const char* out = nullptr;
    int repeats = 100, large = 8192, device = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--out") && i + 1 < argc) out = argv[++i];
        else if (!strcmp(argv[i], "--repeats") && i + 1 < argc) repeats = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--large") && i + 1 < argc) large = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--device") && i + 1 < argc) device = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--out FILE] [--repeats N>=50] [--large B] [--device D]\n", argv[0]);
            return 2;
        }
    }
    if (repeats < 50) fail("--repeats must be at least 50");
    int32_t count = 0;
    if (device != RFSQ_DEVICE_CPU && (rfsq_cuda_device_count(&count) != RFSQ_OK || count <= device)) {
        printf("no CUDA device: skipped\n");
        return 0;
    }
    if (rfsq_abi_version() != RFSQ_ABI_VERSION) fail("librfsq ABI version differs from rfsq.h");

    Dev dev{nullptr, {}};
    RFSQ_CHECK(rfsq_ctx_create(device, &dev.ctx));
    cudaDeviceProp prop;
    memset(&prop, 0, sizeof prop);
    if (device == RFSQ_DEVICE_CPU) {
        snprintf(prop.name, sizeof prop.name, "CPU context");
    } else {
        CUDA_CHECK(cudaSetDevice(device));
        CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
    }
    const size_t l2 = (size_t)prop.l2CacheSize;

    for (const Preset& p : kPresets)
        for (int strategy = 0; strategy < 3; strategy++) {
            check_once(dev, p, strategy, 128, 32, 32, 42 + strategy);
            check_once(dev, p, strategy, 3, 7, 5, 77 + strategy);  // odd sizes: tails and partial blocks
        }

    Timer tm{dev.ctx};

    std::vector<Row> rows;
    for (const Preset& p : kPresets)
        for (int b : {128, large}) bench_case(dev, tm, p, b, l2, repeats, rows);

    char date[32];
    const time_t now = time(nullptr);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    std::string md;
    char line[1024];  // holds the header paragraph below
    snprintf(line, sizeof line,
             "### rfsq_cuda_bench: %s, %d SMs, L2 %.0f MB, %s\n\n"
             "Latents 32x32, random N(0,1) inputs, rotating among input sets of at least 2x L2. Time per call: "
             "median of %d bursts of back-to-back calls (>= 200 us each, host clock, one rfsq_ctx_sync per burst; "
             "the library's stream is private). GB/s counts the fewest bytes: forward reads z, writes zhat, int32 "
             "indices, layernorm stats; backward reads z and dzhat, writes dz. Copy: a device-to-device copy of the "
             "same bytes (read + write), timed the same way.\n\n",
             prop.name, prop.multiProcessorCount, l2 / 1e6, date, repeats);
    md += line;
    md += "| config | strategy | batch | pass | MB moved | time (us) | GB/s | copy GB/s | % of copy |\n";
    md += "|---|---|---:|---|---:|---:|---:|---:|---:|\n";
    for (const Row& r : rows) {
        snprintf(line, sizeof line, "| %s | %s | %d | %s | %.1f | %.1f | %.1f | %.1f | %.0f%% |\n", r.config.c_str(),
                 r.strategy.c_str(), r.batch, r.pass.c_str(), r.mb, r.us, r.gbs, r.copy_gbs, 100.0 * r.gbs / r.copy_gbs);
        md += line;
    }
    printf("\n%s", md.c_str());
    if (out) {
        FILE* f = fopen(out, "w");
        if (!f || fputs(md.c_str(), f) < 0 || fclose(f) != 0) fail("cannot write --out file");
    }
    RFSQ_CHECK(rfsq_ctx_destroy(dev.ctx));
    return 0;
}
