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
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** VQ-EMA (docs/BASELINES.md) on every backend against a plain-Java float64 reference on random inputs. */
@ExtendWith(NoLeaks.class)
class VqEmaTest {
    private static final int M = 150, D = 33, B = 2, H = 5, W = 6, HW = H * W, N = B * HW;

    static int at(int n, int d) {
        return (n / HW * D + d) * HW + n % HW;
    }

    /** The float64 nearest code (smallest index on ties). */
    static int nearest(float[] x, double[] cb, int n) {
        int best = 0;
        double bestDist = Double.POSITIVE_INFINITY;
        for (int j = 0; j < M; j++) {
            double s = 0;
            for (int d = 0; d < D; d++) {
                double v = x[at(n, d)] - cb[j * D + d];
                s += v * v;
            }
            if (s < bestDist) {
                bestDist = s;
                best = j;
            }
        }
        return best;
    }

    /** Three training steps against a float64 EMA; random latents are spread so that nearest codes are clear. */
    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void trainingStepsMatchTheReference(Backend backend) {
        SplittableRandom random = Seeds.random("VqEmaTest.steps." + backend);
        double decay = 0.9, eps = 1e-5, wc = 0.7;
        try (Device device = Backends.open(backend); Scope state = Scope.openPoisoned(device);
                Scope scope = Scope.openPoisoned(device)) {
            VqEma vq = VqEma.builder(M, D).decay(decay).eps(eps).commitmentWeight(wc).build(state, 42);
            double[] cb = Seeds.toDouble(VqEma.initialCodebook(M, D, 42));
            double[] ea = cb.clone();
            double[] cs = new double[M];
            Approx.assertClose("initial codebook", cb, vq.codebook().toFloatArray(), null, 0, 0);
            Approx.assertClose("initial cluster size", cs, vq.clusterSize().toFloatArray(), null, 0, 0);
            for (int step = 1; step <= 3; step++) {
                float[] x = Seeds.gaussian(random, B * D * HW, 0.05);
                float[] dzq = Seeds.gaussian(random, x.length, 1);
                Tensor tx = scope.fromArray(x, B, D, H, W);
                int[] idx = new int[N];
                double[] zq = new double[x.length], dx = new double[x.length];
                double sq = 0;
                for (int n = 0; n < N; n++) {
                    idx[n] = nearest(x, cb, n);
                    for (int d = 0; d < D; d++) {
                        int i = at(n, d);
                        zq[i] = cb[idx[n] * D + d];
                        sq += (x[i] - zq[i]) * (x[i] - zq[i]);
                        dx[i] = dzq[i] + 2 * wc * (x[i] - zq[i]) / x.length;
                    }
                }
                VqEma.Output out = vq.forward(tx);
                String s = " (step " + step + ")";
                assertArrayEquals(idx, out.indices().toIntArray(), "indices" + s);
                Approx.assertClose("zq" + s, zq, out.zq().toFloatArray(), null, 1e-7, 1e-5);
                Approx.assertClose("loss" + s, new double[] {wc * sq / x.length}, out.loss().toFloatArray(), null, 0, 1e-5);
                Approx.assertClose("dx" + s, dx, vq.backward(tx, out.zq(), scope.fromArray(dzq, B, D, H, W)).toFloatArray(),
                        null, 1e-6, 1e-5);
                double[] cnt = new double[M], sum = new double[M * D];
                for (int n = 0; n < N; n++) {
                    cnt[idx[n]]++;
                    for (int d = 0; d < D; d++) {
                        sum[idx[n] * D + d] += x[at(n, d)];
                    }
                }
                double total = 0;
                for (int j = 0; j < M; j++) {
                    cs[j] = decay * cs[j] + (1 - decay) * cnt[j];
                    total += cs[j];
                }
                for (int j = 0; j < M; j++) {
                    double size = (cs[j] + eps) / (total + M * eps) * total;
                    for (int d = 0; d < D; d++) {
                        ea[j * D + d] = decay * ea[j * D + d] + (1 - decay) * sum[j * D + d];
                        cb[j * D + d] = ea[j * D + d] / size;
                    }
                }
                Approx.assertClose("cluster size" + s, cs, vq.clusterSize().toFloatArray(), null, 1e-7, 1e-5);
                Approx.assertClose("embed avg" + s, ea, vq.embedAvg().toFloatArray(), null, 1e-8, 1e-5);
                double big = 0;
                for (double v : cb) {
                    big = Math.max(big, Math.abs(v));
                }
                Approx.assertClose("codebook" + s, cb, vq.codebook().toFloatArray(), null, 1e-5 * big, 1e-4);
            }
            // Inference uses the updated codebook and leaves the state alone.
            float[] x = Seeds.gaussian(random, B * D * HW, 0.05);
            float[] before = vq.codebook().toFloatArray();
            Tensor tx = scope.fromArray(x, B, D, H, W);
            int[] idx = new int[N];
            for (int n = 0; n < N; n++) {
                idx[n] = nearest(x, Seeds.toDouble(before), n);
            }
            assertArrayEquals(idx, vq.quantize(tx).indices().toIntArray(), "quantize indices");
            assertArrayEquals(idx, vq.encode(tx).toIntArray(), "encode indices");
            assertArrayEquals(before, vq.codebook().toFloatArray(), "quantize and encode leave the codebook");
            float[] dec = vq.decode(scope.fromArray(idx, B, H, W)).toFloatArray();
            for (int n = 0; n < N; n++) {
                for (int d = 0; d < D; d++) {
                    assertEquals(before[idx[n] * D + d], dec[at(n, d)], "decode at position " + n + ", dim " + d);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void badDataFailsNamingTheOp(Backend backend) {
        try (Device device = Backends.open(backend); Scope scope = Scope.open(device)) {
            VqEma vq = VqEma.builder(M, D).build(scope, 7);
            float[] x = Seeds.gaussian(Seeds.random("VqEmaTest.nan"), B * D * HW, 1);
            x[40] = Float.NaN;
            RfsqException e = assertThrows(RfsqException.class, () -> vq.quantize(scope.fromArray(x, B, D, H, W)));
            assertEquals("RFSQ_E_NONFINITE", e.statusName(), e.getMessage());
            assertTrue(e.getMessage().contains("rfsq_vq_forward"), e.getMessage());
            for (int bad : new int[] {M, -2}) {
                int[] idx = new int[N];
                idx[9] = bad;
                Tensor t = scope.fromArray(idx, B, H, W);
                e = assertThrows(RfsqException.class, () -> vq.decode(t), "index " + bad);
                assertEquals("RFSQ_E_RANGE", e.statusName(), e.getMessage());
                assertTrue(e.getMessage().contains("rfsq_vq_decode"), e.getMessage());
            }
        }
    }

    @Test
    void shapeAndConfigurationErrorsNameTheArgument() {
        try (Device device = Backends.open(Backend.CPU); Scope scope = Scope.open(device)) {
            VqEma vq = VqEma.builder(16, 8).build(scope, 1);
            var e = assertThrows(IllegalArgumentException.class, () -> vq.forward(scope.allocate(DType.F32, 2, 7, 3, 3)));
            assertTrue(e.getMessage().startsWith("x must be float32 (B,8,H,W)"), e.getMessage());
            Tensor x = scope.allocate(DType.F32, 2, 8, 3, 3);
            e = assertThrows(IllegalArgumentException.class,
                    () -> vq.backward(x, scope.allocate(DType.F32, 2, 8, 3, 4), x));
            assertTrue(e.getMessage().startsWith("zq must be"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> vq.backward(x, x, scope.allocate(DType.I32, 2, 8, 3, 3)));
            assertTrue(e.getMessage().startsWith("dzq must be"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> vq.decode(scope.allocate(DType.I32, 2, 3)));
            assertTrue(e.getMessage().startsWith("indices must be int32 (B,H,W)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> VqEma.builder(16, 8).decay(1));
            assertTrue(e.getMessage().contains("decay"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> VqEma.builder(0, 8));
            assertTrue(e.getMessage().contains("codes"), e.getMessage());
            assertEquals(12.0, VqEma.builder(4096, 4).build(scope, 3).bitsPerPosition(), 1e-12);
        }
    }
}
