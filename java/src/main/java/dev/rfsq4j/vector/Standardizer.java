package dev.rfsq4j.vector;

/**
 * The affine map between a vector and the latent RFSQ quantizes, fitted on the sample: x' = (x - mean) / scale
 * with a per-dimension mean and one global scale (the root mean square of the centered sample). One scale for all
 * dimensions keeps squared error in the latent proportional to squared error in the vector space, which is what
 * fitting minimizes and what nearest-neighbour search sees.
 */
record Standardizer(float[] mean, float scale) {
    Standardizer {
        mean = mean.clone();
        if (!(scale > 0) || !Float.isFinite(scale)) {
            throw new IllegalArgumentException("scale must be finite and > 0, got " + scale);
        }
        for (int d = 0; d < mean.length; d++) {
            if (!Float.isFinite(mean[d])) {
                throw new IllegalArgumentException("mean of dimension " + d + " is not finite: " + mean[d]);
            }
        }
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    int dimension() {
        return mean.length;
    }

    /** Mean and RMS scale of rows; a constant sample gets scale 1. Fails on a NaN or infinite element. */
    static Standardizer fit(Rows rows) {
        int dim = rows.dimension();
        long n = rows.count();
        double[] sum = new double[dim];
        float[] buffer = new float[dim];
        for (long i = 0; i < n; i++) {
            float[] v = rows.row(i, buffer);
            checkFinite(v, i);
            for (int d = 0; d < dim; d++) {
                sum[d] += v[d];
            }
        }
        float[] mean = new float[dim];
        for (int d = 0; d < dim; d++) {
            mean[d] = (float) (sum[d] / n);
        }
        double sq = 0;
        for (long i = 0; i < n; i++) {
            float[] v = rows.row(i, buffer);
            for (int d = 0; d < dim; d++) {
                double x = v[d] - mean[d];
                sq += x * x;
            }
        }
        double rms = Math.sqrt(sq / ((double) n * dim));
        float scale = rms > 0 && Double.isFinite(rms) && (float) rms > 0 ? (float) rms : 1f;
        return new Standardizer(mean, scale);
    }

    /**
     * Writes rows [from, from + count) standardized into latent (layout of {@code layout}, vector slot i - from);
     * padding slots are left as they are (the caller zeroes the array). Fails on a NaN or infinite element.
     */
    void toLatent(Rows rows, long from, int count, VectorLayout layout, float[] latent) {
        int dim = mean.length, p = layout.positions();
        float inv = 1f / scale;
        float[] buffer = new float[dim];
        for (int i = 0; i < count; i++) {
            float[] v = rows.row(from + i, buffer);
            checkFinite(v, from + i);
            for (int c = 0; c < layout.channels(); c++) {
                int base = (int) layout.offset(i, c), d0 = c * p, end = Math.min(p, dim - d0);
                for (int j = 0; j < end; j++) {
                    latent[base + j] = (v[d0 + j] - mean[d0 + j]) * inv;
                }
            }
        }
    }

    /** The inverse of {@link #toLatent} for count vectors: latent (layout of {@code layout}) to rows of out. */
    void fromLatent(float[] latent, VectorLayout layout, float[][] out, int outFrom, int count) {
        int dim = mean.length, p = layout.positions();
        for (int i = 0; i < count; i++) {
            float[] v = out[outFrom + i];
            for (int c = 0; c < layout.channels(); c++) {
                int base = (int) layout.offset(i, c), d0 = c * p, end = Math.min(p, dim - d0);
                for (int j = 0; j < end; j++) {
                    v[d0 + j] = latent[base + j] * scale + mean[d0 + j];
                }
            }
        }
    }

    private static void checkFinite(float[] v, long index) {
        for (int d = 0; d < v.length; d++) {
            if (!Float.isFinite(v[d])) {
                throw new IllegalArgumentException("vector " + index + " has " + v[d] + " at dimension " + d
                        + "; vectors must be finite");
            }
        }
    }
}
