package dev.rfsq4j.nn;

import static dev.rfsq4j.internal.Checks.exactly;
import static dev.rfsq4j.internal.Checks.expect;

import dev.rfsq4j.DType;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;

/** Per-channel (x - mean) / std of RGB images (B,3,H,W) and its inverse, on the device (spec §5). */
public final class ImageNormalization {
    /** ImageNet's statistics, the reference recipe's. */
    public static final double[] IMAGENET_MEAN = {0.485, 0.456, 0.406};
    public static final double[] IMAGENET_STD = {0.229, 0.224, 0.225};

    private final double[] mean;
    private final double[] std;
    private final Tensor scale;
    private final Tensor shift;
    private final Tensor inverseScale;
    private final Tensor inverseShift;

    public ImageNormalization(Scope scope, double[] mean, double[] std) {
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values (RGB)");
        }
        this.mean = mean.clone();
        this.std = std.clone();
        float[] s = new float[3], t = new float[3], is = new float[3], it = new float[3];
        for (int c = 0; c < 3; c++) {
            if (!(std[c] > 0) || !Double.isFinite(mean[c])) {
                throw new IllegalArgumentException("std must be > 0 and mean finite, got mean " + mean[c] + ", std " + std[c]);
            }
            s[c] = (float) (1 / std[c]);
            t[c] = (float) (-mean[c] / std[c]);
            is[c] = (float) std[c];
            it[c] = (float) mean[c];
        }
        this.scale = scope.fromArray(s, 3);
        this.shift = scope.fromArray(t, 3);
        this.inverseScale = scope.fromArray(is, 3);
        this.inverseShift = scope.fromArray(it, 3);
    }

    /** The per-channel means (a copy). */
    public double[] mean() {
        return mean.clone();
    }

    /** The per-channel standard deviations (a copy). */
    public double[] std() {
        return std.clone();
    }

    /** y = (x - mean) / std per channel; y may be x. */
    public void normalize(Tensor x, Tensor y) {
        affine(x, y, scale, shift);
    }

    /** y = x * std + mean per channel: back to [0, 1] pixel units; y may be x. */
    public void denormalize(Tensor x, Tensor y) {
        affine(x, y, inverseScale, inverseShift);
    }

    private static void affine(Tensor x, Tensor y, Tensor scale, Tensor shift) {
        expect(x, "images", DType.F32, "", "B", 3, "H", "W");
        expect(y, "output images", DType.F32, " like the input", exactly(x.shape()));
        ChannelAffine.apply(x, scale, shift, y);
    }
}
