package dev.rfsq4j.quant;

/**
 * An independent float64 model of spec §1–2, written per element on purpose (tests are the reference). Besides the
 * outputs it tracks which elements lie within {@code margin} of a rounding boundary at some stage, and what that
 * may disturb downstream ("tainted"): the element's later stages, and for per-image layernorm statistics the whole
 * (image, channel) plane of later stages. Comparisons skip tainted values, since float32 may round those either way.
 */
final class Reference {
    static final double LN_EPS = 1e-5;

    final Levels levels;
    final int stages;
    final Strategy strategy;
    private final int channels;
    private final double[] h;
    private final double[] o;
    private final double[] shift;
    private final int[] half;
    private final int[] basis;

    Reference(Levels levels, int stages, Strategy strategy) {
        this.levels = levels;
        this.stages = stages;
        this.strategy = strategy;
        this.channels = levels.count();
        h = new double[channels];
        o = new double[channels];
        shift = new double[channels];
        half = new int[channels];
        basis = new int[channels];
        int place = 1;
        for (int j = 0; j < channels; j++) {
            int l = levels.get(j);
            h[j] = (l - 1) * (1 - 1e-3) / 2;
            o[j] = l % 2 == 0 ? 0.5 : 0.0;
            shift[j] = Math.tan(o[j] / h[j]);
            half[j] = l / 2;
            basis[j] = place;
            place *= l;
        }
    }

    /** f_j(x) = tanh(x + shift_j) h_j - o_j. */
    double bound(int j, double x) {
        return Math.tanh(x + shift[j]) * h[j] - o[j];
    }

    /** The FSQ code of x on channel j. */
    double code(int j, double x) {
        return Math.rint(bound(j, x)) / half[j];
    }

    /** d code / dx with the straight-through round. */
    double codeDerivative(int j, double x) {
        double t = Math.tanh(x + shift[j]);
        return h[j] * (1 - t * t) / half[j];
    }

    /** Code of digit a_j on channel j. */
    double codeOfDigit(int j, int digit) {
        return (digit - half[j]) / (double) half[j];
    }

    int digitOfIndex(int j, int index) {
        return index / basis[j] % levels.get(j);
    }

    static double softplus(double t) {
        return Math.log1p(Math.exp(t));
    }

    /** Outputs in the layouts of rfsq.h, and the taint masks for comparing them with float32 results. */
    static final class Result {
        double[] zhat;
        int[] indices;
        double[] stats;
        double[] rnorm;
        /** round(f) - f per stage and element: freezing these gives the straight-through surrogate. */
        double[][] offsets;
        /** Smallest distance of any bound value to a rounding boundary. */
        double minBoundaryDistance = Double.POSITIVE_INFINITY;
        /** tainted[k][i]: element i after stage k may differ in float32. */
        boolean[][] tainted;
        /** statsTainted[(k*B+b)*C+c]: the plane's stage-k statistics may differ in float32. */
        boolean[] statsTainted;
    }

    /**
     * Forward of z (B,C,H,W). params as rfsq.h lays them out; running (K,C,2) for frozen statistics or null for
     * per-image ones; frozen offsets (from an earlier Result) replace the rounding by f + offset (the surrogate whose
     * exact derivative is the straight-through gradient), or null to round.
     */
    Result forward(double[] z, int b, int hh, int ww, double[] params, double[] running, double[][] frozen,
            double margin) {
        return forward(z, b, hh, ww, params, running, frozen, margin, null);
    }

