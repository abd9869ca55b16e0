package dev.rfsq4j.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rfsq4j.Approx;
import dev.rfsq4j.Backend;
import dev.rfsq4j.Backends;
import dev.rfsq4j.DType;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.RfsqException;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Seeds;
import dev.rfsq4j.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** FSQ (spec §1) on every backend: golden thresholds, codes, index round trips, random inputs, gradients. */
@ExtendWith(NoLeaks.class)
class FsqTest {
    /** Spec §1: the x at which q steps up, per level count. */
    private static final double[][] THRESHOLDS = {
        {-1.15255, -0.34663, 0.45929},
        {-0.97467, -0.25568, 0.25568, 0.97467},
        {-1.42970, -0.79447, -0.43819, -0.14398, 0.15022, 0.50651, 1.14173},
    };
    private static final int[] THRESHOLD_LEVELS = {4, 5, 8};
    private static final double PROBE = 1e-4;

    /** Channel j of levels [4,5,8] probes just below and above each of its thresholds (padding far below). */
    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void goldenThresholdsGiveTheSpecCodes(Backend backend) {
        int probes = 14;
        float[] x = new float[3 * probes];
        float[] expected = new float[3 * probes];
        for (int j = 0; j < 3; j++) {
            int l = THRESHOLD_LEVELS[j], half = l / 2;
            Arrays.fill(x, j * probes, (j + 1) * probes, -5f);
            Arrays.fill(expected, j * probes, (j + 1) * probes, -1f);
            for (int t = 0; t < THRESHOLDS[j].length; t++) {
                x[j * probes + 2 * t] = (float) (THRESHOLDS[j][t] - PROBE);
                x[j * probes + 2 * t + 1] = (float) (THRESHOLDS[j][t] + PROBE);
                expected[j * probes + 2 * t] = (float) (t - half) / half;
                expected[j * probes + 2 * t + 1] = (float) (t + 1 - half) / half;
            }
        }
        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device)) {
            Fsq fsq = new Fsq(Levels.of(4, 5, 8));
            Fsq.Output out = fsq.forward(scope.fromArray(x, 1, 3, 1, probes));
            assertArrayEquals(expected, out.codes().toFloatArray(), "codes at x = threshold -+ 1e-4, channels L=4,5,8");
            int[] idx = out.indices().toIntArray();
            for (int p = 0; p < probes; p++) {
                int want = 0, place = 1;
                for (int j = 0; j < 3; j++) {
                    int l = THRESHOLD_LEVELS[j];
                    want += Math.round(expected[j * probes + p] * (l / 2) + l / 2) * place;
                    place *= l;
                }
                assertEquals(want, idx[p], "index of probe " + p + " (channel 0 least significant)");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void codeSetsMatchTheSpec(Backend backend) {
        float[] x = new float[400];
        for (int i = 0; i < x.length; i++) {
            x[i] = -4f + 8f * i / x.length;
        }
        float[][] grids = {{-1f, -.5f, 0f, .5f}, {-1f, -.5f, 0f, .5f, 1f}, {-1f, -.75f, -.5f, -.25f, 0f, .25f, .5f, .75f}};
        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device)) {
            for (int j = 0; j < 3; j++) {
                Fsq fsq = new Fsq(Levels.of(THRESHOLD_LEVELS[j]));
                float[] codes = fsq.forward(scope.fromArray(x, 1, 1, 20, 20)).codes().toFloatArray();
                float[] distinct = sortedDistinct(codes);
                assertArrayEquals(grids[j], distinct, "codes of L=" + THRESHOLD_LEVELS[j] + " over x in [-4, 4)");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void indicesToCodesToIndicesIsIdentityForEveryCodebookEntry(Backend backend) {
        int[][] sets = {{8, 8, 8, 4}, {4, 4, 4, 4, 4}, {8, 8, 8, 8}};
        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device)) {
            for (int[] set : sets) {
                Levels levels = Levels.of(set);
                Reference ref = new Reference(levels, 1, Strategy.NONE);
                int n = levels.codebookSize();
                int[] all = new int[n];
                Arrays.setAll(all, i -> i);
                Fsq fsq = new Fsq(levels);
                Tensor codes = fsq.indicesToCodes(scope.fromArray(all, 2, 4, n / 8));
                float[] c = codes.toFloatArray();
                int positions = n;
                for (int i = 0; i < n; i++) {
                    int b = i / (n / 2), p = i % (n / 2);
                    for (int j = 0; j < set.length; j++) {
                        float want = (float) ref.codeOfDigit(j, ref.digitOfIndex(j, i));
                        assertEquals(want, c[(b * set.length + j) * (positions / 2) + p],
                                "code of index " + i + " channel " + j + " for levels " + levels);
                    }
                }
                assertArrayEquals(all, fsq.codesToIndices(codes).toIntArray(), "indices -> codes -> indices for " + levels);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void forwardAndBackwardMatchTheReferenceOnRandomInputs(Backend backend) {
        Levels levels = Levels.of(8, 5, 4, 3, 2);
        Reference ref = new Reference(levels, 1, Strategy.NONE);
        SplittableRandom random = Seeds.random("fsq-random-" + backend);
        int b = 3, h = 7, w = 5, c = levels.count(), hw = h * w;
        float[] x = Seeds.gaussian(random, b * c * hw, 1.5);
        float[] dcodes = Seeds.gaussian(random, x.length, 1.0);
        double[] codes = new double[x.length];
        double[] dx = new double[x.length];
        boolean[] near = new boolean[x.length];
        int[] idx = new int[b * hw];
        boolean[] idxNear = new boolean[idx.length];
        for (int i = 0; i < x.length; i++) {
            int j = i / hw % c, pos = i / (c * hw) * hw + i % hw;
            double f = ref.bound(j, x[i]);
            near[i] = 0.5 - Math.abs(f - Math.rint(f)) < 1e-4;
            idxNear[pos] |= near[i];
            codes[i] = ref.code(j, x[i]);
            dx[i] = dcodes[i] * ref.codeDerivative(j, x[i]);
            int place = 1;
            for (int k = 0; k < j; k++) {
                place *= levels.get(k);
            }
            idx[pos] += ((int) Math.rint(f) + levels.get(j) / 2) * place;
        }
        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device)) {
            Fsq fsq = new Fsq(levels);
            Tensor tx = scope.fromArray(x, b, c, h, w);
            Fsq.Output out = fsq.forward(tx);
            Approx.assertClose("fsq codes", codes, out.codes().toFloatArray(), near, 0, 0);
            Approx.assertEqual("fsq indices", idx, out.indices().toIntArray(), idxNear);
            Tensor grad = fsq.backward(tx, scope.fromArray(dcodes, b, c, h, w));
            Approx.assertClose("fsq straight-through dx", dx, grad.toFloatArray(), null, 1e-6, 1e-5);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void outOfRangeIndicesAndOffGridCodesFailNamingTheOp(Backend backend) {
        Levels levels = Levels.of(8, 8, 8, 4);
        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device)) {
            Fsq fsq = new Fsq(levels);
            for (int bad : new int[] {levels.codebookSize(), -1}) {
                Tensor idx = scope.fromArray(new int[] {0, 5, bad, 7}, 1, 2, 2);
                // On CUDA the kernel's finding surfaces at the copy back, still naming the op.
                RfsqException e = assertThrows(RfsqException.class, () -> fsq.indicesToCodes(idx).toFloatArray(),
                        "index " + bad);
                assertTrue(e.getMessage().contains("rfsq_fsq_indices_to_codes"), e.getMessage());
                assertEquals("RFSQ_E_RANGE", e.statusName(), e.getMessage());
            }
            Tensor offGrid = scope.fromArray(new float[] {0.3f, 0f, 0f, 0f}, 1, 4, 1, 1);
            RfsqException e = assertThrows(RfsqException.class, () -> fsq.codesToIndices(offGrid).toIntArray());
            assertTrue(e.getMessage().contains("rfsq_fsq_codes_to_indices"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void wrongShapesAndDtypesFailBeforeTheNativeCall(Backend backend) {
        try (Device device = Backends.open(backend); Scope scope = Scope.open(device)) {
            Fsq fsq = new Fsq(Levels.of(8, 8, 8, 4));
            Tensor x = scope.allocate(DType.F32, 2, 5, 8, 8);
            var e = assertThrows(IllegalArgumentException.class, () -> fsq.forward(x));
            assertEquals("x must be float32 (B,4,H,W) for levels [8,8,8,4], got float32 (2,5,8,8)", e.getMessage());
            Tensor ints = scope.allocate(DType.I32, 2, 4, 8, 8);
            assertThrows(IllegalArgumentException.class, () -> fsq.forward(ints));
            Tensor idx = scope.allocate(DType.F32, 2, 8, 8);
            e = assertThrows(IllegalArgumentException.class, () -> fsq.indicesToCodes(idx));
            assertEquals("indices must be int32 (B,H,W) for levels [8,8,8,4], got float32 (2,8,8)", e.getMessage());
            Tensor good = scope.allocate(DType.F32, 2, 4, 8, 8);
            e = assertThrows(IllegalArgumentException.class,
                    () -> fsq.backward(good, scope.allocate(DType.F32, 2, 4, 8, 7)));
            assertEquals("dcodes must be float32 (2,4,8,8) like x, got float32 (2,4,8,7)", e.getMessage());
        }
    }

    private static float[] sortedDistinct(float[] values) {
        float[] copy = values.clone();
        Arrays.sort(copy);
        int n = 0;
        for (int i = 0; i < copy.length; i++) {
            if (i == 0 || copy[i] != copy[i - 1]) {
                copy[n++] = copy[i];
            }
        }
        return Arrays.copyOf(copy, n);
    }
}
