package dev.rfsq4j;

import static org.junit.jupiter.api.Assertions.fail;

/** Element-wise comparisons that report the first mismatches with their index, expected and actual values. */
public final class Approx {
    private Approx() {}

    /** |actual - expected| <= atol + rtol |expected| wherever skip is null or false; NaN never passes. */
    public static void assertClose(String what, double[] expected, float[] actual, boolean[] skip, double atol,
            double rtol) {
        if (expected.length != actual.length) {
            fail(what + ": length " + actual.length + ", expected " + expected.length);
        }
        StringBuilder bad = new StringBuilder();
        int count = 0;
        for (int i = 0; i < expected.length; i++) {
            if (skip != null && skip[i]) {
                continue;
            }
            double diff = Math.abs(actual[i] - expected[i]);
            if (!(diff <= atol + rtol * Math.abs(expected[i]))) {
                if (count++ < 5) {
                    bad.append(String.format(" [%d] expected %.8g got %.8g;", i, expected[i], actual[i]));
                }
            }
        }
        if (count > 0) {
            fail(what + ": " + count + " of " + expected.length + " elements differ (atol " + atol + ", rtol " + rtol
                    + "):" + bad);
        }
    }

    public static void assertClose(String what, float[] expected, float[] actual, double atol, double rtol) {
        assertClose(what, Seeds.toDouble(expected), actual, null, atol, rtol);
    }

    /** Exact equality wherever skip is null or false. */
    public static void assertEqual(String what, int[] expected, int[] actual, boolean[] skip) {
        if (expected.length != actual.length) {
            fail(what + ": length " + actual.length + ", expected " + expected.length);
        }
        StringBuilder bad = new StringBuilder();
        int count = 0;
        for (int i = 0; i < expected.length; i++) {
            if ((skip == null || !skip[i]) && expected[i] != actual[i]) {
                if (count++ < 5) {
                    bad.append(String.format(" [%d] expected %d got %d;", i, expected[i], actual[i]));
                }
            }
        }
        if (count > 0) {
            fail(what + ": " + count + " of " + expected.length + " elements differ:" + bad);
        }
    }
}
