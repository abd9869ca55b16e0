package dev.rfsq4j.data;

/**
 * The resampling weights of one image axis, computed as Pillow's {@code Image.resize(..., BILINEAR)} does
 * (Resample.c, precompute_coeffs): a triangle filter whose support grows with the downscale factor, so downscaling
 * averages every input pixel (antialiasing), and upscaling is plain bilinear with half-pixel centers. Only the
 * outputs {@code [first, first + count)} are computed, which turns a resize followed by a crop into one pass.
 *
 * @param start  per output: the first input index it reads
 * @param length per output: how many consecutive inputs it reads
 * @param weights per output {@code i}: {@code length[i]} weights from {@code i * stride}, summing to 1
 * @param stride the most inputs any output reads
 */
record Resize(int[] start, int[] length, float[] weights, int stride) {
    static Resize axis(int in, int out, int first, int count) {
        double scale = (double) in / out;
        double filterScale = Math.max(scale, 1.0);
        double support = filterScale; // the triangle's support is 1 at scale 1
        int stride = (int) Math.ceil(support) * 2 + 1;
        int[] start = new int[count];
        int[] length = new int[count];
        float[] weights = new float[count * stride];
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
                weights[i * stride + x - lo] = (float) (w[x - lo] / sum);
            }
            start[i] = lo;
            length[i] = hi - lo;
        }
        return new Resize(start, length, weights, stride);
    }

    private static double triangle(double x) {
        double a = Math.abs(x);
        return a < 1 ? 1 - a : 0;
    }
}
