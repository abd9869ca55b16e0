// The float64 references of the native ops, written from the definitions (RFSQ-SPEC.md §1-2, docs/BASELINES.md)
// and shared by native/tests and bench/cuda: FSQ and RFSQ (forward, straight-through surrogate, decode), LFQ
// (forward, loss, gradient), VQ (distances and the nearest-code check), and the evaluation ops (max-pool selection,
// 8-bit conversion, SSIM, the LPIPS layer head and its gradient). Everything here is float64 and plain
// C++ over std::vector; nothing calls librfsq.
#pragma once

#include <math.h>
#include <stdint.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "rfsq.h"

namespace ref {

// ---- FSQ and RFSQ ----------------------------------------------------------------------------------------

struct RefFsq {
    std::vector<int> L;
    std::vector<double> h, o, shift, half;
    std::vector<int64_t> basis;
    int64_t codebook = 1;
    explicit RefFsq(const rfsq_levels& lv) {
        for (int j = 0; j < lv.count; ++j) {
            const int l = lv.levels[j];
            L.push_back(l);
            h.push_back((l - 1) * (1 - 1e-3) / 2);
            o.push_back(l % 2 == 0 ? 0.5 : 0.0);
            shift.push_back(tan(o.back() / h.back()));
            half.push_back(l / 2);
            basis.push_back(codebook);
            codebook *= l;
        }
    }
    double bound(int j, double x) const { return tanh(x + shift[j]) * h[j] - o[j]; }
    double deriv(int j, double x) const {
        const double t = tanh(x + shift[j]);
        return h[j] * (1 - t * t) / half[j];
    }
    // Distance of f to the nearest rounding boundary (a half-integer).
    static double margin(double f) { return fabs(f - floor(f) - 0.5); }
    // How many codes (B,C,N) and indices (B,N) of an FSQ forward on x (B,C,N) differ from the float64 ones;
    // elements (for indices: positions) where float32 may round either way are not counted.
    int64_t mismatches(const std::vector<float>& x, int64_t B, int64_t N, const std::vector<float>& codes,
                       const std::vector<int32_t>& idx) const;
    // The straight-through gradient dc * d bound(x) / dx / floor(L/2) of x (B,C,N).
    std::vector<double> backward(const std::vector<float>& x, const std::vector<float>& dc, int64_t N) const {
        std::vector<double> dx(x.size());
        for (int64_t e = 0; e < (int64_t)x.size(); ++e) dx[e] = dc[e] * deriv((int)(e / N % (int64_t)L.size()), x[e]);
        return dx;
    }
};

constexpr double kAmbiguous = 1e-4;  // |f - boundary| below this: float32 may round either way

inline int64_t RefFsq::mismatches(const std::vector<float>& x, int64_t B, int64_t N, const std::vector<float>& codes,
                                  const std::vector<int32_t>& idx) const {
    const int C = (int)L.size();
    int64_t wrong = 0;
    for (int64_t b = 0; b < B; ++b)
        for (int64_t p = 0; p < N; ++p) {
            int64_t index = 0;
            bool ambiguous = false;
            for (int c = 0; c < C; ++c) {
                const int64_t e = (b * C + c) * N + p;
                const double f = bound(c, x[e]);
                ambiguous |= margin(f) < kAmbiguous;
                index += (int64_t)(nearbyint(f) + half[c]) * basis[c];
                if (margin(f) >= kAmbiguous && codes[e] != (float)(nearbyint(f) / half[c])) ++wrong;
            }
            if (!ambiguous && idx[b * N + p] != index) ++wrong;
        }
    return wrong;
}

// Float64 scale-conditioned stage q = FSQ(s x) / s, s = softplus(theta), of x (B,C,N); where float32 may round either
// way (|f - boundary| < kAmbiguous) the kernel's own got[i] is taken.
inline std::vector<double> ref_scale_stage(const RefFsq& F, float theta, const std::vector<float>& x, int64_t N,
                                           const std::vector<float>& got) {
    const int64_t C = (int64_t)F.L.size();
    const double s = log1p(exp((double)theta));
    std::vector<double> q(x.size());
    for (int64_t i = 0; i < (int64_t)x.size(); ++i) {
        const int ch = (int)((i / N) % C);
        const double f = F.bound(ch, s * x[i]);
        q[i] = RefFsq::margin(f) < kAmbiguous ? got[i] : nearbyint(f) / F.half[ch] / s;
    }
    return q;
}

// Float64 layernorm of x (B,C,N) per image and channel: n = gamma (x - mu) / sigma + beta, stats (B,C,2) = (mu, sigma).
inline void ref_layernorm(const std::vector<float>& x, int64_t B, int64_t C, int64_t N, const std::vector<float>& gamma,
                          const std::vector<float>& beta, std::vector<double>& n, std::vector<double>& stats) {
    n.assign(x.size(), 0.0);
    stats.assign(B * C * 2, 0.0);
    for (int64_t b = 0; b < B; ++b)
        for (int64_t c = 0; c < C; ++c) {
            double m = 0, v = 0;
            for (int64_t p = 0; p < N; ++p) m += x[(b * C + c) * N + p];
            m /= N;
            for (int64_t p = 0; p < N; ++p) v += pow(x[(b * C + c) * N + p] - m, 2);
            const double sd = sqrt(v / N + 1e-5);
            stats[(b * C + c) * 2] = m;
            stats[(b * C + c) * 2 + 1] = sd;
            for (int64_t p = 0; p < N; ++p) n[(b * C + c) * N + p] = gamma[c] * (x[(b * C + c) * N + p] - m) / sd + beta[c];
        }
}

struct RfsqCase {
    rfsq_rfsq_cfg cfg;
    int64_t b, h, w;
    int C() const { return cfg.levels.count; }
    int64_t n() const { return h * w; }
    int64_t size() const { return b * C() * n(); }
    int64_t params() const {
        return cfg.strategy == RFSQ_STRATEGY_SCALE ? cfg.stages : cfg.strategy == RFSQ_STRATEGY_LAYERNORM ? 2LL * cfg.stages * C() : 0;
    }
};

// Float64 RFSQ forward. hint: the kernel's indices, adopted where the reference is ambiguous (so both
// follow the same branch); offsets: when given, round(f) is replaced by f + offset (the STE surrogate),
// and when offsets_out is given, the offsets of this point are recorded.
struct RefRfsq {
    std::vector<double> zhat, stats, rnorm;
    std::vector<double> margin;  // (B,H,W,K): the smallest distance of a bound value to a rounding boundary
    std::vector<int32_t> idx;
    int64_t mismatches = 0;
};

inline RefRfsq ref_rfsq(const RfsqCase& tc, const std::vector<double>& z, const std::vector<double>& params,
                 const float* running, const int32_t* hint, const std::vector<double>* offsets,
                 std::vector<double>* offsets_out) {
    const RefFsq F(tc.cfg.levels);
    const int C = tc.C(), K = tc.cfg.stages, st = tc.cfg.strategy;
    const int64_t N = tc.n(), B = tc.b;
    RefRfsq out;
    out.zhat.assign(tc.size(), 0.0);
    out.idx.assign(B * N * K, 0);
    out.stats.assign(K * B * C * 2, 0.0);
    out.rnorm.assign(B * K, 0.0);
    out.margin.assign(B * N * K, INFINITY);
    if (offsets_out) offsets_out->assign(tc.size() * K, 0.0);
    auto gain = [](double g) { return fabs(g) < 1e-6 ? (g < 0 ? -1e-6 : 1e-6) : g; };
    for (int64_t b = 0; b < B; ++b) {
        std::vector<double> r(z.begin() + b * C * N, z.begin() + (b + 1) * C * N);
        for (int s = 0; s < K; ++s) {
            std::vector<double> mu(C, 0.0), sig(C, 1.0), a(C, 1.0), be(C, 0.0), ainv(C, 1.0);
            for (int c = 0; c < C; ++c) {
                if (st == RFSQ_STRATEGY_SCALE) {
                    const double t = params[s];
                    const double sc = std::max(t > 20 ? t : log1p(exp(t)), 1e-6);
                    a[c] = sc;
                    ainv[c] = 1 / sc;
                } else if (st == RFSQ_STRATEGY_LAYERNORM) {
                    if (running) {
                        mu[c] = running[(s * C + c) * 2];
                        sig[c] = running[(s * C + c) * 2 + 1];
                    } else {
                        double m = 0, v = 0;
                        for (int64_t p = 0; p < N; ++p) m += r[c * N + p];
                        m /= N;
                        for (int64_t p = 0; p < N; ++p) v += (r[c * N + p] - m) * (r[c * N + p] - m);
                        mu[c] = m;
                        sig[c] = sqrt(v / N + 1e-5);
                    }
                    const double g = gain(params[s * 2 * C + c]);
                    be[c] = params[s * 2 * C + C + c];
                    a[c] = g / sig[c];
                    ainv[c] = sig[c] / g;
                    out.stats[((s * B + b) * C + c) * 2] = mu[c];
                    out.stats[((s * B + b) * C + c) * 2 + 1] = sig[c];
                }
            }
            double sq = 0;
            for (int64_t p = 0; p < N; ++p) {
                int64_t index = 0;
                const int64_t hint_index = hint ? hint[(b * N + p) * K + s] : -1;
                for (int c = 0; c < C; ++c) {
                    const double x = r[c * N + p];
                    const double f = F.bound(c, (x - mu[c]) * a[c] + be[c]);
                    double& m = out.margin[(b * N + p) * K + s];
                    m = std::min(m, RefFsq::margin(f));
                    double lev = nearbyint(f);
                    if (hint && RefFsq::margin(f) < kAmbiguous) {
                        lev = (double)((hint_index / F.basis[c]) % F.L[c]) - F.half[c];
                    } else if (hint && (int64_t)(lev + F.half[c]) != (hint_index / F.basis[c]) % F.L[c]) {
                        ++out.mismatches;
                    }
                    const int64_t e = (b * C + c) * N + p;
                    if (offsets_out) (*offsets_out)[e * K + s] = lev - f;
                    const double level = offsets ? f + (*offsets)[e * K + s] : lev;
                    index += (int64_t)(lev + F.half[c]) * F.basis[c];
                    const double q = (level / F.half[c] - be[c]) * ainv[c] + mu[c];
                    out.zhat[e] += q;
                    r[c * N + p] = x - q;
                    sq += r[c * N + p] * r[c * N + p];
                }
                out.idx[(b * N + p) * K + s] = (int32_t)index;
            }
            out.rnorm[b * K + s] = sqrt(sq);
        }
    }
    return out;
}

// Random parameters: theta in [-1, 1]; gamma in [0.5, 1.5], beta in [-0.3, 0.3]. G: anything with uniform() in [0, 1).
template <class G>
std::vector<float> random_params(G& g, const RfsqCase& tc) {
    std::vector<float> p(tc.params());
    const int C = tc.C();
    for (int s = 0; s < tc.cfg.stages; ++s) {
        if (tc.cfg.strategy == RFSQ_STRATEGY_SCALE) p[s] = (float)(g.uniform() * 2 - 1);
        if (tc.cfg.strategy == RFSQ_STRATEGY_LAYERNORM)
            for (int c = 0; c < C; ++c) {
                p[s * 2 * C + c] = (float)(0.5 + g.uniform());
                p[s * 2 * C + C + c] = (float)(g.uniform() * 0.6 - 0.3);
            }
    }
    return p;
}

// ---- LFQ -------------------------------------------------------------------------------------------------

struct LfqRef {
    std::vector<double> q, dx;
    std::vector<int32_t> idx;
    double loss = 0;
};

inline double sgn_code(int64_t j, int ch, int C) { return ((j >> (C - 1 - ch)) & 1) ? 1.0 : -1.0; }
inline double ent(double p) { return -p * log(std::max(p, 1e-5)); }
inline double dent(double p) { return p >= 1e-5 ? -(log(p) + 1) : -log(1e-5); }

// Straight from the page: full M-way softmax over logits, then the entropies and their gradient.
inline LfqRef lfq_ref(const rfsq_lfq_cfg& cfg, const std::vector<double>& x, int64_t B, int64_t HW, const std::vector<double>& dq) {
    const int C = cfg.channels;
    const int64_t N = B * HW, M = int64_t(1) << C, E = N * C;
    const double tau = cfg.inv_temperature, we = cfg.entropy_weight, wc = cfg.commitment_weight, gam = cfg.diversity_gamma;
    LfqRef r;
    r.q.assign(E, 0);
    r.dx.assign(E, 0);
    r.idx.assign(N, 0);
    auto at = [&](int64_t n, int ch) { return (n / HW * C + ch) * HW + n % HW; };
    double commit = 0;
    for (int64_t n = 0; n < N; ++n) {
        int32_t index = 0;
        for (int ch = 0; ch < C; ++ch) {
            const double v = x[at(n, ch)], q = v > 0 ? 1 : -1;
            r.q[at(n, ch)] = q;
            index += (v > 0 ? 1 : 0) << (C - 1 - ch);
            commit += (v - q) * (v - q);
            r.dx[at(n, ch)] = dq[at(n, ch)] + 2 * wc * (v - q) / (double)E;
        }
        r.idx[n] = index;
    }
    r.loss = wc * commit / (double)E;
    if (we == 0) return r;
    std::vector<double> p(N * M), a(M, 0.0);
    double P = 0;
    for (int64_t n = 0; n < N; ++n) {
        double mx = -INFINITY;
        for (int64_t j = 0; j < M; ++j) {
            double l = 0;
            for (int ch = 0; ch < C; ++ch) l -= tau * (x[at(n, ch)] - sgn_code(j, ch, C)) * (x[at(n, ch)] - sgn_code(j, ch, C));
            p[n * M + j] = l;
            mx = std::max(mx, l);
        }
        double s = 0;
        for (int64_t j = 0; j < M; ++j) s += (p[n * M + j] = exp(p[n * M + j] - mx));
        for (int64_t j = 0; j < M; ++j) {
            p[n * M + j] /= s;
            P += ent(p[n * M + j]);
            a[j] += p[n * M + j] / N;
        }
    }
    double Q = 0;
    for (int64_t j = 0; j < M; ++j) Q += ent(a[j]);
    r.loss += we * (P / (N * M) - gam * Q / M);
    for (int64_t n = 0; n < N; ++n) {
        std::vector<double> g(M);
        double G = 0;
        for (int64_t j = 0; j < M; ++j) {
            g[j] = we * (dent(p[n * M + j]) - gam * dent(a[j])) / (N * M);
            G += p[n * M + j] * g[j];
        }
        for (int64_t j = 0; j < M; ++j) {
            const double dl = p[n * M + j] * (g[j] - G);
            for (int ch = 0; ch < C; ++ch) r.dx[at(n, ch)] += -2 * tau * dl * (x[at(n, ch)] - sgn_code(j, ch, C));
        }
    }
    return r;
}

// ---- VQ --------------------------------------------------------------------------------------------------

struct VqCase {
    int32_t M, D;
    int64_t B, H, W;
    int64_t N() const { return B * H * W; }
    int64_t HW() const { return H * W; }
    int64_t E() const { return B * D * H * W; }
    int64_t at(int64_t n, int d) const { return (n / HW() * D + d) * HW() + n % HW(); }
};

inline double vq_dist(const std::vector<float>& x, const std::vector<float>& cb, const VqCase& k, int64_t n, int64_t j) {
    double s = 0;
    for (int d = 0; d < k.D; ++d) {
        const double v = (double)x[k.at(n, d)] - cb[j * k.D + d];
        s += v * v;
    }
    return s;
}

// Checks the native indices: each must be a nearest code in float64 up to the float32 rounding of ||e||^2 - 2 x.e
// (counted in *far otherwise), and equal to the float64 argmin wherever that one is clear by more than the rounding
// (the return value counts those misses).
inline int64_t vq_index_misses(const std::vector<float>& x, const std::vector<float>& cb, const VqCase& k, const std::vector<int32_t>& idx,
                        int64_t* far) {
    int64_t misses = 0;
    *far = 0;
    for (int64_t n = 0; n < k.N(); ++n) {
        double best = INFINITY, second = INFINITY, xx = 0;
        int64_t at = -1;
        for (int d = 0; d < k.D; ++d) xx += (double)x[k.at(n, d)] * x[k.at(n, d)];
        for (int64_t j = 0; j < k.M; ++j) {
            const double dj = vq_dist(x, cb, k, n, j);
            if (dj < best) {
                second = best;
                best = dj;
                at = j;
            } else if (dj < second) {
                second = dj;
            }
        }
        const double tol = 1e-5 * (xx + 1.0);
        if (idx[n] < 0 || idx[n] >= k.M || vq_dist(x, cb, k, n, idx[n]) > best + tol) ++*far;
        else if (idx[n] != at && second - best > tol) ++misses;
    }
    return misses;
}

// ---- evaluation: 2x2 max-pool selection, 8-bit conversion, SSIM, the LPIPS layer head -----------------------

// Index in x (row-major planes of h x w) of the maximum of 2x2 window (i, j) of plane pl as PyTorch's max_pool2d
// picks it: a value replaces the running maximum when larger or NaN.
inline int64_t max_pool_pick(const std::vector<float>& x, int64_t pl, int64_t h, int64_t w, int64_t i, int64_t j) {
    int64_t best = -1;
    double m = -INFINITY;
    for (int k = 0; k < 4; ++k) {
        const int64_t e = pl * h * w + (2 * i + k / 2) * w + 2 * j + k % 2;
        if (best < 0 || x[e] > m || std::isnan(x[e])) m = x[e], best = e;
    }
    return best;
}

// The 8-bit value of x with per-channel scale and shift: clamp(floor(x * scale + shift + 0.5), 0, 255).
inline float to_8bit(float x, float scale, float shift) {
    return (float)std::min(255.0, std::max(0.0, floor(fma((double)x, (double)scale, (double)shift) + 0.5)));
}

// SSIM of one plane the direct way: the full 11 x 11 Gaussian window at every inner position, in double.
inline std::pair<double, double> ssim_plane(const std::vector<float>& x, const std::vector<float>& y, int64_t off,
                                            int64_t H, int64_t W, double range, bool sample) {
    double taps[11], total = 0;
    for (int k = 0; k < 11; ++k) total += taps[k] = exp(-(k - 5) * (k - 5) / (2 * 1.5 * 1.5));
    for (double& t : taps) t /= total;
    const double c1 = (0.01 * range) * (0.01 * range), c2 = (0.03 * range) * (0.03 * range);
    const double norm = sample ? 121.0 / 120.0 : 1.0;
    double s = 0, cs = 0;
    for (int64_t i = 0; i + 10 < H; ++i)
        for (int64_t j = 0; j + 10 < W; ++j) {
            double ux = 0, uy = 0, uxx = 0, uyy = 0, uxy = 0;
            for (int a = 0; a < 11; ++a)
                for (int b = 0; b < 11; ++b) {
                    const double wgt = taps[a] * taps[b], p = x[off + (i + a) * W + j + b], q = y[off + (i + a) * W + j + b];
                    ux += wgt * p, uy += wgt * q, uxx += wgt * p * p, uyy += wgt * q * q, uxy += wgt * p * q;
                }
            const double vx = norm * (uxx - ux * ux), vy = norm * (uyy - uy * uy), vxy = norm * (uxy - ux * uy);
            const double c = (2 * vxy + c2) / (vx + vy + c2);
            s += (2 * ux * uy + c1) / (ux * ux + uy * uy + c1) * c;
            cs += c;
        }
    const double count = (double)(H - 10) * (W - 10);
    return {s / count, cs / count};
}

// One image's layer term in double: mean over positions of sum_c w_c (fa/(|fa|+eps) - fb/(|fb|+eps))^2.
inline double lpips_term(const std::vector<double>& fa, const std::vector<double>& fb, int64_t off, int64_t C,
                         int64_t hw, const std::vector<double>& w) {
    double total = 0;
    for (int64_t p = 0; p < hw; ++p) {
        double na = 0, nb = 0;
        for (int64_t c = 0; c < C; ++c) na += fa[off + c * hw + p] * fa[off + c * hw + p], nb += fb[off + c * hw + p] * fb[off + c * hw + p];
        na = sqrt(na) + 1e-10, nb = sqrt(nb) + 1e-10;
        for (int64_t c = 0; c < C; ++c) {
            const double d = fa[off + c * hw + p] / na - fb[off + c * hw + p] / nb;
            total += w[c] * d * d;
        }
    }
    return total / (double)hw;
}

// The analytic gradient in double (the formula the op implements), for one image.
inline void lpips_grad(const std::vector<double>& fa, const std::vector<double>& fb, int64_t off, int64_t C,
                       int64_t hw, const std::vector<double>& w, double scale, std::vector<double>& out) {
    for (int64_t p = 0; p < hw; ++p) {
        double r = 0, nb = 0;
        for (int64_t c = 0; c < C; ++c) r += fa[off + c * hw + p] * fa[off + c * hw + p], nb += fb[off + c * hw + p] * fb[off + c * hw + p];
        r = sqrt(r);
        const double na = r + 1e-10;
        nb = sqrt(nb) + 1e-10;
        std::vector<double> gc(C);
        double dot = 0;
        for (int64_t c = 0; c < C; ++c) {
            gc[c] = 2 * w[c] * (fa[off + c * hw + p] / na - fb[off + c * hw + p] / nb) * scale / (double)hw;
            dot += gc[c] * fa[off + c * hw + p];
        }
        for (int64_t c = 0; c < C; ++c)
            out[off + c * hw + p] = gc[c] / na - (r > 0 ? fa[off + c * hw + p] * dot / (r * na * na) : 0.0);
    }
}

}  // namespace ref
