package dev.rfsq4j.vector;

import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.Strategy;

/**
 * An independent float64 model of a fitted codec (spec §1-2 per element, written from the spec and the documented
 * layout and packing, not from the codec's code): encode under frozen statistics and decode of packed codes. Under
 * frozen statistics every latent element is quantized on its own, so this is a per-element loop.
 */
final class VectorCodecReference {
    private final int dim, c, p, k, bits;
    private final Levels levels;
    private final Strategy strategy;
    private final double[] mean;
    private final double scale;
    private final float[] params;
    private final float[] stats;

    VectorCodecReference(VectorCodec codec) {
        dim = codec.dimension();
        levels = codec.levels();
        c = levels.count();
        p = (dim + c - 1) / c;
        k = codec.stages();
        int codebook = levels.codebookSize();
        bits = 32 - Integer.numberOfLeadingZeros(codebook - 1);
        strategy = codec.strategy();
        float[] m = codec.standardizer().mean();
        mean = new double[dim];
        for (int d = 0; d < dim; d++) {
            mean[d] = m[d];
        }
        scale = codec.standardizer().scale();
        params = codec.params();
        stats = codec.frozenStats();
    }

    /** Indices (P, K) of one vector, and whether each (position, stage) lies within margin of a rounding boundary. */
    record Encoded(int[] indices, boolean[] nearTie) {}

    Encoded encode(float[] x, double margin) {
        int[] idx = new int[p * k];
        boolean[] tie = new boolean[p * k];
        for (int pos = 0; pos < p; pos++) {
            double[] r = new double[c];
            for (int ch = 0; ch < c; ch++) {
                int d = ch * p + pos;
                r[ch] = d < dim ? (x[d] - mean[d]) / scale : 0.0;
            }
            boolean tainted = false;
            for (int s = 0; s < k; s++) {
                int index = 0, place = 1;
                for (int ch = 0; ch < c; ch++) {
                    int l = levels.get(ch), half = l / 2;
                    double h = (l - 1) * (1 - 1e-3) / 2, o = l % 2 == 0 ? 0.5 : 0.0, shift = Math.tan(o / h);
                    double f = Math.tanh(forward(s, ch, r[ch]) + shift) * h - o;
                    tainted |= Math.abs(f - Math.floor(f) - 0.5) < margin;
                    double q = Math.rint(f);
                    index += (int) (q + half) * place;
                    place *= l;
                    double qk = inverse(s, ch, q / half);
                    r[ch] -= qk;
                }
                idx[pos * k + s] = index;
                tie[pos * k + s] = tainted;
            }
        }
        return new Encoded(idx, tie);
    }

    /** Decodes the first kk stages of the code at code[offset...] (bit stream LSB first, stage-major). */
    double[] decode(byte[] code, int offset, int kk) {
        double[] zhat = new double[c * p];
        long bit = (long) offset * 8;
        for (int s = 0; s < kk; s++) {
            for (int pos = 0; pos < p; pos++) {
                int index = 0;
                for (int b = 0; b < bits; b++, bit++) {
                    index |= ((code[(int) (bit >>> 3)] >>> (bit & 7)) & 1) << b;
                }
                int place = 1;
                for (int ch = 0; ch < c; ch++) {
                    int l = levels.get(ch), half = l / 2;
                    int digit = index / place % l;
                    place *= l;
                    zhat[ch * p + pos] += inverse(s, ch, (digit - half) / (double) half);
                }
            }
        }
        double[] out = new double[dim];
        for (int d = 0; d < dim; d++) {
            out[d] = zhat[d] * scale + mean[d];
        }
        return out;
    }

    /** Bits of one index: ceil(log2 codebook). */
    int bitsPerIndex() {
        return bits;
    }

    private double forward(int s, int ch, double r) {
        return switch (strategy) {
            case NONE -> r;
            case SCALE -> softplus(params[s]) * r;
            case LAYERNORM -> gamma(s, ch) * (r - mu(s, ch)) / sigma(s, ch) + beta(s, ch);
        };
    }

    private double inverse(int s, int ch, double code) {
        return switch (strategy) {
            case NONE -> code;
            case SCALE -> code / softplus(params[s]);
            case LAYERNORM -> (code - beta(s, ch)) / gamma(s, ch) * sigma(s, ch) + mu(s, ch);
        };
    }

    private double gamma(int s, int ch) {
        return params[s * 2 * c + ch];
    }

    private double beta(int s, int ch) {
        return params[s * 2 * c + c + ch];
    }

    private double mu(int s, int ch) {
        return stats[(s * c + ch) * 2];
    }

    private double sigma(int s, int ch) {
        return stats[(s * c + ch) * 2 + 1];
    }

    private static double softplus(double t) {
        return Math.log1p(Math.exp(t));
    }
}
