// Native tests of the baseline quantizers LFQ and VQ-EMA (docs/BASELINES.md) against float64 references on fresh
// random inputs, with poisoned outputs: forward, losses, backward (and a finite-difference check of the reference
// gradient), decode, EMA updates over consecutive steps, ties, bad data, argument errors and run-to-run determinism.
// CPU always; CUDA too when a GPU is usable.
#include <math.h>

#include "harness.h"
#include "reference.h"

namespace {

using namespace ref;

rfsq_lfq_cfg lfq_cfg(int C, float wc, float we, float gamma = 2.5f, float tau = 1.0f) { return rfsq_lfq_cfg{C, wc, we, gamma, tau}; }

void test_lfq_forward_backward(rfsq_ctx* ctx, int C, float wc, float we, float tau, int64_t B, int64_t H, int64_t W) {
    Rng g = fresh();
    const rfsq_lfq_cfg cfg = lfq_cfg(C, wc, we, 2.5f, tau);
    const int64_t E = B * C * H * W, N = B * H * W;
    auto x = randn(g, E, 0.8);
    x[1] = 0.0f;  // x = 0 gives -1
    // A small straight-through gradient, so that the auxiliary loss's gradient is most of dx.
    const auto dq = randn(g, E, 1e-6);
    Buf<float> dx_(ctx, x), q(ctx, E), loss(ctx, 1), ddq(ctx, dq), dx(ctx, E), back(ctx, E);
    Buf<int32_t> idx(ctx, N);
    check(settle(ctx, rfsq_lfq_forward(ctx, &cfg, dx_.d, B, H, W, q.d, idx.d, loss.d)) == RFSQ_OK, "lfq_forward");
    check(settle(ctx, rfsq_lfq_backward(ctx, &cfg, dx_.d, B, H, W, ddq.d, dx.d)) == RFSQ_OK, "lfq_backward");
    check(settle(ctx, rfsq_lfq_decode(ctx, &cfg, idx.d, B, H, W, back.d)) == RFSQ_OK, "lfq_decode");
    const LfqRef r = lfq_ref(cfg, to_double(x), B, H * W, to_double(dq));
    check(rel_err(q.get(), r.q) == 0, "q = sign(x), x = 0 gives -1", rel_err(q.get(), r.q), 0);
    check(idx.get() == r.idx, "indices (channel 0 most significant)");
    check(rel_err(back.get(), r.q) == 0, "decode(indices) = q", rel_err(back.get(), r.q), 0);
    const double le = fabs(loss.get()[0] - r.loss) / std::max(fabs(r.loss), 1e-9);
    check(le < 1e-5, "auxiliary loss", le, 1e-5);
    const double ge = rel_err(dx.get(), r.dx);
    check(ge < 1e-4, "dx = dq + dL_c/dx + dL_e/dx", ge, 1e-4);
}

// The reference's analytic gradient against central differences of the reference loss (tiny C), so the formula
// the native backward is compared with is itself the gradient of the loss.
void test_lfq_finite_differences() {
    Rng g = fresh();
    for (int C : {3, 4}) {
        const rfsq_lfq_cfg cfg = lfq_cfg(C, 0.7f, 0.9f, 2.5f, 1.3f);
        const int64_t B = 2, HW = 5, E = B * C * HW;
        std::vector<double> x(E), zero(E, 0.0);
        for (auto& v : x) v = g.normal() * 0.6 + (g.uniform() < 0.5 ? 0.1 : -0.1);
        const LfqRef r = lfq_ref(cfg, x, B, HW, zero);
        double worst = 0, scale = 1e-12;
        for (int64_t e = 0; e < E; ++e) {
            const double h = 1e-6;
            std::vector<double> xp = x, xm = x;
            xp[e] += h;
            xm[e] -= h;
            const double fd = (lfq_ref(cfg, xp, B, HW, zero).loss - lfq_ref(cfg, xm, B, HW, zero).loss) / (2 * h);
            worst = std::max(worst, fabs(fd - r.dx[e]));
            scale = std::max(scale, fabs(r.dx[e]));
        }
        check(worst / scale < 1e-5, "reference gradient = finite differences of the loss", worst / scale, 1e-5);
    }
}

void test_lfq_bad_data(rfsq_ctx* ctx) {
    const rfsq_lfq_cfg cfg = lfq_cfg(5, 0.2f, 0.1f);
    Rng g = fresh();
    auto x = randn(g, 2 * 5 * 3 * 3, 1.0);
    x[7] = NAN;
    Buf<float> dx(ctx, x), q(ctx, x.size()), loss(ctx, 1), grad(ctx, x.size());
    Buf<int32_t> idx(ctx, 18);
    check(settle(ctx, rfsq_lfq_forward(ctx, &cfg, dx.d, 2, 3, 3, q.d, idx.d, loss.d)) == RFSQ_E_NONFINITE, "NaN input reported by forward");
    check(strstr(rfsq_last_error(), "rfsq_lfq_forward") != nullptr, "message names rfsq_lfq_forward");
    check(settle(ctx, rfsq_lfq_backward(ctx, &cfg, dx.d, 2, 3, 3, dx.d, grad.d)) == RFSQ_E_NONFINITE, "NaN input reported by backward");
    check(strstr(rfsq_last_error(), "rfsq_lfq_backward") != nullptr, "message names rfsq_lfq_backward");
    for (int32_t bad : {32, -1}) {
        std::vector<int32_t> ids(18, 3);
        ids[11] = bad;
        Buf<int32_t> di(ctx, ids);
        check(settle(ctx, rfsq_lfq_decode(ctx, &cfg, di.d, 2, 3, 3, q.d)) == RFSQ_E_RANGE, "out-of-range index rejected");
        check(strstr(rfsq_last_error(), "rfsq_lfq_decode") != nullptr, "message names rfsq_lfq_decode");
    }
}

void test_lfq_errors(rfsq_ctx* ctx) {
    Buf<float> x(ctx, 64), q(ctx, 64);
    Buf<int32_t> idx(ctx, 64);
    rfsq_lfq_cfg cfg = lfq_cfg(4, 0, 0);
    check(rfsq_lfq_forward(ctx, nullptr, x.d, 1, 2, 2, q.d, idx.d, nullptr) == RFSQ_E_INVALID, "NULL cfg rejected");
    check(strstr(rfsq_last_error(), "cfg is NULL") != nullptr, "message says cfg is NULL");
    check(rfsq_lfq_forward(ctx, &cfg, nullptr, 1, 2, 2, q.d, idx.d, nullptr) == RFSQ_E_INVALID, "NULL x rejected");
    check(rfsq_lfq_forward(ctx, &cfg, x.d, 1, 2, 2, nullptr, idx.d, nullptr) == RFSQ_E_INVALID, "NULL q rejected");
    check(rfsq_lfq_forward(ctx, &cfg, x.d, 0, 2, 2, q.d, idx.d, nullptr) == RFSQ_E_INVALID, "batch 0 rejected");
    check(rfsq_lfq_backward(ctx, &cfg, x.d, 1, 2, 2, nullptr, q.d) == RFSQ_E_INVALID, "NULL dq rejected");
    check(rfsq_lfq_decode(ctx, &cfg, nullptr, 1, 2, 2, q.d) == RFSQ_E_INVALID, "NULL idx rejected");
    const rfsq_lfq_cfg bad[] = {lfq_cfg(0, 0, 0), lfq_cfg(25, 0, 0), lfq_cfg(4, -1, 0), lfq_cfg(4, 0, NAN),
                                lfq_cfg(4, 0, 0, INFINITY), lfq_cfg(4, 0, 0, 2.5f, 0.0f)};
    for (const auto& c : bad) {
        check(rfsq_lfq_forward(ctx, &c, x.d, 1, 2, 2, q.d, idx.d, nullptr) == RFSQ_E_INVALID, "bad lfq cfg rejected");
        check(strstr(rfsq_last_error(), "rfsq_lfq_forward") != nullptr, "message names rfsq_lfq_forward");
    }
}

void test_vq_forward(rfsq_ctx* ctx, const VqCase& k) {
    Rng g = fresh();
    const rfsq_vq_cfg cfg{k.M, k.D, 0.99f, 1e-5f, 0.8f};
    const auto cb = uniform_codebook(g, k.M, k.D, 1.0);
    const auto x = latents_near_codes(g, cb, k);
    const auto dzq = randn(g, k.E(), 1.0);
    Buf<float> dx(ctx, x), dcb(ctx, cb), zq(ctx, k.E()), loss(ctx, 1), ddzq(ctx, dzq), grad(ctx, k.E()), dec(ctx, k.E());
    Buf<int32_t> idx(ctx, k.N());
    check(settle(ctx, rfsq_vq_forward(ctx, &cfg, dx.d, k.B, k.H, k.W, dcb.d, zq.d, idx.d, loss.d)) == RFSQ_OK, "vq_forward");
    check(settle(ctx, rfsq_vq_backward(ctx, &cfg, dx.d, zq.d, k.B, k.H, k.W, ddzq.d, grad.d)) == RFSQ_OK, "vq_backward");
    check(settle(ctx, rfsq_vq_decode(ctx, &cfg, dcb.d, idx.d, k.B, k.H, k.W, dec.d)) == RFSQ_OK, "vq_decode");
    const auto ids = idx.get();
    int64_t far = 0;
    const int64_t misses = vq_index_misses(x, cb, k, ids, &far);
    check(far == 0, "every index is a nearest code (float64, up to float32 rounding)", (double)far, 0);
    check(misses == 0, "indices equal the float64 argmin where it is clear", (double)misses, 0);
    std::vector<double> zref(k.E()), gref(k.E());
    double sq = 0;
    for (int64_t n = 0; n < k.N(); ++n)
        for (int d = 0; d < k.D; ++d) {
            const int64_t e = k.at(n, d);
            const int64_t j = ids[n] >= 0 && ids[n] < k.M ? ids[n] : 0;
            zref[e] = cb[j * k.D + d];
            sq += ((double)x[e] - zref[e]) * ((double)x[e] - zref[e]);
            gref[e] = dzq[e] + 2.0 * cfg.commitment_weight * ((double)x[e] - zref[e]) / (double)k.E();
        }
    check(rel_err(zq.get(), zref) == 0, "zq = codebook[idx]", rel_err(zq.get(), zref), 0);
    check(rel_err(dec.get(), zref) == 0, "decode(idx) = zq", rel_err(dec.get(), zref), 0);
    const double lref = cfg.commitment_weight * sq / (double)k.E(), le = fabs(loss.get()[0] - lref) / lref;
    check(le < 1e-5, "commitment loss", le, 1e-5);
    check(rel_err(grad.get(), gref) < 1e-5, "dx = dzq + 2 w (x - zq) / (B D H W)", rel_err(grad.get(), gref), 1e-5);
}

// Three training steps (forward on the current codebook, then the EMA update) against a float64 EMA that follows
// the native indices (each checked to be a nearest code of the reference codebook).
void test_vq_ema(rfsq_ctx* ctx, const VqCase& k, float decay, float dead = 0.0f) {
    Rng g = fresh();
    const rfsq_vq_cfg cfg{k.M, k.D, decay, 1e-5f, 1.0f, dead};
    const auto cb = uniform_codebook(g, k.M, k.D, 1.0 / k.M);
    std::vector<double> rcs(k.M, 0.0), rea(cb.begin(), cb.end()), rcb(cb.begin(), cb.end());
    int64_t restarted = 0;  // over the 3 steps
    Buf<float> dcb(ctx, cb), dcs(ctx, std::vector<float>(k.M, 0.0f)), dea(ctx, cb), zq(ctx, k.E());
    Buf<int32_t> idx(ctx, k.N());
    for (int step = 0; step < 3; ++step) {
        const auto x = randn(g, k.E(), 0.05);
        Buf<float> dx(ctx, x);
        check(settle(ctx, rfsq_vq_forward(ctx, &cfg, dx.d, k.B, k.H, k.W, dcb.d, zq.d, idx.d, nullptr)) == RFSQ_OK, "vq_forward");
        check(settle(ctx, rfsq_vq_ema_update(ctx, &cfg, dx.d, k.B, k.H, k.W, idx.d, dcs.d, dea.d, dcb.d)) == RFSQ_OK, "vq_ema_update");
        const auto ids = idx.get();
        int64_t far = 0;
        vq_index_misses(x, std::vector<float>(rcb.begin(), rcb.end()), k, ids, &far);
        check(far == 0, "indices are nearest codes of the reference codebook", (double)far, 0);
        std::vector<double> cnt(k.M, 0.0), sum((size_t)k.M * k.D, 0.0);
        for (int64_t n = 0; n < k.N(); ++n) {
            const int64_t j = ids[n] >= 0 && ids[n] < k.M ? ids[n] : 0;
            cnt[j] += 1;
            for (int d = 0; d < k.D; ++d) sum[j * k.D + d] += x[k.at(n, d)];
        }
        double ntot = 0;
        for (int64_t j = 0; j < k.M; ++j) {
            rcs[j] = decay * rcs[j] + (1 - (double)decay) * cnt[j];
            ntot += rcs[j];
        }
        for (int64_t j = 0; j < k.M; ++j) {
            const double cs = (rcs[j] + 1e-5) / (ntot + k.M * 1e-5) * ntot;
            for (int d = 0; d < k.D; ++d) {
                rea[j * k.D + d] = decay * rea[j * k.D + d] + (1 - (double)decay) * sum[j * k.D + d];
                rcb[j * k.D + d] = rea[j * k.D + d] / cs;
            }
        }
        for (int64_t j = 0; j < k.M && dead > 0; ++j) {  // dead-code restart: docs/BASELINES.md
            if (!(rcs[j] < dead)) continue;
            const int64_t n = (int64_t)(((uint64_t)j * 2654435761ull) % 4294967296ull % (uint64_t)k.N());
            for (int d = 0; d < k.D; ++d) {
                rcb[j * k.D + d] = x[k.at(n, d)];
                rea[j * k.D + d] = dead * (double)x[k.at(n, d)];
            }
            rcs[j] = dead;
            ++restarted;
        }
        const std::string s = " after step " + std::to_string(step + 1);
        check(rel_err(dcs.get(), rcs) < 1e-5, ("cluster_size" + s).c_str(), rel_err(dcs.get(), rcs), 1e-5);
        check(rel_err(dea.get(), rea) < 1e-5, ("embed_avg" + s).c_str(), rel_err(dea.get(), rea), 1e-5);
        check(rel_err(dcb.get(), rcb) < 1e-4, ("codebook" + s).c_str(), rel_err(dcb.get(), rcb), 1e-4);
    }
    if (dead > 0) check(restarted > 0 && restarted < 3 * k.M, "restarts happened, and codes survived", (double)restarted, 3.0 * k.M);
}

void test_vq_ties(rfsq_ctx* ctx) {
    Rng g = fresh();
    const VqCase k{300, 40, 2, 3, 5};
    const rfsq_vq_cfg cfg{k.M, k.D, 0.99f, 1e-5f, 1.0f};
    auto cb = uniform_codebook(g, k.M, k.D, 1.0);
    const auto x = tie_to_code_5(g, cb, k);  // positions at code 5 must pick 5
    Buf<float> dx(ctx, x), dcb(ctx, cb), zq(ctx, k.E());
    Buf<int32_t> idx(ctx, k.N());
    check(settle(ctx, rfsq_vq_forward(ctx, &cfg, dx.d, k.B, k.H, k.W, dcb.d, zq.d, idx.d, nullptr)) == RFSQ_OK, "vq_forward");
    check(idx.get() == std::vector<int32_t>(k.N(), 5), "ties go to the smallest index (5 of 5, 17, 140, 299)");
    // A codebook of one repeated code: every position picks code 0.
    const auto row = std::vector<float>(cb.begin(), cb.begin() + k.D);
    for (int64_t j = 0; j < k.M; ++j) std::copy(row.begin(), row.end(), cb.begin() + j * k.D);
    dcb.put(cb);
    dx.put(randn(g, k.E(), 1.0));
    check(settle(ctx, rfsq_vq_forward(ctx, &cfg, dx.d, k.B, k.H, k.W, dcb.d, zq.d, idx.d, nullptr)) == RFSQ_OK, "vq_forward");
    check(idx.get() == std::vector<int32_t>(k.N(), 0), "all codes equal: index 0 everywhere");
}

void test_vq_bad_data(rfsq_ctx* ctx) {
    Rng g = fresh();
    const VqCase k{50, 9, 2, 3, 3};
    const rfsq_vq_cfg cfg{k.M, k.D, 0.99f, 1e-5f, 1.0f};
    auto x = randn(g, k.E(), 1.0);
    auto cb = uniform_codebook(g, k.M, k.D, 1.0);
    Buf<float> dx(ctx, x), dcb(ctx, cb), zq(ctx, k.E()), cs(ctx, std::vector<float>(k.M, 0.0f)), ea(ctx, cb);
    Buf<int32_t> idx(ctx, std::vector<int32_t>(k.N(), 1));
    x[4] = NAN;
    Buf<float> dnan(ctx, x);
    check(settle(ctx, rfsq_vq_forward(ctx, &cfg, dnan.d, k.B, k.H, k.W, dcb.d, zq.d, idx.d, nullptr)) == RFSQ_E_NONFINITE, "NaN input reported");
    check(strstr(rfsq_last_error(), "rfsq_vq_forward") != nullptr, "message names rfsq_vq_forward");
    idx.put(std::vector<int32_t>(k.N(), 1));
    check(settle(ctx, rfsq_vq_ema_update(ctx, &cfg, dnan.d, k.B, k.H, k.W, idx.d, cs.d, ea.d, dcb.d)) == RFSQ_E_NONFINITE,
          "NaN input reported by the EMA update");
    check(strstr(rfsq_last_error(), "rfsq_vq_ema_update") != nullptr, "message names rfsq_vq_ema_update");
    cb[7] = INFINITY;
    Buf<float> dinf(ctx, cb);
    check(settle(ctx, rfsq_vq_forward(ctx, &cfg, dx.d, k.B, k.H, k.W, dinf.d, zq.d, idx.d, nullptr)) == RFSQ_E_NONFINITE, "Inf codebook reported");
    for (int32_t bad : {k.M, -3}) {
        std::vector<int32_t> ids(k.N(), 2);
        ids[5] = bad;
        Buf<int32_t> di(ctx, ids);
        check(settle(ctx, rfsq_vq_decode(ctx, &cfg, dcb.d, di.d, k.B, k.H, k.W, zq.d)) == RFSQ_E_RANGE, "out-of-range index rejected by decode");
        check(strstr(rfsq_last_error(), "rfsq_vq_decode") != nullptr, "message names rfsq_vq_decode");
        check(settle(ctx, rfsq_vq_ema_update(ctx, &cfg, dx.d, k.B, k.H, k.W, di.d, cs.d, ea.d, dcb.d)) == RFSQ_E_RANGE,
              "out-of-range index rejected by the EMA update");
    }
}

void test_vq_errors(rfsq_ctx* ctx) {
    Buf<float> f(ctx, 256);
    Buf<int32_t> i(ctx, 64);
    const rfsq_vq_cfg ok{8, 4, 0.99f, 1e-5f, 1.0f};
    check(rfsq_vq_forward(ctx, nullptr, f.d, 1, 2, 2, f.d, f.d, i.d, nullptr) == RFSQ_E_INVALID, "NULL cfg rejected");
    check(rfsq_vq_forward(ctx, &ok, f.d, 1, 2, 2, nullptr, f.d, i.d, nullptr) == RFSQ_E_INVALID, "NULL codebook rejected");
    check(strstr(rfsq_last_error(), "codebook is NULL") != nullptr, "message names the codebook");
    check(rfsq_vq_forward(ctx, &ok, f.d, 1, 2, 2, f.d, f.d, nullptr, nullptr) == RFSQ_E_INVALID, "NULL idx rejected");
    check(rfsq_vq_forward(ctx, &ok, f.d, 1, 0, 2, f.d, f.d, i.d, nullptr) == RFSQ_E_INVALID, "height 0 rejected");
    check(rfsq_vq_ema_update(ctx, &ok, f.d, 1, 2, 2, i.d, nullptr, f.d, f.d) == RFSQ_E_INVALID, "NULL cluster_size rejected");
    check(rfsq_vq_backward(ctx, &ok, f.d, nullptr, 1, 2, 2, f.d, f.d) == RFSQ_E_INVALID, "NULL zq rejected");
    check(rfsq_vq_decode(ctx, &ok, f.d, nullptr, 1, 2, 2, f.d) == RFSQ_E_INVALID, "NULL idx rejected by decode");
    const rfsq_vq_cfg bad[] = {{0, 4, 0.99f, 1e-5f, 1}, {8, 0, 0.99f, 1e-5f, 1}, {8, 4, 1.0f, 1e-5f, 1}, {8, 4, -0.1f, 1e-5f, 1},
                               {8, 4, 0.99f, 0.0f, 1}, {8, 4, 0.99f, 1e-5f, -1}, {8, 4, NAN, 1e-5f, 1}, {1 << 25, 4, 0.99f, 1e-5f, 1}};
    for (const auto& c : bad) {
        check(rfsq_vq_forward(ctx, &c, f.d, 1, 2, 2, f.d, f.d, i.d, nullptr) == RFSQ_E_INVALID, "bad vq cfg rejected");
        check(strstr(rfsq_last_error(), "rfsq_vq_forward") != nullptr, "message names rfsq_vq_forward");
    }
}

// Two runs of every op on the same inputs give bit-identical outputs (fixed-order reductions, no atomics).
void test_determinism(rfsq_ctx* ctx) {
    Rng g = fresh();
    const VqCase k{1000, 70, 3, 9, 11};
    const rfsq_vq_cfg vcfg{k.M, k.D, 0.9f, 1e-5f, 1.0f};
    const auto x = randn(g, k.E(), 0.05), dz = randn(g, k.E(), 1.0);
    const auto cb = uniform_codebook(g, k.M, k.D, 0.05);
    const rfsq_lfq_cfg lcfg = lfq_cfg(7, 0.3f, 0.2f);
    const int64_t LE = k.B * 7 * k.HW();
    const auto lx = randn(g, LE, 1.0), ldq = randn(g, LE, 1.0);
    auto once = [&] {
        std::vector<std::vector<float>> out;
        Buf<float> dx(ctx, x), ddz(ctx, dz), dcb(ctx, cb), cs(ctx, std::vector<float>(k.M, 0.5f)), ea(ctx, cb), zq(ctx, k.E()),
            loss(ctx, 1), grad(ctx, k.E());
        Buf<int32_t> idx(ctx, k.N());
        int st = settle(ctx, rfsq_vq_forward(ctx, &vcfg, dx.d, k.B, k.H, k.W, dcb.d, zq.d, idx.d, loss.d));
        st |= settle(ctx, rfsq_vq_backward(ctx, &vcfg, dx.d, zq.d, k.B, k.H, k.W, ddz.d, grad.d));
        st |= settle(ctx, rfsq_vq_ema_update(ctx, &vcfg, dx.d, k.B, k.H, k.W, idx.d, cs.d, ea.d, dcb.d));
        const auto ids = idx.get();
        out.push_back(std::vector<float>(ids.begin(), ids.end()));
        for (Buf<float>* b : {&zq, &loss, &grad, &cs, &ea, &dcb}) out.push_back(b->get());
        Buf<float> lxd(ctx, lx), ldqd(ctx, ldq), q(ctx, LE), lloss(ctx, 1), ldx(ctx, LE);
        st |= settle(ctx, rfsq_lfq_forward(ctx, &lcfg, lxd.d, k.B, k.H, k.W, q.d, nullptr, lloss.d));
        st |= settle(ctx, rfsq_lfq_backward(ctx, &lcfg, lxd.d, k.B, k.H, k.W, ldqd.d, ldx.d));
        check(st == RFSQ_OK, "every op of the run succeeds");
        for (Buf<float>* b : {&q, &lloss, &ldx}) out.push_back(b->get());
        return out;
    };
    const auto a = once(), b = once();
    bool same = a.size() == b.size();
    for (size_t i = 0; same && i < a.size(); ++i) same = memcmp(a[i].data(), b[i].data(), a[i].size() * sizeof(float)) == 0;
    check(same, "two runs give bit-identical outputs (VQ forward/backward/EMA, LFQ forward/backward)");
}

void run_all(rfsq_ctx* ctx, const char* dev) {
    named_case(dev, "lfq C=6, commitment only", [&] { test_lfq_forward_backward(ctx, 6, 0.25f, 0.0f, 1.0f, 2, 5, 7); });
    named_case(dev, "lfq C=5, commitment + entropy, tau 1", [&] { test_lfq_forward_backward(ctx, 5, 0.25f, 0.1f, 1.0f, 2, 9, 11); });
    named_case(dev, "lfq C=9, entropy only, tau 0.7", [&] { test_lfq_forward_backward(ctx, 9, 0.0f, 0.3f, 0.7f, 1, 10, 13); });
    named_case(dev, "lfq C=1, both weights", [&] { test_lfq_forward_backward(ctx, 1, 1.0f, 1.0f, 2.0f, 3, 4, 4); });
    named_case(dev, "lfq defaults (no auxiliary loss), C=12", [&] { test_lfq_forward_backward(ctx, 12, 0.0f, 0.0f, 1.0f, 2, 8, 8); });
    named_case(dev, "lfq reference gradient = finite differences (C=3,4)", [&] { test_lfq_finite_differences(); });
    named_case(dev, "lfq NaN input, out-of-range indices", [&] { test_lfq_bad_data(ctx); });
    named_case(dev, "lfq argument errors", [&] { test_lfq_errors(ctx); });
    named_case(dev, "vq M=300 D=37 (tile and chunk tails)", [&] { test_vq_forward(ctx, VqCase{300, 37, 2, 5, 7}); });
    named_case(dev, "vq M=4096 D=256 (the preset)", [&] { test_vq_forward(ctx, VqCase{4096, 256, 2, 4, 8}); });
    named_case(dev, "vq M=1 D=3", [&] { test_vq_forward(ctx, VqCase{1, 3, 1, 2, 3}); });
    named_case(dev, "vq ema: 3 steps, decay 0.99", [&] { test_vq_ema(ctx, VqCase{200, 19, 2, 6, 6}, 0.99f); });
    named_case(dev, "vq ema: 3 steps, decay 0.5, D=300", [&] { test_vq_ema(ctx, VqCase{70, 300, 1, 5, 9}, 0.5f); });
    named_case(dev, "vq ema with dead-code restart (threshold 0.25, decay 0.9)", [&] { test_vq_ema(ctx, VqCase{16, 7, 2, 6, 6}, 0.9f, 0.25f); });
    named_case(dev, "vq ties go to the smallest index", [&] { test_vq_ties(ctx); });
    named_case(dev, "vq NaN/Inf input, out-of-range indices", [&] { test_vq_bad_data(ctx); });
    named_case(dev, "vq argument errors", [&] { test_vq_errors(ctx); });
    named_case(dev, "determinism (bit-identical reruns)", [&] { test_determinism(ctx); });
}

}  // namespace

int main() { return run_on_every_device(run_all); }
