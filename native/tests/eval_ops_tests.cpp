// Native tests of the evaluation ops (2x2 max/avg pooling, 8-bit conversion, per-image errors, SSIM planes, the
// LPIPS layer head and its gradient, the channel scale-add) against float64 references on fresh random inputs,
// with poisoned outputs. The LPIPS gradient's float64 reference is itself checked by central differences.
// CPU always; CUDA too when a GPU is usable.
#include "harness.h"
#include "reference.h"

namespace {

// ---- pooling ------------------------------------------------------------------------------------------------

void test_max_pool(rfsq_ctx* ctx) {
    Rng g = fresh();
    const int64_t B = 2, C = 3, H = 9, W = 7, OH = H / 2, OW = W / 2;  // odd: the last row and column are dropped
    auto x = randn(g, B * C * H * W, 1.0);
    x[1] = x[0];                    // a tie in the first window: the first element wins
    x[(1 * C + 2) * H * W + 3] = NAN;  // a NaN propagates, and takes the gradient
    const auto dy = randn(g, B * C * OH * OW, 1.0);
    Buf<float> dx_in(ctx, x), y(ctx, B * C * OH * OW), ddy(ctx, dy), dx(ctx, B * C * H * W);
    check(settle(ctx, rfsq_max_pool2x2_forward(ctx, dx_in.d, B, C, H, W, y.d)) == RFSQ_OK, "max_pool forward");
    check(settle(ctx, rfsq_max_pool2x2_backward(ctx, dx_in.d, ddy.d, B, C, H, W, dx.d)) == RFSQ_OK, "max_pool backward");
    std::vector<double> ry(B * C * OH * OW), rdx(B * C * H * W, 0.0);
    for (int64_t pl = 0; pl < B * C; ++pl)
        for (int64_t i = 0; i < OH; ++i)
            for (int64_t j = 0; j < OW; ++j) {
                const int64_t best = ref::max_pool_pick(x, pl, H, W, i, j);
                ry[(pl * OH + i) * OW + j] = x[best];
                rdx[best] = dy[(pl * OH + i) * OW + j];
            }
    const auto yo = y.get(), dxo = dx.get();
    int64_t wrong = 0;
    for (size_t i = 0; i < ry.size(); ++i) wrong += !(yo[i] == ry[i] || (std::isnan(yo[i]) && std::isnan(ry[i])));
    check(wrong == 0, "max_pool forward exact (ties, NaN)", (double)wrong, 0);
    wrong = 0;
    for (size_t i = 0; i < rdx.size(); ++i) wrong += dxo[i] != rdx[i];
    check(wrong == 0, "max_pool backward routes dy to the maximum, 0 elsewhere", (double)wrong, 0);
    check(std::isnan(yo[(1 * C + 2) * OH * OW + 1]), "NaN window gives NaN");
    check(rfsq_max_pool2x2_forward(ctx, dx_in.d, B, C, 1, W, y.d) == RFSQ_E_INVALID, "height 1 rejected");
    check(rfsq_max_pool2x2_backward(ctx, dx_in.d, nullptr, B, C, H, W, dx.d) == RFSQ_E_INVALID, "NULL dy rejected");
}

void test_avg_pool(rfsq_ctx* ctx) {
    Rng g = fresh();
    const int64_t B = 3, C = 2, H = 10, W = 13, OH = H / 2, OW = W / 2;
    const auto x = randn(g, B * C * H * W, 2.0, 1.0);
    Buf<float> dx(ctx, x), y(ctx, B * C * OH * OW);
    check(settle(ctx, rfsq_avg_pool2x2_forward(ctx, dx.d, B, C, H, W, y.d)) == RFSQ_OK, "avg_pool forward");
    std::vector<double> want(B * C * OH * OW);
    for (int64_t pl = 0; pl < B * C; ++pl)
        for (int64_t i = 0; i < OH; ++i)
            for (int64_t j = 0; j < OW; ++j) {
                const float* a = &x[pl * H * W + 2 * i * W + 2 * j];
                want[(pl * OH + i) * OW + j] = ((double)a[0] + a[1] + a[W] + a[W + 1]) / 4;
            }
    check(rel_err(y.get(), want) < 1e-6, "avg_pool = mean of each 2x2 block", rel_err(y.get(), want), 1e-6);
}

// ---- metrics ------------------------------------------------------------------------------------------------

void test_to_8bit(rfsq_ctx* ctx) {
    Rng g = fresh();
    const int64_t B = 2, C = 3, H = 11, W = 13, n = B * C * H * W;
    auto x = randn(g, n, 1.5);
    const std::vector<float> scale = {58.395f, 57.12f, 57.375f}, shift = {123.675f, 116.28f, 103.53f};
    x[0] = (100.5f - shift[0]) / scale[0];  // near a half: whatever double says, the op must agree
    x[1] = -40.0f;                          // far below 0 and above 255: clamped
    x[2] = 40.0f;
    Buf<float> dx(ctx, x), ds(ctx, scale), dsh(ctx, shift), y(ctx, n);
    check(settle(ctx, rfsq_to_8bit(ctx, dx.d, B, C, H, W, ds.d, dsh.d, y.d)) == RFSQ_OK, "to_8bit");
    const auto yo = y.get();
    int64_t wrong = 0;
    for (int64_t i = 0; i < n; ++i) {
        const int64_t c = (i / (H * W)) % C;
        wrong += yo[i] != ref::to_8bit(x[i], scale[c], shift[c]);
    }
    check(wrong == 0, "to_8bit = clamp(floor(x * scale + shift + 0.5), 0, 255)", (double)wrong, 0);
    check(yo[1] == 0.0f && yo[2] == 255.0f, "clamped to 0 and 255");
    x[7] = NAN;
    dx.put(x);
    check(settle(ctx, rfsq_to_8bit(ctx, dx.d, B, C, H, W, ds.d, dsh.d, y.d)) == RFSQ_E_NONFINITE, "NaN reported");
}

void test_image_errors(rfsq_ctx* ctx) {
    Rng g = fresh();
    const int64_t B = 3, n = 3 * 37 * 29 + 5;
    const auto a = randn(g, B * n, 1.0), b = randn(g, B * n, 1.0, 0.2);
    Buf<float> da(ctx, a), db(ctx, b), out(ctx, B * 2);
    check(settle(ctx, rfsq_image_errors(ctx, da.d, db.d, B, n, out.d)) == RFSQ_OK, "image_errors");
    std::vector<double> want(B * 2, 0.0);
    for (int64_t i = 0; i < B * n; ++i) {
        const double d = (double)a[i] - b[i];
        want[i / n * 2] += fabs(d);
        want[i / n * 2 + 1] += d * d;
    }
    check(rel_err(out.get(), want) < 1e-6, "per-image sum |a - b| and sum (a - b)^2", rel_err(out.get(), want), 1e-6);
    check(rfsq_image_errors(ctx, da.d, db.d, 0, n, out.d) == RFSQ_E_INVALID, "batch 0 rejected");
}

void test_ssim(rfsq_ctx* ctx, int64_t H, int64_t W, bool sample) {
    Rng g = fresh();
    const int64_t B = 2, C = 3, n = B * C * H * W;
    std::vector<float> x(n), y(n);
    for (int64_t i = 0; i < n; ++i) {  // 8-bit images: a smooth pattern plus noise, and a noisier copy
        const double v = 128 + 90 * sin(0.05 * (double)(i % W) + 0.09 * (double)(i / W % H)) + 20 * g.normal();
        x[i] = (float)std::min(255.0, std::max(0.0, floor(v)));
        y[i] = (float)std::min(255.0, std::max(0.0, floor(x[i] + 25 * g.normal())));
    }
    Buf<float> dx(ctx, x), dy(ctx, y), out(ctx, B * C * 2), same(ctx, B * C * 2);
    check(settle(ctx, rfsq_ssim(ctx, dx.d, dy.d, B, C, H, W, 255.0f, sample, out.d)) == RFSQ_OK, "ssim");
    std::vector<double> want;
    for (int64_t pl = 0; pl < B * C; ++pl) {
        const auto r = ref::ssim_plane(x, y, pl * H * W, H, W, 255.0, sample);
        want.push_back(r.first);
        want.push_back(r.second);
    }
    check(rel_err(out.get(), want) < 1e-6, "ssim and cs means = direct 11x11 float64 reference", rel_err(out.get(), want), 1e-6);
    check(settle(ctx, rfsq_ssim(ctx, dx.d, dx.d, B, C, H, W, 255.0f, sample, same.d)) == RFSQ_OK, "ssim(x, x)");
    const auto so = same.get();
    check(std::all_of(so.begin(), so.end(), [](float v) { return fabs(v - 1.0f) < 1e-6f; }), "ssim(x, x) = 1");
    check(rfsq_ssim(ctx, dx.d, dy.d, B, C, 10, W, 255.0f, sample, out.d) == RFSQ_E_INVALID, "height 10 < window rejected");
    check(rfsq_ssim(ctx, dx.d, dy.d, B, C, H, W, 0.0f, sample, out.d) == RFSQ_E_INVALID, "data_range 0 rejected");
    check(rfsq_ssim(ctx, dx.d, dy.d, B, C, H, W, 255.0f, 2, out.d) == RFSQ_E_INVALID, "sample_covariance 2 rejected");
    x[5] = NAN;
    dx.put(x);
    check(settle(ctx, rfsq_ssim(ctx, dx.d, dy.d, B, C, H, W, 255.0f, sample, out.d)) == RFSQ_E_NONFINITE, "NaN reported");
}

// ---- LPIPS head ---------------------------------------------------------------------------------------------

void test_lpips_layer(rfsq_ctx* ctx) {
    Rng g = fresh();
    const int64_t B = 3, C = 37, H = 6, W = 7, hw = H * W, n = B * C * hw;
    auto fa = randn(g, n, 1.0, 0.3), fb = randn(g, n, 1.0, 0.3);
    for (auto& v : fa) v = v > 0 ? v : 0.0f;  // ReLU features
    for (auto& v : fb) v = v > 0 ? v : 0.0f;
    for (int64_t c = 0; c < C; ++c) fa[(1 * C + c) * hw + 4] = 0.0f;  // a position where every channel is 0
    std::vector<float> w(C);
    for (auto& v : w) v = (float)(g.uniform() * 0.2);
    const auto fad = to_double(fa), fbd = to_double(fb), wd = to_double(w);
    const std::vector<float> d0 = {0.25f, -1.0f, 2.0f};
    Buf<float> da(ctx, fa), db(ctx, fb), dw(ctx, w), d(ctx, B), dacc(ctx, d0);
    check(settle(ctx, rfsq_lpips_layer_forward(ctx, da.d, db.d, B, C, H, W, dw.d, 0, d.d)) == RFSQ_OK, "lpips forward");
    check(settle(ctx, rfsq_lpips_layer_forward(ctx, da.d, db.d, B, C, H, W, dw.d, 1, dacc.d)) == RFSQ_OK, "lpips forward accumulate");
    std::vector<double> want(B), want_acc(B);
    for (int64_t i = 0; i < B; ++i) want[i] = ref::lpips_term(fad, fbd, i * C * hw, C, hw, wd), want_acc[i] = want[i] + d0[i];
    check(rel_err(d.get(), want) < 1e-5, "layer term = float64 reference", rel_err(d.get(), want), 1e-5);
    check(rel_err(dacc.get(), want_acc) < 1e-5, "accumulate adds to d", rel_err(dacc.get(), want_acc), 1e-5);

    // The float64 formula against central differences of the float64 term (away from the all-zero position).
    const double scale = 0.7;
    std::vector<double> analytic(n);
    for (int64_t i = 0; i < B; ++i) ref::lpips_grad(fad, fbd, i * C * hw, C, hw, wd, scale, analytic);
    double worst = 0;
    for (int probe = 0; probe < 40; ++probe) {
        const int64_t e = (int64_t)(g.uniform() * n);
        if (e / (C * hw) == 1 && e % hw == 4) continue;
        auto plus = fad, minus = fad;
        const double h = 1e-6;
        plus[e] += h, minus[e] -= h;
        const int64_t off = e / (C * hw) * C * hw;
        const double fd = scale * (ref::lpips_term(plus, fbd, off, C, hw, wd) - ref::lpips_term(minus, fbd, off, C, hw, wd)) / (2 * h);
        worst = std::max(worst, fabs(fd - analytic[e]) / (fabs(fd) + 1e-6));
    }
    check(worst < 1e-5, "float64 gradient formula = central differences", worst, 1e-5);

    Buf<float> grad(ctx, n), gacc(ctx, fb);
    check(settle(ctx, rfsq_lpips_layer_backward(ctx, da.d, db.d, B, C, H, W, dw.d, (float)scale, 0, grad.d)) == RFSQ_OK, "lpips backward");
    check(settle(ctx, rfsq_lpips_layer_backward(ctx, da.d, db.d, B, C, H, W, dw.d, (float)scale, 1, gacc.d)) == RFSQ_OK, "lpips backward accumulate");
    std::vector<double> analytic_acc(n);
    for (int64_t i = 0; i < n; ++i) analytic_acc[i] = analytic[i] + fb[i];
    check(rel_err(grad.get(), analytic) < 1e-5, "gradient = float64 reference", rel_err(grad.get(), analytic), 1e-5);
    check(rel_err(gacc.get(), analytic_acc) < 1e-5, "accumulate adds to dfa", rel_err(gacc.get(), analytic_acc), 1e-5);
    const auto go = grad.get();
    check(std::all_of(go.begin(), go.end(), [](float v) { return std::isfinite(v); }), "finite where every channel is 0");
    check(rfsq_lpips_layer_forward(ctx, da.d, db.d, B, C, H, W, dw.d, 2, d.d) == RFSQ_E_INVALID, "accumulate 2 rejected");
    check(rfsq_lpips_layer_backward(ctx, da.d, db.d, B, C, H, W, dw.d, NAN, 0, grad.d) == RFSQ_E_INVALID, "NaN scale rejected");
    fa[3] = NAN;
    da.put(fa);
    check(settle(ctx, rfsq_lpips_layer_forward(ctx, da.d, db.d, B, C, H, W, dw.d, 0, d.d)) == RFSQ_E_NONFINITE, "NaN feature reported");
}

void test_channel_scale_add(rfsq_ctx* ctx) {
    Rng g = fresh();
    const int64_t B = 2, C = 3, H = 19, W = 5, n = B * C * H * W;
    const auto x = randn(g, n, 1.0), y0 = randn(g, n, 1.0);
    const std::vector<float> scale = {0.5f, -2.0f, 1.25f};
    Buf<float> dx(ctx, x), dy(ctx, y0), ds(ctx, scale);
    check(settle(ctx, rfsq_channel_scale_add(ctx, dx.d, B, C, H, W, ds.d, dy.d)) == RFSQ_OK, "channel_scale_add");
    std::vector<double> want(n);
    for (int64_t i = 0; i < n; ++i) want[i] = (double)y0[i] + (double)x[i] * scale[(i / (H * W)) % C];
    check(rel_err(dy.get(), want) < 1e-6, "y += x * scale[c]", rel_err(dy.get(), want), 1e-6);
}

void run_all(rfsq_ctx* ctx, const char* dev) {
    named_case(dev, "max pool 2x2 forward/backward (odd sizes, ties, NaN)", [&] { test_max_pool(ctx); });
    named_case(dev, "avg pool 2x2", [&] { test_avg_pool(ctx); });
    named_case(dev, "to 8-bit (round half up, clamp)", [&] { test_to_8bit(ctx); });
    named_case(dev, "per-image error sums", [&] { test_image_errors(ctx); });
    named_case(dev, "ssim 23x17, sample covariance", [&] { test_ssim(ctx, 23, 17, true); });
    named_case(dev, "ssim 31x40, population covariance", [&] { test_ssim(ctx, 31, 40, false); });
    named_case(dev, "ssim 11x11 (one window)", [&] { test_ssim(ctx, 11, 11, true); });
    named_case(dev, "lpips layer forward/backward", [&] { test_lpips_layer(ctx); });
    named_case(dev, "channel scale-add", [&] { test_channel_scale_add(ctx); });
}

}  // namespace

int main() { return run_on_every_device(run_all); }
