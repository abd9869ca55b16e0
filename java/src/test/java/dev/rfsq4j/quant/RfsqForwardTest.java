package dev.rfsq4j.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** RFSQ forward, encode and decode against the float64 {@link Reference}, on every backend. */
@ExtendWith(NoLeaks.class)
class RfsqForwardTest {
    private static final double MARGIN = 1e-4;
    private static final double ATOL = 2e-5;
    private static final double RTOL = 1e-4;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Backend backend : new Backend[] {Backend.CPU, Backend.CUDA}) {
            for (Strategy strategy : Strategy.values()) {
                for (Object[] config : Cases.CONFIGS) {
                    out.add(Arguments.of(backend, strategy, config[0], config[1]));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {3}x{2}")
    @MethodSource("cases")
    void forwardMatchesTheReference(Backend backend, Strategy strategy, Levels levels, int stages) {
        String name = "forward " + backend + " " + strategy + " " + stages + "x" + levels;
        SplittableRandom random = Seeds.random(name);
        int b = 3, h = 6, w = 5, c = levels.count(), hw = h * w;
        float[] z = Seeds.gaussian(random, b * c * hw, random.nextDouble(0.5, 2.0));
        float[] params = Cases.randomParams(random, strategy, stages, c);
        Reference.Result ref = new Reference(levels, stages, strategy)
                .forward(Seeds.toDouble(z), b, h, w, Cases.toDouble(params), null, null, MARGIN);
        boolean[] zhatMask = ref.tainted[stages - 1];
        assertTrue(Cases.count(zhatMask) < zhatMask.length / 4, name + ": too many elements near a rounding boundary");

        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device)) {
            Rfsq rfsq = Cases.withParams(Rfsq.builder(levels).stages(stages).strategy(strategy).build(scope), params);
            Rfsq.Output out = rfsq.forward(scope.fromArray(z, b, c, h, w));
            float[] zhat = out.zhat().toFloatArray();
            Approx.assertClose(name + ": zhat", ref.zhat, zhat, zhatMask, ATOL, RTOL);
            Approx.assertEqual(name + ": indices", ref.indices, out.indices().toIntArray(),
                    Cases.indexMask(ref, b, c, hw, stages));
            float[] rnorm = out.rnorm().toFloatArray();
            Approx.assertClose(name + ": rnorm", ref.rnorm, rnorm, Cases.rnormMask(ref, b, c, hw, stages), ATOL, RTOL);
            if (strategy == Strategy.LAYERNORM) {
                Approx.assertClose(name + ": stats", ref.stats, out.stats().toFloatArray(), Cases.statsMask(ref), ATOL,
                        RTOL);
            } else {
                assertNull(out.stats(), name + ": stats");
            }
            // zhat = z - r_K: the native zhat and the native last-stage residual norm agree per image.
            double[] residual = new double[b];
            for (int i = 0; i < z.length; i++) {
                double r = (double) z[i] - zhat[i];
                residual[i / (c * hw)] += r * r;
            }
            for (int img = 0; img < b; img++) {
                assertEquals(Math.sqrt(residual[img]), rnorm[img * stages + stages - 1],
                        1e-4 * (1 + Math.sqrt(residual[img])), name + ": ||z - zhat|| of image " + img + " vs rnorm");
            }
        }
    }

    static Stream<Arguments> servingCases() {
        return everyBackendAndStrategy(new int[][] {{1, 32, 32}, {3, 17, 9}, {37, 1, 1}, {6, 2, 2}});
    }

    /**
     * Serving shapes, which the CPU schedules by position (one image: every thread on it), or in tiles of several
     * images ((N,C,1,1) vectors, 2x2 latents): the reference's indices and zhat, and every image's bits the same
     * as when it is encoded alone.
     */
    @ParameterizedTest(name = "{0} {1} {2}x{3}x{4}")
    @MethodSource("servingCases")
    void servingShapesMatchTheReferenceAndAnImageAlone(Backend backend, Strategy strategy, int b, int h, int w) {
        checkForward("serving", backend, strategy, b, h, w, 1.5, true);
    }

    /**
     * The CUDA backend's launch boundaries for the forward's team scratch (64 + 11 N floats at C = 5; see
     * native/tests/native_tests.cpp): 33x33 fits in 48 KB alone but not beside the kernel's static shared memory,
     * 8x653 is the largest that fits the opt-in maximum of an H100/H200, 55x95 goes to global memory.
     */
    static Stream<Arguments> edges() {
        return everyBackendAndStrategy(new int[][] {{2, 33, 33}, {1, 8, 653}, {1, 55, 95}});
    }

    /** (backend, strategy, b, h, w) for every backend, strategy and (b, h, w) of shapes. */
    static Stream<Arguments> everyBackendAndStrategy(int[][] shapes) {
        List<Arguments> out = new ArrayList<>();
        for (Backend backend : new Backend[] {Backend.CPU, Backend.CUDA}) {
            for (Strategy strategy : Strategy.values()) {
                for (int[] bhw : shapes) {
                    out.add(Arguments.of(backend, strategy, bhw[0], bhw[1], bhw[2]));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}x{3}x{4}")
    @MethodSource("edges")
    void forwardAtTheLaunchEdges(Backend backend, Strategy strategy, int b, int h, int w) {
        checkForward("forward edge", backend, strategy, b, h, w, 1.3, false);
    }

    /**
     * RFSQ 4x[4,4,4,4,4] forward of a fresh N(0, sigma) latent (B,5,H,W) against the float64 reference: zhat,
     * indices and residual norms; with alone, also every (sampled) image's bits encoded by itself.
     */
    private static void checkForward(String what, Backend backend, Strategy strategy, int b, int h, int w, double sigma,
            boolean alone) {
        String name = what + " " + backend + " " + strategy + " " + b + "x" + h + "x" + w;
        SplittableRandom random = Seeds.random(name);
        Levels levels = Levels.of(4, 4, 4, 4, 4);
        int stages = 4, c = levels.count(), hw = h * w;
        float[] z = Seeds.gaussian(random, b * c * hw, sigma);
        float[] params = Cases.randomParams(random, strategy, stages, c);
        Reference.Result ref = new Reference(levels, stages, strategy)
                .forward(Seeds.toDouble(z), b, h, w, Cases.toDouble(params), null, null, MARGIN);
        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device)) {
            Rfsq rfsq = Cases.withParams(Rfsq.builder(levels).stages(stages).strategy(strategy).build(scope), params);
            Rfsq.Output out = rfsq.forward(scope.fromArray(z, b, c, h, w));
            float[] zhat = out.zhat().toFloatArray();
            int[] indices = out.indices().toIntArray();
            Approx.assertClose(name + ": zhat", ref.zhat, zhat, ref.tainted[stages - 1], ATOL, RTOL);
            Approx.assertEqual(name + ": indices", ref.indices, indices, Cases.indexMask(ref, b, c, hw, stages));
            Approx.assertClose(name + ": rnorm", ref.rnorm, out.rnorm().toFloatArray(),
                    Cases.rnormMask(ref, b, c, hw, stages), ATOL, RTOL);
            for (int img = 0; alone && img < b; img += Math.max(1, b / 4)) {
                float[] one = Arrays.copyOfRange(z, img * c * hw, (img + 1) * c * hw);
                Rfsq.Output single = rfsq.forward(scope.fromArray(one, 1, c, h, w));
                assertArrayEquals(Arrays.copyOfRange(zhat, img * c * hw, (img + 1) * c * hw), single.zhat().toFloatArray(),
                        name + ": zhat of image " + img + " alone");
                assertArrayEquals(Arrays.copyOfRange(indices, img * hw * stages, (img + 1) * hw * stages),
                        single.indices().toIntArray(), name + ": indices of image " + img + " alone");
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("dev.rfsq4j.quant.Cases#backendsStrategiesModes")
    void decodeOfEncodeIsZhat(Backend backend, Strategy strategy, StatsMode mode) {
        String name = "decode " + backend + " " + strategy + " " + mode;
        SplittableRandom random = Seeds.random(name);
        Levels levels = Levels.of(4, 4, 4, 4, 4);
        int stages = 3, b = 2, h = 5, w = 7, c = levels.count();
        float[] params = Cases.randomParams(random, strategy, stages, c);
        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device)) {
            Rfsq rfsq = Cases.withParams(Rfsq.builder(levels).stages(stages).strategy(strategy).statsMode(mode)
                    .momentum(0.5).build(scope), params);
            if (rfsq.runningStats() != null) {
                for (int step = 0; step < 2; step++) {
                    rfsq.forward(scope.fromArray(Seeds.gaussian(random, b * c * h * w, 1.0), b, c, h, w));
                }
            }
            Tensor z = scope.fromArray(Seeds.gaussian(random, b * c * h * w, 1.0), b, c, h, w);
            Rfsq.Output expected = rfsq.quantize(z);
            Rfsq.Encoded code = rfsq.encode(z);
            assertArrayEquals(expected.indices().toIntArray(), code.indices().toIntArray(), name + ": encode indices");
            boolean perImage = strategy == Strategy.LAYERNORM && mode == StatsMode.PARITY;
            assertEquals(perImage, code.stats() != null, name + ": encode returns stats exactly for layernorm/parity");
            float[] zhat = rfsq.decode(code.indices(), code.stats()).toFloatArray();
            Approx.assertClose(name + ": decode(encode(z)) vs zhat", expected.zhat().toFloatArray(), zhat, 1e-5, 1e-5);

            double[] statsUsed = perImage ? Seeds.toDouble(code.stats().toFloatArray())
                    : rfsq.runningStats() == null ? null : Seeds.toDouble(rfsq.runningStats().toFloatArray());
            double[] refZhat = new Reference(levels, stages, strategy).decode(code.indices().toIntArray(), b, h, w,
                    Cases.toDouble(params), statsUsed, perImage);
            Approx.assertClose(name + ": decode vs reference decode", refZhat, zhat, null, ATOL, RTOL);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void runningStatisticsFollowTheMomentumUpdateAndFreezeForEncode(Backend backend) {
        String name = "running " + backend;
        SplittableRandom random = Seeds.random(name);
        Levels levels = Levels.of(8, 8, 8, 4);
        int stages = 2, b = 4, h = 6, w = 6, c = levels.count(), hw = h * w;
        double momentum = 0.75;
        Reference reference = new Reference(levels, stages, Strategy.LAYERNORM);
        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device)) {
            Rfsq rfsq = Rfsq.builder(levels).stages(stages).strategy(Strategy.LAYERNORM).statsMode(StatsMode.RUNNING)
                    .momentum(momentum).build(scope);
            float[] params = Cases.randomParams(random, Strategy.LAYERNORM, stages, c);
            rfsq.parameters().copyFrom(params);
            double[] running = new double[stages * c * 2];
            for (int i = 1; i < running.length; i += 2) {
                running[i] = 1;
            }
            assertArrayEquals(toFloat(running), rfsq.runningStats().toFloatArray(), "initial running (mu, sigma) = (0, 1)");
            boolean[] mask = new boolean[running.length];
            for (int step = 0; step < 3; step++) {
                float[] z = Seeds.gaussian(random, b * c * hw, 1.0 + step);
                Rfsq.Output out = rfsq.forward(scope.fromArray(z, b, c, h, w));
                Reference.Result ref = reference.forward(Seeds.toDouble(z), b, h, w, Cases.toDouble(params), null, null,
                        MARGIN);
                Approx.assertClose(name + ": per-image stats of a training forward", ref.stats, out.stats().toFloatArray(),
                        Cases.statsMask(ref), ATOL, RTOL);
                for (int k = 0; k < stages; k++) {
                    for (int ch = 0; ch < c; ch++) {
                        for (int m = 0; m < 2; m++) {
                            double mean = 0;
                            for (int img = 0; img < b; img++) {
                                int s = (k * b + img) * c + ch;
                                mean += ref.stats[2 * s + m] / b;
                                mask[(k * c + ch) * 2 + m] |= ref.statsTainted[s];
                            }
                            int r = (k * c + ch) * 2 + m;
                            running[r] = momentum * running[r] + (1 - momentum) * mean;
                        }
                    }
                }
                Approx.assertClose(name + ": running stats after step " + step, running,
                        rfsq.runningStats().toFloatArray(), mask, ATOL, RTOL);
            }
            // Frozen: encode and quantize use the running statistics, and do not change them.
            float[] frozen = rfsq.runningStats().toFloatArray();
            float[] z = Seeds.gaussian(random, b * c * hw, 1.0);
            Rfsq.Output out = rfsq.quantize(scope.fromArray(z, b, c, h, w));
            assertNull(out.stats(), "quantize in running mode returns no per-image stats");
            Reference.Result ref = reference.forward(Seeds.toDouble(z), b, h, w, Cases.toDouble(params),
                    Seeds.toDouble(frozen), null, MARGIN);
            Approx.assertClose(name + ": frozen zhat", ref.zhat, out.zhat().toFloatArray(), ref.tainted[stages - 1], ATOL,
                    RTOL);
            Approx.assertEqual(name + ": frozen indices", ref.indices, out.indices().toIntArray(),
                    Cases.indexMask(ref, b, c, hw, stages));
            assertNotNull(rfsq.encode(scope.fromArray(z, b, c, h, w)).indices());
            assertArrayEquals(frozen, rfsq.runningStats().toFloatArray(), "encode and quantize leave running stats alone");
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void initialParametersFollowTheSpec(Backend backend) {
        Levels levels = Levels.of(8, 8, 8, 4);
        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device)) {
            assertNull(Rfsq.builder(levels).stages(2).build(scope).parameters(), "none has no parameters");
            assertArrayEquals(new float[] {0f, 0f},
                    Rfsq.builder(levels).stages(2).strategy(Strategy.SCALE).build(scope).parameters().toFloatArray(),
                    "scale starts at theta = 0 (s = ln 2)");
            float theta = Rfsq.builder(levels).stages(2).strategy(Strategy.SCALE).initialScale(0.25).build(scope)
                    .parameters().toFloatArray()[1];
            assertEquals(0.25, Reference.softplus(theta), 1e-6, "initial scale s0 = softplus(theta)");
            assertArrayEquals(new float[] {1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0},
                    Rfsq.builder(levels).stages(2).strategy(Strategy.LAYERNORM).build(scope).parameters().toFloatArray(),
                    "layernorm starts at gamma = 1, beta = 0 per stage");
        }
    }

    @Test
    void bitsCountTheSideInformation() {
        try (Device device = Device.open(Backend.CPU); Scope scope = Scope.open(device)) {
            Rfsq.Builder ln = Rfsq.builder(Levels.of(8, 8, 8, 4)).stages(2).strategy(Strategy.LAYERNORM);
            Rfsq parity = ln.build(scope);
            assertEquals(22.0, parity.bitsPerPosition(), 1e-12);
            assertEquals(2 * 4 * 2 * 32, parity.sideInfoBitsPerImage());
            assertEquals(0, ln.statsMode(StatsMode.RUNNING).build(scope).sideInfoBitsPerImage());
            Rfsq none = Rfsq.builder(Levels.of(4, 4, 4, 4, 4)).stages(4).build(scope);
            assertEquals(40.0, none.bitsPerPosition(), 1e-12);
            assertEquals(0, none.sideInfoBitsPerImage());
            assertEquals(12.0, Rfsq.builder(Levels.of(8, 8, 8, 8)).build(scope).bitsPerPosition(), 1e-12);
        }
    }

    private static float[] toFloat(double[] a) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (float) a[i];
        }
        return out;
    }
}
