package dev.rfsq4j.bench;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.apache.lucene.util.VectorUtil;

/**
 * Brute-force k nearest neighbours by squared L2 (Lucene's VectorUtil: SIMD with jdk.incubator.vector), on all
 * cores. Queries go in tiles, so each base vector is read from memory once per tile rather than once per query.
 */
final class ExactSearch {
    private static final int TILE = 32;

    private ExactSearch() {}

    /** For each query, the indices of its k nearest base vectors, nearest first (ties: lower index first). */
    static int[][] knn(float[][] base, float[][] queries, int k) {
        int[][] out = new int[queries.length][];
        int tiles = (queries.length + TILE - 1) / TILE;
        IntStream.range(0, tiles).parallel().forEach(tile -> {
            int from = tile * TILE, to = Math.min(queries.length, from + TILE);
            float[][] best = new float[to - from][k];
            int[][] ids = new int[to - from][k];
            for (int q = 0; q < to - from; q++) {
                Arrays.fill(best[q], Float.POSITIVE_INFINITY);
                Arrays.fill(ids[q], -1);
            }
            for (int i = 0; i < base.length; i++) {
                float[] b = base[i];
                for (int q = 0; q < to - from; q++) {
                    float d = VectorUtil.squareDistance(queries[from + q], b);
                    float[] bq = best[q];
                    if (d < bq[k - 1]) {
                        int[] iq = ids[q];
                        int j = k - 1;
                        while (j > 0 && bq[j - 1] > d) {
                            bq[j] = bq[j - 1];
                            iq[j] = iq[j - 1];
                            j--;
                        }
                        bq[j] = d;
                        iq[j] = i;
                    }
                }
            }
            for (int q = 0; q < to - from; q++) {
                out[from + q] = ids[q];
            }
        });
        return out;
    }

    /** Mean over queries of |found ∩ truth| / k. */
    static double recall(int[][] found, int[][] truth) {
        double sum = 0;
        for (int q = 0; q < truth.length; q++) {
            int hits = 0;
            for (int a : found[q]) {
                for (int b : truth[q]) {
                    if (a == b) {
                        hits++;
                        break;
                    }
                }
            }
            sum += hits / (double) truth[q].length;
        }
        return sum / truth.length;
    }
}
