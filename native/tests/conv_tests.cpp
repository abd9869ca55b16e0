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

// ---- the blocked layout, fused ReLUs (rfsq_conv_*_ex) -----------------------------------------------------

// Host conversions of the blocked layout as rfsq.h defines it: (B, ceil(C/k), H, W, k), channels >= C zero.
template <class T>
std::vector<T> to_blocked(const std::vector<T>& x, int64_t b, int64_t c, int64_t hw, int k) {
    const int64_t cb = (c + k - 1) / k;
    std::vector<T> y(b * cb * k * hw, T(0));
    for (int64_t i = 0; i < b; ++i)
        for (int64_t ch = 0; ch < c; ++ch)
            for (int64_t p = 0; p < hw; ++p) y[((i * cb + ch / k) * hw + p) * k + ch % k] = x[(i * c + ch) * hw + p];
    return y;
}

template <class T>
std::vector<T> from_blocked(const std::vector<T>& y, int64_t b, int64_t c, int64_t hw, int k) {
    const int64_t cb = (c + k - 1) / k;
    std::vector<T> x(b * c * hw);
    for (int64_t i = 0; i < b; ++i)
        for (int64_t ch = 0; ch < c; ++ch)
            for (int64_t p = 0; p < hw; ++p) x[(i * c + ch) * hw + p] = y[((i * cb + ch / k) * hw + p) * k + ch % k];
    return x;
}

// Every float of y that is channel padding (ch >= c) is 0.
bool padding_is_zero(const std::vector<float>& y, int64_t b, int64_t c, int64_t hw, int k) {
    const int64_t cb = (c + k - 1) / k;
    for (int64_t i = 0; i < b; ++i)
        for (int64_t ch = c; ch < cb * k; ++ch)
            for (int64_t p = 0; p < hw; ++p)
                if (y[((i * cb + ch / k) * hw + p) * k + ch % k] != 0.0f) return false;
    return true;
}

void test_block_and_convert(rfsq_ctx* ctx, bool cuda) {
    int32_t k = -1;
    check(rfsq_conv_block(ctx, &k) == RFSQ_OK && (k == 1 || k == 8 || k == 16), "channel block is 1, 8 or 16", k);
    if (cuda) check(k == 1, "CUDA's blocked layout is NCHW", k, 1);
    printf("     channel block of the blocked layout: %d\n", k);
    for (int64_t c : {3, 16, 20, 64}) {
        Rng g = fresh();
        const int64_t b = 2, h = 5, w = 3, hw = h * w;
        const auto x = randn(g, b * c * hw, 1.0);
        const auto want = to_blocked(x, b, c, hw, k);
        Buf<float> dx(ctx, x), blocked(ctx, want.size()), back(ctx, x.size());
        check(settle(ctx, rfsq_blocked_convert(ctx, dx.d, b, c, h, w, 1, blocked.d)) == RFSQ_OK, "to blocked");
        check(blocked.get() == want, "to blocked: every float in its place, padding 0");
        check(settle(ctx, rfsq_blocked_convert(ctx, blocked.d, b, c, h, w, 0, back.d)) == RFSQ_OK, "from blocked");
        check(back.get() == x, "from blocked: the round trip is exact");
    }
    Buf<float> a(ctx, 8), bb(ctx, 8);
    check(rfsq_blocked_convert(ctx, a.d, 1, 2, 2, 2, 2, bb.d) == RFSQ_E_INVALID, "to_blocked 2 rejected");
    check(rfsq_blocked_convert(ctx, a.d, 1, 0, 2, 2, 1, bb.d) == RFSQ_E_INVALID, "zero channels rejected");
    check(rfsq_blocked_convert(ctx, nullptr, 1, 2, 2, 2, 1, bb.d) == RFSQ_E_INVALID, "NULL x rejected");
    check(rfsq_conv_block(ctx, nullptr) == RFSQ_E_INVALID, "NULL block rejected");
}

