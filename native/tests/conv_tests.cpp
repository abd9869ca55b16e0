// Native tests of rfsq_conv_* against a float64 direct (transposed) convolution written from the definitions, on
// fresh random inputs with outputs poisoned before each call: forward, dx, dweight, dbias (each alone too), the
// model's layer shapes (spec §4) and odd ones, gradients once more by finite differences, and argument errors.
// Every case runs on the CPU backend and, when a GPU is usable, on CUDA too.
#include "harness.h"

namespace {

// float32 sums of a few thousand products against float64: well below this; TF32-like math (10-bit mantissa)
// would be far above it.
constexpr double kTolerance = 1e-4;

struct ConvCase {
    rfsq_conv_cfg cfg;
    int64_t b, h, w;
    int64_t oh() const { return cfg.transposed ? (h - 1) * cfg.stride - 2 * cfg.padding + cfg.kernel : (h + 2 * cfg.padding - cfg.kernel) / cfg.stride + 1; }
    int64_t ow() const { return cfg.transposed ? (w - 1) * cfg.stride - 2 * cfg.padding + cfg.kernel : (w + 2 * cfg.padding - cfg.kernel) / cfg.stride + 1; }
    int64_t x_size() const { return b * cfg.in_channels * h * w; }
    int64_t y_size() const { return b * cfg.out_channels * oh() * ow(); }
    int64_t w_size() const { return (int64_t)cfg.in_channels * cfg.out_channels * cfg.kernel * cfg.kernel; }
    std::string name() const {
        char s[160];
        snprintf(s, sizeof s, "%s %d->%d k%d s%d p%d on %lldx%dx%lldx%lld", cfg.transposed ? "convT" : "conv", cfg.in_channels,
                 cfg.out_channels, cfg.kernel, cfg.stride, cfg.padding, (long long)b, cfg.in_channels, (long long)h, (long long)w);
        return s;
    }
};

// Calls f(x index, weight index, y index) for every product x * weight that the layer adds into y:
//   convolution            y[b,o,Y,X]                += x[b,i,Y*s-p+ky, X*s-p+kx] * w[o,i,ky,kx]
//   transposed convolution y[b,o,Y*s-p+ky,X*s-p+kx] += x[b,i,Y,X] * w[i,o,ky,kx]
template <class F>
void for_each_product(const ConvCase& c, F f) {
    const int64_t I = c.cfg.in_channels, O = c.cfg.out_channels, K = c.cfg.kernel, s = c.cfg.stride, p = c.cfg.padding;
    const int64_t OH = c.oh(), OW = c.ow();
    for (int64_t b = 0; b < c.b; ++b)
        for (int64_t i = 0; i < I; ++i)
            for (int64_t o = 0; o < O; ++o)
                for (int64_t ky = 0; ky < K; ++ky)
                    for (int64_t kx = 0; kx < K; ++kx) {
                        if (!c.cfg.transposed) {
                            const int64_t wi = ((o * I + i) * K + ky) * K + kx;
                            for (int64_t Y = 0; Y < OH; ++Y)
                                for (int64_t X = 0; X < OW; ++X) {
                                    const int64_t y = Y * s - p + ky, x = X * s - p + kx;
                                    if (y >= 0 && y < c.h && x >= 0 && x < c.w)
                                        f(((b * I + i) * c.h + y) * c.w + x, wi, ((b * O + o) * OH + Y) * OW + X);
                                }
                        } else {
                            const int64_t wi = ((i * O + o) * K + ky) * K + kx;
                            for (int64_t Y = 0; Y < c.h; ++Y)
                                for (int64_t X = 0; X < c.w; ++X) {
                                    const int64_t y = Y * s - p + ky, x = X * s - p + kx;
                                    if (y >= 0 && y < OH && x >= 0 && x < OW)
                                        f(((b * I + i) * c.h + Y) * c.w + X, wi, ((b * O + o) * OH + y) * OW + x);
                                }
                        }
                    }
}

std::vector<double> ref_forward(const ConvCase& c, const std::vector<double>& x, const std::vector<double>& w,
                                const std::vector<double>& bias) {
    std::vector<double> y(c.y_size());
    const int64_t n = c.oh() * c.ow();
    for (int64_t e = 0; e < c.y_size(); ++e) y[e] = bias[(e / n) % c.cfg.out_channels];
    for_each_product(c, [&](int64_t xi, int64_t wi, int64_t yi) { y[yi] += x[xi] * w[wi]; });
    return y;
}

// The adjoint of ref_forward: dx, dweight, dbias from dy.
struct RefGrads {
    std::vector<double> dx, dw, db;
};

RefGrads ref_backward(const ConvCase& c, const std::vector<double>& x, const std::vector<double>& w, const std::vector<double>& dy) {
    RefGrads g{std::vector<double>(c.x_size()), std::vector<double>(c.w_size()), std::vector<double>(c.cfg.out_channels)};
    const int64_t n = c.oh() * c.ow();
    for (int64_t e = 0; e < c.y_size(); ++e) g.db[(e / n) % c.cfg.out_channels] += dy[e];
    for_each_product(c, [&](int64_t xi, int64_t wi, int64_t yi) {
        g.dx[xi] += dy[yi] * w[wi];
        g.dw[wi] += dy[yi] * x[xi];
    });
    return g;
}

struct Inputs {
    std::vector<float> x, w, bias, dy;
};

// PyTorch's default initialisation scale (U(±1/sqrt(fan_in)) has this standard deviation up to sqrt(3)).
Inputs random_inputs(const ConvCase& c) {
    Rng g = fresh();
    const int64_t fan_in = (int64_t)(c.cfg.transposed ? c.cfg.out_channels : c.cfg.in_channels) * c.cfg.kernel * c.cfg.kernel;
    return {randn(g, c.x_size(), 1.0), randn(g, c.w_size(), 1.0 / sqrt((double)fan_in)), randn(g, c.cfg.out_channels, 0.5),
            randn(g, c.y_size(), 1.0)};
}

void check_close(const std::vector<float>& got, const std::vector<double>& want, const char* what) {
    const double e = rel_err(got, want);
    check(e < kTolerance, what, e, kTolerance);
}

void test_conv(rfsq_ctx* ctx, const ConvCase& c) {
    int64_t oh = -1, ow = -1;
    check(rfsq_conv_output_size(&c.cfg, c.h, c.w, &oh, &ow) == RFSQ_OK && oh == c.oh() && ow == c.ow(), "output size",
          (double)oh, (double)c.oh());
    const Inputs in = random_inputs(c);
    const auto xd = to_double(in.x), wd = to_double(in.w);
    const auto y = ref_forward(c, xd, wd, to_double(in.bias));
    const RefGrads g = ref_backward(c, xd, wd, to_double(in.dy));
    Buf<float> x(ctx, in.x), w(ctx, in.w), bias(ctx, in.bias), dy(ctx, in.dy);
    {
        Buf<float> out(ctx, c.y_size());
        check(settle(ctx, rfsq_conv_forward(ctx, &c.cfg, x.d, c.b, c.h, c.w, w.d, bias.d, out.d)) == RFSQ_OK, "forward");
        check_close(out.get(), y, "y = reference");
    }
    {
        Buf<float> dx(ctx, c.x_size()), dw(ctx, c.w_size()), db(ctx, c.cfg.out_channels);
        check(settle(ctx, rfsq_conv_backward(ctx, &c.cfg, x.d, c.b, c.h, c.w, w.d, dy.d, dx.d, dw.d, db.d)) == RFSQ_OK, "backward");
        check_close(dx.get(), g.dx, "dx = reference");
        check_close(dw.get(), g.dw, "dweight = reference");
        check_close(db.get(), g.db, "dbias = reference");
    }
    // Each gradient alone (the others NULL), into fresh poisoned buffers.
    {
        Buf<float> dx(ctx, c.x_size());
        check(settle(ctx, rfsq_conv_backward(ctx, &c.cfg, x.d, c.b, c.h, c.w, w.d, dy.d, dx.d, nullptr, nullptr)) == RFSQ_OK, "backward dx only");
        check_close(dx.get(), g.dx, "dx alone = reference");
    }
    {
        Buf<float> dw(ctx, c.w_size());
        check(settle(ctx, rfsq_conv_backward(ctx, &c.cfg, x.d, c.b, c.h, c.w, w.d, dy.d, nullptr, dw.d, nullptr)) == RFSQ_OK, "backward dweight only");
        check_close(dw.get(), g.dw, "dweight alone = reference");
    }
    {
        Buf<float> db(ctx, c.cfg.out_channels);
        check(settle(ctx, rfsq_conv_backward(ctx, &c.cfg, x.d, c.b, c.h, c.w, w.d, dy.d, nullptr, nullptr, db.d)) == RFSQ_OK, "backward dbias only");
        check_close(db.get(), g.db, "dbias alone = reference");
    }
    // The same shape again on new data in new buffers: a cached plan must not keep the old ones.
    const Inputs in2 = random_inputs(c);
    Buf<float> x2(ctx, in2.x), w2(ctx, in2.w), bias2(ctx, in2.bias), out2(ctx, c.y_size());
    check(settle(ctx, rfsq_conv_forward(ctx, &c.cfg, x2.d, c.b, c.h, c.w, w2.d, bias2.d, out2.d)) == RFSQ_OK, "forward again");
    check_close(out2.get(), ref_forward(c, to_double(in2.x), to_double(in2.w), to_double(in2.bias)), "y again = reference");
}

// Gradients against central differences of L = sum(y * dy) through the float64 forward only (L is linear in
// each argument, so the differences are exact up to rounding).
void test_finite_differences(rfsq_ctx* ctx, const ConvCase& c) {
    const Inputs in = random_inputs(c);
    std::vector<double> xd = to_double(in.x), wd = to_double(in.w), bd = to_double(in.bias);
    auto loss = [&] {
        const auto y = ref_forward(c, xd, wd, bd);
        double l = 0;
        for (int64_t e = 0; e < c.y_size(); ++e) l += y[e] * in.dy[e];
        return l;
    };
    auto differences = [&](std::vector<double>& v) {
        std::vector<double> d(v.size());
        const double eps = 1e-3;
        for (size_t i = 0; i < v.size(); ++i) {
            d[i] = central_difference(v, i, eps, loss);
        }
        return d;
    };
    const auto fd_x = differences(xd), fd_w = differences(wd), fd_b = differences(bd);
    Buf<float> x(ctx, in.x), w(ctx, in.w), dy(ctx, in.dy), dx(ctx, c.x_size()), dw(ctx, c.w_size()), db(ctx, c.cfg.out_channels);
    check(settle(ctx, rfsq_conv_backward(ctx, &c.cfg, x.d, c.b, c.h, c.w, w.d, dy.d, dx.d, dw.d, db.d)) == RFSQ_OK, "backward");
    check_close(dx.get(), fd_x, "dx = finite differences");
    check_close(dw.get(), fd_w, "dweight = finite differences");
    check_close(db.get(), fd_b, "dbias = finite differences");
}

// Every rejected argument fails with RFSQ_E_INVALID and a message naming the op.
void test_argument_errors(rfsq_ctx* ctx) {
    const rfsq_conv_cfg ok{3, 4, 4, 2, 1, 0};
    Buf<float> x(ctx, 2 * 3 * 8 * 8), w(ctx, 4 * 3 * 4 * 4), bias(ctx, 4), y(ctx, 2 * 4 * 4 * 4);
    auto rejected = [&](int st, const char* op, const char* what) {
        check(st == RFSQ_E_INVALID, what, st, RFSQ_E_INVALID);
        check(strstr(rfsq_last_error(), op) != nullptr, "the message names the op");
    };
    auto fwd = [&](const rfsq_conv_cfg* cfg, int64_t h, const float* px, const float* pw, const float* pb, float* py) {
        return rfsq_conv_forward(ctx, cfg, px, 2, h, 8, pw, pb, py);
    };
    auto bwd = [&](const rfsq_conv_cfg* cfg, int64_t h, const float* px, const float* pw, const float* pdy) {
        return rfsq_conv_backward(ctx, cfg, px, 2, h, 8, pw, pdy, x.d, w.d, bias.d);
    };
    check(settle(ctx, fwd(&ok, 8, x.d, w.d, bias.d, y.d)) == RFSQ_OK, "the valid call succeeds");
    const rfsq_conv_cfg bad[] = {{0, 4, 4, 2, 1, 0}, {3, 0, 4, 2, 1, 0}, {3, 4, 0, 2, 1, 0}, {3, 4, 4, 0, 1, 0},
                                 {3, 4, 4, 2, -1, 0}, {3, 4, 4, 2, 4, 0}, {3, 4, 4, 2, 1, 2}};
    for (const auto& cfg : bad) {
        rejected(fwd(&cfg, 8, x.d, w.d, bias.d, y.d), "rfsq_conv_forward", "bad cfg rejected by forward");
        rejected(bwd(&cfg, 8, x.d, w.d, y.d), "rfsq_conv_backward", "bad cfg rejected by backward");
        int64_t oh, ow;
        rejected(rfsq_conv_output_size(&cfg, 8, 8, &oh, &ow), "rfsq_conv_output_size", "bad cfg rejected by output_size");
    }
    const rfsq_conv_cfg k4p0{3, 4, 4, 2, 0, 0};
    rejected(fwd(&k4p0, 3, x.d, w.d, bias.d, y.d), "rfsq_conv_forward", "input smaller than the kernel rejected");
    rejected(bwd(&k4p0, 3, x.d, w.d, y.d), "rfsq_conv_backward", "input smaller than the kernel rejected");
    rejected(fwd(&ok, 0, x.d, w.d, bias.d, y.d), "rfsq_conv_forward", "zero height rejected");
    rejected(rfsq_conv_forward(ctx, &ok, x.d, 0, 8, 8, w.d, bias.d, y.d), "rfsq_conv_forward", "zero batch rejected");
    rejected(fwd(nullptr, 8, x.d, w.d, bias.d, y.d), "rfsq_conv_forward", "NULL cfg rejected");
    rejected(fwd(&ok, 8, nullptr, w.d, bias.d, y.d), "rfsq_conv_forward", "NULL x rejected");
    rejected(fwd(&ok, 8, x.d, nullptr, bias.d, y.d), "rfsq_conv_forward", "NULL weight rejected");
    rejected(fwd(&ok, 8, x.d, w.d, nullptr, y.d), "rfsq_conv_forward", "NULL bias rejected");
    rejected(fwd(&ok, 8, x.d, w.d, bias.d, nullptr), "rfsq_conv_forward", "NULL y rejected");
    rejected(rfsq_conv_forward(nullptr, &ok, x.d, 2, 8, 8, w.d, bias.d, y.d), "rfsq_conv_forward", "NULL ctx rejected");
    rejected(bwd(&ok, 8, nullptr, w.d, y.d), "rfsq_conv_backward", "NULL x rejected");
    rejected(bwd(&ok, 8, x.d, nullptr, y.d), "rfsq_conv_backward", "NULL weight rejected");
    rejected(bwd(&ok, 8, x.d, w.d, nullptr), "rfsq_conv_backward", "NULL dy rejected");
    int64_t oh = 0;
    rejected(rfsq_conv_output_size(&ok, 8, 8, &oh, nullptr), "rfsq_conv_output_size", "NULL ow rejected");
    check(rfsq_conv_backward(ctx, &ok, x.d, 2, 8, 8, w.d, y.d, nullptr, nullptr, nullptr) == RFSQ_OK,
          "backward with no gradient asked for is a no-op");
}

void run_all(rfsq_ctx* ctx, const char* dev) {
    auto named = [&](const std::string& name, const std::function<void()>& f) { named_case(dev, name, f); };
    named("conv argument errors", [&] { test_argument_errors(ctx); });
    // The model's six layers (spec §4) at small sizes, then odd sizes, h != w, other strides and paddings.
    const ConvCase cases[] = {
        {{3, 128, 4, 2, 1, 0}, 2, 16, 16},  {{128, 256, 4, 2, 1, 0}, 1, 8, 8},  {{256, 4, 1, 1, 0, 0}, 2, 4, 4},
        {{4, 256, 1, 1, 0, 0}, 2, 4, 4},    {{256, 128, 4, 2, 1, 1}, 1, 4, 4},  {{128, 3, 4, 2, 1, 1}, 2, 8, 8},
        {{3, 16, 4, 2, 1, 0}, 3, 9, 14},    {{5, 7, 3, 1, 1, 0}, 2, 7, 5},      {{6, 5, 3, 3, 2, 0}, 2, 11, 8},
        {{16, 3, 4, 2, 1, 1}, 3, 5, 7},     {{7, 6, 3, 2, 0, 1}, 2, 3, 6},      {{5, 4, 5, 3, 2, 1}, 1, 4, 3},
    };
    for (const auto& c : cases) named(c.name() + ": y, dx, dw, db", [&] { test_conv(ctx, c); });
    const ConvCase tiny[] = {{{2, 3, 3, 2, 1, 0}, 2, 5, 4}, {{3, 2, 4, 2, 1, 1}, 1, 3, 2}};
    for (const auto& c : tiny) named(c.name() + ": finite differences", [&] { test_finite_differences(ctx, c); });
}

}  // namespace

int main() { return run_on_every_device(run_all); }
