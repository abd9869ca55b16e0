package dev.rfsq4j.eval;

import static dev.rfsq4j.internal.Checks.exactly;
import static dev.rfsq4j.internal.Checks.expect;

import dev.rfsq4j.internal.Checks;
import dev.rfsq4j.DType;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.nn.ImageNormalization;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Per-image quality of reconstructions (spec §6), computed on the tensors' device by native ops; Java only
 * combines a few numbers per image. Inputs are ImageNet-normalized float32 (B,3,H,W) tensors (what the model
 * reads and writes). The exact definitions (README, "Evaluation metrics"):
 * <ul>
 *   <li><b>l1</b>: mean |x - x̂| over the 3HW normalized values.</li>
 *   <li><b>psnr</b>: both images de-normalized (v · std + mean), to 8 bits as a saved PNG holds them
 *       (clamp(floor(255 v + 0.5), 0, 255), torchvision's save_image rounding), then
 *       10 log10(255² / MSE) over the 3HW 8-bit values: {@code skimage.metrics.peak_signal_noise_ratio(...,
 *       data_range=255)}. +Infinity when the 8-bit images are identical.</li>
 *   <li><b>psnrPaper</b>: 10 log10(4 / MSE) on the normalized tensors, the variant the paper's table is consistent
 *       with (spec §6).</li>
 *   <li><b>ssim</b>: on the same 8-bit images, {@code skimage.metrics.structural_similarity(x8, x̂8,
 *       gaussian_weights=True, sigma=1.5, channel_axis=-1, data_range=255)} with skimage's other defaults: Gaussian
 *       window truncated at 3.5σ (11×11), K1 0.01, K2 0.03, sample covariance (× 121/120), the SSIM map averaged
 *       over the positions whose whole window lies in the image ((H−10)×(W−10)), then over the three channels.</li>
 *   <li><b>msSsim</b>: multi-scale SSIM (Wang, Simoncelli and Bovik 2003) on the same 8-bit images with the same
 *       window but population covariance (as the paper), M = {@link #msSsimScales} scales (4 at 128×128: 128, 64,
 *       32, 16 px; a fifth scale of 8 px would not hold the window), 2×2 average pooling between scales, weights
 *       the first M of (0.0448, 0.2856, 0.3001, 0.2363, 0.1333) scaled to sum to 1:
 *       MS-SSIM = Π_{j<M} max(cs_j, 0)^{w_j} · max(ssim_M, 0)^{w_M} per channel, averaged over the channels
 *       (cs_j: mean contrast-structure term at scale j; negative terms clamped at 0 as pytorch_msssim does).</li>
 * </ul>
 */
public final class ImageMetrics {
    /** Wang et al.'s five scale weights. */
    private static final double[] MS_SSIM_WEIGHTS = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};
    /** SSIM's window side: each scale of MS-SSIM must hold it. */
    public static final int WINDOW = 11;

    private ImageMetrics() {}

    /**
     * The scores of each image pair x[i], xhat[i]: ImageNet-normalized float32 (B,3,H,W) tensors of one device (ssim
     * and msSsim are NaN for images smaller than the 11x11 window). Runs on that device; returns when the scores are
     * on the host.
     */
    public static List<ImageScores> perImage(Tensor x, Tensor xhat) {
        expect(x, "images", DType.F32, " (ImageNet-normalized RGB)", "B", 3L, "H", "W");
        expect(xhat, "reconstructions", DType.F32, " like the images", exactly(x.shape()));
        Checks.sameDevice(x.device(), "reconstructions", xhat);
        int b = Math.toIntExact(x.dim(0));
        long h = x.dim(2), w = x.dim(3);
        boolean windowFits = h >= WINDOW && w >= WINDOW; // else SSIM and MS-SSIM are undefined: NaN
        double n = 3.0 * h * w;
        try (Scope scope = Scope.open(x.device())) {
            Tensor errors = scope.allocate(DType.F32, b, 2);
            MetricOps.imageErrors(x, xhat, errors);
            float[] normalized = errors.toFloatArray();

            Tensor scaleT = scope.fromArray(eightBitScale(), 3), shiftT = scope.fromArray(eightBitShift(), 3);
            Tensor x8 = scope.allocate(DType.F32, x.shape()), y8 = scope.allocate(DType.F32, x.shape());
            MetricOps.to8Bit(x, scaleT, shiftT, x8);
            MetricOps.to8Bit(xhat, scaleT, shiftT, y8);
            MetricOps.imageErrors(x8, y8, errors);
            float[] eightBit = errors.toFloatArray();

            float[] ssim = null;
            double[] msSsim = null;
            if (windowFits) {
                Tensor planes = scope.allocate(DType.F32, b, 3, 2);
                MetricOps.ssim(x8, y8, 255, true, planes);
                ssim = planes.toFloatArray();
                msSsim = msSsim(scope, x8, y8);
            }

            List<ImageScores> scores = new ArrayList<>(b);
            for (int i = 0; i < b; i++) {
                double mse = normalized[2 * i + 1] / n, mse8 = eightBit[2 * i + 1] / n;
                double s = windowFits ? (ssim[6 * i] + ssim[6 * i + 2] + ssim[6 * i + 4]) / 3.0 : Double.NaN;
                scores.add(new ImageScores(normalized[2 * i] / n, 10 * Math.log10(255.0 * 255.0 / mse8),
                        10 * Math.log10(4 / mse), s, windowFits ? msSsim[i] : Double.NaN));
            }
            return scores;
        }
    }

    /**
     * The 8-bit RGB values (0..255, layout (B,3,H,W)) that psnr, ssim and msSsim compare, of ImageNet-normalized
     * float32 (B,3,H,W) images: clamp(floor(255 (v std + mean) + 0.5), 0, 255), what a saved PNG of them holds.
     */
    public static int[] toRgb8(Tensor x) {
        expect(x, "images", DType.F32, " (ImageNet-normalized RGB)", "B", 3L, "H", "W");
        try (Scope scope = Scope.open(x.device())) {
            Tensor x8 = scope.allocate(DType.F32, x.shape());
            MetricOps.to8Bit(x, scope.fromArray(eightBitScale(), 3), scope.fromArray(eightBitShift(), 3), x8);
            float[] v = x8.toFloatArray();
            int[] out = new int[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = (int) v[i];
            }
            return out;
        }
    }

    /** 255 std per channel: v * scale + shift maps normalized values to 8-bit ones. */
    private static float[] eightBitScale() {
        float[] s = new float[3];
        for (int c = 0; c < 3; c++) {
            s[c] = (float) (255 * ImageNormalization.IMAGENET_STD[c]);
        }
        return s;
    }

    /** 255 mean per channel. */
    private static float[] eightBitShift() {
        float[] s = new float[3];
        for (int c = 0; c < 3; c++) {
            s[c] = (float) (255 * ImageNormalization.IMAGENET_MEAN[c]);
        }
        return s;
    }

    /** MS-SSIM's scale count for h x w images: the most scales (up to 5) whose smallest image holds the window. */
    public static int msSsimScales(long h, long w) {
        int m = 1;
        while (m < MS_SSIM_WEIGHTS.length && Math.min(h, w) >> m >= WINDOW) {
            m++;
        }
        return m;
    }

    /** MS-SSIM per image of 8-bit images x8, y8 (B,3,H,W). */
    private static double[] msSsim(Scope scope, Tensor x8, Tensor y8) {
        int b = Math.toIntExact(x8.dim(0));
        int m = msSsimScales(x8.dim(2), x8.dim(3));
        double total = 0;
        for (int j = 0; j < m; j++) {
            total += MS_SSIM_WEIGHTS[j];
        }
        double[][] product = new double[b][3];
        for (double[] p : product) {
            Arrays.fill(p, 1.0);
        }
        Tensor cx = x8, cy = y8;
        for (int j = 0; j < m; j++) {
            Tensor planes = scope.allocate(DType.F32, b, 3, 2);
            MetricOps.ssim(cx, cy, 255, false, planes);
            float[] v = planes.toFloatArray();
            double weight = MS_SSIM_WEIGHTS[j] / total;
            int term = j == m - 1 ? 0 : 1; // cs at the finer scales, the full SSIM at the coarsest
            for (int i = 0; i < b; i++) {
                for (int c = 0; c < 3; c++) {
                    product[i][c] *= Math.pow(Math.max(v[(i * 3 + c) * 2 + term], 0.0), weight);
                }
            }
            if (j < m - 1) {
                long[] half = {b, 3, cx.dim(2) / 2, cx.dim(3) / 2};
                Tensor nx = scope.allocate(DType.F32, half), ny = scope.allocate(DType.F32, half);
                MetricOps.avgPool(cx, nx);
                MetricOps.avgPool(cy, ny);
                cx = nx;
                cy = ny;
            }
        }
        double[] out = new double[b];
        for (int i = 0; i < b; i++) {
            out[i] = (product[i][0] + product[i][1] + product[i][2]) / 3;
        }
        return out;
    }
}
