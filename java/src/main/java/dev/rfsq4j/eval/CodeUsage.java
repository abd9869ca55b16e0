package dev.rfsq4j.eval;

/** How often each code of each stage occurs over a whole evaluation set: usage and perplexity per stage. */
final class CodeUsage {
    private final long[][] counts;

    CodeUsage(int stages, int codebookSize) {
        this.counts = new long[stages][codebookSize];
    }

    /** Adds indices laid out with the stage last: (B,H,W,K), or (B,H,W) for one stage. */
    void add(int[] indices) {
        int stages = counts.length;
        for (int i = 0; i < indices.length; i++) {
            counts[i % stages][indices[i]]++;
        }
    }

    int stages() {
        return counts.length;
    }

    long[] counts(int stage) {
        return counts[stage].clone();
    }

    /** Distinct codes seen / codebook size. */
    double usage(int stage) {
        long distinct = 0;
        for (long c : counts[stage]) {
            distinct += c > 0 ? 1 : 0;
        }
        return distinct / (double) counts[stage].length;
    }

    /** exp(entropy) of the code distribution: the number of equally likely codes it is worth. */
    double perplexity(int stage) {
        long total = 0;
        for (long c : counts[stage]) {
            total += c;
        }
        double entropy = 0;
        for (long c : counts[stage]) {
            if (c > 0) {
                double p = c / (double) total;
                entropy -= p * Math.log(p);
            }
        }
        return Math.exp(entropy);
    }
}
