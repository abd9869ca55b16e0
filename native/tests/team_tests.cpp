// Every op of native/common/ops_*.h run as the CUDA backend runs it (native/tests/team_runner.h: teams of T real
// threads with real barriers, CudaTeam's reduction order, the CUDA scratch layout) at T = 1, 4, 32, 256 under
// several schedules, against the float64 references of the native tests, on fresh random inputs with poisoned
// outputs. Beyond the references, results must agree bit for bit
//   - across schedules at the same T (every output: a race or a missing barrier makes them differ), and
//   - across every T for the outputs that no team-wide reduction touches (elementwise results, indices, codes,
//     per-position sums in a fixed order; the CUDA backend computes them the same way at any team size).
// Launch geometry and tuning are the CUDA backend's (ops_*.h launch helpers, kCudaTuning).
#include <map>

#include "../src/internal.h"
#include "harness.h"
#include "reference.h"
#include "team_runner.h"

namespace ops_probe {
// Not an op of rfsq.h: a functor that only calls team.sum, to pin down its combining order.
struct SumProbe {
    float* out;
    template <class Team>
    void operator()(Team& t, int64_t) const {
        float v = t.rank() == 0 ? 16777216.0f : 1.0f;
        t.sum(&v, 1);
        out[t.rank()] = v;
    }
};
}  // namespace ops_probe

namespace {

using namespace rfsq;
using emu::Device;
using emu::Runner;
using emu::Schedule;

struct Config {
    int T;
    Schedule s;
    const Device* dev;
};
std::vector<Config> g_configs;

std::string config_name(const Config& c) {
    return "T=" + std::to_string(c.T) + " " + emu::schedule_name(c.s) + (c.dev == &emu::kTinyShared ? " global-scratch" : "");
}

Runner& runner(const Config& c) {
    static std::map<std::pair<int, int>, std::unique_ptr<Runner>> cache;
    auto& r = cache[{c.T, (int)c.s}];
    if (!r) r.reset(new Runner(c.T, c.s, 1000 + c.T));
    return *r;
}

template <class T>
std::vector<T> poisoned(size_t n) {
    std::vector<T> v(n);
    memset(v.data(), 0xFF, n * sizeof(T));
    return v;
}

// Outputs of one op group per config, compared bit for bit afterwards.
struct Across {
    std::vector<std::string> names;
    std::vector<bool> invariant;  // the same bits at every T
    std::vector<std::pair<Config, std::vector<std::vector<uint8_t>>>> runs;

    template <class... V>
    void add(const Config& c, const V&... outs) {
        std::vector<std::vector<uint8_t>> bits;
        (bits.push_back(std::vector<uint8_t>((const uint8_t*)outs.data(), (const uint8_t*)(outs.data() + outs.size()))), ...);
        runs.emplace_back(c, std::move(bits));
    }

