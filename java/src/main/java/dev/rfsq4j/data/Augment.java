package dev.rfsq4j.data;

import java.util.Locale;

/**
 * Optional augmentations for small data sets, off by default, drawn from (seed, step, slot) alone so that a
 * resumed run sees the same images: a random crop (torchvision's {@code RandomCrop(S, padding=S/16,
 * padding_mode="reflect")}: the S x S image reflect-padded by S/16 on each side, then an S x S window at a
 * uniformly random offset) and a horizontal flip with probability 1/2 (crop first, then flip). Both act on the
 * 8-bit S x S image, so a folder and its shards augment identically.
 */
public record Augment(boolean crop, boolean flip, long seed) {
    public static final Augment NONE = new Augment(false, false, 0);

    /** "none", or a comma-separated list of "crop" and "flip". */
    public static Augment parse(String spec, long seed) {
        boolean crop = false, flip = false;
        for (String part : spec.toLowerCase(Locale.ROOT).split(",", -1)) {
            switch (part.strip()) {
                case "crop" -> crop = true;
                case "flip" -> flip = true;
                case "none" -> {
                    if (!spec.strip().equalsIgnoreCase("none")) {
                        throw new IllegalArgumentException("'none' cannot be combined with other augmentations");
                    }
                }
                default -> throw new IllegalArgumentException("expected none, or crop and/or flip separated by commas, got '"
                        + spec + "'");
            }
        }
        return new Augment(crop, flip, seed);
    }

    public boolean any() {
        return crop || flip;
    }

    /** The padding of the random crop for S x S images: S/16 (at least 1). */
    static int padding(int size) {
        return Math.max(1, size / 16);
    }

    /**
     * The draw of one image: bits 0-15 the crop's x offset and 16-30 its y offset (in [0, 2 * padding], the
     * padding itself when there is no crop), bit 31 the flip.
     */
    int draw(long step, int slot, int size) {
        int p = padding(size), span = 2 * p + 1;
        long z = mix(seed ^ mix(step * 0x9E3779B97F4A7C15L + slot));
        int dx = crop ? (int) Long.remainderUnsigned(z, span) : p;
        int dy = crop ? (int) Long.remainderUnsigned(z >>> 21, span) : p;
        boolean f = flip && (z >>> 63) != 0;
        return dx | dy << 16 | (f ? 1 << 31 : 0);
    }

    @Override
    public String toString() {
        return !any() ? "none" : crop && flip ? "crop,flip" : crop ? "crop" : "flip";
    }

    /** SplitMix64's finalizer: a bijective 64-bit mix. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
