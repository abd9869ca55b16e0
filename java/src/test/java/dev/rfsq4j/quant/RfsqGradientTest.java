package dev.rfsq4j.quant;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rfsq4j.Approx;
import dev.rfsq4j.Backend;
import dev.rfsq4j.Backends;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Seeds;
import dev.rfsq4j.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rfsq.backward against central finite differences of the loss L = sum(w * zhat).
 *
 * <p>The forward itself is piecewise constant in z through the rounding, so differences of it cannot check a
 * straight-through gradient. The differences are taken instead of the straight-through surrogate: the float64
 * forward with every round(f) replaced by f + (round(f) - f) frozen at the sample point, whose exact derivative is
 * the straight-through gradient (residuals and statistics not detached). Every element of z and every parameter
 * (theta_k, gamma_k[c], beta_k[c]) is perturbed. Samples with a bound value within 2e-3 of a rounding boundary are
 * drawn again, so float32 and float64 round alike.
 */
@ExtendWith(NoLeaks.class)
class RfsqGradientTest {
    private static final double MARGIN = 2e-3;
    private static final double STEP = 1e-5;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Backend backend : new Backend[] {Backend.CPU, Backend.CUDA}) {
            for (Strategy strategy : Strategy.values()) {
                for (int stages = 1; stages <= 4; stages++) {
                    out.add(Arguments.of(backend, strategy, stages));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} K={2}")
    @MethodSource("cases")
    void backwardMatchesFiniteDifferences(Backend backend, Strategy strategy, int stages) {
        String name = "gradient " + backend + " " + strategy + " K=" + stages;
        SplittableRandom random = Seeds.random(name);
        Levels levels = Levels.of(8, 5, 4);
        int b = 2, h = 3, w = 4, c = levels.count();
        int n = b * c * h * w;
        Reference reference = new Reference(levels, stages, strategy);

        float[] z = null, params = null;
        Reference.Result base = null;
        for (int attempt = 0; attempt < 200 && base == null; attempt++) {
            z = Seeds.gaussian(random, n, random.nextDouble(0.6, 1.5));
            params = Cases.randomParams(random, strategy, stages, c);
            Reference.Result r = reference.forward(Seeds.toDouble(z), b, h, w, Cases.toDouble(params), null, null, 0);
            base = r.minBoundaryDistance >= MARGIN ? r : null;
        }
        assertTrue(base != null, name + ": no sample away from the rounding boundaries in 200 draws");
        float[] weights = Seeds.gaussian(random, n, 1.0);

        double[] zd = Seeds.toDouble(z);
        double[] pd = Cases.toDouble(params);
        Reference.Result offsets = base;
        DoubleSupplier loss = () -> loss(reference, zd, pd, offsets, weights, b, h, w);
        double[] dz = new double[n];
        for (int i = 0; i < n; i++) {
            dz[i] = centralDifference(zd, i, loss);
        }
        double[] dp = pd == null ? null : new double[pd.length];
        for (int i = 0; pd != null && i < pd.length; i++) {
            dp[i] = centralDifference(pd, i, loss);
        }

        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device)) {
            Rfsq rfsq = Cases.withParams(Rfsq.builder(levels).stages(stages).strategy(strategy).build(scope), params);
            Tensor tz = scope.fromArray(z, b, c, h, w);
            Rfsq.Gradients g = rfsq.backward(tz, scope.fromArray(weights, b, c, h, w));
            Approx.assertClose(name + ": dL/dz", dz, g.dz().toFloatArray(), null, tolerance(dz), 3e-4);
            if (dp == null) {
                assertNull(g.dparams(), name + ": none has no parameter gradient");
            } else {
                Approx.assertClose(name + ": dL/dparams", dp, g.dparams().toFloatArray(), null, tolerance(dp), 3e-4);
            }
        }
    }

    /**
     * The CUDA backend's launch boundaries for the backward's team scratch (2,048 + 20 N floats at K = 4, C = 5; see
     * native/tests/native_tests.cpp): 22x22 fits in 48 KB alone but not beside the kernel's static shared memory,
     * 38x73 is the largest that fits the opt-in maximum of an H100/H200, 37x75 goes to global memory. Too many
     * elements for draws away from every rounding boundary: the model follows the run's own indices where it is
     * ambiguous, and 48 random elements of dz (plus every parameter) are checked by finite differences.
     */
    static Stream<Arguments> edges() {
        List<Arguments> out = new ArrayList<>();
        for (Backend backend : new Backend[] {Backend.CPU, Backend.CUDA}) {
            for (Strategy strategy : Strategy.values()) {
                for (int[] hw : new int[][] {{22, 22}, {38, 73}, {37, 75}}) {
                    out.add(Arguments.of(backend, strategy, hw[0], hw[1]));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} 1x{2}x{3}")
    @MethodSource("edges")
    void backwardAtTheLaunchEdges(Backend backend, Strategy strategy, int h, int w) {
        String name = "gradient edge " + backend + " " + strategy + " " + h + "x" + w;
        SplittableRandom random = Seeds.random(name);
        Levels levels = Levels.of(4, 4, 4, 4, 4);
        int stages = 4, b = 1, c = levels.count(), n = b * c * h * w;
        Reference reference = new Reference(levels, stages, strategy);
        float[] z = Seeds.gaussian(random, n, 1.2);
        float[] params = Cases.randomParams(random, strategy, stages, c);
        float[] weights = Seeds.gaussian(random, n, 1.0);
        float[] dzGot, dpGot;
        int[] indices;
        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device)) {
            Rfsq rfsq = Cases.withParams(Rfsq.builder(levels).stages(stages).strategy(strategy).build(scope), params);
            Tensor tz = scope.fromArray(z, b, c, h, w);
            indices = rfsq.forward(tz).indices().toIntArray();
            Rfsq.Gradients g = rfsq.backward(tz, scope.fromArray(weights, b, c, h, w));
            dzGot = g.dz().toFloatArray();
            dpGot = g.dparams() == null ? null : g.dparams().toFloatArray();
        }
        Reference.Result base = reference.forward(Seeds.toDouble(z), b, h, w, Cases.toDouble(params), null, null, 1e-4,
                indices);
        double[] zd = Seeds.toDouble(z);
        double[] pd = Cases.toDouble(params);
        DoubleSupplier loss = () -> loss(reference, zd, pd, base, weights, b, h, w);
        int[] at = random.ints(48, 0, n).toArray();
        double[] dz = new double[at.length];
        float[] dzAt = new float[at.length];
        for (int j = 0; j < at.length; j++) {
            int i = at[j];
            dz[j] = centralDifference(zd, i, loss);
            dzAt[j] = dzGot[i];
        }
        for (float v : dzGot) {
            assertTrue(Float.isFinite(v), name + ": every dz element is written (outputs were poisoned)");
        }
        Approx.assertClose(name + ": dL/dz at 48 elements", dz, dzAt, null, tolerance(dz), 3e-4);
        if (pd == null) {
            assertNull(dpGot, name + ": none has no parameter gradient");
            return;
        }
        double[] dp = new double[pd.length];
        for (int i = 0; i < pd.length; i++) {
            dp[i] = centralDifference(pd, i, loss);
        }
        Approx.assertClose(name + ": dL/dparams", dp, dpGot, null, tolerance(dp), 3e-4);
    }

    /** d loss / d x[i] by central differences of STEP (x[i] is restored). */
    private static double centralDifference(double[] x, int i, DoubleSupplier loss) {
        double keep = x[i];
        x[i] = keep + STEP;
        double up = loss.getAsDouble();
        x[i] = keep - STEP;
        double down = loss.getAsDouble();
        x[i] = keep;
        return (up - down) / (2 * STEP);
    }

    private static double loss(Reference reference, double[] z, double[] params, Reference.Result base, float[] weights,
            int b, int h, int w) {
        double[] zhat = reference.forward(z, b, h, w, params, null, base.offsets, 0).zhat;
        double sum = 0;
        for (int i = 0; i < zhat.length; i++) {
            sum += weights[i] * zhat[i];
        }
        return sum;
    }

    /** Absolute slack relative to the gradient's scale: float32 sums over a plane or the batch. */
    private static double tolerance(double[] grad) {
        double max = 0;
        for (double g : grad) {
            max = Math.max(max, Math.abs(g));
        }
        return 3e-5 * (1 + max);
    }
}
