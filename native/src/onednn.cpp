// oneDNN 3.x on the CPU. Convolutions: convolution_* primitives (deconvolution_* for the transposed ones), f32,
// direct algorithm (exact, no Winograd). And the matmul of VQ's nearest-code search. Each context keeps one engine,
// one stream and the primitives of every shape it has seen, so a repeated shape creates nothing. The caller's
// buffers (NCHW, or the blocked layout nChw{k}c that oneDNN prefers, per RFSQ_CONV_X/Y_BLOCKED) are used in place
// when a primitive takes their layout; otherwise they go through a buffer of the primitive's own layout. A fused
// ReLU is a post-op of the forward; the folded ReLU backward (RFSQ_CONV_RELU_X) is the CPU kernel ReluBackward on
// dx right after oneDNN wrote it (oneDNN's backward primitives take no post-ops).
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <memory>

#include "../common/ops.h"
#include "internal.h"

namespace rfsq {

namespace {

using dnnl::memory;
using Tag = memory::format_tag;
constexpr auto kF32 = memory::data_type::f32;

// One argument of a primitive: the caller's plain buffer and, when the primitive wants another layout, a
// buffer in that layout with the reorder between them (into it for an input, out of it for an output).
struct Arg {
    memory user, inner;
    dnnl::reorder reorder;
    bool copied = false;

    Arg() = default;
    Arg(const memory::desc& plain, const memory::desc& wanted, const dnnl::engine& eng, bool input)
        : user(plain, eng, DNNL_MEMORY_NONE), copied(plain != wanted) {
        inner = copied ? memory(wanted, eng) : user;
        if (copied) reorder = input ? dnnl::reorder(user, inner) : dnnl::reorder(inner, user);
    }
    memory in(const float* p, dnnl::stream& s) {
        user.set_data_handle(const_cast<float*>(p));
        if (copied) reorder.execute(s, user, inner);
        return inner;
    }
    memory out(float* p) {
        user.set_data_handle(p);
        return inner;
    }
    void written(dnnl::stream& s) {
        if (copied) reorder.execute(s, inner, user);
    }
};

// The primitives of one shape; Family picks convolution or deconvolution (transposed convolution).
struct Plan {
    virtual ~Plan() = default;
    virtual void forward(dnnl::stream& s, const float* x, const float* w, const float* b, float* y) = 0;
    virtual void backward(dnnl::stream& s, const float* x, const float* w, const float* dy, float* dx, float* dw,
                          float* db) = 0;
};

struct Convolution {
    using Fwd = dnnl::convolution_forward;
    using BwdData = dnnl::convolution_backward_data;
    using BwdWeights = dnnl::convolution_backward_weights;
    static constexpr dnnl::algorithm kAlgo = dnnl::algorithm::convolution_direct;
    static constexpr Tag kWeights = Tag::oihw;  // PyTorch Conv2d: (out, in, k, k)
};

struct Deconvolution {
    using Fwd = dnnl::deconvolution_forward;
    using BwdData = dnnl::deconvolution_backward_data;
    using BwdWeights = dnnl::deconvolution_backward_weights;
    static constexpr dnnl::algorithm kAlgo = dnnl::algorithm::deconvolution_direct;
    static constexpr Tag kWeights = Tag::iohw;  // PyTorch ConvTranspose2d: (in, out, k, k)
};

template <class Family>
struct PlanOf final : Plan {
    dnnl::engine eng;
    memory::desc x_md, w_md, b_md, y_md;
    memory::dims strides, pad;
    typename Family::Fwd::primitive_desc fwd_pd;
    typename Family::Fwd fwd;
    Arg x, w, b, y;
    typename Family::BwdData bwd_data;  // created by the first backward that asks for dx
    Arg data_dy, data_w, data_dx;
    typename Family::BwdWeights bwd_weights;  // created by the first backward that asks for dweight
    Arg weights_x, weights_dy, weights_dw, weights_db;
    memory spare_db;  // dbias that nobody asked for, when dweight was

