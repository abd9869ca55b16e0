package dev.rfsq4j.data;

/**
 * The resampling weights of one image axis exactly as Pillow's {@code Image.resize(..., BILINEAR)} computes them
 * for 8-bit images (Resample.c: precompute_coeffs, then normalize_coeffs_8bpc): a triangle filter whose support
 * grows with the downscale factor (antialiasing; plain bilinear with half-pixel centers when upscaling), weights
 * computed in double, normalized, and rounded to fixed point with {@value #PRECISION_BITS} fraction bits. Only the
 * outputs {@code [first, first + count)} are computed, which turns a resize followed by a crop into one pass.
 *
 * @param start per output: the first input index it reads
 * @param length per output: how many consecutive inputs it reads
 * @param weights per output {@code i}: {@code length[i]} fixed-point weights from {@code i * stride}
 * @param stride the most inputs any output reads
 * @param identity whether the axis keeps its size (Pillow then skips the pass; the weights would copy anyway)
 */
record Resize(int[] start, int[] length, int[] weights, int stride, boolean identity) {
    static final int PRECISION_BITS = 32 - 8 - 2;
    /** Added before the shift: rounds to nearest. */
    static final int HALF = 1 << (PRECISION_BITS - 1);

    /** Outputs first .. first + count - 1 of resizing in samples to out. */
    static Resize axis(int in, int out, int first, int count) {
        double scale = (double) in / out;
        double filterScale = Math.max(scale, 1.0);
        double support = filterScale; // the triangle's support is 1 at scale 1
        int stride = (int) Math.ceil(support) * 2 + 1;
        int[] start = new int[count];
        int[] length = new int[count];
        int[] weights = new int[count * stride];
        double[] w = new double[stride];
        for (int i = 0; i < count; i++) {
            double center = (first + i + 0.5) * scale;
            // (int) truncates like Pillow's C casts; negative values are clamped to 0 either way.
            int lo = Math.max((int) (center - support + 0.5), 0);
            int hi = Math.min((int) (center + support + 0.5), in);
            double sum = 0;
            for (int x = lo; x < hi; x++) {
                w[x - lo] = triangle((x - center + 0.5) * (1.0 / filterScale));
                sum += w[x - lo];
            }
            for (int x = lo; x < hi; x++) {
                weights[i * stride + x - lo] = (int) (0.5 + w[x - lo] / sum * (1 << PRECISION_BITS));
            }
            start[i] = lo;
            length[i] = hi - lo;
        }
        return new Resize(start, length, weights, stride, in == out);
    }

    /** A fixed-point sum back to 8 bits, clipped as Pillow's clip8 does. */
    static int clip8(int sum) {
        int v = sum >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    private static double triangle(double x) {
        double a = Math.abs(x);
        return a < 1 ? 1 - a : 0;
    }
}
