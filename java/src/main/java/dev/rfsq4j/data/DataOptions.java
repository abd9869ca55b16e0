package dev.rfsq4j.data;

import java.util.Locale;

/**
 * How an {@link ImageSource} reads images.
 *
 * @param strict refuse the data at the first image that cannot be used (truncated, corrupt, unsupported, over the
 *     decoding budget) instead of skipping it; shards are always checked and refused when damaged
 * @param jpeg which JPEG decoder a folder uses
 * @param dctScaling let TurboJPEG decode large JPEGs scaled down by 1/2, 1/4 or 1/8 in the DCT domain (while the
 *     scaled image keeps at least twice the target size: Pillow's {@code reducing_gap=2}), then resize: several times
 *     faster on large photos, but no longer Pillow's full decode + resize bit for bit (see {@link ImageDecoder})
 */
public record DataOptions(boolean strict, JpegDecoder jpeg, boolean dctScaling) {
    /** Lenient (bad images skipped and counted), the fastest JPEG decoder available, exact (no DCT scaling). */
    public static final DataOptions DEFAULT = new DataOptions(false, JpegDecoder.AUTO, false);

    public DataOptions {
        if (jpeg == null) {
            throw new IllegalArgumentException("jpeg decoder must not be null");
        }
    }

    /**
     * The JPEG decoder of image folders. {@code AUTO}: TurboJPEG when {@code libturbojpeg.so.0} loads, else ImageIO
     * (with a notice). PNGs are decoded by ImageIO either way.
     */
    public enum JpegDecoder {
        AUTO, TURBOJPEG, IMAGEIO;

        /** "auto", "turbojpeg" or "imageio". */
        public static JpegDecoder parse(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "auto" -> AUTO;
                case "turbojpeg" -> TURBOJPEG;
                case "imageio" -> IMAGEIO;
                default -> throw new IllegalArgumentException("expected auto, turbojpeg or imageio, got '" + name + "'");
            };
        }
    }
}
