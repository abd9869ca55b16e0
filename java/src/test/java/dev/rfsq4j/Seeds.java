package dev.rfsq4j;

import java.util.SplittableRandom;

/**
 * A fresh, reproducible random stream per test case: the base seed (-Drfsq.test.seed, default fixed) mixed with the
 * case's name. Failure messages print the case name, which with the base seed reproduces the inputs.
 */
public final class Seeds {
    public static final long BASE = Long.getLong("rfsq.test.seed", 0x5EED_2026_1123L);

    private Seeds() {}

    public static SplittableRandom random(String caseName) {
        return new SplittableRandom(BASE ^ (caseName.hashCode() * 0x9E3779B97F4A7C15L));
    }

    /** n samples of N(0, sigma) as float32. */
    public static float[] gaussian(SplittableRandom random, int n, double sigma) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (sigma * gaussian(random));
        }
        return out;
    }

    public static double gaussian(SplittableRandom random) {
        double u = random.nextDouble(), v = random.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v);
    }

    public static double[] toDouble(float[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }
}