    void compare() const {
        for (size_t o = 0; o < names.size(); ++o)
            for (size_t i = 1; i < runs.size(); ++i) {
                // The first run of the same T, else the very first run for outputs that must not depend on T.
                size_t j = 0;
                while (j < i && runs[j].first.T != runs[i].first.T) ++j;
                if (j == i) {
                    if (!invariant[o]) continue;
                    j = 0;
                }
                const bool same = runs[j].second[o] == runs[i].second[o];
                const std::string what = names[o] + ": " + config_name(runs[i].first) + " bit-identical to " +
                                         config_name(runs[j].first);
                check(same, what.c_str());
            }
    }
};

void run_ok(unsigned bad, const Config& c, const char* op) {
    const std::string what = std::string(op) + " raises no bad-data flag (" + config_name(c) + ")";
    check(bad == 0, what.c_str(), bad, 0);
}

std::string at(const Config& c, const char* what) { return std::string(what) + " (" + config_name(c) + ")"; }

// team.sum combines as CudaTeam does: an xor butterfly within each warp, then the warps' totals in order. With
// 2^24 on member 0 and 1 elsewhere the order shows: a sequential sum loses every 1 (2^24 + 1 rounds back to 2^24),
// the butterfly adds them in pairs first. By hand: warp 0 gives 2^24 + 30 (2^24 + 1 -> 2^24 at offset 16, then
// + 2, 4, 8, 16), every other warp 32, and the warps add up exactly.
void test_sum_order() {
    for (const Config& cfg : g_configs) {
        if (cfg.T < 32) continue;
        std::vector<float> got(cfg.T, NAN);
        const ops_probe::SumProbe probe{got.data()};
        runner(cfg).run(probe, Launch{1, 0}, *cfg.dev);
        const float expect = 16777246.0f + 32.0f * (float)(cfg.T / 32 - 1);
        int64_t wrong = 0;
        for (float v : got) wrong += v != expect;
        check(wrong == 0, at(cfg, "team.sum: warp butterfly, then warps in order, every member gets the total").c_str(), got[0], expect);
    }
}

// ---- FSQ ------------------------------------------------------------------------------------------------------

void test_fsq() {
    Rng g = fresh();
    const rfsq_levels lv = levels_of({8, 5, 4, 3, 7});
    const ref::RefFsq F(lv);
    const FsqConsts k = make_fsq_consts(lv);
    const int64_t B = 3, N = 5 * 7, C = lv.count;
    const auto x = randn(g, B * C * N, 1.5), dc = randn(g, B * C * N, 1.0);
    Across acc{{"codes", "idx", "dx", "codes_to_indices", "indices_to_codes"}, {true, true, true, true, true}, {}};
    for (const Config& cfg : g_configs) {
        Runner& R = runner(cfg);
        auto codes = poisoned<float>(x.size()), dx = poisoned<float>(x.size()), back = poisoned<float>(x.size());
        auto idx = poisoned<int32_t>(B * N), idx2 = poisoned<int32_t>(B * N);
        run_ok(R.run(FsqForward{k, x.data(), N, codes.data(), idx.data()}, Launch{B, 0}, *cfg.dev), cfg, "FsqForward");
        run_ok(R.run(FsqBackward{k, x.data(), dc.data(), N, dx.data()}, Launch{B, 0}, *cfg.dev), cfg, "FsqBackward");
        run_ok(R.run(CodesToIndices{k, codes.data(), N, idx2.data()}, Launch{B, 0}, *cfg.dev), cfg, "CodesToIndices");
        run_ok(R.run(IndicesToCodes{k, idx.data(), N, back.data()}, Launch{B, 0}, *cfg.dev), cfg, "IndicesToCodes");
        const int64_t wrong = F.mismatches(x, B, N, codes, idx);
        const std::vector<double> ref_dx = F.backward(x, dc, N);
        check(wrong == 0, at(cfg, "fsq codes and indices = float64 reference").c_str(), (double)wrong, 0);
        check(rel_err(dx, ref_dx) < 1e-5, at(cfg, "fsq straight-through gradient").c_str(), rel_err(dx, ref_dx), 1e-5);
        check(idx2 == idx && back == codes, at(cfg, "codes <-> indices round trip").c_str());
        acc.add(cfg, codes, idx, dx, idx2, back);
    }
    acc.compare();
}

// Bad data reaches the launch's flags from every member of a team.
void test_flags() {
    const rfsq_levels lv = levels_of({4, 4});
    const FsqConsts k = make_fsq_consts(lv);
    const int64_t N = 300;
    std::vector<float> x(2 * N, 0.25f);
    x[2 * N - 7] = NAN;
    std::vector<int32_t> idx(N, 3);
    idx[N - 2] = 16;
    for (const Config& cfg : g_configs) {
        Runner& R = runner(cfg);
        auto codes = poisoned<float>(x.size());
        auto out = poisoned<int32_t>(N);
        check(R.run(FsqForward{k, x.data(), N, codes.data(), out.data()}, Launch{1, 0}, *cfg.dev) == kBadNonFinite,
              at(cfg, "a NaN seen by the last member raises kBadNonFinite").c_str());
        check(R.run(IndicesToCodes{k, idx.data(), N, codes.data()}, Launch{1, 0}, *cfg.dev) == kBadRange,
              at(cfg, "an index out of range raises kBadRange").c_str());
    }
}

// ---- RFSQ building blocks -------------------------------------------------------------------------------------

void test_rfsq_blocks() {
    Rng g = fresh();
    const int64_t B = 2, C = 5, H = 6, W = 11, N = H * W, n = B * C * N, nflat = 2 * ResidualSub::kChunk + 77;
    const auto r = randn(g, nflat, 1.0), q = randn(g, nflat, 1.0);
    const rfsq_levels lv = levels_of({4, 4, 4, 4, 4});
    const ref::RefFsq F(lv);
    const FsqConsts k = make_fsq_consts(lv);
    const std::vector<float> theta = {(float)(g.uniform() * 2 - 1)};
    std::vector<float> gamma(C), beta(C);
    for (int c = 0; c < C; ++c) gamma[c] = (float)(0.5 + g.uniform()), beta[c] = (float)(g.uniform() - 0.5);
    const auto x = randn(g, n, 2.0, 0.7);
    Across acc{{"residual_sub", "scale", "layernorm", "stats", "inverse"}, {true, true, false, false, false}, {}};
    for (const Config& cfg : g_configs) {
        Runner& R = runner(cfg);
        auto sub = poisoned<float>(nflat), sc = poisoned<float>(n), nrm = poisoned<float>(n), stats = poisoned<float>(B * C * 2),
             inv = poisoned<float>(n);
        run_ok(R.run(ResidualSub{r.data(), q.data(), nflat, sub.data()}, residual_sub_launch(nflat), *cfg.dev), cfg, "ResidualSub");
        run_ok(R.run(ScaleForward{k, theta.data(), x.data(), N, sc.data()}, Launch{B, 0}, *cfg.dev), cfg, "ScaleForward");
        run_ok(R.run(LayerNormForward{x.data(), (int32_t)C, N, gamma.data(), beta.data(), nrm.data(), stats.data()}, Launch{B, 0}, *cfg.dev),
               cfg, "LayerNormForward");
        run_ok(R.run(LayerNormInverse{nrm.data(), (int32_t)C, N, gamma.data(), beta.data(), stats.data(), inv.data()}, Launch{B, 0},
                     *cfg.dev), cfg, "LayerNormInverse");
        std::vector<double> ref_sub(nflat), ref_n, ref_stats;
        for (int64_t i = 0; i < nflat; ++i) ref_sub[i] = (double)r[i] - q[i];
        const std::vector<double> ref_sc = ref::ref_scale_stage(F, theta[0], x, N, sc);
        ref::ref_layernorm(x, B, C, N, gamma, beta, ref_n, ref_stats);
        check(rel_err(sub, ref_sub) < 1e-6, at(cfg, "residual_sub").c_str(), rel_err(sub, ref_sub), 1e-6);
        check(rel_err(sc, ref_sc) < 1e-5, at(cfg, "scale stage").c_str(), rel_err(sc, ref_sc), 1e-5);
        check(rel_err(nrm, ref_n) < 1e-5, at(cfg, "layernorm").c_str(), rel_err(nrm, ref_n), 1e-5);
        check(rel_err(stats, ref_stats) < 1e-5, at(cfg, "layernorm statistics").c_str(), rel_err(stats, ref_stats), 1e-5);
        check(rel_err(inv, x) < 1e-5, at(cfg, "layernorm inverse(forward(x)) = x").c_str(), rel_err(inv, x), 1e-5);
        acc.add(cfg, sub, sc, nrm, stats, inv);
    }
    acc.compare();
}

// ---- fused RFSQ: forward, decode, running update ----------------------------------------------------------------

RfsqShape shape_of(const rfsq_rfsq_cfg& cfg, int64_t b, int64_t hw) {
    return RfsqShape{make_fsq_consts(cfg.levels), cfg.stages, cfg.strategy, hw, b};
}

void test_rfsq_forward(const ref::RfsqCase& tc, bool running_mode) {
    Rng g = fresh();
    const int C = tc.C(), K = tc.cfg.stages;
    std::vector<float> z(tc.size());
    for (int64_t i = 0; i < tc.size(); ++i) z[i] = (float)(g.normal() * 1.5 + 0.3 * ((i / tc.n()) % C));
    auto params = ref::random_params(g, tc);
    if (params.empty()) params.push_back(0.0f);
    std::vector<float> running(K * C * 2);
    for (int i = 0; i < K * C; ++i) running[2 * i] = (float)(g.normal() * 0.2), running[2 * i + 1] = (float)(0.5 + g.uniform());
    const bool ln = tc.cfg.strategy == RFSQ_STRATEGY_LAYERNORM, per_image = ln && !running_mode;
    const RfsqShape sh = shape_of(tc.cfg, tc.b, tc.n());
    const float* run_stats = running_mode ? running.data() : nullptr;
    Across acc{{"zhat", "idx", "stats", "rnorm", "decode"}, {!per_image, !per_image, !per_image, false, !per_image}, {}};
    for (const Config& cfg : g_configs) {
        Runner& R = runner(cfg);
        auto zhat = poisoned<float>(tc.size()), stats = poisoned<float>(K * tc.b * C * 2), rnorm = poisoned<float>(tc.b * K),
             dec = poisoned<float>(tc.size());
        auto idx = poisoned<int32_t>(tc.b * tc.n() * K);
        if (!per_image) std::fill(stats.begin(), stats.end(), 0.0f);  // not written in these modes
        run_ok(R.run(RfsqForward{sh, z.data(), params.data(), run_stats, zhat.data(), idx.data(), stats.data(), rnorm.data()},
                     rfsq_forward_launch(sh), *cfg.dev), cfg, "RfsqForward");
        run_ok(R.run(RfsqDecode{sh, idx.data(), params.data(), per_image ? stats.data() : running.data(), per_image, dec.data()},
                     Launch{tc.b, 0}, *cfg.dev), cfg, "RfsqDecode");
        const ref::RefRfsq r = ref::ref_rfsq(tc, to_double(z), to_double(params), run_stats, idx.data(), nullptr, nullptr);
        check(r.mismatches == 0, at(cfg, "indices = float64 reference away from rounding boundaries").c_str(), (double)r.mismatches, 0);
        check(idx == r.idx, at(cfg, "indices (boundary cases following the run)").c_str());
        check(rel_err(zhat, r.zhat) < 2e-5, at(cfg, "zhat").c_str(), rel_err(zhat, r.zhat), 2e-5);
        check(rel_err(rnorm, r.rnorm) < 2e-4, at(cfg, "rnorm").c_str(), rel_err(rnorm, r.rnorm), 2e-4);
        if (per_image) check(rel_err(stats, r.stats) < 2e-5, at(cfg, "per-image statistics").c_str(), rel_err(stats, r.stats), 2e-5);
        check(dec == zhat, at(cfg, "decode(indices) reproduces zhat exactly").c_str());
        acc.add(cfg, zhat, idx, stats, rnorm, dec);
    }
    acc.compare();
}

void test_running_update() {
    Rng g = fresh();
    const int64_t B = 5, K = 2, C = 3;
    const auto stats = randn(g, K * B * C * 2, 1.0), running = randn(g, K * C * 2, 1.0);
    std::vector<double> ref(K * C * 2);
    for (int64_t s = 0; s < K; ++s)
        for (int64_t e = 0; e < C * 2; ++e) {
            double m = 0;
            for (int64_t b = 0; b < B; ++b) m += stats[(s * B + b) * C * 2 + e];
            ref[s * C * 2 + e] = 0.9 * running[s * C * 2 + e] + 0.1 * m / B;
        }
    Across acc{{"running"}, {true}, {}};
    for (const Config& cfg : g_configs) {
        auto out = running;
        run_ok(runner(cfg).run(RunningUpdate{stats.data(), B, (int32_t)K, (int32_t)C, 0.9f, out.data()}, Launch{1, 0}, *cfg.dev), cfg,
               "RunningUpdate");
        check(rel_err(out, ref) < 1e-6, at(cfg, "running = m running + (1 - m) mean").c_str(), rel_err(out, ref), 1e-6);
        acc.add(cfg, out);
    }
    acc.compare();
}

// ---- fused RFSQ backward: finite differences of the float64 straight-through surrogate ---------------------

void test_rfsq_backward(const ref::RfsqCase& tc) {
    Rng g = fresh();
    const int C = tc.C(), K = tc.cfg.stages;
    std::vector<float> z(tc.size());
    for (int64_t i = 0; i < tc.size(); ++i) z[i] = (float)(g.normal() * 1.2 + 0.2 * ((i / tc.n()) % C));
    auto params = ref::random_params(g, tc);
    const int64_t P = tc.params();
    if (params.empty()) params.push_back(0.0f);
    const auto wts = randn(g, tc.size(), 1.0);
    const RfsqShape sh = shape_of(tc.cfg, tc.b, tc.n());
    // The kernel's rounding decisions (a T=1 forward) fix the surrogate's branch where float32 and float64 may differ.
    auto idx = poisoned<int32_t>(tc.b * tc.n() * K);
    auto zhat = poisoned<float>(tc.size());
    runner(g_configs[0]).run(RfsqForward{sh, z.data(), params.data(), nullptr, zhat.data(), idx.data(), nullptr, nullptr},
                             rfsq_forward_launch(sh), *g_configs[0].dev);
    std::vector<double> zd = to_double(z), pd = to_double(params), offsets;
    ref::ref_rfsq(tc, zd, pd, nullptr, idx.data(), nullptr, &offsets);
    auto loss = [&](const std::vector<double>& zz, const std::vector<double>& pp) {
        const ref::RefRfsq r = ref::ref_rfsq(tc, zz, pp, nullptr, nullptr, &offsets, nullptr);
        double l = 0;
        for (int64_t i = 0; i < tc.size(); ++i) l += wts[i] * r.zhat[i];
        return l;
    };
    const double eps = 1e-6;
    std::vector<double> fd_z(tc.size()), fd_p(P);
    for (int64_t i = 0; i < tc.size(); ++i) {
        fd_z[i] = central_difference(zd, i, eps, [&] { return loss(zd, pd); });
    }
    for (int64_t j = 0; j < P; ++j) {
        fd_p[j] = central_difference(pd, j, eps, [&] { return loss(zd, pd); });
    }
    // dz of none and scale is elementwise (no team-wide sum touches it); dtheta and everything of layernorm are not.
    const bool elementwise = tc.cfg.strategy != RFSQ_STRATEGY_LAYERNORM;
    Across acc{{"dz", "dparams"}, {elementwise, false}, {}};
    for (const Config& cfg : g_configs) {
        Runner& R = runner(cfg);
        auto dz = poisoned<float>(tc.size()), partial = poisoned<float>(std::max<int64_t>(1, tc.b * P)),
             dp = poisoned<float>(std::max<int64_t>(1, P));
        run_ok(R.run(RfsqBackward{sh, z.data(), params.data(), wts.data(), dz.data(), P > 0 ? partial.data() : nullptr},
                     rfsq_backward_launch(sh), *cfg.dev), cfg, "RfsqBackward");
        if (P > 0) run_ok(R.run(ParamReduce{partial.data(), tc.b, P, dp.data()}, Launch{1, 0}, *cfg.dev), cfg, "ParamReduce");
        check(rel_err(dz, fd_z) < 1e-3, at(cfg, "dz = finite differences of the surrogate").c_str(), rel_err(dz, fd_z), 1e-3);
        if (P > 0) {
            const std::vector<float> got(dp.begin(), dp.begin() + P);
            check(rel_err(got, fd_p) < 1e-3, at(cfg, "dparams = finite differences of the surrogate").c_str(), rel_err(got, fd_p), 1e-3);
        }
        acc.add(cfg, dz, dp);
    }
    acc.compare();
}

// ---- training building blocks -----------------------------------------------------------------------------------

void test_train_ops() {
    Rng g = fresh();
    const int64_t n = 2 * kChunk + 77;
    auto a = randn(g, n, 1.0);
    const auto b = randn(g, n, 1.0), dy = randn(g, n, 1.0);
    a[9] = b[9];
    const float weight = 0.75f;
    const int64_t B = 3, C = 3, HW = 17 * 9, na = B * C * HW;
    const auto xa = randn(g, na, 0.3, 0.5);
    const std::vector<float> scale = {4.3f, 4.4f, 4.5f}, shift = {-2.1f, -2.0f, -1.8f};
    double ref_l1 = 0, ref_sq = 0;
    for (int64_t i = 0; i < n; ++i) ref_l1 += fabs((double)a[i] - b[i]), ref_sq += (double)a[i] * a[i];
    ref_l1 *= (double)weight / n;
    std::vector<double> ref_aff(na);
    for (int64_t i = 0; i < na; ++i) ref_aff[i] = (double)xa[i] * scale[(i / HW) % C] + shift[(i / HW) % C];
    Across acc{{"relu", "relu_backward", "affine", "l1_grad", "l1", "sum_squares"}, {true, true, true, true, false, false}, {}};
    for (const Config& cfg : g_configs) {
        Runner& R = runner(cfg);
        auto y = poisoned<float>(n), dx = poisoned<float>(n), aff = poisoned<float>(na), grad = poisoned<float>(n),
             partial = poisoned<float>(chunks(n)), l1 = poisoned<float>(1), sq = poisoned<float>(1);
        run_ok(R.run(ReluForward{a.data(), n, y.data()}, chunk_launch(n), *cfg.dev), cfg, "ReluForward");
        run_ok(R.run(ReluBackward{y.data(), dy.data(), n, dx.data()}, chunk_launch(n), *cfg.dev), cfg, "ReluBackward");
        run_ok(R.run(ChannelAffine{xa.data(), C, HW, scale.data(), shift.data(), aff.data()}, Launch{B * C, 0}, *cfg.dev), cfg,
               "ChannelAffine");
        run_ok(R.run(L1Partial{a.data(), b.data(), n, weight, grad.data(), partial.data()}, chunk_launch(n), *cfg.dev), cfg, "L1Partial");
        run_ok(R.run(PartialSum{partial.data(), chunks(n), weight / (float)n, l1.data()}, Launch{1, 0}, *cfg.dev), cfg, "PartialSum");
        run_ok(R.run(SquarePartial{a.data(), n, partial.data()}, chunk_launch(n), *cfg.dev), cfg, "SquarePartial");
        run_ok(R.run(PartialSum{partial.data(), chunks(n), 1.0f, sq.data()}, Launch{1, 0}, *cfg.dev), cfg, "PartialSum");
        int64_t wrong = 0;
        const float gi = weight / (float)n;
        for (int64_t i = 0; i < n; ++i) {
            const double d = (double)a[i] - b[i];
            wrong += y[i] != (a[i] > 0 ? a[i] : 0.0f);
            wrong += dx[i] != (a[i] > 0 ? dy[i] : 0.0f);
            wrong += grad[i] != (d > 0 ? gi : d < 0 ? -gi : 0.0f);
        }
        check(wrong == 0, at(cfg, "relu forward/backward and the l1 gradient exact").c_str(), (double)wrong, 0);
        check(rel_err(aff, ref_aff) < 1e-6, at(cfg, "channel affine").c_str(), rel_err(aff, ref_aff), 1e-6);
        check(fabs(l1[0] - ref_l1) / ref_l1 < 1e-5, at(cfg, "l1 loss").c_str(), fabs(l1[0] - ref_l1) / ref_l1, 1e-5);
        check(fabs(sq[0] - ref_sq) / ref_sq < 1e-5, at(cfg, "sum of squares").c_str(), fabs(sq[0] - ref_sq) / ref_sq, 1e-5);
        acc.add(cfg, y, dx, aff, grad, l1, sq);
    }
    acc.compare();
}

// Three Adam steps with gradient-norm clipping against PyTorch's update in float64 (grad_sq from the host).
void test_adam() {
    Rng g = fresh();
    const int64_t n = kChunk + 5;
    const auto param0 = randn(g, n, 0.5);
    std::vector<std::vector<float>> grads;
    for (int s = 0; s < 3; ++s) grads.push_back(randn(g, n, s == 1 ? 3.0 : 0.1));
    const double lr = 8e-4, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 5e-5, max_norm = 1.0;
    std::vector<double> p = to_double(param0), m(n, 0.0), v(n, 0.0);
    std::vector<float> sqs;
    for (int s = 1; s <= 3; ++s) {
        double norm = 0;
        for (float x : grads[s - 1]) norm += (double)x * x;
        sqs.push_back((float)norm);
        const double clip = std::min(1.0, max_norm / (sqrt(norm) + 1e-6)), c1 = 1 - pow(b1, s), c2 = sqrt(1 - pow(b2, s));
        for (int64_t i = 0; i < n; ++i) {
            const double gi = grads[s - 1][i] * clip + wd * p[i];
            m[i] = b1 * m[i] + (1 - b1) * gi;
            v[i] = b2 * v[i] + (1 - b2) * gi * gi;
            p[i] -= lr / c1 * m[i] / (sqrt(v[i]) / c2 + eps);
        }
    }
    Across acc{{"param", "m", "v"}, {true, true, true}, {}};
    for (const Config& cfg : g_configs) {
        auto param = param0;
        std::vector<float> mm(n, 0.0f), vv(n, 0.0f);
        for (int s = 1; s <= 3; ++s) {
            const AdamStep step{(float)b1, (float)(1 - b1), (float)b2, (float)(1 - b2), (float)eps, (float)wd, (float)max_norm, 0,
                                (float)(1 - lr * wd), (float)(lr / (1 - pow(b1, s))), (float)sqrt(1 - pow(b2, s)), param.data(),
                                grads[s - 1].data(), mm.data(), vv.data(), n, &sqs[s - 1], nullptr};
            run_ok(runner(cfg).run(step, chunk_launch(n), *cfg.dev), cfg, "AdamStep");
        }
        std::vector<double> delta(n), ref_delta(n);
        for (int64_t i = 0; i < n; ++i) delta[i] = (double)param[i] - param0[i], ref_delta[i] = p[i] - param0[i];
        check(rel_err(delta, ref_delta) < 1e-3, at(cfg, "3 Adam steps = PyTorch's update (relative to the update)").c_str(),
              rel_err(delta, ref_delta), 1e-3);
        check(rel_err(mm, m) < 1e-5 && rel_err(vv, v) < 1e-5, at(cfg, "Adam moments").c_str(), std::max(rel_err(mm, m), rel_err(vv, v)), 1e-5);
        acc.add(cfg, param, mm, vv);
    }
    acc.compare();
}

// ---- LFQ ----------------------------------------------------------------------------------------------------------

void test_lfq(int C, float wc, float we, float tau, int64_t B, int64_t H, int64_t W) {
    Rng g = fresh();
    const rfsq_lfq_cfg cfg_{C, wc, we, 2.5f, tau};
    const int64_t hw = H * W, npos = B * hw, E = npos * C, m = (int64_t)1 << C;
    auto x = randn(g, E, 0.8);
    x[1] = 0.0f;
    const auto dq = randn(g, E, 1e-6);
    const ref::LfqRef r = ref::lfq_ref(cfg_, to_double(x), B, hw, to_double(dq));
    const int32_t jb = kCudaTuning.lfq_codes_per_team, chunk = kCudaTuning.lfq_backward_chunk;
    const bool entropy = we != 0.0f;
    const int64_t blocks = entropy ? ceil_div(m, jb) : 0;
    Across acc{{"q", "idx", "loss", "dx", "decode"}, {true, true, false, false, true}, {}};
    for (const Config& cfg : g_configs) {
        Runner& R = runner(cfg);
        auto q = poisoned<float>(E), loss = poisoned<float>(1), dx = poisoned<float>(E), dec = poisoned<float>(E),
             commit = poisoned<float>(B + blocks + (entropy ? m : 0)), avg = poisoned<float>(2 * m);
        auto idx = poisoned<int32_t>(npos);
        float* partial = commit.data() + B;
        float* favg = partial + blocks;
        // rfsq_lfq_forward: codes and commitment sums, the entropy terms, the loss.
        run_ok(R.run(LfqForward{x.data(), C, hw, q.data(), idx.data(), commit.data()}, Launch{B, 0}, *cfg.dev), cfg, "LfqForward");
        if (entropy)
            run_ok(R.run(LfqAvgProb{x.data(), C, hw, npos, tau, jb, kLfqTableChunk, favg, nullptr, partial}, lfq_avg_launch(C, jb), *cfg.dev),
                   cfg, "LfqAvgProb");
        const LfqLoss l{commit.data(), B, (float)(wc / ((double)npos * C)), entropy ? partial : nullptr, blocks, favg, m, we, 2.5f,
                        (float)(1.0 / ((double)npos * (double)m)), (float)(1.0 / (double)m), loss.data()};
        run_ok(R.run(l, Launch{1, 0}, *cfg.dev), cfg, "LfqLoss");
        // rfsq_lfq_backward: average probabilities with e'(a), then the gradient.
        if (entropy)
            run_ok(R.run(LfqAvgProb{x.data(), C, hw, npos, tau, jb, kLfqTableChunk, avg.data(), avg.data() + m, nullptr}, lfq_avg_launch(C, jb),
                         *cfg.dev), cfg, "LfqAvgProb");
        const LfqBackward bw{x.data(), dq.data(), C, hw, npos, tau, (float)(2.0 * wc / ((double)npos * C)),
                             entropy ? (float)(we / ((double)npos * (double)m)) : 0.0f, 2.5f, entropy ? avg.data() + m : nullptr, chunk, dx.data()};
        run_ok(R.run(bw, lfq_backward_launch(npos, C, chunk, entropy), *cfg.dev), cfg, "LfqBackward");
        run_ok(R.run(LfqDecode{idx.data(), C, hw, dec.data()}, Launch{B, 0}, *cfg.dev), cfg, "LfqDecode");
        check(rel_err(q, r.q) == 0 && idx == r.idx && rel_err(dec, r.q) == 0, at(cfg, "lfq codes, indices, decode exact").c_str());
        const double le = fabs(loss[0] - r.loss) / std::max(fabs(r.loss), 1e-9);
        check(le < 1e-5, at(cfg, "lfq auxiliary loss").c_str(), le, 1e-5);
        check(rel_err(dx, r.dx) < 1e-4, at(cfg, "lfq dx").c_str(), rel_err(dx, r.dx), 1e-4);
        acc.add(cfg, q, idx, loss, dx, dec);
    }
    acc.compare();
}

// ---- VQ -----------------------------------------------------------------------------------------------------------

// rfsq_vq_forward (norms, the tiled search, gather + commitment loss), rfsq_vq_backward, rfsq_vq_decode.
void test_vq_forward(const ref::VqCase& k) {
    Rng g = fresh();
    const float wc = 0.8f;
    const auto cb = uniform_codebook(g, k.M, k.D, 1.0);
    const auto x = latents_near_codes(g, cb, k);
    const auto dzq = randn(g, k.E(), 1.0);
    Across acc{{"norms", "idx", "zq", "loss", "dx", "decode"}, {true, true, true, false, true, true}, {}};
    for (const Config& cfg : g_configs) {
        Runner& R = runner(cfg);
        auto norms = poisoned<float>(k.M), zq = poisoned<float>(k.E()), commit = poisoned<float>(k.B), loss = poisoned<float>(1),
             dx = poisoned<float>(k.E()), dec = poisoned<float>(k.E());
        auto idx = poisoned<int32_t>(k.N());
        run_ok(R.run(VqNorms{cb.data(), k.M, k.D, norms.data()}, vq_code_blocks_launch(k.M), *cfg.dev), cfg, "VqNorms");
        run_ok(R.run(VqSearch{x.data(), k.D, k.HW(), k.N(), cb.data(), norms.data(), k.M, idx.data()}, vq_search_launch(k.N()), *cfg.dev),
               cfg, "VqSearch");
        run_ok(R.run(VqGather{cb.data(), idx.data(), k.M, k.D, k.HW(), x.data(), zq.data(), commit.data()}, Launch{k.B, 0}, *cfg.dev), cfg,
               "VqGather");
        run_ok(R.run(PartialSum{commit.data(), k.B, (float)(wc / ((double)k.N() * k.D)), loss.data()}, Launch{1, 0}, *cfg.dev), cfg,
               "PartialSum");
        run_ok(R.run(VqBackward{x.data(), zq.data(), dzq.data(), k.E(), (float)(2.0 * wc / (double)k.E()), dx.data()}, chunk_launch(k.E()),
                     *cfg.dev), cfg, "VqBackward");
        run_ok(R.run(VqDecode{{cb.data(), idx.data(), k.M, k.D, k.HW(), nullptr, dec.data(), nullptr}}, Launch{k.B, 0}, *cfg.dev), cfg,
               "VqDecode");
        int64_t far = 0;
        const int64_t misses = ref::vq_index_misses(x, cb, k, idx, &far);
        check(far == 0 && misses == 0, at(cfg, "every index the nearest code (float64), the argmin where it is clear").c_str(),
              (double)(far + misses), 0);
        std::vector<double> zref(k.E()), gref(k.E()), nref(k.M, 0.0);
        double sq = 0;
        for (int64_t j = 0; j < k.M; ++j)
            for (int d = 0; d < k.D; ++d) nref[j] += (double)cb[j * k.D + d] * cb[j * k.D + d];
        for (int64_t n = 0; n < k.N(); ++n)
            for (int d = 0; d < k.D; ++d) {
                const int64_t e = k.at(n, d), j = idx[n] >= 0 && idx[n] < k.M ? idx[n] : 0;
                zref[e] = cb[j * k.D + d];
                sq += ((double)x[e] - zref[e]) * ((double)x[e] - zref[e]);
                gref[e] = dzq[e] + 2.0 * wc * ((double)x[e] - zref[e]) / (double)k.E();
            }
        const double lref = wc * sq / (double)k.E();
        check(rel_err(norms, nref) < 1e-5, at(cfg, "code norms").c_str(), rel_err(norms, nref), 1e-5);
        check(rel_err(zq, zref) == 0 && rel_err(dec, zref) == 0, at(cfg, "zq = decode = codebook[idx]").c_str());
        check(fabs(loss[0] - lref) / lref < 1e-5, at(cfg, "commitment loss").c_str(), fabs(loss[0] - lref) / lref, 1e-5);
        check(rel_err(dx, gref) < 1e-5, at(cfg, "vq dx").c_str(), rel_err(dx, gref), 1e-5);
        acc.add(cfg, norms, idx, zq, loss, dx, dec);
    }
    acc.compare();
}

// Exact ties go to the smallest index at every T: codes 17, 140 and 299 (other code tiles, other micro tiles)
// repeat code 5, and every latent sits next to code 5.
void test_vq_ties() {
    Rng g = fresh();
    const ref::VqCase k{300, 40, 2, 3, 5};
    auto cb = uniform_codebook(g, k.M, k.D, 1.0);
    const auto x = tie_to_code_5(g, cb, k);
    for (const Config& cfg : g_configs) {
        Runner& R = runner(cfg);
        auto norms = poisoned<float>(k.M);
        auto idx = poisoned<int32_t>(k.N());
        run_ok(R.run(VqNorms{cb.data(), k.M, k.D, norms.data()}, vq_code_blocks_launch(k.M), *cfg.dev), cfg, "VqNorms");
        run_ok(R.run(VqSearch{x.data(), k.D, k.HW(), k.N(), cb.data(), norms.data(), k.M, idx.data()}, vq_search_launch(k.N()), *cfg.dev),
               cfg, "VqSearch");
        check(idx == std::vector<int32_t>(k.N(), 5), at(cfg, "ties go to the smallest index (5 of 5, 17, 140, 299)").c_str());
    }
}

// One rfsq_vq_ema_update (accumulate, total, normalize, dead-code restarts) against float64 on fixed indices.
void test_vq_ema(const ref::VqCase& k, float decay, float dead) {
    Rng g = fresh();
    const float eps = 1e-5f;
    const auto x = randn(g, k.E(), 0.05);
    std::vector<float> cs0(k.M), ea0 = uniform_codebook(g, k.M, k.D, 0.1);
    for (auto& c : cs0) c = (float)(g.uniform() * 0.6);
    std::vector<int32_t> idx(k.N());
    for (auto& j : idx) j = (int32_t)(pow(g.uniform(), 3.0) * (k.M - 4));  // skewed; the last 4 codes get nothing
    for (int j = k.M - 4; j < k.M; ++j) cs0[j] = 0.1f;                          // and fall below any threshold > 0.1
    std::vector<double> rcs(k.M), rea(ea0.begin(), ea0.end()), rcb((size_t)k.M * k.D), cnt(k.M, 0.0), sum((size_t)k.M * k.D, 0.0);
    for (int64_t n = 0; n < k.N(); ++n) {
        cnt[idx[n]] += 1;
        for (int d = 0; d < k.D; ++d) sum[(size_t)idx[n] * k.D + d] += x[k.at(n, d)];
    }
    double ntot = 0;
    for (int64_t j = 0; j < k.M; ++j) ntot += (rcs[j] = decay * (double)cs0[j] + (1 - (double)decay) * cnt[j]);
    for (int64_t j = 0; j < k.M; ++j)
        for (int d = 0; d < k.D; ++d) {
            rea[j * k.D + d] = decay * rea[j * k.D + d] + (1 - (double)decay) * sum[j * k.D + d];
            rcb[j * k.D + d] = rea[j * k.D + d] / ((rcs[j] + eps) / (ntot + k.M * (double)eps) * ntot);
        }
    int64_t restarted = 0;
    for (int64_t j = 0; j < k.M && dead > 0; ++j) {
        if (!(rcs[j] < dead)) continue;
        const int64_t n = (int64_t)(((uint64_t)j * 2654435761ull) % 4294967296ull % (uint64_t)k.N());
        for (int d = 0; d < k.D; ++d) rcb[j * k.D + d] = x[k.at(n, d)], rea[j * k.D + d] = dead * (double)x[k.at(n, d)];
        rcs[j] = dead;
        ++restarted;
    }
    if (dead > 0) check(restarted > 0 && restarted < k.M, "the case restarts some codes and keeps others", (double)restarted, k.M);
    const int32_t jb = kCudaTuning.vq_ema_codes_per_team(k.D);
    Across acc{{"cluster_size", "embed_avg", "codebook"}, {true, true, false}, {}};
    for (const Config& cfg : g_configs) {
        Runner& R = runner(cfg);
        auto cs = cs0, ea = ea0;
        auto cb = poisoned<float>((size_t)k.M * k.D), total = poisoned<float>(1);
        run_ok(R.run(VqEmaAccumulate{x.data(), k.D, k.HW(), k.N(), idx.data(), k.M, jb, decay, cs.data(), ea.data()},
                     vq_ema_launch(k.M, jb, k.D), *cfg.dev), cfg, "VqEmaAccumulate");
        run_ok(R.run(PartialSum{cs.data(), k.M, 1.0f, total.data()}, Launch{1, 0}, *cfg.dev), cfg, "PartialSum");
        run_ok(R.run(VqEmaNormalize{cs.data(), ea.data(), total.data(), k.M, k.D, eps, (float)((double)k.M * eps), cb.data()},
                     vq_code_blocks_launch(k.M), *cfg.dev), cfg, "VqEmaNormalize");
        if (dead > 0)
            run_ok(R.run(VqRestart{x.data(), k.D, k.HW(), k.N(), k.M, dead, cs.data(), ea.data(), cb.data()}, vq_code_blocks_launch(k.M),
                         *cfg.dev), cfg, "VqRestart");
        check(rel_err(cs, rcs) < 1e-5, at(cfg, "cluster_size").c_str(), rel_err(cs, rcs), 1e-5);
        check(rel_err(ea, rea) < 1e-5, at(cfg, "embed_avg").c_str(), rel_err(ea, rea), 1e-5);
        check(rel_err(cb, rcb) < 1e-4, at(cfg, "codebook").c_str(), rel_err(cb, rcb), 1e-4);
        acc.add(cfg, cs, ea, cb);
    }
    acc.compare();
}

// ---- evaluation ops (pooling, metrics, LPIPS head) ------------------------------------------------------------

// Max-pool forward/backward and average pool of odd-sized planes, 8-bit conversion, per-image error sums, SSIM planes
// (team scratch: five rows of doubles, two barriers per output row), the LPIPS layer head and its gradient, the
// channel scale-add, against the float64 references.
void test_eval_ops() {
    Rng g = fresh();
    const int64_t B = 2, C = 3, H = 23, W = 17, n = B * C * H * W, OH = H / 2, OW = W / 2, no = B * C * OH * OW;
    const auto x = randn(g, n, 1.0), dy = randn(g, no, 1.0);
    std::vector<float> x8(n), y8(n);
    for (int64_t i = 0; i < n; ++i) {
        x8[i] = (float)std::min(255.0, std::max(0.0, floor(128 + 60.0 * x[i])));
        y8[i] = (float)std::min(255.0, std::max(0.0, floor(x8[i] + 20 * g.normal())));
    }
    const std::vector<float> scale = {58.395f, 57.12f, 57.375f}, shift = {123.675f, 116.28f, 103.53f};
    const int64_t FC = 37, FHW = 6 * 7, fn = B * FC * FHW;
    const auto fa = randn(g, fn, 1.0, 0.3), fb = randn(g, fn, 1.0, 0.3);
    std::vector<float> lw(FC);
    for (auto& v : lw) v = (float)(g.uniform() * 0.2);
    const auto fad = to_double(fa), fbd = to_double(fb), lwd = to_double(lw);
    std::vector<double> ref_err(B * 2, 0.0), ref_d(B), ref_ssim, ref_grad(fn);
    for (int64_t i = 0; i < n; ++i) {
        const double d = (double)x8[i] - y8[i];
        ref_err[i / (n / B) * 2] += fabs(d), ref_err[i / (n / B) * 2 + 1] += d * d;
    }
    for (int64_t b = 0; b < B; ++b) {
        ref_d[b] = ref::lpips_term(fad, fbd, b * FC * FHW, FC, FHW, lwd);
        ref::lpips_grad(fad, fbd, b * FC * FHW, FC, FHW, lwd, 0.7, ref_grad);
    }
    for (int64_t pl = 0; pl < B * C; ++pl) {
        const auto r = ref::ssim_plane(x8, y8, pl * H * W, H, W, 255.0, true);
        ref_ssim.push_back(r.first);
        ref_ssim.push_back(r.second);
    }
    Ssim ssim{x8.data(), y8.data(), H, W, 6.5025, 58.5225, 121.0 / 120.0, {}, nullptr};
    double total = 0;
    for (int k = 0; k < kSsimTaps; ++k) total += ssim.taps[k] = exp(-0.5 / 2.25 * (k - kSsimRadius) * (k - kSsimRadius));
    for (double& t : ssim.taps) t /= total;
    Across acc{{"max_pool", "max_pool_backward", "avg_pool", "to_8bit", "lpips_backward", "scale_add", "errors", "ssim", "lpips"},
               {true, true, true, true, true, true, false, false, false}, {}};
    for (const Config& cfg : g_configs) {
        Runner& R = runner(cfg);
        auto mp = poisoned<float>(no), mpb = poisoned<float>(n), ap = poisoned<float>(no), u8 = poisoned<float>(n),
             err = poisoned<float>(B * 2), ss = poisoned<float>(B * C * 2), d = poisoned<float>(B), dfa = poisoned<float>(fn);
        auto sa = y8;  // the scale-add accumulates into a copy
        ssim.out = ss.data();
        run_ok(R.run(MaxPoolForward{x.data(), H, W, mp.data()}, Launch{B * C, 0}, *cfg.dev), cfg, "MaxPoolForward");
        run_ok(R.run(MaxPoolBackward{x.data(), dy.data(), H, W, mpb.data()}, Launch{B * C, 0}, *cfg.dev), cfg, "MaxPoolBackward");
        run_ok(R.run(AvgPoolForward{x.data(), H, W, ap.data()}, Launch{B * C, 0}, *cfg.dev), cfg, "AvgPoolForward");
        run_ok(R.run(To8Bit{x.data(), C, H * W, scale.data(), shift.data(), u8.data()}, Launch{B * C, 0}, *cfg.dev), cfg, "To8Bit");
        run_ok(R.run(ImageErrors{x8.data(), y8.data(), n / B, err.data()}, Launch{B, 0}, *cfg.dev), cfg, "ImageErrors");
        run_ok(R.run(ssim, Launch{B * C, ssim_work_floats(W)}, *cfg.dev), cfg, "Ssim");
        run_ok(R.run(LpipsLayerForward{fa.data(), fb.data(), FC, FHW, lw.data(), 0, d.data()}, Launch{B, 0}, *cfg.dev), cfg,
               "LpipsLayerForward");
        run_ok(R.run(LpipsLayerBackward{fa.data(), fb.data(), FC, FHW, lw.data(), 0.7f, 0, dfa.data()}, Launch{B, 0}, *cfg.dev),
               cfg, "LpipsLayerBackward");
        run_ok(R.run(ChannelScaleAdd{x.data(), C, H * W, scale.data(), sa.data()}, Launch{B * C, 0}, *cfg.dev), cfg, "ChannelScaleAdd");
        int64_t wrong = 0;
        std::vector<float> rmpb(n, 0.0f);  // the gradient lands on each window's maximum, 0 elsewhere (dropped row too)
        for (int64_t pl = 0; pl < B * C; ++pl)
            for (int64_t i = 0; i < OH; ++i)
                for (int64_t j = 0; j < OW; ++j) {
                    const int64_t best = ref::max_pool_pick(x, pl, H, W, i, j), o = (pl * OH + i) * OW + j;
                    const float* a = &x[pl * H * W + 2 * i * W + 2 * j];
                    wrong += mp[o] != x[best];
                    rmpb[best] = dy[o];
                    wrong += fabs(ap[o] - ((double)a[0] + a[1] + a[W] + a[W + 1]) / 4) > 1e-6;
                }
        for (int64_t i = 0; i < n; ++i) {
            const int64_t c = (i / (H * W)) % C;
            wrong += mpb[i] != rmpb[i];
            wrong += u8[i] != ref::to_8bit(x[i], scale[c], shift[c]);
            wrong += fabs(sa[i] - ((double)y8[i] + (double)x[i] * scale[c])) > 1e-3;
        }
        check(wrong == 0, at(cfg, "max and avg pool, 8-bit conversion, scale-add").c_str(), (double)wrong, 0);
        check(rel_err(err, ref_err) < 1e-6, at(cfg, "per-image error sums").c_str(), rel_err(err, ref_err), 1e-6);
        check(rel_err(ss, ref_ssim) < 1e-6, at(cfg, "ssim planes").c_str(), rel_err(ss, ref_ssim), 1e-6);
        check(rel_err(d, ref_d) < 1e-5, at(cfg, "lpips layer term").c_str(), rel_err(d, ref_d), 1e-5);
        check(rel_err(dfa, ref_grad) < 1e-5, at(cfg, "lpips layer gradient").c_str(), rel_err(dfa, ref_grad), 1e-5);
        acc.add(cfg, mp, mpb, ap, u8, dfa, sa, err, ss, d);
    }
    acc.compare();
}

// NCHW <-> blocked nChw{k}c at k = 8 and 16, C not a multiple of k, over several chunks: exact, padding zero.
void test_blocked_convert() {
    Rng g = fresh();
    const int64_t B = 2, C = 19, HW = 40 * 23;
    const auto x = randn(g, B * C * HW, 1.0);
    for (int32_t k : {8, 16}) {
        const int64_t n = blocked_floats(B, C, HW, k), cb = ceil_div(C, k);
        std::vector<float> ref(n);
        for (int64_t b = 0; b < B; ++b)
            for (int64_t ch = 0; ch < cb * k; ++ch)
                for (int64_t p = 0; p < HW; ++p)
                    ref[((b * cb + ch / k) * HW + p) * k + ch % k] = ch < C ? x[(b * C + ch) * HW + p] : 0.0f;
        Across acc{{"to_blocked", "back"}, {true, true}, {}};
        for (const Config& cfg : g_configs) {
            Runner& R = runner(cfg);
            auto y = poisoned<float>(n), back = poisoned<float>(B * C * HW);
            run_ok(R.run(BlockedConvert{x.data(), C, HW, k, 1, n, y.data()}, chunk_launch(n), *cfg.dev), cfg, "BlockedConvert");
            run_ok(R.run(BlockedConvert{y.data(), C, HW, k, 0, n, back.data()}, chunk_launch(n), *cfg.dev), cfg, "BlockedConvert");
            check(y == ref, at(cfg, ("to blocked, k = " + std::to_string(k)).c_str()).c_str());
            check(back == x, at(cfg, ("back to NCHW, k = " + std::to_string(k)).c_str()).c_str());
            acc.add(cfg, y, back);
        }
        acc.compare();
    }
}

void run_all() {
    const char* dev = "emu";
    auto named = [&](const std::string& name, const std::function<void()>& f) { named_case(dev, name, f); };
    named("fsq forward/backward/codes<->indices", test_fsq);
    named("bad-data flags from any member", test_flags);
    named("team.sum's combining order (CudaTeam's)", test_sum_order);
    named("rfsq building blocks: sub, scale, layernorm + inverse", test_rfsq_blocks);
    named("rfsq running statistics update", test_running_update);
    const char* strat[] = {"none", "scale", "layernorm"};
    struct Shape {
        std::vector<int> L;
        int K;
        int64_t b, h, w;
    };
    for (const Shape& sh : {Shape{{8, 8, 8, 4}, 2, 3, 7, 9}, Shape{{4, 4, 4, 4, 4}, 4, 2, 6, 7}})
        for (int st = 0; st < 3; ++st) {
            const ref::RfsqCase tc{{levels_of(sh.L), sh.K, st}, sh.b, sh.h, sh.w};
            const std::string name = "rfsq forward + decode K=" + std::to_string(sh.K) + " C=" + std::to_string(sh.L.size()) + " " + strat[st];
            named(name, [&] { test_rfsq_forward(tc, false); });
            if (st == RFSQ_STRATEGY_LAYERNORM) named(name + " running", [&] { test_rfsq_forward(tc, true); });
        }
    for (const Shape& sh : {Shape{{8, 8, 8, 4}, 2, 2, 5, 7}, Shape{{4, 4, 4, 4, 4}, 4, 2, 4, 6}})
        for (int st = 0; st < 3; ++st) {
            const ref::RfsqCase tc{{levels_of(sh.L), sh.K, st}, sh.b, sh.h, sh.w};
            named("rfsq backward vs finite differences K=" + std::to_string(sh.K) + " " + strat[st], [&] { test_rfsq_backward(tc); });
        }
    named("relu, channel affine, l1 loss, sum of squares", test_train_ops);
    named("adam with clipping", test_adam);
    named("lfq C=5, commitment + entropy", [] { test_lfq(5, 0.25f, 0.1f, 1.0f, 2, 9, 11); });
    named("lfq C=9, entropy only, tau 0.7 (16 code blocks)", [] { test_lfq(9, 0.0f, 0.3f, 0.7f, 1, 10, 13); });
    named("lfq C=6, commitment only", [] { test_lfq(6, 0.25f, 0.0f, 1.0f, 2, 5, 7); });
    named("vq M=300 D=37 (tile and chunk tails)", [] { test_vq_forward(ref::VqCase{300, 37, 2, 5, 7}); });
    named("vq M=1 D=3", [] { test_vq_forward(ref::VqCase{1, 3, 1, 2, 3}); });
    named("vq ties go to the smallest index", test_vq_ties);
    named("vq ema M=200 D=19", [] { test_vq_ema(ref::VqCase{200, 19, 2, 6, 6}, 0.99f, 0.0f); });
    named("vq ema with dead-code restart M=16 D=7", [] { test_vq_ema(ref::VqCase{16, 7, 2, 6, 6}, 0.9f, 0.25f); });
    named("pooling, 8-bit conversion, error sums, ssim, lpips head, scale-add", test_eval_ops);
    named("blocked layout conversions", test_blocked_convert);
    // Every op of RFSQ_FOR_EACH_OP ran.
    g_case = "coverage";
    std::vector<std::string> missing;
#define RFSQ_OP_SEEN(Op) \
    if (!emu::ops_run().count(typeid(Op).name())) missing.push_back(#Op);
    RFSQ_FOR_EACH_OP(RFSQ_OP_SEEN)
#undef RFSQ_OP_SEEN
    std::string list;
    for (const auto& m : missing) list += " " + m;
    check(missing.empty(), ("every op of ops.h ran under the team runner; missing:" + list).c_str(), (double)missing.size(), 0);
    printf("emu  %-60s %s\n", "every op of ops.h covered", missing.empty() ? "ok" : "FAILED");
}

}  // namespace

// RFSQ_TEAM_CONFIGS=free: free-running members only, at T = 4 and 32 (for ThreadSanitizer, which needs the members
// to run concurrently and is too slow for 256 threads).
int main() {
    const char* quick = getenv("RFSQ_TEAM_CONFIGS");
    if (quick && strcmp(quick, "free") == 0) {
        g_configs = {{4, Schedule::Free, &emu::kH200}, {32, Schedule::Free, &emu::kH200}, {32, Schedule::Free, &emu::kTinyShared}};
    } else {
        g_configs = {{1, Schedule::Ascending, &emu::kH200},    {4, Schedule::Descending, &emu::kH200},
                     {4, Schedule::Shuffled, &emu::kTinyShared}, {32, Schedule::Descending, &emu::kH200},
                     {32, Schedule::Shuffled, &emu::kH200},    {32, Schedule::Free, &emu::kH200},
                     {256, Schedule::Descending, &emu::kTinyShared}, {256, Schedule::Shuffled, &emu::kH200}};
    }
    printf("team emulation configs:");
    for (const Config& c : g_configs) printf(" [%s]", config_name(c).c_str());
    printf("\n");
    run_all();
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
