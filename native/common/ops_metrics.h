// Image quality metrics (spec §6; README "Evaluation metrics"): 8-bit images from normalized tensors, per-image
// error sums (L1, MSE), and SSIM's per-plane means as scikit-image computes them. The per-pixel statistics are
// computed in double: SSIM's variances are differences of large 8-bit moments. One team per image (Errors) or per
// (image, channel) plane (To8Bit, Ssim: Launch{planes, ssim_work_floats(w)}).
#pragma once

#include "team.h"

namespace rfsq {

// y = clamp(floor(x * scale[c] + shift[c] + 0.5), 0, 255): the values of the 8-bit image a uint8 conversion with
// rounding (torchvision's save_image: mul(255).add_(0.5).clamp_(0, 255)) makes, computed in double with one fma.
struct To8Bit {
    static constexpr const char* kName = "rfsq_to_8bit";
    const float* x;
    int64_t c;
    int64_t n;  // H*W
    const float* scale;
    const float* shift;
    float* y;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t plane) const {
        const double a = scale[plane % c], s = shift[plane % c];
        unsigned bad = 0;
        for (int64_t p = t.rank(); p < n; p += t.size()) {
            const double v = fma((double)x[plane * n + p], a, s);
            if (!isfinite(v)) bad |= kBadNonFinite;
            const double r = floor(v + 0.5);
            y[plane * n + p] = (float)(r < 0.0 ? 0.0 : r > 255.0 ? 255.0 : r);
        }
        if (bad) t.flag(bad);
    }
};

// out[img] = (sum |a - b|, sum (a - b)^2) over the n elements of each image, accumulated in double.
struct ImageErrors {
    static constexpr const char* kName = "rfsq_image_errors";
    const float* a;
    const float* b;
    int64_t n;
    float* out;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t img) const {
        double l1 = 0, l2 = 0;
        unsigned bad = 0;
        for (int64_t p = t.rank(); p < n; p += t.size()) {
            const double d = (double)a[img * n + p] - (double)b[img * n + p];
            if (!isfinite(d)) bad |= kBadNonFinite;
            l1 += fabs(d);
            l2 += d * d;
        }
        float acc[2] = {(float)l1, (float)l2};
        t.sum(acc, 2);
        if (t.rank() == 0) {
            out[img * 2] = acc[0];
            out[img * 2 + 1] = acc[1];
        }
        if (bad) t.flag(bad);
    }
};

// SSIM's Gaussian window: scipy.ndimage's for sigma 1.5 truncated at 3.5 sigma (radius int(3.5 * 1.5 + 0.5) = 5),
// as skimage.metrics.structural_similarity(gaussian_weights=True) uses it.
constexpr int kSsimRadius = 5;
constexpr int kSsimTaps = 2 * kSsimRadius + 1;

// Team scratch of Ssim: five rows of w doubles, plus room to align them to 8 bytes.
inline int64_t ssim_work_floats(int64_t w) { return 10 * w + 2; }

// Per (image, channel) plane of x and y (8-bit values): out[plane] = (mean SSIM, mean contrast-structure term)
// over the positions whose whole 11 x 11 window lies inside the plane ((H - 10) x (W - 10): skimage crops the
// filtered maps by the radius, so its border mode never matters). Means and (co)variances are Gaussian-weighted
// moments; cov_norm scales the (co)variances (skimage's use_sample_covariance=True: 121/120; Wang et al.: 1).
// The window's rows are filtered first (axis 0), then its columns, as scipy's separable filter does.
struct Ssim {
    static constexpr const char* kName = "rfsq_ssim";
    const float* x;
    const float* y;
    int64_t h, w;
    double c1, c2, cov_norm;
    double taps[kSsimTaps];
    float* out;

    template <class Team>
    RFSQ_HD void operator()(Team& t, int64_t plane) const {
        // Five rows of vertical sums (x, y, xx, yy, xy) at every column of the current output row.
        double* v = reinterpret_cast<double*>((reinterpret_cast<uintptr_t>(t.work()) + 7) & ~uintptr_t(7));
        const float* xp = x + plane * h * w;
        const float* yp = y + plane * h * w;
        const int64_t oh = h - 2 * kSsimRadius, ow = w - 2 * kSsimRadius;
        double s_acc = 0, cs_acc = 0;
        unsigned bad = 0;
        for (int64_t i = 0; i < oh; ++i) {
            for (int64_t j = t.rank(); j < w; j += t.size()) {
                double a = 0, b = 0, aa = 0, bb = 0, ab = 0;
                for (int k = 0; k < kSsimTaps; ++k) {
                    const double p = xp[(i + k) * w + j], q = yp[(i + k) * w + j], g = taps[k];
                    a += g * p;
                    b += g * q;
                    aa += g * (p * p);
                    bb += g * (q * q);
                    ab += g * (p * q);
                }
                if (!isfinite(aa + bb)) bad |= kBadNonFinite;
                v[j] = a;
                v[w + j] = b;
                v[2 * w + j] = aa;
                v[3 * w + j] = bb;
                v[4 * w + j] = ab;
            }
            t.sync();
            for (int64_t j = t.rank(); j < ow; j += t.size()) {
                double ux = 0, uy = 0, uxx = 0, uyy = 0, uxy = 0;
                for (int k = 0; k < kSsimTaps; ++k) {
                    const double g = taps[k];
                    ux += g * v[j + k];
                    uy += g * v[w + j + k];
                    uxx += g * v[2 * w + j + k];
                    uyy += g * v[3 * w + j + k];
                    uxy += g * v[4 * w + j + k];
                }
                const double vx = cov_norm * (uxx - ux * ux), vy = cov_norm * (uyy - uy * uy);
                const double vxy = cov_norm * (uxy - ux * uy);
                const double cs = (2 * vxy + c2) / (vx + vy + c2);
                s_acc += (2 * ux * uy + c1) / (ux * ux + uy * uy + c1) * cs;
                cs_acc += cs;
            }
            t.sync();  // the next row overwrites v
        }
        float acc[2] = {(float)s_acc, (float)cs_acc};
        t.sum(acc, 2);
        if (t.rank() == 0) {
            out[plane * 2] = (float)(acc[0] / (double)(oh * ow));
            out[plane * 2 + 1] = (float)(acc[1] / (double)(oh * ow));
        }
        if (bad) t.flag(bad);
    }
};

#define RFSQ_METRICS_OPS(X) X(To8Bit) X(ImageErrors) X(Ssim)

}  // namespace rfsq
