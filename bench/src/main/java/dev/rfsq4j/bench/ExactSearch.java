package dev.rfsq4j.bench;

import java.util.stream.IntStream;
import org.apache.lucene.util.VectorUtil;

/** Brute-force k nearest neighbours by squared L2 (Lucene's VectorUtil: SIMD with jdk.incubator.vector), all cores. */
final class ExactSearch {
    private ExactSearch() {}

    /** For each query, the indices of its k nearest base vectors, nearest first (ties: lower index first). */
    static int[][] knn(float[][] base, float[][] queries, int k) {
        int[][] out = new int[queries.length][];
        IntStream.range(0, queries.length).parallel().forEach(q -> {
            float[] best = new float[k];
            int[] ids = new int[k];
            java.util.Arrays.fill(best, Float.POSITIVE_INFINITY);
            java.util.Arrays.fill(ids, -1);
            float[] query = queries[q];
            for (int i = 0; i < base.length; i++) {
                float d = VectorUtil.squareDistance(query, base[i]);
                if (d < best[k - 1]) {
                    int j = k - 1;
                    while (j > 0 && best[j - 1] > d) {
                        best[j] = best[j - 1];
                        ids[j] = ids[j - 1];
                        j--;
                    }
                    best[j] = d;
                    ids[j] = i;
                }
            }
            out[q] = ids;
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
