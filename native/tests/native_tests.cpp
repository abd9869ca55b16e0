// Native tests of every rfsq.h and rfsq_testing.h entry point, against float64 references on fresh random inputs,
// with outputs poisoned before each call. Every case runs on the CPU backend and, when a GPU is usable, on CUDA too.
// Gradients are checked by central finite differences of a float64 straight-through surrogate of the
// forward (round(f) replaced by f + its frozen rounding offset), independent of the backward's derivation.
#include <thread>

#include "harness.h"
#include "reference.h"

namespace {

using namespace ref;

// ---- tests ---------------------------------------------------------------------------------------------------

void test_abi_and_errors(rfsq_ctx* ctx) {
    check(rfsq_abi_version() == RFSQ_ABI_VERSION, "abi version");
    check(rfsq_ctx_sync(nullptr) == RFSQ_E_INVALID, "sync(NULL) is invalid");
    check(strstr(rfsq_last_error(), "rfsq_ctx_sync") != nullptr, "last error names the op");
    rfsq_levels bad = levels_of({8, 1});
    float x[2] = {0, 0}, y[2];
    check(rfsq_fsq_forward(ctx, &bad, x, 1, 1, 1, y, nullptr) == RFSQ_E_INVALID, "level 1 rejected");
    check(strstr(rfsq_last_error(), "rfsq_fsq_forward") != nullptr, "message names rfsq_fsq_forward");
    rfsq_levels many{};
    many.count = 17;
    check(rfsq_fsq_forward(ctx, &many, x, 1, 1, 1, y, nullptr) == RFSQ_E_INVALID, "17 channels rejected");
    rfsq_levels huge = levels_of({65536, 65536});
    check(rfsq_fsq_forward(ctx, &huge, x, 1, 1, 1, y, nullptr) == RFSQ_E_INVALID, "codebook overflow rejected");
    rfsq_levels ok = levels_of({4});
    check(rfsq_fsq_forward(ctx, &ok, x, 0, 1, 1, y, nullptr) == RFSQ_E_INVALID, "zero batch rejected");
    check(rfsq_fsq_forward(ctx, &ok, nullptr, 1, 1, 1, y, nullptr) == RFSQ_E_INVALID, "NULL x rejected");
    rfsq_rfsq_cfg cfg{levels_of({4, 4}), 0, RFSQ_STRATEGY_NONE};
    int64_t count = -1;
    check(rfsq_rfsq_param_count(&cfg, &count) == RFSQ_E_INVALID, "0 stages rejected");
    cfg.stages = 17;
    check(rfsq_rfsq_param_count(&cfg, &count) == RFSQ_E_INVALID, "17 stages rejected");
    cfg.stages = 3;
    cfg.strategy = 3;
    check(rfsq_rfsq_param_count(&cfg, &count) == RFSQ_E_INVALID, "strategy 3 rejected");
    cfg.strategy = RFSQ_STRATEGY_LAYERNORM;
    check(rfsq_rfsq_param_count(&cfg, &count) == RFSQ_OK && count == 12, "layernorm param count 2*C*K");
    cfg.strategy = RFSQ_STRATEGY_SCALE;
    check(rfsq_rfsq_param_count(&cfg, &count) == RFSQ_OK && count == 3, "scale param count K");
    int dummy;
    check(rfsq_free(ctx, &dummy) == RFSQ_E_INVALID, "freeing a foreign pointer fails cleanly");
    void* p = nullptr;
    check(rfsq_alloc(ctx, 0, &p) == RFSQ_E_INVALID, "zero-byte alloc rejected");
    rfsq_ctx* none = nullptr;
    check(rfsq_ctx_create(-2, &none) == RFSQ_E_INVALID && none == nullptr, "device -2 rejected");
    int32_t n = -1;
    rfsq_cuda_device_count(&n);
    check(rfsq_ctx_create(n, &none) == RFSQ_E_NO_DEVICE && none == nullptr, "missing CUDA device reported");
}

void test_copies(rfsq_ctx* ctx) {
    Rng g = fresh();
    const auto v = randn(g, 1000, 1.0);
    Buf<float> a(ctx, v), b(ctx, v.size());
    check(rfsq_copy_on_device(ctx, b.d, a.d, 4000) == RFSQ_OK, "copy_on_device");
    check(b.get() == v, "device copy round trip is exact");
}

void test_fsq_golden(rfsq_ctx* ctx) {
    struct Golden {
        int L;
        std::vector<double> t;
    };
    const Golden golden[] = {{4, {-1.15255, -0.34663, 0.45929}},
                             {5, {-0.97467, -0.25568, 0.25568, 0.97467}},
                             {8, {-1.42970, -0.79447, -0.43819, -0.14398, 0.15022, 0.50651, 1.14173}}};
    for (const auto& gd : golden) {
        rfsq_levels lv = levels_of({gd.L});
        std::vector<float> x;
        for (double t : gd.t) {
            x.push_back((float)(t - 2e-4));
            x.push_back((float)(t + 2e-4));
        }
        Buf<float> dx(ctx, x), codes(ctx, x.size());
        check(settle(ctx, rfsq_fsq_forward(ctx, &lv, dx.d, 1, 1, (int64_t)x.size(), codes.d, nullptr)) == RFSQ_OK, "golden forward");
        const auto c = codes.get();
        const double half = gd.L / 2;
        for (size_t i = 0; i < gd.t.size(); ++i) {
            const double lo = c[2 * i] * half, hi = c[2 * i + 1] * half;
            check(hi - lo == 1.0, "level steps up by one at a golden threshold", hi - lo, 1);
            check(lo == (double)i - half, "level below threshold i is i - floor(L/2)", lo, (double)i - half);
        }
    }
    // Codes of L=4 are {-1, -.5, 0, .5}; L=5 adds 1.
    rfsq_levels lv = levels_of({4, 5});
    std::vector<int32_t> all;
    for (int i = 0; i < 20; ++i) all.push_back(i);
    Buf<int32_t> di(ctx, all);
    Buf<float> codes(ctx, 40);
    check(settle(ctx, rfsq_fsq_indices_to_codes(ctx, &lv, di.d, 1, 1, 20, codes.d)) == RFSQ_OK, "indices_to_codes");
    const auto c = codes.get();
    check(c[0] == -1.0f && c[3] == 0.5f && c[20 + 0] == -1.0f && c[20 + 19] == 1.0f, "codes of L=4 and L=5 per spec");
}

void test_fsq_random(rfsq_ctx* ctx) {
    Rng g = fresh();
    rfsq_levels lv = levels_of({8, 5, 4, 3, 7});
    const RefFsq F(lv);
    const int64_t B = 3, H = 5, W = 7, N = H * W, C = lv.count;
    const auto x = randn(g, B * C * N, 1.5);
    const auto dc = randn(g, B * C * N, 1.0);
    Buf<float> dx(ctx, x), codes(ctx, x.size()), ddc(ctx, dc), grad(ctx, x.size()), back(ctx, x.size());
    Buf<int32_t> idx(ctx, B * N), idx2(ctx, B * N);
    check(settle(ctx, rfsq_fsq_forward(ctx, &lv, dx.d, B, H, W, codes.d, idx.d)) == RFSQ_OK, "fsq_forward");
    check(settle(ctx, rfsq_fsq_backward(ctx, &lv, dx.d, B, H, W, ddc.d, grad.d)) == RFSQ_OK, "fsq_backward");
    check(settle(ctx, rfsq_fsq_codes_to_indices(ctx, &lv, codes.d, B, H, W, idx2.d)) == RFSQ_OK, "codes_to_indices");
    check(settle(ctx, rfsq_fsq_indices_to_codes(ctx, &lv, idx.d, B, H, W, back.d)) == RFSQ_OK, "indices_to_codes");
    const auto c = codes.get(), gr = grad.get(), cb = back.get();
    const auto i1 = idx.get(), i2 = idx2.get();
    const int64_t wrong = F.mismatches(x, B, N, c, i1);
    const std::vector<double> ref_grad = F.backward(x, dc, N);
    check(wrong == 0, "fsq codes and indices equal the float64 reference", (double)wrong, 0);
    check(rel_err(gr, ref_grad) < 1e-5, "fsq straight-through gradient", rel_err(gr, ref_grad), 1e-5);
    check(i1 == i2, "codes_to_indices(forward codes) = forward indices");
    check(cb == c, "indices_to_codes(forward indices) = forward codes");
}

void test_index_round_trips(rfsq_ctx* ctx) {
    for (auto L : {std::vector<int>{8, 8, 8, 4}, std::vector<int>{4, 4, 4, 4, 4}, std::vector<int>{8, 8, 8, 8}}) {
        rfsq_levels lv = levels_of(L);
        const RefFsq F(lv);
        std::vector<int32_t> all(F.codebook);
        for (int64_t i = 0; i < F.codebook; ++i) all[i] = (int32_t)i;
        Buf<int32_t> di(ctx, all), back(ctx, all.size());
        Buf<float> codes(ctx, all.size() * L.size());
        check(settle(ctx, rfsq_fsq_indices_to_codes(ctx, &lv, di.d, 1, 1, F.codebook, codes.d)) == RFSQ_OK, "all indices to codes");
        check(settle(ctx, rfsq_fsq_codes_to_indices(ctx, &lv, codes.d, 1, 1, F.codebook, back.d)) == RFSQ_OK, "codes back to indices");
        check(back.get() == all, "index -> code -> index is the identity over the whole codebook");
        const auto c = codes.get();
        int64_t wrong = 0;
        for (int64_t i = 0; i < F.codebook; ++i)
            for (size_t j = 0; j < L.size(); ++j)
                if (c[j * F.codebook + i] != (float)(((i / F.basis[j]) % L[j] - F.half[j]) / F.half[j])) ++wrong;
        check(wrong == 0, "digit j of index i is floor(i / B_j) mod L_j (channel 0 least significant)", (double)wrong, 0);
    }
}

void test_bad_data(rfsq_ctx* ctx) {
    rfsq_levels lv = levels_of({8, 8, 8, 4});
    std::vector<int32_t> idx = {0, 2047, 2048, 5};
    Buf<int32_t> di(ctx, idx);
    Buf<float> codes(ctx, 16);
    check(settle(ctx, rfsq_fsq_indices_to_codes(ctx, &lv, di.d, 1, 1, 4, codes.d)) == RFSQ_E_RANGE, "index = codebook size is out of range");
    check(strstr(rfsq_last_error(), "rfsq_fsq_indices_to_codes") != nullptr, "range error names the op");
    idx[2] = -1;
    di.put(idx);
    check(settle(ctx, rfsq_fsq_indices_to_codes(ctx, &lv, di.d, 1, 1, 4, codes.d)) == RFSQ_E_RANGE, "negative index is out of range");
    std::vector<float> off = {0.3f, 0, 0, 0};
    Buf<float> doff(ctx, off);
    Buf<int32_t> out(ctx, 1);
    check(settle(ctx, rfsq_fsq_codes_to_indices(ctx, &lv, doff.d, 1, 1, 1, out.d)) == RFSQ_E_RANGE, "off-grid code rejected");
    std::vector<float> nan = {0.1f, NAN, 0.2f, 0.3f};
    Buf<float> dn(ctx, nan);
    check(settle(ctx, rfsq_fsq_forward(ctx, &lv, dn.d, 1, 1, 1, codes.d, nullptr)) == RFSQ_E_NONFINITE, "NaN input reported");
    rfsq_rfsq_cfg cfg{lv, 2, RFSQ_STRATEGY_LAYERNORM};
    std::vector<float> z(4 * 9, 0.5f), params(2 * 2 * 4, 1.0f);
    Buf<float> dp(ctx, params), zhat(ctx, z.size());
    for (int st = RFSQ_STRATEGY_NONE; st <= RFSQ_STRATEGY_LAYERNORM; ++st)
        for (float badv : {INFINITY, -INFINITY, NAN}) {
            z[7] = badv;
            Buf<float> dz(ctx, z);
            cfg.strategy = st;
            check(settle(ctx, rfsq_rfsq_forward(ctx, &cfg, dz.d, 1, 3, 3, dp.d, nullptr, zhat.d, nullptr, nullptr, nullptr)) == RFSQ_E_NONFINITE,
                  "NaN/+-Inf in z reported by rfsq_rfsq_forward for every strategy");
            check(strstr(rfsq_last_error(), "rfsq_rfsq_forward") != nullptr, "non-finite error names rfsq_rfsq_forward");
        }
    cfg.strategy = RFSQ_STRATEGY_LAYERNORM;
    Buf<int32_t> di2(ctx, std::vector<int32_t>(18, 4096));
    check(settle(ctx, rfsq_rfsq_decode(ctx, &cfg, di2.d, 1, 3, 3, dp.d, dp.d, 0, zhat.d)) == RFSQ_E_RANGE, "decode index out of range");
    check(rfsq_ctx_sync(ctx) == RFSQ_OK, "a reported error is cleared");
}

// Decode and the layernorm inverse trust no statistics: NaN or infinite mu or sigma is RFSQ_E_NONFINITE, sigma <= 0
// RFSQ_E_INVALID, each naming the op; a finite input too large for float32 is an overflow, not a "NaN input".
void test_bad_statistics(rfsq_ctx* ctx) {
    Rng g = fresh();
    const int64_t B = 2, C = 4, H = 3, W = 3, K = 2;
    rfsq_rfsq_cfg cfg{levels_of({8, 8, 8, 4}), (int32_t)K, RFSQ_STRATEGY_LAYERNORM};
    std::vector<float> params(K * 2 * C, 0.0f);
    for (int64_t s = 0; s < K; ++s)
        for (int64_t c = 0; c < C; ++c) params[s * 2 * C + c] = 1.0f;  // gamma 1, beta 0
    Buf<float> dp(ctx, params), out(ctx, B * C * H * W);
    Buf<int32_t> di(ctx, std::vector<int32_t>(B * H * W * K, 1234));
    struct Bad {
        int64_t at;  // element of the statistics
        float value;
        int status;
    };
    const Bad bad[] = {{3, NAN, RFSQ_E_NONFINITE}, {5, INFINITY, RFSQ_E_NONFINITE}, {2, -INFINITY, RFSQ_E_NONFINITE},
                       {6, NAN, RFSQ_E_NONFINITE}, {7, 0.0f, RFSQ_E_INVALID}, {9, -0.5f, RFSQ_E_INVALID}};
    for (int per_image = 0; per_image <= 1; ++per_image) {
        std::vector<float> stats((per_image ? K * B : K) * C * 2);
        for (size_t i = 0; i < stats.size(); ++i) stats[i] = i % 2 ? 0.7f : 0.1f;  // (mu, sigma)
        Buf<float> ds(ctx, stats);
        check(settle(ctx, rfsq_rfsq_decode(ctx, &cfg, di.d, B, H, W, dp.d, ds.d, per_image, out.d)) == RFSQ_OK,
              "decode with valid statistics");
        for (const Bad& x : bad) {
            std::vector<float> s = stats;
            s[x.at] = x.value;
            ds.put(s);
            const int st = settle(ctx, rfsq_rfsq_decode(ctx, &cfg, di.d, B, H, W, dp.d, ds.d, per_image, out.d));
            check(st == x.status, per_image ? "decode refuses bad per-image statistics" : "decode refuses bad running statistics",
                  st, x.status);
            check(strstr(rfsq_last_error(), "rfsq_rfsq_decode") && strstr(rfsq_last_error(), "sigma"),
                  "the statistics error names the op and says what is wrong");
        }
    }
    std::vector<float> stats(B * C * 2);
    for (size_t i = 0; i < stats.size(); ++i) stats[i] = i % 2 ? 0.7f : 0.1f;
    Buf<float> ds(ctx, stats), y(ctx, randn(g, B * C * H * W, 1.0)),
        gamma(ctx, std::vector<float>(C, 1.0f)), beta(ctx, std::vector<float>(C, 0.0f));
    check(settle(ctx, rfsq_layernorm_inverse(ctx, y.d, B, C, H, W, gamma.d, beta.d, ds.d, out.d)) == RFSQ_OK,
          "layernorm inverse with valid statistics");
    for (const Bad& x : bad) {
        std::vector<float> s = stats;
        s[x.at] = x.value;
        ds.put(s);
        const int st = settle(ctx, rfsq_layernorm_inverse(ctx, y.d, B, C, H, W, gamma.d, beta.d, ds.d, out.d));
        check(st == x.status, "layernorm inverse refuses bad statistics", st, x.status);
        check(strstr(rfsq_last_error(), "rfsq_layernorm_inverse") != nullptr, "the error names rfsq_layernorm_inverse");
    }
    // 3e38 is finite: its square overflows inside the layernorm statistics; say so rather than "NaN input".
    std::vector<float> z(B * C * H * W, 0.5f);
    z[4] = 3e38f;
    Buf<float> dz(ctx, z);
    for (int running = 0; running <= 1; ++running) {
        Buf<float> rs(ctx, std::vector<float>{0.0f, 1.0f, 0.0f, 1.0f, 0.0f, 1.0f, 0.0f, 1.0f, 0.0f, 1.0f, 0.0f, 1.0f, 0.0f,
                                              1.0f, 0.0f, 1.0f});
        const int st = settle(ctx, rfsq_rfsq_forward(ctx, &cfg, dz.d, B, H, W, dp.d, running ? rs.d : nullptr, out.d,
                                                     nullptr, nullptr, nullptr));
        if (running) {
            check(st == RFSQ_OK, "3e38 with frozen statistics (1, 0) stays finite");
        } else {
            check(st == RFSQ_E_NONFINITE && strstr(rfsq_last_error(), "overflow") && !strstr(rfsq_last_error(), "NaN or Inf) in the input"),
                  "a finite input that overflows is reported as an overflow");
        }
    }
    std::vector<float> zb(B * C * H * W, 0.5f);
    zb[4] = 3e38f;
    Buf<float> dzb(ctx, zb), dzhat(ctx, randn(g, B * C * H * W, 1.0)), grad(ctx, B * C * H * W),
        dpar(ctx, params.size());
    const int st = settle(ctx, rfsq_rfsq_backward(ctx, &cfg, dzb.d, B, H, W, dp.d, dzhat.d, grad.d, dpar.d));
    check(st == RFSQ_E_NONFINITE && strstr(rfsq_last_error(), "overflow"), "the backward reports the overflow as such too");
}

void test_building_blocks(rfsq_ctx* ctx) {
    Rng g = fresh();
    const int64_t B = 2, C = 5, H = 6, W = 11, N = H * W, n = B * C * N;
    const auto r = randn(g, n, 1.0), q = randn(g, n, 1.0);
    Buf<float> dr(ctx, r), dq(ctx, q), out(ctx, n);
    check(settle(ctx, rfsq_residual_sub(ctx, dr.d, dq.d, n, out.d)) == RFSQ_OK, "residual_sub");
    std::vector<double> ref(n);
    for (int64_t i = 0; i < n; ++i) ref[i] = (double)r[i] - q[i];
    check(rel_err(out.get(), ref) < 1e-6, "residual_sub = r - q");

    rfsq_levels lv = levels_of({4, 4, 4, 4, 4});
    const RefFsq F(lv);
    const std::vector<float> theta = {(float)(g.uniform() * 2 - 1)};
    Buf<float> dt(ctx, theta);
    check(settle(ctx, rfsq_scale_forward(ctx, &lv, dt.d, dr.d, B, H, W, out.d)) == RFSQ_OK, "scale_forward");
    ref = ref_scale_stage(F, theta[0], r, N, out.get());
    check(rel_err(out.get(), ref) < 1e-5, "scale stage q = FSQ(s x) / s", rel_err(out.get(), ref), 1e-5);

    std::vector<float> gamma(C), beta(C);
    for (int c = 0; c < C; ++c) gamma[c] = (float)(0.5 + g.uniform()), beta[c] = (float)(g.uniform() - 0.5);
    std::vector<float> x = randn(g, n, 2.0, 0.7);
    Buf<float> dx(ctx, x), dg(ctx, gamma), db(ctx, beta), nrm(ctx, n), stats(ctx, B * C * 2), inv(ctx, n);
    check(settle(ctx, rfsq_layernorm_forward(ctx, dx.d, B, C, H, W, dg.d, db.d, nrm.d, stats.d)) == RFSQ_OK, "layernorm_forward");
    check(settle(ctx, rfsq_layernorm_inverse(ctx, nrm.d, B, C, H, W, dg.d, db.d, stats.d, inv.d)) == RFSQ_OK, "layernorm_inverse");
    std::vector<double> ref_n, ref_stats;
    ref_layernorm(x, B, C, N, gamma, beta, ref_n, ref_stats);
    check(rel_err(nrm.get(), ref_n) < 1e-5, "layernorm n = gamma (x - mu) / sigma + beta", rel_err(nrm.get(), ref_n), 1e-5);
    check(rel_err(stats.get(), ref_stats) < 1e-5, "layernorm statistics", rel_err(stats.get(), ref_stats), 1e-5);
    check(rel_err(inv.get(), x) < 1e-5, "layernorm inverse(forward(x)) = x", rel_err(inv.get(), x), 1e-5);
}

// The fused forward against the float64 reference; decode reproduces zhat exactly; running statistics.
void test_rfsq_forward(rfsq_ctx* ctx, RfsqCase tc, bool running_mode) {
    Rng g = fresh();
    const int C = tc.C(), K = tc.cfg.stages;
    std::vector<float> z(tc.size());
    for (int64_t i = 0; i < tc.size(); ++i) z[i] = (float)(g.normal() * 1.5 + 0.3 * ((i / tc.n()) % C));
    const auto params = random_params(g, tc);
    std::vector<float> running(K * C * 2);
    for (int i = 0; i < K * C; ++i) running[2 * i] = (float)(g.normal() * 0.2), running[2 * i + 1] = (float)(0.5 + g.uniform());
    const bool ln = tc.cfg.strategy == RFSQ_STRATEGY_LAYERNORM;
    Buf<float> dz(ctx, z), dp(ctx, params.empty() ? std::vector<float>{0} : params), drun(ctx, running);
    Buf<float> zhat(ctx, tc.size()), stats(ctx, K * tc.b * C * 2), rnorm(ctx, tc.b * K), dec(ctx, tc.size());
    Buf<int32_t> idx(ctx, tc.b * tc.n() * K);
    const float* run = running_mode ? drun.d : nullptr;
    check(settle(ctx, rfsq_rfsq_forward(ctx, &tc.cfg, dz.d, tc.b, tc.h, tc.w, dp.d, run, zhat.d, idx.d, stats.d, rnorm.d)) == RFSQ_OK,
          "rfsq_forward");
    const auto kidx = idx.get();
    const RefRfsq ref = ref_rfsq(tc, to_double(z), to_double(params), running_mode ? running.data() : nullptr, kidx.data(), nullptr, nullptr);
    check(ref.mismatches == 0, "indices equal the float64 reference away from rounding boundaries", (double)ref.mismatches, 0);
    check(kidx == ref.idx, "indices (B,H,W,K), boundary cases following the kernel");
    check(rel_err(zhat.get(), ref.zhat) < 2e-5, "zhat = sum of q_k", rel_err(zhat.get(), ref.zhat), 2e-5);
    check(rel_err(rnorm.get(), ref.rnorm) < 2e-4, "rnorm = ||r_k|| per image", rel_err(rnorm.get(), ref.rnorm), 2e-4);
    if (ln && !running_mode) check(rel_err(stats.get(), ref.stats) < 2e-5, "per-image statistics (K,B,C,2)", rel_err(stats.get(), ref.stats), 2e-5);
    // zhat = z - r_K: the last stage's residual norm is ||z - zhat|| per image.
    const auto zh = zhat.get();
    const auto rn = rnorm.get();
    double worst = 0;
    for (int64_t b = 0; b < tc.b; ++b) {
        double sq = 0;
        for (int64_t i = b * C * tc.n(); i < (b + 1) * C * tc.n(); ++i) sq += pow((double)z[i] - zh[i], 2);
        worst = std::max(worst, fabs(sqrt(sq) - rn[b * K + K - 1]) / std::max(sqrt(sq), 1e-6));
    }
    check(worst < 1e-3, "zhat = z - r_K", worst, 1e-3);
    const float* dec_stats = ln ? (running_mode ? drun.d : stats.d) : nullptr;
    check(settle(ctx, rfsq_rfsq_decode(ctx, &tc.cfg, idx.d, tc.b, tc.h, tc.w, dp.d, dec_stats, !running_mode, dec.d)) == RFSQ_OK, "rfsq_decode");
    check(dec.get() == zh, "decode(encode(z)) reproduces zhat exactly");
}

// Exact backward against central finite differences of the float64 straight-through surrogate: every element of
// dz, or `sample` random ones of it (large shapes), and every parameter.
void test_rfsq_backward(rfsq_ctx* ctx, RfsqCase tc, int64_t sample = 0) {
    Rng g = fresh();
    const int C = tc.C();
    std::vector<float> z(tc.size());
    for (int64_t i = 0; i < tc.size(); ++i) z[i] = (float)(g.normal() * 1.2 + 0.2 * ((i / tc.n()) % C));
    const auto params = random_params(g, tc);
    const auto wts = randn(g, tc.size(), 1.0);
    const int64_t P = tc.params();
    Buf<float> dz(ctx, z), dp(ctx, params.empty() ? std::vector<float>{0} : params), dw(ctx, wts);
    Buf<float> zhat(ctx, tc.size()), gz(ctx, tc.size()), gp(ctx, P > 0 ? P : 1);
    Buf<int32_t> idx(ctx, tc.b * tc.n() * tc.cfg.stages);
    check(settle(ctx, rfsq_rfsq_forward(ctx, &tc.cfg, dz.d, tc.b, tc.h, tc.w, dp.d, nullptr, zhat.d, idx.d, nullptr, nullptr)) == RFSQ_OK, "forward before backward");
    check(settle(ctx, rfsq_rfsq_backward(ctx, &tc.cfg, dz.d, tc.b, tc.h, tc.w, dp.d, dw.d, gz.d, P > 0 ? gp.d : nullptr)) == RFSQ_OK, "rfsq_backward");
    const auto kidx = idx.get();
    std::vector<double> zd = to_double(z), pd = to_double(params), offsets;
    ref_rfsq(tc, zd, pd, nullptr, kidx.data(), nullptr, &offsets);
    auto loss = [&](const std::vector<double>& zz, const std::vector<double>& pp) {
        const RefRfsq r = ref_rfsq(tc, zz, pp, nullptr, nullptr, &offsets, nullptr);
        double l = 0;
        for (int64_t i = 0; i < tc.size(); ++i) l += wts[i] * r.zhat[i];
        return l;
    };
    const double eps = 1e-6;
    std::vector<int64_t> at;
    for (int64_t i = 0; i < tc.size(); ++i) at.push_back(i);
    if (sample > 0) {
        at.clear();
        for (int64_t j = 0; j < sample; ++j) at.push_back((int64_t)(g.uniform() * tc.size()));
    }
    std::vector<double> fd_z(at.size()), fd_p(P);
    for (size_t a = 0; a < at.size(); ++a) {
        const int64_t i = at[a];
        fd_z[a] = central_difference(zd, i, eps, [&] { return loss(zd, pd); });
    }
    for (int64_t j = 0; j < P; ++j) {
        fd_p[j] = central_difference(pd, j, eps, [&] { return loss(zd, pd); });
    }
    const auto all = gz.get();
    std::vector<float> got(at.size());
    for (size_t a = 0; a < at.size(); ++a) got[a] = all[at[a]];
    check(rel_err(got, fd_z) < 1e-3, "dz = finite differences of the surrogate", rel_err(got, fd_z), 1e-3);
    int64_t unwritten = 0;
    for (float v : all) unwritten += !std::isfinite(v);
    check(unwritten == 0, "every dz element written (outputs were poisoned)", (double)unwritten, 0);
    if (P > 0) check(rel_err(gp.get(), fd_p) < 1e-3, "dparams = finite differences of the surrogate", rel_err(gp.get(), fd_p), 1e-3);
}

void test_running_update(rfsq_ctx* ctx) {
    Rng g = fresh();
    rfsq_rfsq_cfg cfg{levels_of({4, 4, 4}), 2, RFSQ_STRATEGY_LAYERNORM};
    const int64_t B = 5, K = 2, C = 3;
    const auto stats = randn(g, K * B * C * 2, 1.0), running = randn(g, K * C * 2, 1.0);
    Buf<float> ds(ctx, stats), dr(ctx, running);
    check(settle(ctx, rfsq_rfsq_running_update(ctx, &cfg, ds.d, B, 0.9f, dr.d)) == RFSQ_OK, "running_update");
    std::vector<double> ref(K * C * 2);
    for (int64_t s = 0; s < K; ++s)
        for (int64_t e = 0; e < C * 2; ++e) {
            double m = 0;
            for (int64_t b = 0; b < B; ++b) m += stats[(s * B + b) * C * 2 + e];
            ref[s * C * 2 + e] = 0.9 * running[s * C * 2 + e] + 0.1 * m / B;
        }
    check(rel_err(dr.get(), ref) < 1e-6, "running = m running + (1 - m) mean");
    check(rfsq_rfsq_running_update(ctx, &cfg, ds.d, B, 1.5f, dr.d) == RFSQ_E_INVALID, "momentum outside [0,1] rejected");
}

// CPU threads belong to the calling thread. Our kernels give the same bits whatever their count; oneDNN picks a
// convolution kernel for the thread count of the call that first meets a shape on a context, and another kernel
// may round differently (seen: the decoder's transposed 128->3 at 2 threads vs 1), so convolutions agree to
// float rounding across counts, and bit for bit on one context whose count stays the same.
void test_cpu_threads(rfsq_ctx* ctx) {
    int32_t initial = -1;
    check(rfsq_cpu_threads(&initial) == RFSQ_OK && initial >= 1, "thread count readable", initial, 1);
    check(rfsq_cpu_threads(nullptr) == RFSQ_E_INVALID, "NULL out rejected");
    check(rfsq_set_cpu_threads(0) == RFSQ_E_INVALID && strstr(rfsq_last_error(), "rfsq_set_cpu_threads"), "0 threads rejected");
    check(rfsq_set_cpu_threads(4097) == RFSQ_E_INVALID, "4097 threads rejected");
    check(rfsq_set_cpu_threads(3) == RFSQ_OK, "set 3");
    int32_t now = -1, other = -1;
    rfsq_cpu_threads(&now);
    check(now == 3, "3 read back", now, 3);
    std::thread([&] { rfsq_cpu_threads(&other); }).join();
    check(other == initial, "another thread keeps its own count", other, initial);

    Rng g = fresh();
    rfsq_rfsq_cfg cfg{levels_of({8, 8, 8, 4}), 2, RFSQ_STRATEGY_LAYERNORM};
    const int64_t B = 5, C = 4, H = 9, W = 11, N = B * C * H * W;
    rfsq_conv_cfg conv{C, 16, 4, 2, 1, 0}, deconv{C, 16, 4, 2, 1, 1}, pointwise{C, 16, 1, 1, 0, 0};
    std::vector<float> params(2 * 2 * C);
    for (int k = 0; k < 2; ++k)
        for (int c = 0; c < C; ++c) params[k * 2 * C + c] = (float)(1 + 0.3 * g.normal()), params[k * 2 * C + C + c] = (float)(0.2 * g.normal());
    Buf<float> z(ctx, randn(g, N, 1.0)), p(ctx, params), wt(ctx, randn(g, 16 * C * 16, 0.2)), bias(ctx, randn(g, 16, 0.1));
    std::vector<float> zhat[2], stats[2], y[2], yt[2], y1[2];
    std::vector<int32_t> idx[2];
    const int32_t counts[3] = {1, 3, 2};
    for (int run = 0; run < 2; ++run) {
        rfsq_set_cpu_threads(counts[run]);
        Buf<float> zh(ctx, N), st(ctx, 2 * B * C * 2), out(ctx, B * 16 * (H / 2) * (W / 2));
        Buf<int32_t> ix(ctx, B * H * W * 2);
        Buf<float> outt(ctx, B * 16 * (2 * H) * (2 * W)), out1(ctx, B * 16 * H * W);
        check(settle(ctx, rfsq_conv_forward(ctx, &deconv, z.d, B, H, W, wt.d, bias.d, outt.d)) == RFSQ_OK, "transposed forward");
        check(settle(ctx, rfsq_conv_forward(ctx, &pointwise, z.d, B, H, W, wt.d, bias.d, out1.d)) == RFSQ_OK, "1x1 forward");
        yt[run] = outt.get(), y1[run] = out1.get();
        check(settle(ctx, rfsq_rfsq_forward(ctx, &cfg, z.d, B, H, W, p.d, nullptr, zh.d, ix.d, st.d, nullptr)) == RFSQ_OK, "forward");
        check(settle(ctx, rfsq_conv_forward(ctx, &conv, z.d, B, H, W, wt.d, bias.d, out.d)) == RFSQ_OK, "conv forward");
        zhat[run] = zh.get(), stats[run] = st.get(), idx[run] = ix.get(), y[run] = out.get();
    }
    check(zhat[0] == zhat[1] && stats[0] == stats[1] && idx[0] == idx[1], "RFSQ forward: 1 thread = 3 threads, bit for bit");
    check(y[0] == y[1], "convolution forward: 1 thread = 3 threads, bit for bit");
    check(yt[0] == yt[1], "transposed convolution forward: 1 thread = 3 threads, bit for bit", rel_err(yt[0], yt[1]), 0);
    check(y1[0] == y1[1], "1x1 convolution forward: 1 thread = 3 threads, bit for bit", rel_err(y1[0], y1[1]), 0);
    // The model's layers at their real widths, each thread count on a fresh CPU context.
    const rfsq_conv_cfg layers[] = {{4, 256, 1, 1, 0, 0}, {256, 128, 4, 2, 1, 1}, {128, 3, 4, 2, 1, 1}, {3, 128, 4, 2, 1, 0}, {128, 256, 4, 2, 1, 0}};
    for (const auto& L : layers) {
        const int64_t b = 3, h = 8, w = 8;
        const int64_t oh = L.transposed ? 2 * h : L.kernel == 1 ? h : h / 2, ow = oh;
        const auto xs = randn(g, b * L.in_channels * h * w, 1.0);
        const auto ks = randn(g, (int64_t)L.in_channels * L.out_channels * L.kernel * L.kernel, 0.05);
        const auto bs = randn(g, L.out_channels, 0.1);
        std::vector<float> res[3];
        for (int run = 0; run < 3; ++run) {
            rfsq_set_cpu_threads(counts[run]);
            rfsq_ctx* fresh_ctx = nullptr;
            check(rfsq_ctx_create(RFSQ_DEVICE_CPU, &fresh_ctx) == RFSQ_OK, "fresh CPU context");
            {
                Buf<float> x(fresh_ctx, xs), k(fresh_ctx, ks), bb(fresh_ctx, bs), out(fresh_ctx, b * L.out_channels * oh * ow);
                check(rfsq_conv_forward(fresh_ctx, &L, x.d, b, h, w, k.d, bb.d, out.d) == RFSQ_OK, "layer forward");
                res[run] = out.get();
            }
            rfsq_ctx_destroy(fresh_ctx);
        }
        char what[96];
        snprintf(what, sizeof what, "%s %d->%d k%d: 1, 2 and 3 threads agree to float rounding", L.transposed ? "transposed" : "conv",
                 L.in_channels, L.out_channels, L.kernel);
        const double e = std::max(rel_err(res[1], res[0]), rel_err(res[2], res[0]));
        check(e < 1e-5, what, e, 1e-5);
    }
    check(rfsq_set_cpu_threads(initial) == RFSQ_OK, "restored");
}

void run_all(rfsq_ctx* ctx, const char* dev) {
    auto named = [&](const std::string& name, const std::function<void()>& f) { named_case(dev, name, f); };
    named("abi and argument errors", [&] { test_abi_and_errors(ctx); });
    named("copies", [&] { test_copies(ctx); });
    named("fsq golden thresholds and codes", [&] { test_fsq_golden(ctx); });
    named("fsq forward/backward/codes<->indices (random)", [&] { test_fsq_random(ctx); });
    named("index round trips of every preset level set", [&] { test_index_round_trips(ctx); });
    named("bad data: ranges, NaN/Inf", [&] { test_bad_data(ctx); });
    named("bad statistics in decode and the layernorm inverse; overflow of finite inputs", [&] { test_bad_statistics(ctx); });
    named("building blocks: sub, scale, layernorm + inverse", [&] { test_building_blocks(ctx); });
    named("running statistics update", [&] { test_running_update(ctx); });
    named("CPU threads per calling thread", [&] { test_cpu_threads(ctx); });
    const char* strat[] = {"none", "scale", "layernorm"};
    struct Shape {
        std::vector<int> L;
        int K;
        int64_t b, h, w;
    };
    // Presets of spec §3, odd levels, sizes that do not divide the block size, and one whose team scratch
    // exceeds a GPU's shared memory (the global-memory path).
    const Shape shapes[] = {{{8, 8, 8, 4}, 2, 4, 32, 32}, {{4, 4, 4, 4, 4}, 4, 3, 32, 32}, {{8, 5, 5, 5}, 3, 5, 7, 9},
                            {{8, 8, 8, 8}, 1, 2, 16, 16}, {{4, 4, 4, 4, 4}, 4, 2, 96, 96}};
    for (const auto& sh : shapes)
        for (int st = 0; st < 3; ++st) {
            RfsqCase tc{{levels_of(sh.L), sh.K, st}, sh.b, sh.h, sh.w};
            char name[128];
            snprintf(name, sizeof name, "rfsq forward+decode %zux%d K=%d %s (%lldx%lldx%lld)", sh.L.size(), sh.L[0], sh.K, strat[st],
                     (long long)sh.b, (long long)sh.h, (long long)sh.w);
            named(name, [&] { test_rfsq_forward(ctx, tc, false); });
            if (st == RFSQ_STRATEGY_LAYERNORM && sh.h < 64) {
                named(std::string(name) + " running", [&] { test_rfsq_forward(ctx, tc, true); });
            }
        }
    const Shape small[] = {{{8, 8, 8, 4}, 1, 2, 5, 7}, {{8, 8, 8, 4}, 2, 2, 5, 7}, {{4, 4, 4, 4, 4}, 4, 2, 4, 6}, {{5, 3}, 3, 3, 3, 5}};
    for (const auto& sh : small)
        for (int st = 0; st < 3; ++st) {
            RfsqCase tc{{levels_of(sh.L), sh.K, st}, sh.b, sh.h, sh.w};
            char name[128];
            snprintf(name, sizeof name, "rfsq backward vs finite differences [%d..] K=%d %s", sh.L[0], sh.K, strat[st]);
            named(name, [&] { test_rfsq_backward(ctx, tc); });
        }
    // The CUDA backend's launch boundaries: team scratch in dynamic shared memory beside the kernel's static shared
    // memory (team.sum's 2,304 bytes), 48 KB in all without opt-in, the opt-in maximum (227 KB on H100/H200) with
    // it, global memory beyond. Forward scratch 64 + 11 N floats (C = 5), backward 2,048 + 20 N (K = 4, C = 5):
    //   33x33 forward 48,172 B and 22x22 backward 46,912 B: under 48 KB alone, over it with the static part (these
    //   failed to launch before the static part was counted); 8x653 forward 230,112 B and 38x73 backward 230,112 B:
    //   the largest that fit beside 2,304 static bytes; 55x95 forward and 37x75 backward: just over, global memory.
    // The CPU runs them all exactly as well.
    const Shape edge_fwd[] = {{{4, 4, 4, 4, 4}, 4, 2, 33, 33}, {{4, 4, 4, 4, 4}, 4, 1, 8, 653}, {{4, 4, 4, 4, 4}, 4, 1, 55, 95}};
    for (const auto& sh : edge_fwd)
        for (int st = 0; st < 3; ++st) {
            RfsqCase tc{{levels_of(sh.L), sh.K, st}, sh.b, sh.h, sh.w};
            char name[128];
            snprintf(name, sizeof name, "launch edge: rfsq forward K=4 C=5 %s (%lldx%lldx%lld)", strat[st], (long long)sh.b,
                     (long long)sh.h, (long long)sh.w);
            named(name, [&] { test_rfsq_forward(ctx, tc, false); });
        }
    const Shape edge_bwd[] = {{{4, 4, 4, 4, 4}, 4, 1, 22, 22}, {{4, 4, 4, 4, 4}, 4, 1, 38, 73}, {{4, 4, 4, 4, 4}, 4, 1, 37, 75}};
    for (const auto& sh : edge_bwd)
        for (int st = 0; st < 3; ++st) {
            RfsqCase tc{{levels_of(sh.L), sh.K, st}, sh.b, sh.h, sh.w};
            char name[128];
            snprintf(name, sizeof name, "launch edge: rfsq backward K=4 C=5 %s (%lldx%lldx%lld)", strat[st], (long long)sh.b,
                     (long long)sh.h, (long long)sh.w);
            named(name, [&] { test_rfsq_backward(ctx, tc, 48); });
        }
}

}  // namespace

int main() { return run_on_every_device(run_all); }
