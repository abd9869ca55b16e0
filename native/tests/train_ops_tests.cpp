// Native tests of the training building blocks (ReLU, per-channel affine, L1 loss, sum of squares, Adam/AdamW
// with gradient-norm clipping, and graphs that replay a step) against float64 references on fresh random inputs, with poisoned outputs.
// Sizes span several reduction chunks and end mid-chunk. CPU always; CUDA too when a GPU is usable.
#include <cmath>

#include "harness.h"

namespace {

constexpr int64_t kN = 3 * (1 << 14) + 77;

void test_relu(rfsq_ctx* ctx) {
    Rng g = fresh();
    auto x = randn(g, kN, 1.0);
    x[5] = 0.0f;
    const auto dy = randn(g, kN, 1.0);
    Buf<float> dx(ctx, x), y(ctx, kN), ddy(ctx, dy), grad(ctx, kN);
    check(settle(ctx, rfsq_relu_forward(ctx, dx.d, kN, y.d)) == RFSQ_OK, "relu_forward");
    check(settle(ctx, rfsq_relu_backward(ctx, y.d, ddy.d, kN, grad.d)) == RFSQ_OK, "relu_backward");
    const auto yo = y.get(), go = grad.get();
    int64_t wrong = 0;
    for (int64_t i = 0; i < kN; ++i) {
        wrong += yo[i] != (x[i] > 0 ? x[i] : 0.0f);
        wrong += go[i] != (x[i] > 0 ? dy[i] : 0.0f);
    }
    check(wrong == 0, "relu forward and backward exact", (double)wrong, 0);
    check(settle(ctx, rfsq_relu_forward(ctx, dx.d, kN, dx.d)) == RFSQ_OK && dx.get() == yo, "relu in place");
    check(rfsq_relu_forward(ctx, dx.d, 0, y.d) == RFSQ_E_INVALID, "n = 0 rejected");
    // As PyTorch: relu(NaN) = NaN (a NaN weight must not vanish into 0), and the backward passes dy wherever
    // y is not <= 0 (threshold_backward), NaN included; y <= 0 gives 0 whatever dy is.
    const std::vector<float> nx = {NAN, -1.0f, 2.0f, -0.0f, INFINITY, -INFINITY, NAN};
    const std::vector<float> ndy = {3.0f, 4.0f, 5.0f, 6.0f, 7.0f, NAN, NAN};
    Buf<float> bx(ctx, nx), by(ctx, nx.size()), bdy(ctx, ndy), bdx(ctx, nx.size());
    check(settle(ctx, rfsq_relu_forward(ctx, bx.d, (int64_t)nx.size(), by.d)) == RFSQ_OK, "relu_forward of NaN/Inf");
    check(settle(ctx, rfsq_relu_backward(ctx, by.d, bdy.d, (int64_t)nx.size(), bdx.d)) == RFSQ_OK, "relu_backward of NaN");
    const auto ny = by.get(), ndx = bdx.get();
    check(std::isnan(ny[0]) && ny[1] == 0.0f && ny[2] == 2.0f && ny[3] == 0.0f && ny[4] == INFINITY && ny[5] == 0.0f &&
              std::isnan(ny[6]),
          "relu propagates NaN as PyTorch does");
    check(ndx[0] == 3.0f && ndx[1] == 0.0f && ndx[2] == 5.0f && ndx[3] == 0.0f && ndx[4] == 7.0f && ndx[5] == 0.0f &&
              std::isnan(ndx[6]),
          "relu backward passes dy where y is NaN, as PyTorch's threshold_backward");
}

void test_channel_affine(rfsq_ctx* ctx) {
    Rng g = fresh();
    const int64_t B = 3, C = 3, H = 17, W = 9, n = B * C * H * W;
    const auto x = randn(g, n, 0.3, 0.5);
    const std::vector<float> mean = {0.485f, 0.456f, 0.406f}, std = {0.229f, 0.224f, 0.225f};
    std::vector<float> scale(C), shift(C);
    for (int c = 0; c < C; ++c) scale[c] = 1.0f / std[c], shift[c] = -mean[c] / std[c];
    Buf<float> dx(ctx, x), ds(ctx, scale), dsh(ctx, shift), y(ctx, n), back(ctx, n), dstd(ctx, std), dmean(ctx, mean);
    check(settle(ctx, rfsq_channel_affine(ctx, dx.d, B, C, H, W, ds.d, dsh.d, y.d)) == RFSQ_OK, "channel_affine");
    check(settle(ctx, rfsq_channel_affine(ctx, y.d, B, C, H, W, dstd.d, dmean.d, back.d)) == RFSQ_OK, "channel_affine inverse");
    std::vector<double> ref(n);
    for (int64_t i = 0; i < n; ++i) {
        const int64_t c = (i / (H * W)) % C;
        ref[i] = ((double)x[i] - mean[c]) / std[c];
    }
    check(rel_err(y.get(), ref) < 1e-6, "normalize (x - mean) / std", rel_err(y.get(), ref), 1e-6);
    check(rel_err(back.get(), x) < 1e-6, "denormalize(normalize(x)) = x", rel_err(back.get(), x), 1e-6);
}

void test_l1_and_squares(rfsq_ctx* ctx) {
    Rng g = fresh();
    auto a = randn(g, kN, 1.0);
    const auto b = randn(g, kN, 1.0);
    a[9] = b[9];  // sign(0) = 0
    Buf<float> da(ctx, a), db(ctx, b), loss(ctx, 1), grad(ctx, kN), sq(ctx, 1);
    const float weight = 0.75f;
    check(settle(ctx, rfsq_l1_loss(ctx, da.d, db.d, kN, weight, loss.d, grad.d)) == RFSQ_OK, "l1_loss");
    check(settle(ctx, rfsq_sum_squares(ctx, da.d, kN, sq.d)) == RFSQ_OK, "sum_squares");
    double ref = 0, ref_sq = 0;
    int64_t wrong = 0;
    const auto go = grad.get();
    for (int64_t i = 0; i < kN; ++i) {
        const double d = (double)a[i] - b[i];
        ref += fabs(d);
        ref_sq += (double)a[i] * a[i];
        const float gi = weight / (float)kN;
        wrong += go[i] != (d > 0 ? gi : d < 0 ? -gi : 0.0f);
    }
    ref *= weight / kN;
    check(fabs(loss.get()[0] - ref) / ref < 1e-5, "l1 loss = weight * mean |a - b|", fabs(loss.get()[0] - ref) / ref, 1e-5);
    check(wrong == 0, "l1 gradient = weight * sign(a - b) / n", (double)wrong, 0);
    check(fabs(sq.get()[0] - ref_sq) / ref_sq < 1e-5, "sum of squares", fabs(sq.get()[0] - ref_sq) / ref_sq, 1e-5);
    check(settle(ctx, rfsq_l1_loss(ctx, da.d, db.d, kN, weight, loss.d, nullptr)) == RFSQ_OK, "l1 loss without gradient");
    a[123] = NAN;
    da.put(a);
    check(settle(ctx, rfsq_l1_loss(ctx, da.d, db.d, kN, weight, loss.d, grad.d)) == RFSQ_E_NONFINITE, "NaN in l1 input reported");
}

// Three steps of PyTorch's Adam / AdamW (+ clip_grad_norm_) in float64.
void test_adam(rfsq_ctx* ctx, int decoupled, float max_norm) {
    Rng g = fresh();
    const int64_t n = 2 * (1 << 14) + 5;
    auto param = randn(g, n, 0.5);
    std::vector<double> p = to_double(param), m(n, 0.0), v(n, 0.0);
    Buf<float> dp(ctx, param), dm(ctx, std::vector<float>(n, 0.0f)), dv(ctx, std::vector<float>(n, 0.0f)), dg(ctx, n), dsq(ctx, 1);
    rfsq_adam_cfg cfg{8e-4, 0.9, 0.999, 1e-8, 5e-5, max_norm, decoupled, 0};
    for (int step = 1; step <= 3; ++step) {
        const auto grad = randn(g, n, step == 2 ? 3.0 : 0.1);
        dg.put(grad);
        cfg.step = step;
        if (max_norm > 0) check(settle(ctx, rfsq_sum_squares(ctx, dg.d, n, dsq.d)) == RFSQ_OK, "grad sum of squares");
        check(settle(ctx, rfsq_adam_step(ctx, &cfg, dp.d, dg.d, dm.d, dv.d, n, max_norm > 0 ? dsq.d : nullptr)) == RFSQ_OK, "adam_step");
        double norm = 0;
        for (float x : grad) norm += (double)x * x;
        norm = sqrt(norm);
        const double clip = max_norm > 0 ? std::min(1.0, max_norm / (norm + 1e-6)) : 1.0;
        const double b1 = 1 - pow(0.9, step), b2 = sqrt(1 - pow(0.999, step));
        for (int64_t i = 0; i < n; ++i) {
            double gi = grad[i] * clip;
            if (decoupled) p[i] *= 1 - cfg.lr * cfg.weight_decay;
            else gi += cfg.weight_decay * p[i];
            m[i] = 0.9 * m[i] + 0.1 * gi;
            v[i] = 0.999 * v[i] + 0.001 * gi * gi;
            p[i] -= cfg.lr / b1 * m[i] / (sqrt(v[i]) / b2 + cfg.eps);
        }
    }
    // Compare the parameter change (p - p0), not p, so that the check is sensitive to the update's size.
    std::vector<double> delta(n), ref_delta(n);
    const auto got = dp.get();
    for (int64_t i = 0; i < n; ++i) delta[i] = (double)got[i] - param[i], ref_delta[i] = p[i] - param[i];
    check(rel_err(delta, ref_delta) < 1e-3, "3 steps equal PyTorch's update in float64 (relative to the update)", rel_err(delta, ref_delta), 1e-3);
    check(rel_err(dm.get(), m) < 1e-5, "first moment", rel_err(dm.get(), m), 1e-5);
    check(rel_err(dv.get(), v) < 1e-5, "second moment", rel_err(dv.get(), v), 1e-5);
}

void test_adam_errors(rfsq_ctx* ctx) {
    Buf<float> p(ctx, std::vector<float>(4, 1.0f));
    rfsq_adam_cfg cfg{1e-3, 0.9, 0.999, 1e-8, 0.0, 0.0, 0, 0};
    check(rfsq_adam_step(ctx, &cfg, p.d, p.d, p.d, p.d, 4, nullptr) == RFSQ_E_INVALID, "step 0 rejected");
    check(strstr(rfsq_last_error(), "rfsq_adam_step") != nullptr, "error names rfsq_adam_step");
    cfg.step = 1;
    cfg.beta1 = 1.0;
    check(rfsq_adam_step(ctx, &cfg, p.d, p.d, p.d, p.d, 4, nullptr) == RFSQ_E_INVALID, "beta1 = 1 rejected");
    cfg.beta1 = 0.9;
    cfg.max_grad_norm = 1.0;
    check(rfsq_adam_step(ctx, &cfg, p.d, p.d, p.d, p.d, 4, nullptr) == RFSQ_E_INVALID, "clipping without grad_sq rejected");
}

// rfsq_adam_step_device reads lr and step from device memory (for graphs): bit-identical to rfsq_adam_step.
void test_adam_device(rfsq_ctx* ctx) {
    Rng g = fresh();
    const int64_t n = (1 << 14) + 9;
    const auto param = randn(g, n, 0.5);
    const std::vector<float> zeros(n, 0.0f);
    Buf<float> p1(ctx, param), m1(ctx, zeros), v1(ctx, zeros), p2(ctx, param), m2(ctx, zeros), v2(ctx, zeros);
    Buf<float> dg(ctx, n), k(ctx, 3);
    rfsq_adam_cfg cfg{0, 0.9, 0.999, 1e-8, 1e-2, 0.0, 1, 0};
    for (int step = 1; step <= 3; ++step) {
        dg.put(randn(g, n, 0.1));
        cfg.step = step;
        cfg.lr = 1e-3 * step;  // a schedule: each step its own lr
        float host[3];
        check(rfsq_adam_constants(&cfg, host) == RFSQ_OK, "adam_constants");
        const double expect[3] = {1 - cfg.lr * cfg.weight_decay, cfg.lr / (1 - pow(0.9, step)), sqrt(1 - pow(0.999, step))};
        for (int i = 0; i < 3; ++i) check(host[i] == (float)expect[i], "constant equals its float64 formula rounded", host[i], expect[i]);
        k.put(std::vector<float>(host, host + 3));
        check(settle(ctx, rfsq_adam_step(ctx, &cfg, p1.d, dg.d, m1.d, v1.d, n, nullptr)) == RFSQ_OK, "adam_step");
        check(settle(ctx, rfsq_adam_step_device(ctx, &cfg, k.d, p2.d, dg.d, m2.d, v2.d, n, nullptr)) == RFSQ_OK, "adam_step_device");
    }
    check(p1.get() == p2.get() && m1.get() == m2.get() && v1.get() == v2.get(), "device constants give the same bits");
    check(rfsq_adam_step_device(ctx, &cfg, nullptr, p2.d, dg.d, m2.d, v2.d, n, nullptr) == RFSQ_E_INVALID &&
          strstr(rfsq_last_error(), "constants") != nullptr, "NULL constants rejected, named");
    float out[3];
    cfg.step = 0;
    check(rfsq_adam_constants(&cfg, out) == RFSQ_E_INVALID, "constants of step 0 rejected");
}

// Graphs: refused on a CPU context; on CUDA a recording replays its ops on new data, and refuses what cannot be
// replayed while it records.
void test_graph(rfsq_ctx* ctx, bool cuda) {
    rfsq_graph* graph = nullptr;
    check(rfsq_graph_launch(ctx, nullptr) == RFSQ_E_INVALID, "launch of NULL rejected");
    check(rfsq_graph_end(ctx, &graph) == RFSQ_E_INVALID && graph == nullptr, "end without begin rejected");
    check(rfsq_graph_destroy(nullptr) == RFSQ_OK, "destroy NULL is a no-op");
    if (!cuda) {
        check(rfsq_graph_begin(ctx) == RFSQ_E_INVALID && strstr(rfsq_last_error(), "CPU context") != nullptr,
              "a CPU context records no graphs, and says so");
        return;
    }
    Rng g = fresh();
    const int64_t n = kN;
    Buf<float> x(ctx, n), y(ctx, n), loss(ctx, 1), grad(ctx, n), zero(ctx, std::vector<float>(n, 0.0f));
    x.put(randn(g, n, 1.0));
    // Run once first: ops get their scratch outside the recording.
    check(settle(ctx, rfsq_relu_forward(ctx, x.d, n, y.d)) == RFSQ_OK, "warm-up relu");
    check(settle(ctx, rfsq_l1_loss(ctx, y.d, zero.d, n, 1.0f, loss.d, grad.d)) == RFSQ_OK, "warm-up l1");
    check(rfsq_graph_begin(ctx) == RFSQ_OK, "graph_begin");
    check(rfsq_graph_begin(ctx) == RFSQ_E_INVALID, "a second begin rejected");
    check(rfsq_relu_forward(ctx, x.d, n, y.d) == RFSQ_OK, "relu recorded");
    check(rfsq_l1_loss(ctx, y.d, zero.d, n, 1.0f, loss.d, grad.d) == RFSQ_OK, "l1 recorded");
    void* p = nullptr;
    check(rfsq_alloc(ctx, 64, &p) == RFSQ_E_INVALID && p == nullptr, "alloc refused while recording");
    check(rfsq_ctx_sync(ctx) == RFSQ_E_INVALID, "sync refused while recording");
    float host = 0;
    check(rfsq_copy_to_host(ctx, &host, loss.d, 4) == RFSQ_E_INVALID, "copy to host refused while recording");
    check(rfsq_graph_end(ctx, &graph) == RFSQ_OK && graph != nullptr, "graph_end");
    for (int round = 0; round < 2; ++round) {
        const auto xs = randn(g, n, 1.0 + round);
        x.put(xs);
        check(settle(ctx, rfsq_graph_launch(ctx, graph)) == RFSQ_OK, "graph_launch");
        double l1 = 0;
        int64_t wrong = 0;
        const auto yo = y.get();
        for (int64_t i = 0; i < n; ++i) {
            const float r = xs[i] > 0 ? xs[i] : 0.0f;
            wrong += yo[i] != r;
            l1 += r / (double)n;
        }
        check(wrong == 0, "replay computes relu of the new input", (double)wrong, 0);
        check(rel_err(loss.get(), std::vector<double>{l1}) < 1e-5, "replay computes the new loss", rel_err(loss.get(), std::vector<double>{l1}), 1e-5);
    }
    // While the graph lives, its scratch cannot move: an op needing more fails clearly, and works once it is gone.
    Buf<float> big(ctx, std::vector<float>(16 * n, 1.0f)), bigzero(ctx, std::vector<float>(16 * n, 0.0f));
    check(rfsq_l1_loss(ctx, big.d, bigzero.d, 16 * n, 1.0f, loss.d, nullptr) == RFSQ_E_INVALID &&
          strstr(rfsq_last_error(), "live graph") != nullptr, "scratch growth refused while a graph lives");
    check(rfsq_graph_destroy(graph) == RFSQ_OK, "graph_destroy");
    check(rfsq_graph_destroy(graph) == RFSQ_E_INVALID, "a second destroy is refused, not a double free");
    check(settle(ctx, rfsq_l1_loss(ctx, big.d, bigzero.d, 16 * n, 1.0f, loss.d, nullptr)) == RFSQ_OK, "growth works again");
}

void run_all(rfsq_ctx* ctx, const char* dev) {
    named_case(dev, "relu forward/backward", [&] { test_relu(ctx); });
    named_case(dev, "channel affine (normalize, denormalize)", [&] { test_channel_affine(ctx); });
    named_case(dev, "l1 loss + gradient, sum of squares", [&] { test_l1_and_squares(ctx); });
    named_case(dev, "adam (L2-coupled weight decay)", [&] { test_adam(ctx, 0, 0.0f); });
    named_case(dev, "adamw (decoupled weight decay)", [&] { test_adam(ctx, 1, 0.0f); });
    named_case(dev, "adam with gradient-norm clipping", [&] { test_adam(ctx, 0, 1.0f); });
    named_case(dev, "adam argument errors", [&] { test_adam_errors(ctx); });
    named_case(dev, "adam with device constants", [&] { test_adam_device(ctx); });
    named_case(dev, "graphs", [&] { test_graph(ctx, strcmp(dev, "cuda") == 0); });
}

}  // namespace

int main() { return run_on_every_device(run_all); }
