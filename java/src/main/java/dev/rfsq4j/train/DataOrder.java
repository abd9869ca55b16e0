package dev.rfsq4j.train;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Which images make up each batch: a fresh permutation per epoch drawn from (seed, epoch), the last partial batch
 * dropped. A pure function of the step, so a resumed run sees the same batches.
 */
final class DataOrder {
    private final int count;
    private final int batch;
    private final long seed;
    private long epoch = -1;
    private int[] permutation;

    DataOrder(int count, int batch, long seed) {
        if (count < batch) {
            throw new IllegalArgumentException("a batch of " + batch + " needs at least " + batch + " images, the data has " + count);
        }
        this.count = count;
        this.batch = batch;
        this.seed = seed;
    }

    int batchesPerEpoch() {
        return count / batch;
    }

    long epochOf(long step) {
        return step / batchesPerEpoch();
    }

    /** Image indices of step (counting from 0). */
    int[] batch(long step) {
        long e = epochOf(step);
        if (e != epoch) {
            permutation = permutation(e);
            epoch = e;
        }
        int start = (int) (step % batchesPerEpoch()) * batch;
        return Arrays.copyOfRange(permutation, start, start + batch);
    }

    private int[] permutation(long e) {
        // SplittableRandom mixes its seed, so seeds one golden-ratio step apart give independent streams.
        SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (e + 1)));
        int[] p = new int[count];
        for (int i = 0; i < count; i++) {
            p[i] = i;
        }
        for (int i = count - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