// rfsq_conv_forward_ex / _backward_ex with every combination of flags against the float64 reference: the layouts of
// x/dx and y/dy, the fused ReLU (y = max(conv + bias, 0)) and the folded ReLU backward (x a ReLU output, dx *= x > 0).
void test_conv_ex(rfsq_ctx* ctx, const ConvCase& c, int flags) {
    int32_t k = 1;
    rfsq_conv_block(ctx, &k);
    const bool xb = flags & RFSQ_CONV_X_BLOCKED, yb = flags & RFSQ_CONV_Y_BLOCKED, relu = flags & RFSQ_CONV_RELU;
    const int64_t hw = c.h * c.w, ohw = c.oh() * c.ow(), I = c.cfg.in_channels, O = c.cfg.out_channels;
    Inputs in = random_inputs(c);
    for (auto& v : in.x) v = v > 0 ? v : 0.0f;  // x as a ReLU's output: its backward masks where x = 0
    const auto xd = to_double(in.x), wd = to_double(in.w);
    auto y = ref_forward(c, xd, wd, to_double(in.bias));
    if (relu)
        for (auto& v : y) v = v > 0 ? v : 0;
    RefGrads g = ref_backward(c, xd, wd, to_double(in.dy));
    for (size_t i = 0; i < g.dx.size(); ++i) g.dx[i] = in.x[i] > 0 ? g.dx[i] : 0;  // RFSQ_CONV_RELU_X
    const auto xin = xb ? to_blocked(in.x, c.b, I, hw, k) : in.x;
    const auto dyin = yb ? to_blocked(in.dy, c.b, O, ohw, k) : in.dy;
    Buf<float> x(ctx, xin), w(ctx, in.w), bias(ctx, in.bias), dy(ctx, dyin);
    Buf<float> out(ctx, yb ? to_blocked(std::vector<float>(c.y_size()), c.b, O, ohw, k).size() : c.y_size());
    const int fwd_flags = flags & (RFSQ_CONV_X_BLOCKED | RFSQ_CONV_Y_BLOCKED | RFSQ_CONV_RELU);
    check(settle(ctx, rfsq_conv_forward_ex(ctx, &c.cfg, x.d, c.b, c.h, c.w, w.d, bias.d, fwd_flags, out.d)) == RFSQ_OK, "forward_ex");
    const auto yo = out.get();
    check_close(yb ? from_blocked(yo, c.b, O, ohw, k) : yo, y, "y = reference");
    if (yb) check(padding_is_zero(yo, c.b, O, ohw, k), "y's channel padding is 0");
    const int bwd_flags = (flags & (RFSQ_CONV_X_BLOCKED | RFSQ_CONV_Y_BLOCKED)) | RFSQ_CONV_RELU_X;
    Buf<float> dx(ctx, xin.size()), dw(ctx, c.w_size()), db(ctx, O);
    check(settle(ctx, rfsq_conv_backward_ex(ctx, &c.cfg, x.d, c.b, c.h, c.w, w.d, dy.d, bwd_flags, dx.d, dw.d, db.d)) == RFSQ_OK,
          "backward_ex");
    const auto dxo = dx.get();
    check_close(xb ? from_blocked(dxo, c.b, I, hw, k) : dxo, g.dx, "dx = reference, masked by x > 0");
    if (xb) check(padding_is_zero(dxo, c.b, I, hw, k), "dx's channel padding is 0");
    check_close(dw.get(), g.dw, "dweight = reference");
    check_close(db.get(), g.db, "dbias = reference");
    Buf<float> db2(ctx, O);  // dbias alone (its own path on the CPU) from a blocked dy
    check(settle(ctx, rfsq_conv_backward_ex(ctx, &c.cfg, x.d, c.b, c.h, c.w, w.d, dy.d, bwd_flags, nullptr, nullptr, db2.d)) == RFSQ_OK,
          "backward_ex, dbias only");
    check_close(db2.get(), g.db, "dbias alone = reference");
}

void test_conv_ex_errors(rfsq_ctx* ctx) {
    const rfsq_conv_cfg ok{3, 4, 4, 2, 1, 0};
    Buf<float> x(ctx, 2 * 16 * 8 * 8), w(ctx, 4 * 3 * 4 * 4), bias(ctx, 4), y(ctx, 2 * 16 * 4 * 4);
    check(rfsq_conv_forward_ex(ctx, &ok, x.d, 2, 8, 8, w.d, bias.d, RFSQ_CONV_RELU_X, y.d) == RFSQ_E_INVALID, "forward refuses RELU_X");
    check(strstr(rfsq_last_error(), "rfsq_conv_forward_ex") != nullptr, "the message names the op");
    check(rfsq_conv_forward_ex(ctx, &ok, x.d, 2, 8, 8, w.d, bias.d, 16, y.d) == RFSQ_E_INVALID, "unknown flag refused");
    check(rfsq_conv_backward_ex(ctx, &ok, x.d, 2, 8, 8, w.d, y.d, RFSQ_CONV_RELU, x.d, w.d, bias.d) == RFSQ_E_INVALID,
          "backward refuses RELU");
    check(strstr(rfsq_last_error(), "rfsq_conv_backward_ex") != nullptr, "the message names the op");
    check(rfsq_conv_forward_ex(ctx, &ok, nullptr, 2, 8, 8, w.d, bias.d, 0, y.d) == RFSQ_E_INVALID, "NULL x refused");
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
    named("blocked layout: block, conversions", [&] { test_block_and_convert(ctx, strcmp(dev, "cuda") == 0); });
    named("conv_ex argument errors", [&] { test_conv_ex_errors(ctx); });
    // The model's layers as the model runs them, and channel counts that leave padding in a block of 8 or 16.
    const ConvCase ex_cases[] = {
        {{3, 128, 4, 2, 1, 0}, 2, 16, 16}, {{128, 256, 4, 2, 1, 0}, 1, 8, 8}, {{256, 4, 1, 1, 0, 0}, 2, 4, 4},
        {{4, 256, 1, 1, 0, 0}, 2, 4, 4},   {{256, 128, 4, 2, 1, 1}, 1, 4, 4}, {{128, 3, 4, 2, 1, 1}, 2, 8, 8},
        {{20, 12, 3, 1, 1, 0}, 2, 5, 6},   {{12, 20, 4, 2, 1, 1}, 2, 3, 4},
    };
    for (const auto& c : ex_cases)
        for (int flags = 0; flags < 8; ++flags) {
            char name[64];
            snprintf(name, sizeof name, ": x %s, y %s%s", flags & 1 ? "blocked" : "NCHW", flags & 2 ? "blocked" : "NCHW",
                     flags & 4 ? ", ReLU" : "");
            named(c.name() + name + ", ReLU backward folded", [&] { test_conv_ex(ctx, c, flags); });
        }
}

}  // namespace

int main() { return run_on_every_device(run_all); }