    /**
     * As above; where a bound value lies within margin of a rounding boundary and hint (indices (B,H,W,K) of a
     * float32 run) is given, the digit of the hint is taken, so that the model follows the float32 run's branch.
     */
    Result forward(double[] z, int b, int hh, int ww, double[] params, double[] running, double[][] frozen,
            double margin, int[] hint) {
        int hw = hh * ww;
        int n = b * channels * hw;
        Result res = new Result();
        double[] r = z.clone();
        res.indices = new int[b * hw * stages];
        res.stats = new double[stages * b * channels * 2];
        res.rnorm = new double[b * stages];
        res.offsets = new double[stages][n];
        res.tainted = new boolean[stages][];
        res.statsTainted = new boolean[stages * b * channels];
        boolean[] tainted = new boolean[n];
        for (int k = 0; k < stages; k++) {
            for (int img = 0; img < b; img++) {
                for (int c = 0; c < channels; c++) {
                    int p0 = (img * channels + c) * hw;
                    double mu = 0, a = 1, ainv = 1, beta = 0;
                    if (strategy == Strategy.SCALE) {
                        double s = softplus(params[k]);
                        a = s;
                        ainv = 1 / s;
                    } else if (strategy == Strategy.LAYERNORM) {
                        double sigma;
                        if (running != null) {
                            mu = running[(k * channels + c) * 2];
                            sigma = running[(k * channels + c) * 2 + 1];
                        } else {
                            double sum = 0, sq = 0;
                            boolean planeTainted = false;
                            for (int i = p0; i < p0 + hw; i++) {
                                sum += r[i];
                                planeTainted |= tainted[i];
                            }
                            mu = sum / hw;
                            for (int i = p0; i < p0 + hw; i++) {
                                sq += (r[i] - mu) * (r[i] - mu);
                            }
                            sigma = Math.sqrt(sq / hw + LN_EPS);
                            int s = (k * b + img) * channels + c;
                            res.stats[2 * s] = mu;
                            res.stats[2 * s + 1] = sigma;
                            res.statsTainted[s] = planeTainted;
                            if (planeTainted) {
                                java.util.Arrays.fill(tainted, p0, p0 + hw, true);
                            }
                        }
                        double gamma = params[k * 2 * channels + c];
                        beta = params[k * 2 * channels + channels + c];
                        a = gamma / sigma;
                        ainv = sigma / gamma;
                    }
                    for (int i = p0; i < p0 + hw; i++) {
                        double f = bound(c, (r[i] - mu) * a + beta);
                        int pos = img * hw + (i - p0);
                        double rounded = Math.max(-half[c], Math.min(levels.get(c) - 1 - half[c], Math.rint(f)));
                        double distance = 0.5 - Math.abs(f - Math.rint(f));
                        if (hint != null && distance < margin) {
                            rounded = digitOfIndex(c, hint[pos * stages + k]) - half[c];
                        }
                        res.offsets[k][i] = rounded - f;
                        res.minBoundaryDistance = Math.min(res.minBoundaryDistance, distance);
                        if (distance < margin) {
                            tainted[i] = true;
                        }
                        double level = frozen == null ? rounded : f + frozen[k][i];
                        double q = (level / half[c] - beta) * ainv + mu;
                        r[i] -= q;
                        res.indices[pos * stages + k] += ((int) rounded + half[c]) * basis[c];
                    }
                }
                double norm = 0;
                for (int i = img * channels * hw; i < (img + 1) * channels * hw; i++) {
                    norm += r[i] * r[i];
                }
                res.rnorm[img * stages + k] = Math.sqrt(norm);
            }
            res.tainted[k] = tainted.clone();
        }
        res.zhat = new double[n];
        for (int i = 0; i < n; i++) {
            res.zhat[i] = z[i] - r[i];
        }
        return res;
    }

    /** zhat from indices (B,H,W,K): the decoder's model, with per-image stats (K,B,C,2) or running (K,C,2). */
    double[] decode(int[] indices, int b, int hh, int ww, double[] params, double[] stats, boolean perImage) {
        int hw = hh * ww;
        double[] zhat = new double[b * channels * hw];
        for (int img = 0; img < b; img++) {
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < hw; p++) {
                    double sum = 0;
                    for (int k = 0; k < stages; k++) {
                        double code = codeOfDigit(c, digitOfIndex(c, indices[(img * hw + p) * stages + k]));
                        double q = code;
                        if (strategy == Strategy.SCALE) {
                            q = code / softplus(params[k]);
                        } else if (strategy == Strategy.LAYERNORM) {
                            int s = perImage ? (k * b + img) * channels + c : k * channels + c;
                            double gamma = params[k * 2 * channels + c];
                            double beta = params[k * 2 * channels + channels + c];
                            q = (code - beta) / gamma * stats[2 * s + 1] + stats[2 * s];
                        }
                        sum += q;
                    }
                    zhat[(img * channels + c) * hw + p] = sum;
                }
            }
        }
        return zhat;
    }
}