    PlanOf(const ConvShape& sh, const dnnl::engine& e) : eng(e) {
        const rfsq_conv_cfg& c = sh.cfg;
        const memory::dims xd{sh.b, c.in_channels, sh.h, sh.w}, yd{sh.b, c.out_channels, sh.oh, sh.ow},
            wd{c.out_channels, c.in_channels, c.kernel, c.kernel};
        x_md = memory::desc(xd, kF32, layout(sh.flags & RFSQ_CONV_X_BLOCKED, sh.block));
        y_md = memory::desc(yd, kF32, layout(sh.flags & RFSQ_CONV_Y_BLOCKED, sh.block));
        w_md = memory::desc(wd, kF32, Family::kWeights);
        b_md = memory::desc({c.out_channels}, kF32, Tag::a);
        strides = {c.stride, c.stride};
        pad = {c.padding, c.padding};
        // Layouts left to oneDNN (`any`): it picks its fastest; Arg reorders only where that is not plain.
        dnnl::primitive_attr attr;
        if (sh.flags & RFSQ_CONV_RELU) {
            dnnl::post_ops ops;
            ops.append_eltwise(dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
            attr.set_post_ops(ops);
        }
        fwd_pd = typename Family::Fwd::primitive_desc(eng, dnnl::prop_kind::forward_training, Family::kAlgo, any(xd), any(wd),
                                                      b_md, any(yd), strides, pad, pad, attr);
        fwd = typename Family::Fwd(fwd_pd);
        x = Arg(x_md, fwd_pd.src_desc(), eng, true);
        w = Arg(w_md, fwd_pd.weights_desc(), eng, true);
        b = Arg(b_md, fwd_pd.bias_desc(), eng, true);
        y = Arg(y_md, fwd_pd.dst_desc(), eng, false);
    }

    static memory::desc any(const memory::dims& d) { return memory::desc(d, kF32, Tag::any); }
    static Tag layout(bool blocked, int block) {
        return !blocked || block == 1 ? Tag::nchw : block == 16 ? Tag::nChw16c : Tag::nChw8c;
    }

    void forward(dnnl::stream& s, const float* px, const float* pw, const float* pb, float* py) override {
        fwd.execute(s, {{DNNL_ARG_SRC, x.in(px, s)}, {DNNL_ARG_WEIGHTS, w.in(pw, s)}, {DNNL_ARG_BIAS, b.in(pb, s)},
                        {DNNL_ARG_DST, y.out(py)}});
        y.written(s);
    }

    void backward(dnnl::stream& s, const float* px, const float* pw, const float* pdy, float* pdx, float* pdw,
                  float* pdb) override {
        if (pdx) {
            if (!bwd_data) {
                typename Family::BwdData::primitive_desc pd(eng, Family::kAlgo, any(x_md.get_dims()), any(w_md.get_dims()),
                                                             any(y_md.get_dims()), strides, pad, pad, fwd_pd);
                data_dy = Arg(y_md, pd.diff_dst_desc(), eng, true);
                data_w = Arg(w_md, pd.weights_desc(), eng, true);
                data_dx = Arg(x_md, pd.diff_src_desc(), eng, false);
                bwd_data = typename Family::BwdData(pd);
            }
            bwd_data.execute(s, {{DNNL_ARG_DIFF_DST, data_dy.in(pdy, s)}, {DNNL_ARG_WEIGHTS, data_w.in(pw, s)},
                                 {DNNL_ARG_DIFF_SRC, data_dx.out(pdx)}});
            data_dx.written(s);
        }
        if (pdw) {
            if (!bwd_weights) {
                typename Family::BwdWeights::primitive_desc pd(eng, Family::kAlgo, any(x_md.get_dims()), any(w_md.get_dims()),
                                                                b_md, any(y_md.get_dims()), strides, pad, pad, fwd_pd);
                weights_x = Arg(x_md, pd.src_desc(), eng, true);
                weights_dy = Arg(y_md, pd.diff_dst_desc(), eng, true);
                weights_dw = Arg(w_md, pd.diff_weights_desc(), eng, false);
                weights_db = Arg(b_md, pd.diff_bias_desc(), eng, false);
                spare_db = memory(b_md, eng);
                bwd_weights = typename Family::BwdWeights(pd);
            }
            bwd_weights.execute(s, {{DNNL_ARG_SRC, weights_x.in(px, s)}, {DNNL_ARG_DIFF_DST, weights_dy.in(pdy, s)},
                                    {DNNL_ARG_DIFF_WEIGHTS, weights_dw.out(pdw)},
                                    {DNNL_ARG_DIFF_BIAS, weights_db.out(pdb ? pdb : static_cast<float*>(spare_db.get_data_handle()))}});
            weights_dw.written(s);
            weights_db.written(s);
        }
    }
};

// (in, out, kernel, stride, padding, transposed, b, h, w, flags): everything a plan depends on.
using Key = std::array<int64_t, 10>;
constexpr size_t kMaxPlans = 64;  // a caller cycling through many sizes rebuilds, it does not grow without bound

Key key_of(const ConvShape& sh) {
    const rfsq_conv_cfg& c = sh.cfg;
    const int32_t layout_flags = RFSQ_CONV_X_BLOCKED | RFSQ_CONV_Y_BLOCKED | RFSQ_CONV_RELU;  // RELU_X: not oneDNN's
    return {c.in_channels, c.out_channels, c.kernel, c.stride, c.padding, c.transposed, sh.b, sh.h, sh.w,
            sh.flags & layout_flags};
}

}  // namespace

struct CpuConvCache {
    dnnl::engine eng{dnnl::engine::kind::cpu, 0};
    dnnl::stream stream{eng};
    std::map<Key, std::unique_ptr<Plan>> plans;
    std::map<std::array<int64_t, 4>, dnnl::matmul> matmuls;  // (rows, d, m, row stride) of VQ's x.e
};

void cpu_conv_release(rfsq_ctx* ctx) {
    delete ctx->cpu_conv;
    ctx->cpu_conv = nullptr;
}

namespace {

// Runs body(cache, plan of sh) and turns a oneDNN error into a status that names the op, the shape and the cause.
template <class Body>
int with_plan(rfsq_ctx* ctx, const ConvShape& sh, const char* op, Body body) {
    try {
        if (!ctx->cpu_conv) ctx->cpu_conv = new CpuConvCache();
        CpuConvCache& cache = *ctx->cpu_conv;
        const Key key = key_of(sh);
        auto it = cache.plans.find(key);
        if (it == cache.plans.end()) {
            std::unique_ptr<Plan> plan;
            if (sh.cfg.transposed) plan.reset(new PlanOf<Deconvolution>(sh, cache.eng));
            else plan.reset(new PlanOf<Convolution>(sh, cache.eng));
            if (cache.plans.size() >= kMaxPlans) cache.plans.clear();
            it = cache.plans.emplace(key, std::move(plan)).first;
        }
        body(cache.stream, *it->second);
        cache.stream.wait();
        return RFSQ_OK;
    } catch (const dnnl::error& e) {
        const rfsq_conv_cfg& c = sh.cfg;
        return fail(e.status == dnnl_out_of_memory ? RFSQ_E_NOMEM : RFSQ_E_INVALID, op,
                    "oneDNN failed on %s (in %d, out %d, k %d, s %d, p %d) over %lld x %d x %lld x %lld: %s (status %d)",
                    c.transposed ? "transposed convolution" : "convolution", c.in_channels, c.out_channels, c.kernel,
                    c.stride, c.padding, (long long)sh.b, c.in_channels, (long long)sh.h, (long long)sh.w, e.what(),
                    (int)e.status);
    }
}

// dbias alone, without dweight: the sum of dy over the batch and the positions, per channel (dy NCHW or blocked).
void bias_gradient(const ConvShape& sh, const float* dy, float* db) {
    const int64_t n = sh.oh * sh.ow, C = sh.cfg.out_channels;
    const int64_t k = (sh.flags & RFSQ_CONV_Y_BLOCKED) ? sh.block : 1, cb = (C + k - 1) / k;
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < C; ++c) {
        double sum = 0;
        for (int64_t b = 0; b < sh.b; ++b) {
            const float* p = dy + ((b * cb + c / k) * n) * k + c % k;
            float part = 0;
            for (int64_t i = 0; i < n; ++i) part += p[i * k];
            sum += part;
        }
        db[c] = (float)sum;
    }
}

}  // namespace

int cpu_conv_forward(rfsq_ctx* ctx, const ConvShape& sh, const float* x, const float* weight, const float* bias, float* y) {
    return with_plan(ctx, sh, "rfsq_conv_forward",
                     [&](dnnl::stream& s, Plan& plan) { plan.forward(s, x, weight, bias, y); });
}

int cpu_conv_backward(rfsq_ctx* ctx, const ConvShape& sh, const float* x, const float* weight, const float* dy, float* dx,
                      float* dweight, float* dbias) {
    if (dbias && !dweight) bias_gradient(sh, dy, dbias);  // oneDNN gives dbias only along with dweight
    if (!dx && !dweight) return RFSQ_OK;
    const int st = with_plan(ctx, sh, "rfsq_conv_backward", [&](dnnl::stream& s, Plan& plan) {
        plan.backward(s, x, weight, dy, dx, dweight, dweight ? dbias : nullptr);
    });
    if (st != RFSQ_OK) return st;
    if (dx && (sh.flags & RFSQ_CONV_RELU_X)) {  // the ReLU that made x: dx where x > 0, else 0 (padding stays 0)
        const int64_t k = (sh.flags & RFSQ_CONV_X_BLOCKED) ? sh.block : 1;
        const int64_t n = blocked_floats(sh.b, sh.cfg.in_channels, sh.h * sh.w, (int32_t)k);
        return cpu_run(ctx, "rfsq_conv_backward_ex", ReluBackward{x, dx, n, dx}, chunk_launch(n));
    }
    return RFSQ_OK;
}

// The channel block of nChw{k}c that oneDNN's f32 convolutions want on this CPU, from a probe convolution (once).
int cpu_conv_block() {
    static const int block = [] {
        try {
            const dnnl::engine eng(dnnl::engine::kind::cpu, 0);
            const memory::dims src{2, 64, 16, 16}, wei{64, 64, 3, 3}, dst{2, 64, 16, 16};
            auto any = [](const memory::dims& d) { return memory::desc(d, kF32, Tag::any); };
            const dnnl::convolution_forward::primitive_desc pd(eng, dnnl::prop_kind::forward_training,
                                                               dnnl::algorithm::convolution_direct, any(src), any(wei),
                                                               any(dst), {1, 1}, {1, 1}, {1, 1});
            if (pd.src_desc() == memory::desc(src, kF32, Tag::nChw16c)) return 16;
            if (pd.src_desc() == memory::desc(src, kF32, Tag::nChw8c)) return 8;
        } catch (const dnnl::error&) {  // no blocked layout then: NCHW everywhere works
        }
        return 1;
    }();
    return block;
}

// x.e for rows positions of one image: x is (d, hw) row-major, so the positions are rows of a {rows, d} matrix
// with strides {1, hw}; the codebook (m, d) row-major is the {d, m} matrix with strides {1, d}.
int cpu_vq_search(rfsq_ctx* ctx, const float* x, int64_t b, int32_t d, int64_t hw, const float* codebook, int32_t m,
                  const float* norms, int32_t* idx, float* dots, int64_t dots_rows) {
    const char* op = "rfsq_vq_forward";
    const int64_t n = b * (int64_t)d * hw;
    unsigned bad = 0;
#pragma omp parallel for schedule(static) reduction(| : bad)
    for (int64_t i = 0; i < n; ++i) bad |= std::isfinite(x[i]) ? 0u : 1u;
    if (bad) return fail(RFSQ_E_NONFINITE, op, "input contains NaN or Inf");
    try {
        if (!ctx->cpu_conv) ctx->cpu_conv = new CpuConvCache();
        CpuConvCache& cache = *ctx->cpu_conv;
        const memory::desc wd({d, m}, kF32, memory::dims{1, d});
        memory weights(wd, cache.eng, const_cast<float*>(codebook));
        for (int64_t img = 0; img < b; ++img) {
            for (int64_t p0 = 0; p0 < hw; p0 += dots_rows) {
                const int64_t rows = std::min(dots_rows, hw - p0);
                const std::array<int64_t, 4> key{rows, d, m, hw};
                const memory::desc sd({rows, d}, kF32, memory::dims{1, hw});
                const memory::desc dd({rows, m}, kF32, memory::dims{m, 1});
                auto it = cache.matmuls.find(key);
                if (it == cache.matmuls.end()) {
                    if (cache.matmuls.size() >= kMaxPlans) cache.matmuls.clear();
                    it = cache.matmuls.emplace(key, dnnl::matmul(dnnl::matmul::primitive_desc(cache.eng, sd, wd, dd))).first;
                }
                memory src(sd, cache.eng, const_cast<float*>(x + img * (int64_t)d * hw + p0));
                memory dst(dd, cache.eng, dots);
                it->second.execute(cache.stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}});
                cache.stream.wait();
#pragma omp parallel for schedule(static)
                for (int64_t r = 0; r < rows; ++r) {
                    const float* row = dots + r * m;
                    float best = INFINITY;
                    int32_t at = 0;
                    for (int32_t j = 0; j < m; ++j) {
                        const float dist = norms[j] - 2.0f * row[j];
                        if (dist < best) {
                            best = dist;
                            at = j;
                        }
                    }
                    idx[img * hw + p0 + r] = at;
                }
            }
        }
        return RFSQ_OK;
    } catch (const dnnl::error& e) {
        return fail(e.status == dnnl_out_of_memory ? RFSQ_E_NOMEM : RFSQ_E_INVALID, op,
                    "oneDNN matmul failed on %lld positions x %d dims x %d codes: %s (status %d)", (long long)(b * hw), d, m,
                    e.what(), (int)e.status);
    }
}

}  // namespace rfsq
