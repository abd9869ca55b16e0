"""Reference image metrics for ImageMetricsTest: scikit-image's PSNR and SSIM, and MS-SSIM written from its
published definition (Wang, Simoncelli, Bovik 2003) in plain numpy, on real photos and distorted copies.

    python3 bench/pytorch/metrics_reference.py OUT_DIR IMAGE|IMAGE:OTHER...

Images of one size (a batch). Writes OUT_DIR/x.npy and OUT_DIR/xhat.npy (float32 (B,3,H,W), ImageNet-normalized):
x holds the photos; xhat, for IMAGE, a distortion of it (by position: noise, blur plus noise, a shift past the
8-bit range, an exact copy), and for IMAGE:OTHER the photo OTHER (a real distortion such as LPIPS's examples);
and OUT_DIR/expected.txt with one line per pair: l1 psnr psnr_paper ssim ms_ssim (Infinity for identical images).
Works with numpy >= 1.20, scikit-image 0.19 (Debian 12) and later, Pillow.
"""
import sys

import numpy as np
from PIL import Image
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

MEAN = np.array([0.485, 0.456, 0.406])
STD = np.array([0.229, 0.224, 0.225])
MS_WEIGHTS = np.array([0.0448, 0.2856, 0.3001, 0.2363, 0.1333])


def to_8bit(x):
    """rfsq4j's conversion: v = x * float32(255 std) + float32(255 mean) in double, floor(v + 0.5), clamped."""
    scale = (255 * STD).astype(np.float32).astype(np.float64)[:, None, None]
    shift = (255 * MEAN).astype(np.float32).astype(np.float64)[:, None, None]
    return np.clip(np.floor(x.astype(np.float64) * scale + shift + 0.5), 0, 255).astype(np.uint8)


def gaussian_window():
    """scipy.ndimage's Gaussian for sigma 1.5, truncate 3.5: radius 5, 11 taps, normalized; as a 2-D window."""
    k = np.arange(-5, 6, dtype=np.float64)
    g = np.exp(-0.5 / 1.5 ** 2 * k ** 2)
    g /= g.sum()
    return np.outer(g, g)


def valid_filter(img, window):
    """The window at every position where it fits inside img (2-D), in float64."""
    from numpy.lib.stride_tricks import sliding_window_view
    return np.einsum("ijkl,kl->ij", sliding_window_view(img, window.shape), window)


def ssim_terms(a, b, cov_norm, data_range=255.0):
    """Mean SSIM and mean contrast-structure term of two 2-D images over the valid positions."""
    w = gaussian_window()
    a, b = a.astype(np.float64), b.astype(np.float64)
    ux, uy = valid_filter(a, w), valid_filter(b, w)
    vx = cov_norm * (valid_filter(a * a, w) - ux * ux)
    vy = cov_norm * (valid_filter(b * b, w) - uy * uy)
    vxy = cov_norm * (valid_filter(a * b, w) - ux * uy)
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    cs = (2 * vxy + c2) / (vx + vy + c2)
    return float(((2 * ux * uy + c1) / (ux ** 2 + uy ** 2 + c1) * cs).mean()), float(cs.mean())


def ms_ssim(a8, b8):
    """MS-SSIM of two (3,H,W) 8-bit images: the most scales (<= 5) whose smallest image holds the 11x11 window,
    Wang's weights for them scaled to sum 1, 2x2 average pooling, population covariance, per channel, averaged."""
    h, w = a8.shape[1:]
    m = 1
    while m < 5 and min(h, w) >> m >= 11:
        m += 1
    weights = MS_WEIGHTS[:m] / MS_WEIGHTS[:m].sum()
    values = []
    for c in range(3):
        a, b = a8[c].astype(np.float64), b8[c].astype(np.float64)
        value = 1.0
        for j in range(m):
            s, cs = ssim_terms(a, b, 1.0)
            value *= max(s if j == m - 1 else cs, 0.0) ** weights[j]
            hh, ww = a.shape[0] // 2 * 2, a.shape[1] // 2 * 2
            a = a[:hh, :ww].reshape(hh // 2, 2, ww // 2, 2).mean(axis=(1, 3))
            b = b[:hh, :ww].reshape(hh // 2, 2, ww // 2, 2).mean(axis=(1, 3))
        values.append(value)
    return float(np.mean(values))


def distort(x, kind, rng):
    """A reconstruction-like copy of a normalized (3,H,W) image."""
    if kind == 0:
        return x + rng.normal(0, 0.15, x.shape)
    if kind == 1:  # 3x3 box blur plus mild noise
        p = np.pad(x, ((0, 0), (1, 1), (1, 1)), mode="edge")
        blur = sum(p[:, i:i + x.shape[1], j:j + x.shape[2]] for i in range(3) for j in range(3)) / 9
        return blur + rng.normal(0, 0.05, x.shape)
    if kind == 2:  # brighter, past the 8-bit range in places
        return x * 1.3 + 0.8
    return x.copy()


def main(out, files):
    rng = np.random.default_rng(1234)
    def normalized(f):
        p = np.asarray(Image.open(f).convert("RGB"), dtype=np.float32)
        return ((p / np.float32(255) - MEAN.astype(np.float32)) / STD.astype(np.float32)).transpose(2, 0, 1)

    x = np.stack([normalized(f.split(":")[0]) for f in files]).astype(np.float32)
    xhat = np.stack([normalized(f.split(":")[1]) if ":" in f else distort(xi.astype(np.float64), i % 4, rng)
                     for i, (f, xi) in enumerate(zip(files, x))]).astype(np.float32)
    np.save(f"{out}/x.npy", x)
    np.save(f"{out}/xhat.npy", xhat)
    lines = []
    for xi, yi in zip(x, xhat):
        d = xi.astype(np.float64) - yi.astype(np.float64)
        a8, b8 = to_8bit(xi), to_8bit(yi)
        hwc_a, hwc_b = a8.transpose(1, 2, 0), b8.transpose(1, 2, 0)
        with np.errstate(divide="ignore"):
            psnr = peak_signal_noise_ratio(hwc_a, hwc_b, data_range=255)
        ssim = structural_similarity(hwc_a, hwc_b, gaussian_weights=True, sigma=1.5, channel_axis=-1, data_range=255)
        # The numpy SSIM above, with skimage's sample covariance, must be skimage's: same window, same cropping.
        own = np.mean([ssim_terms(a8[c], b8[c], 121 / 120)[0] for c in range(3)])
        assert abs(own - ssim) < 1e-9, f"numpy SSIM {own} differs from skimage's {ssim}"
        with np.errstate(divide="ignore"):
            paper = 10 * np.log10(4 / np.mean(d ** 2))
        values = [np.mean(np.abs(d)), psnr, paper, ssim, ms_ssim(a8, b8)]
        lines.append(" ".join("Infinity" if np.isinf(v) else repr(float(v)) for v in values))
    with open(f"{out}/expected.txt", "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
