package dev.rfsq4j.cli;

/** Summaries of quantizer outputs already copied to the host (small reductions for printing, not tensor math). */
final class Metrics {
    private Metrics() {}

    /** Mean over images of rnorm (B,K), per stage. */
    static double[] meanPerStage(float[] rnorm, int stages) {
        double[] mean = new double[stages];
        int images = rnorm.length / stages;
        for (int i = 0; i < rnorm.length; i++) {
            mean[i % stages] += rnorm[i] / (double) images;
        }
        return mean;
    }

    /** ||z - zhat||^2 / n, from the last stage's residual norms: zhat = z - r_K. */
    static double mseFromResidual(float[] rnorm, int stages, long elements) {
        double sum = 0;
        for (int i = stages - 1; i < rnorm.length; i += stages) {
            sum += (double) rnorm[i] * rnorm[i];
        }
        return sum / elements;
    }

    /** Distinct indices seen per stage / codebook size, from indices (B,H,W,K). */
    static double[] usagePerStage(int[] indices, int stages, int codebookSize) {
        double[] usage = new double[stages];
        for (int k = 0; k < stages; k++) {
            boolean[] seen = new boolean[codebookSize];
            int distinct = 0;
            for (int i = k; i < indices.length; i += stages) {
                if (!seen[indices[i]]) {
                    seen[indices[i]] = true;
                    distinct++;
                }
            }
            usage[k] = distinct / (double) codebookSize;
        }
        return usage;
    }
}
