// The CPU kernel variants (baseline x86-64, AVX2, AVX-512; rfsq.h's RFSQ_CPU_ISA_*) give the same bits: every op
// runs on fresh random inputs in a context of each variant this CPU supports, and every output (and status) must
// equal the baseline variant's byte for byte. And the fused RFSQ forward gives an image the same bits however it is
// scheduled: alone or in batches of any size (by image, by position, in tiles of vectors) and on 1, 2 or 3 threads.
// The values themselves are checked against float64 references by the other native tests, on every variant too.
#include <omp.h>

#include "harness.h"

namespace {

using Bytes = std::vector<unsigned char>;

template <class T>
void append(Bytes& out, const Buf<T>& b) {
    const std::vector<T> v = b.get();
    const auto* p = reinterpret_cast<const unsigned char*>(v.data());
    out.insert(out.end(), p, p + v.size() * sizeof(T));
}

void append_status(Bytes& out, int st) {
    const auto* p = reinterpret_cast<const unsigned char*>(&st);
    out.insert(out.end(), p, p + sizeof st);
}

// One op (or a few that belong together) on a context: appends its statuses and outputs. Inputs come from a fixed
// seed per case, so every variant sees the same ones.
struct Case {
    std::string name;
    std::function<void(rfsq_ctx*, Bytes&)> run;
};

std::vector<float> params_for(Rng& g, const rfsq_rfsq_cfg& cfg) {
    int64_t n = 0;
    rfsq_rfsq_param_count(&cfg, &n);
    std::vector<float> p(n > 0 ? n : 1);
    const int C = cfg.levels.count;
    for (int s = 0; s < cfg.stages; ++s) {
        if (cfg.strategy == RFSQ_STRATEGY_SCALE) p[s] = (float)(g.uniform() * 2 - 1);
        if (cfg.strategy == RFSQ_STRATEGY_LAYERNORM)
            for (int c = 0; c < C; ++c) p[s * 2 * C + c] = (float)(0.5 + g.uniform()), p[s * 2 * C + C + c] = (float)(g.uniform() - 0.5);
    }
    return p;
}

void rfsq_case(std::vector<Case>& cases, std::vector<int> L, int K, int strategy, int64_t b, int64_t h, int64_t w, uint64_t seed) {
    char name[160];
    snprintf(name, sizeof name, "rfsq %zux%d K=%d strategy %d on %lldx%lldx%lld: forward (per-image and running), backward, decode",
             L.size(), L[0], K, strategy, (long long)b, (long long)h, (long long)w);
    cases.push_back({name, [=](rfsq_ctx* ctx, Bytes& out) {
        Rng g(seed);
        const rfsq_rfsq_cfg cfg{levels_of(L), K, strategy};
        const int C = (int)L.size();
        const int64_t n = b * C * h * w;
        Buf<float> z(ctx, randn(g, n, 1.3, 0.2)), dzhat(ctx, randn(g, n, 1.0)), params(ctx, params_for(g, cfg));
        std::vector<float> run(K * C * 2);
        for (int i = 0; i < K * C; ++i) run[2 * i] = (float)(g.normal() * 0.2), run[2 * i + 1] = (float)(0.5 + g.uniform());
        Buf<float> running(ctx, run), zhat(ctx, n), stats(ctx, K * b * C * 2), rnorm(ctx, b * K), dz(ctx, n), dp(ctx, 2 * K * C), dec(ctx, n);
        Buf<int32_t> idx(ctx, b * h * w * K);
        append_status(out, rfsq_rfsq_forward(ctx, &cfg, z.d, b, h, w, params.d, nullptr, zhat.d, idx.d, stats.d, rnorm.d));
        append(out, zhat), append(out, idx), append(out, rnorm);
        if (strategy == RFSQ_STRATEGY_LAYERNORM) append(out, stats);
        append_status(out, rfsq_rfsq_decode(ctx, &cfg, idx.d, b, h, w, params.d, stats.d, 1, dec.d));
        append(out, dec);
        append_status(out, rfsq_rfsq_backward(ctx, &cfg, z.d, b, h, w, params.d, dzhat.d, dz.d, dp.d));
        append(out, dz);
        if (strategy != RFSQ_STRATEGY_NONE) append(out, dp);
        if (strategy == RFSQ_STRATEGY_LAYERNORM) {
            append_status(out, rfsq_rfsq_forward(ctx, &cfg, z.d, b, h, w, params.d, running.d, zhat.d, idx.d, nullptr, rnorm.d));
            append(out, zhat), append(out, idx), append(out, rnorm);
        }
    }});
}

std::vector<Case> all_cases() {
    std::vector<Case> cases;
    const int64_t big = 16;
    for (int st = 0; st < 3; ++st) {
        rfsq_case(cases, {8, 8, 8, 4}, 2, st, big, 32, 32, 100 + st);  // by image
        rfsq_case(cases, {4, 4, 4, 4, 4}, 4, st, 3, 32, 32, 110 + st);  // by position
        rfsq_case(cases, {8, 5, 5, 5}, 3, st, 5, 7, 9, 120 + st);      // odd sizes: lane and block tails
        rfsq_case(cases, {4, 4, 4, 4, 4}, 4, st, 37, 1, 1, 130 + st);  // vectors: tiles
        rfsq_case(cases, {8, 8, 8, 4}, 2, st, 9, 2, 3, 140 + st);      // tiles of 2 images of 6 positions
    }
    cases.push_back({"fsq forward, backward, codes <-> indices", [](rfsq_ctx* ctx, Bytes& out) {
        Rng g(200);
        const rfsq_levels lv = levels_of({8, 5, 5, 5});
        const int64_t b = 3, h = 9, w = 11, n = b * 4 * h * w;
        Buf<float> x(ctx, randn(g, n, 1.5)), dc(ctx, randn(g, n, 1.0)), codes(ctx, n), dx(ctx, n), back(ctx, n);
        Buf<int32_t> idx(ctx, b * h * w), idx2(ctx, b * h * w);
        append_status(out, rfsq_fsq_forward(ctx, &lv, x.d, b, h, w, codes.d, idx.d));
        append_status(out, rfsq_fsq_backward(ctx, &lv, x.d, b, h, w, dc.d, dx.d));
        append_status(out, rfsq_fsq_codes_to_indices(ctx, &lv, codes.d, b, h, w, idx2.d));
        append_status(out, rfsq_fsq_indices_to_codes(ctx, &lv, idx.d, b, h, w, back.d));
        append(out, codes), append(out, idx), append(out, dx), append(out, idx2), append(out, back);
    }});
    cases.push_back({"stage blocks: residual sub, scale, layernorm and inverse, running update", [](rfsq_ctx* ctx, Bytes& out) {
        Rng g(210);
        const rfsq_levels lv = levels_of({4, 4, 4});
        const int64_t b = 4, h = 6, w = 7, n = b * 3 * h * w;
        Buf<float> x(ctx, randn(g, n, 1.5)), y(ctx, randn(g, n, 1.0)), theta(ctx, std::vector<float>{0.3f}),
            gamma(ctx, std::vector<float>{1.2f, 0.7f, 0.9f}), beta(ctx, std::vector<float>{0.1f, -0.2f, 0.0f});
        Buf<float> sub(ctx, n), q(ctx, n), ln(ctx, n), st(ctx, b * 3 * 2), inv(ctx, n), run(ctx, randn(g, 2 * 3 * 2, 1.0)),
            stats(ctx, randn(g, 2 * b * 3 * 2, 1.0));
        const rfsq_rfsq_cfg cfg{lv, 2, RFSQ_STRATEGY_LAYERNORM};
        append_status(out, rfsq_residual_sub(ctx, x.d, y.d, n, sub.d));
        append_status(out, rfsq_scale_forward(ctx, &lv, theta.d, x.d, b, h, w, q.d));
        append_status(out, rfsq_layernorm_forward(ctx, x.d, b, 3, h, w, gamma.d, beta.d, ln.d, st.d));
        append_status(out, rfsq_layernorm_inverse(ctx, ln.d, b, 3, h, w, gamma.d, beta.d, st.d, inv.d));
        append_status(out, rfsq_rfsq_running_update(ctx, &cfg, stats.d, b, 0.9f, run.d));
        append(out, sub), append(out, q), append(out, ln), append(out, st), append(out, inv), append(out, run);
    }});
    cases.push_back({"training blocks: relu, channel affine, l1 loss, sum of squares, adam and adamw", [](rfsq_ctx* ctx, Bytes& out) {
        Rng g(220);
        const int64_t b = 2, c = 3, h = 40, w = 50, n = b * c * h * w;
        Buf<float> x(ctx, randn(g, n, 1.0)), dy(ctx, randn(g, n, 1.0)), y(ctx, n), dx(ctx, n), aff(ctx, n),
            scale(ctx, std::vector<float>{2.0f, 0.5f, -1.0f}), shift(ctx, std::vector<float>{0.1f, 0.2f, 0.3f}),
            loss(ctx, 1), grad(ctx, n), sq(ctx, 1), p(ctx, randn(g, n, 0.1)), m(ctx, randn(g, n, 0.01)), v(ctx, n);
        std::vector<float> vh(n);
        for (auto& e : vh) e = (float)g.uniform() * 1e-3f;
        v.put(vh);
        append_status(out, rfsq_relu_forward(ctx, x.d, n, y.d));
        append_status(out, rfsq_relu_backward(ctx, y.d, dy.d, n, dx.d));
        append_status(out, rfsq_channel_affine(ctx, x.d, b, c, h, w, scale.d, shift.d, aff.d));
        append_status(out, rfsq_l1_loss(ctx, x.d, dy.d, n, 0.7f, loss.d, grad.d));
        append_status(out, rfsq_sum_squares(ctx, x.d, n, sq.d));
        for (int decoupled = 0; decoupled < 2; ++decoupled) {
            const rfsq_adam_cfg cfg{1e-3, 0.9, 0.999, 1e-8, 5e-5, 0.5, decoupled, 3};
            append_status(out, rfsq_adam_step(ctx, &cfg, p.d, dy.d, m.d, v.d, n, sq.d));
        }
        append(out, y), append(out, dx), append(out, aff), append(out, loss), append(out, grad), append(out, sq);
        append(out, p), append(out, m), append(out, v);
    }});
    cases.push_back({"lfq forward, backward, decode", [](rfsq_ctx* ctx, Bytes& out) {
        Rng g(230);
        const rfsq_lfq_cfg cfg{10, 0.25f, 0.1f, 2.5f, 1.3f};
        const int64_t b = 2, h = 9, w = 7, n = b * 10 * h * w;
        Buf<float> x(ctx, randn(g, n, 1.0)), dq(ctx, randn(g, n, 1.0)), q(ctx, n), loss(ctx, 1), dx(ctx, n), back(ctx, n);
        Buf<int32_t> idx(ctx, b * h * w);
        append_status(out, rfsq_lfq_forward(ctx, &cfg, x.d, b, h, w, q.d, idx.d, loss.d));
        append_status(out, rfsq_lfq_backward(ctx, &cfg, x.d, b, h, w, dq.d, dx.d));
        append_status(out, rfsq_lfq_decode(ctx, &cfg, idx.d, b, h, w, back.d));
        append(out, q), append(out, idx), append(out, loss), append(out, dx), append(out, back);
    }});
    cases.push_back({"vq forward, ema update (dead-code restart), backward, decode", [](rfsq_ctx* ctx, Bytes& out) {
        Rng g(240);
        const rfsq_vq_cfg cfg{64, 8, 0.99f, 1e-5f, 1.0f, 0.5f};
        const int64_t b = 2, h = 6, w = 5, n = b * 8 * h * w;
        Buf<float> x(ctx, randn(g, n, 1.0)), book(ctx, randn(g, 64 * 8, 1.0)), zq(ctx, n), loss(ctx, 1), dzq(ctx, randn(g, n, 1.0)),
            dx(ctx, n), cs(ctx, std::vector<float>(64, 1.0f)), avg(ctx, randn(g, 64 * 8, 1.0)), back(ctx, n);
        Buf<int32_t> idx(ctx, b * h * w);
        append_status(out, rfsq_vq_forward(ctx, &cfg, x.d, b, h, w, book.d, zq.d, idx.d, loss.d));
        append_status(out, rfsq_vq_backward(ctx, &cfg, x.d, zq.d, b, h, w, dzq.d, dx.d));
        append_status(out, rfsq_vq_ema_update(ctx, &cfg, x.d, b, h, w, idx.d, cs.d, avg.d, book.d));
        append_status(out, rfsq_vq_decode(ctx, &cfg, book.d, idx.d, b, h, w, back.d));
        append(out, zq), append(out, idx), append(out, loss), append(out, dx), append(out, cs), append(out, avg), append(out, book),
            append(out, back);
    }});
    cases.push_back({"evaluation ops: pools, 8-bit conversion, error sums, ssim, lpips head, scale-add", [](rfsq_ctx* ctx, Bytes& out) {
        Rng g(250);
        const int64_t b = 2, c = 3, h = 23, w = 19, n = b * c * h * w, np = b * c * (h / 2) * (w / 2);
        Buf<float> x(ctx, randn(g, n, 1.0)), y(ctx, randn(g, n, 1.0)), dyp(ctx, randn(g, np, 1.0)), mp(ctx, np), dx(ctx, n),
            ap(ctx, np), scale(ctx, std::vector<float>{58.4f, 57.1f, 57.4f}), shift(ctx, std::vector<float>{123.7f, 116.3f, 103.5f}),
            u8(ctx, n), err(ctx, b * 2), ss(ctx, b * c * 2), lw(ctx, std::vector<float>{0.3f, 0.9f, 0.5f}), d(ctx, b),
            dfa(ctx, n), sa(ctx, randn(g, n, 1.0));
        append_status(out, rfsq_max_pool2x2_forward(ctx, x.d, b, c, h, w, mp.d));
        append_status(out, rfsq_max_pool2x2_backward(ctx, x.d, dyp.d, b, c, h, w, dx.d));
        append_status(out, rfsq_avg_pool2x2_forward(ctx, x.d, b, c, h, w, ap.d));
        append_status(out, rfsq_to_8bit(ctx, x.d, b, c, h, w, scale.d, shift.d, u8.d));
        append_status(out, rfsq_image_errors(ctx, x.d, y.d, b, c * h * w, err.d));
        append_status(out, rfsq_ssim(ctx, x.d, y.d, b, c, h, w, 2.0f, 1, ss.d));
        append_status(out, rfsq_lpips_layer_forward(ctx, x.d, y.d, b, c, h, w, lw.d, 0, d.d));
        append_status(out, rfsq_lpips_layer_backward(ctx, x.d, y.d, b, c, h, w, lw.d, 0.7f, 0, dfa.d));
        append_status(out, rfsq_channel_scale_add(ctx, x.d, b, c, h, w, lw.d, sa.d));
        append(out, mp), append(out, dx), append(out, ap), append(out, u8), append(out, err), append(out, ss), append(out, d),
            append(out, dfa), append(out, sa);
    }});
    cases.push_back({"blocked layout conversions, adam with device constants", [](rfsq_ctx* ctx, Bytes& out) {
        Rng g(260);
        const int64_t b = 2, c = 19, h = 9, w = 13, n = b * c * h * w;
        int32_t k = 1;
        append_status(out, rfsq_conv_block(ctx, &k));
        const int64_t nb = b * ((c + k - 1) / k) * k * h * w;
        Buf<float> x(ctx, randn(g, n, 1.0)), blocked(ctx, nb), back(ctx, n), p(ctx, randn(g, n, 0.1)), grad(ctx, randn(g, n, 1.0)),
            m(ctx, randn(g, n, 0.01)), v(ctx, std::vector<float>(n, 1e-4f)), sq(ctx, std::vector<float>{3.0f}), consts(ctx, 3);
        append_status(out, rfsq_blocked_convert(ctx, x.d, b, c, h, w, 1, blocked.d));
        append_status(out, rfsq_blocked_convert(ctx, blocked.d, b, c, h, w, 0, back.d));
        const rfsq_adam_cfg cfg{1e-3, 0.9, 0.999, 1e-8, 5e-5, 0.5, 1, 4};
        std::vector<float> host(3);
        append_status(out, rfsq_adam_constants(&cfg, host.data()));
        consts.put(host);
        append_status(out, rfsq_adam_step_device(ctx, &cfg, consts.d, p.d, grad.d, m.d, v.d, n, sq.d));
        append(out, blocked), append(out, back), append(out, p), append(out, m), append(out, v);
    }});
    return cases;
}

void test_variants_agree() {
    const std::vector<std::string> variants = cpu_variants();
    printf("CPU kernel variants on this CPU: ");
    for (const auto& v : variants) printf("%s ", v.c_str());
    printf("\n");
    if (variants.size() < 2) printf("only one variant: the comparison between variants is SKIPPED\n");
    const std::vector<Case> cases = all_cases();
    std::vector<Bytes> reference(cases.size());
    for (const std::string& v : variants) {
        rfsq_ctx* ctx = nullptr;
        g_case = "cpu-" + v;
        if (cpu_context(v, &ctx) != RFSQ_OK) {
            check(false, "context of the variant");
            continue;
        }
        int32_t isa = -1;
        rfsq_ctx_cpu_isa(ctx, &isa);
        check(v == std::string(isa == 2 ? "avx512" : isa == 1 ? "avx2" : "baseline"), "the context runs the variant RFSQ_CPU_ISA named");
        for (size_t i = 0; i < cases.size(); ++i) {
            Bytes out;
            cases[i].run(ctx, out);
            if (v == variants[0]) {
                reference[i] = out;
                named_case(("cpu-" + v).c_str(), cases[i].name + " (reference)", [] {});
            } else {
                named_case(("cpu-" + v).c_str(), cases[i].name + " = " + variants[0], [&] {
                    check(out == reference[i], "same bytes as the first variant");
                });
            }
        }
        rfsq_ctx_destroy(ctx);
    }
}

// The forward of every image of one batch, then of each image alone, of sub-batches, and on other thread counts:
// the same bytes (indices, zhat, stats, rnorm) whatever the schedule.
void test_schedules(rfsq_ctx* ctx, const char* dev) {
    struct Shape {
        std::vector<int> L;
        int K;
        int64_t b, h, w;
    };
    const Shape shapes[] = {{{4, 4, 4, 4, 4}, 4, 8, 32, 32}, {{8, 8, 8, 4}, 2, 6, 17, 23}, {{4, 4, 4, 4, 4}, 4, 40, 1, 1},
                            {{8, 5, 5, 5}, 3, 11, 2, 2}, {{8, 8, 8, 4}, 2, 4, 3, 5}};
    const int saved_threads = omp_get_max_threads();
    for (const auto& sh : shapes)
        for (int st = 0; st < 3; ++st) {
            char name[160];
            snprintf(name, sizeof name, "rfsq forward %zux%d K=%d strategy %d on %lldx%lldx%lld: alone = in batches = on 1-3 threads",
                     sh.L.size(), sh.L[0], sh.K, st, (long long)sh.b, (long long)sh.h, (long long)sh.w);
            named_case(dev, name, [&] {
                Rng g(300 + st);
                const rfsq_rfsq_cfg cfg{levels_of(sh.L), sh.K, st};
                const int C = (int)sh.L.size(), K = sh.K;
                const int64_t N = sh.h * sh.w, per = C * N;
                Buf<float> z(ctx, randn(g, sh.b * per, 1.3, 0.2)), params(ctx, params_for(g, cfg));
                auto forward = [&](int64_t first, int64_t count) {
                    // Outputs of images [first, first + count), one call; stats (K, count, C, 2) reordered to per image.
                    Buf<float> zhat(ctx, count * per), stats(ctx, K * count * C * 2), rnorm(ctx, count * K);
                    Buf<int32_t> idx(ctx, count * N * K);
                    check(rfsq_rfsq_forward(ctx, &cfg, z.d + first * per, count, sh.h, sh.w, params.d, nullptr, zhat.d, idx.d,
                                            stats.d, rnorm.d) == RFSQ_OK, "forward");
                    std::vector<Bytes> images(count);
                    const auto zh = zhat.get();
                    const auto ix = idx.get();
                    const auto sts = stats.get();
                    const auto rn = rnorm.get();
                    for (int64_t i = 0; i < count; ++i) {
                        Bytes& o = images[i];
                        auto put = [&](const void* p, size_t bytes) {
                            o.insert(o.end(), (const unsigned char*)p, (const unsigned char*)p + bytes);
                        };
                        put(&zh[i * per], per * 4);
                        put(&ix[i * N * K], N * K * 4);
                        put(&rn[i * K], K * 4);
                        if (st == RFSQ_STRATEGY_LAYERNORM)
                            for (int s = 0; s < K; ++s) put(&sts[(s * count + i) * C * 2], C * 2 * 4);
                    }
                    return images;
                };
                const std::vector<Bytes> whole = forward(0, sh.b);
                for (int threads = 1; threads <= 3; ++threads) {
                    omp_set_num_threads(threads);
                    check(forward(0, sh.b) == whole, "the whole batch on 1, 2, 3 threads");
                    for (int64_t i = 0; i < sh.b; i += std::max<int64_t>(1, sh.b / 3))
                        check(forward(i, 1)[0] == whole[i], "an image alone");
                    for (int64_t first = 1, count = 2; first + count <= sh.b; first += count, count += 3) {
                        const auto part = forward(first, count);
                        for (int64_t i = 0; i < count; ++i) check(part[i] == whole[first + i], "an image in a sub-batch");
                    }
                }
                omp_set_num_threads(saved_threads);
            });
        }
}

}  // namespace

int main() {
    test_variants_agree();
    // The schedules on every variant (run_on_every_device); on CUDA too, where the same must hold per image.
    return run_on_every_device(test_schedules);
}
