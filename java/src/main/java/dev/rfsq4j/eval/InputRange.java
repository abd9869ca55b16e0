package dev.rfsq4j.eval;

import java.util.Arrays;

/**
 * What the images given to {@link Lpips} hold, as a per-channel affine map from their values to the [-1, 1] range
 * LPIPS's network is calibrated for (then LPIPS's own scaling layer follows). Standard LPIPS takes [-1, 1] images
 * ({@link #SIGNED}; {@code lpips.LPIPS()(a, b)}) or [0, 1] images scaled first ({@link #UNIT};
 * {@code normalize=True}). The RFSQ reference's training loss passes [0, 1] images without that scaling
 * ({@link #UNIT_UNSCALED}, spec §5's quirk): its values are not comparable with published LPIPS figures.
 * {@link #ofNormalized} composes any of them with a de-normalization, for tensors a model reads and writes.
 */
public final class InputRange {
    /** [-1, 1] images: standard LPIPS. */
    public static final InputRange SIGNED = new InputRange("[-1, 1] images (standard LPIPS)", 1, 0);
    /** [0, 1] images, scaled to [-1, 1] (2x - 1) first: standard LPIPS (lpips' normalize=True). */
    public static final InputRange UNIT = new InputRange("[0, 1] images scaled to [-1, 1] (standard LPIPS)", 2, -1);
    /** [0, 1] images fed as they are, as the RFSQ reference's training loss does (not standard LPIPS). */
    public static final InputRange UNIT_UNSCALED =
            new InputRange("[0, 1] images fed unscaled (the RFSQ reference's loss; not standard LPIPS)", 1, 0);

    private final String description;
    private final double[] scale;
    private final double[] shift;

    private InputRange(String description, double scale, double shift) {
        this(description, new double[] {scale, scale, scale}, new double[] {shift, shift, shift});
    }

    private InputRange(String description, double[] scale, double[] shift) {
        this.description = description;
        this.scale = scale;
        this.shift = shift;
    }

    /**
     * This range for tensors normalized per channel as (pixel - mean) / std, pixels in [0, 1] (for instance ImageNet's
     * statistics, {@code nn.ImageNormalization.IMAGENET_MEAN} and {@code IMAGENET_STD}); values are not clamped.
     */
    public InputRange ofNormalized(double[] mean, double[] std) {
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values (RGB)");
        }
        double[] s = new double[3], t = new double[3];
        for (int c = 0; c < 3; c++) {
            if (!(std[c] > 0) || !Double.isFinite(std[c]) || !Double.isFinite(mean[c])) {
                throw new IllegalArgumentException("std must be finite and > 0 and mean finite, got mean "
                        + Arrays.toString(mean) + ", std " + Arrays.toString(std));
            }
            s[c] = std[c] * scale[c];
            t[c] = mean[c] * scale[c] + shift[c];
        }
        return new InputRange(description.replace(" images", " images, normalized with mean " + Arrays.toString(mean)
                + " and std " + Arrays.toString(std) + ","), s, t);
    }

    /** Per-channel scale of the map to [-1, 1]. */
    double scale(int channel) {
        return scale[channel];
    }

    /** Per-channel shift of the map to [-1, 1]. */
    double shift(int channel) {
        return shift[channel];
    }

    @Override
    public String toString() {
        return description;
    }
}
