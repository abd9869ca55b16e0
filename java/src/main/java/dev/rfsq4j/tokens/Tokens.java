package dev.rfsq4j.tokens;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The tokens of a batch of images: for each image, a latent grid of H x W positions with K indices each (one per
 * RFSQ stage; K = 1 for FSQ, LFQ and VQ), every index in [0, codebookSize). Layernorm in parity mode also needs
 * each image's statistics to decode. Host memory only; immutable (accessors return copies).
 *
 * @param batch        B, images
 * @param height       H, latent rows (image height / 4)
 * @param width        W, latent columns
 * @param stages       K, indices per position
 * @param codebookSize indices are in [0, codebookSize); {@link #bitsPerIndex()} bits each in a token file
 * @param configHash   which quantizer configuration made them (see {@link Tokenizer#configHash()})
 * @param modelHash    which trained model made them (see {@link Tokenizer#modelHash()})
 * @param indices      (B,H,W,K) row-major: the layout of {@code Rfsq.encode}
 * @param channels     C of the statistics; 0 without statistics
 * @param stats        (K,B,C,2) row-major per-image (mu, sigma) of layernorm in parity mode, else null
 */
public record Tokens(int batch, int height, int width, int stages, int codebookSize, long configHash, long modelHash,
        int[] indices, int channels, float[] stats) {
    /** rfsq.h's RFSQ_MAX_STAGES and RFSQ_MAX_LEVELS. */
    static final int MAX_STAGES = 16;
    static final int MAX_CHANNELS = 16;

    /** Checks every size, index and statistic (finite mean, sigma > 0), and keeps copies of the arrays. */
    public Tokens {
        if (batch < 1 || height < 1 || width < 1 || stages < 1 || stages > MAX_STAGES || codebookSize < 2) {
            throw new IllegalArgumentException("tokens need batch, height, width >= 1, 1.." + MAX_STAGES
                    + " stages and a codebook of >= 2 entries, got (" + batch + "," + height + "," + width + "," + stages
                    + ") of " + codebookSize);
        }
        long n = (long) batch * height * width * stages;
        Objects.requireNonNull(indices, "indices");
        if (indices.length != n) {
            throw new IllegalArgumentException("indices hold " + indices.length + " values, (" + batch + "," + height + ","
                    + width + "," + stages + ") needs " + n);
        }
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= codebookSize) {
                throw new IllegalArgumentException("index " + indices[i] + " at " + i + " is outside [0, " + codebookSize + ")");
            }
        }
        indices = indices.clone();
        if (stats == null) {
            if (channels != 0) {
                throw new IllegalArgumentException("channels must be 0 without statistics, got " + channels);
            }
        } else {
            if (channels < 1 || channels > MAX_CHANNELS || stats.length != 2L * stages * batch * channels) {
                throw new IllegalArgumentException("statistics must be (K,B,C,2) = (" + stages + "," + batch + "," + channels
                        + ",2) with C in 1.." + MAX_CHANNELS + ", got " + stats.length + " floats");
            }
            checkStats(stats);
            stats = stats.clone();
        }
    }

    /** Throws unless every mean is finite and every sigma finite and > 0. */
    static void checkStats(float[] stats) {
        for (int i = 0; i < stats.length; i += 2) {
            if (!Float.isFinite(stats[i]) || !(stats[i + 1] > 0) || !Float.isFinite(stats[i + 1])) {
                throw new IllegalArgumentException("statistics " + (i / 2) + " (mu " + stats[i] + ", sigma " + stats[i + 1]
                        + ") must be a finite mean and a finite sigma > 0");
            }
        }
    }

    @Override
    public int[] indices() {
        return indices.clone();
    }

    @Override
    public float[] stats() {
        return stats == null ? null : stats.clone();
    }

    /** Whether decoding needs the statistics carried here (layernorm in parity mode). */
    public boolean hasStats() {
        return stats != null;
    }

    /** ceil(log2 codebookSize): the bits of one index in a token file. */
    public int bitsPerIndex() {
        return 32 - Integer.numberOfLeadingZeros(codebookSize - 1);
    }

    /** Index of stage k at image b, row y, column x. */
    public int index(int b, int y, int x, int k) {
        Objects.checkIndex(b, batch);
        Objects.checkIndex(y, height);
        Objects.checkIndex(x, width);
        Objects.checkIndex(k, stages);
        return indices[((b * height + y) * width + x) * stages + k];
    }

    /** The tokens of images [from, to) of this batch. */
    public Tokens images(int from, int to) {
        Objects.checkFromToIndex(from, to, batch);
        if (from == to) {
            throw new IllegalArgumentException("an empty range of images [" + from + ", " + to + ")");
        }
        int per = height * width * stages;
        int[] idx = Arrays.copyOfRange(indices, from * per, to * per);
        float[] st = null;
        if (stats != null) {
            int n = to - from;
            st = new float[stages * n * channels * 2];
            for (int k = 0; k < stages; k++) {
                System.arraycopy(stats, (k * batch + from) * channels * 2, st, k * n * channels * 2, n * channels * 2);
            }
        }
        return new Tokens(to - from, height, width, stages, codebookSize, configHash, modelHash, idx, channels, st);
    }

    /** One batch of the tokens of several (same model, same grid), in order. */
    public static Tokens concat(List<Tokens> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to concatenate");
        }
        Tokens first = parts.get(0);
        int b = 0;
        for (Tokens t : parts) {
            if (t.height != first.height || t.width != first.width || t.stages != first.stages
                    || t.codebookSize != first.codebookSize || t.configHash != first.configHash
                    || t.modelHash != first.modelHash || t.channels != first.channels) {
                throw new IllegalArgumentException("tokens of another grid or model cannot join one batch: " + t + " and " + first);
            }
            b = Math.addExact(b, t.batch);
        }
        int per = first.height * first.width * first.stages;
        int[] idx = new int[Math.multiplyExact(b, per)];
        float[] st = first.stats == null ? null : new float[first.stages * b * first.channels * 2];
        int at = 0;
        for (Tokens t : parts) {
            System.arraycopy(t.indices, 0, idx, at * per, t.batch * per);
            if (st != null) {
                int c2 = first.channels * 2;
                for (int k = 0; k < first.stages; k++) {
                    System.arraycopy(t.stats, k * t.batch * c2, st, (k * b + at) * c2, t.batch * c2);
                }
            }
            at += t.batch;
        }
        return new Tokens(b, first.height, first.width, first.stages, first.codebookSize, first.configHash,
                first.modelHash, idx, first.channels, st);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tokens t && batch == t.batch && height == t.height && width == t.width && stages == t.stages
                && codebookSize == t.codebookSize && configHash == t.configHash && modelHash == t.modelHash
                && channels == t.channels && Arrays.equals(indices, t.indices) && Arrays.equals(stats, t.stats);
    }

    @Override
    public int hashCode() {
        return Objects.hash(batch, height, width, stages, codebookSize, configHash, modelHash, channels,
                Arrays.hashCode(indices), Arrays.hashCode(stats));
    }

    @Override
    public String toString() {
        return String.format("Tokens[%d image(s), %dx%d x %d stage(s), %d-entry codebook%s, config %016x, model %016x]",
                batch, height, width, stages, codebookSize, stats == null ? "" : ", with statistics", configHash, modelHash);
    }
}
