package dev.rfsq4j.eval;

import dev.rfsq4j.Tensor;
import dev.rfsq4j.nn.ImageNormalization;
import java.util.ArrayList;
import java.util.List;

/**
 * Interim scores until the metric core lands (issue 8, branch issue-8-metrics): L1 and both PSNRs on the host;
 * SSIM and MS-SSIM are NaN (not computed) here.
 */
public final class ImageMetrics {
    private ImageMetrics() {}

    /** Scores of each image of x and xhat, ImageNet-normalized float32 (B,3,H,W). */
    public static List<ImageScores> perImage(Tensor x, Tensor xhat) {
        float[] a = x.toFloatArray(), b = xhat.toFloatArray();
        int n = (int) x.dim(0), plane = (int) (x.dim(2) * x.dim(3)), image = 3 * plane;
        List<ImageScores> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double abs = 0, sq = 0, sq8 = 0;
            for (int j = i * image; j < (i + 1) * image; j++) {
                int c = (j / plane) % 3;
                double d = (double) a[j] - b[j];
                abs += Math.abs(d);
                sq += d * d;
                double mean = ImageNormalization.IMAGENET_MEAN[c], std = ImageNormalization.IMAGENET_STD[c];
                double d8 = to8bit(a[j] * std + mean) - to8bit(b[j] * std + mean);
                sq8 += d8 * d8;
            }
            out.add(new ImageScores(abs / image, 10 * Math.log10(255.0 * 255.0 / (sq8 / image)),
                    10 * Math.log10(4 / (sq / image)), Double.NaN, Double.NaN));
        }
        return out;
    }

    private static long to8bit(double v) {
        return Math.round(Math.clamp(v, 0, 1) * 255);
    }
}
