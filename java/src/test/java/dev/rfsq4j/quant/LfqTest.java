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

/** LFQ (docs/BASELINES.md) on every backend against a plain-Java float64 reference on random inputs. */
@ExtendWith(NoLeaks.class)
class LfqTest {
    private static final int B = 2, C = 5, H = 3, W = 7, HW = H * W, N = B * HW, M = 1 << C;

    /** The page's formulas, M-way: q, indices, loss = L_c + L_e, dx = dq + dL/dx. */
    static final class Ref {
        final double[] q = new double[B * C * HW], dx = new double[B * C * HW];
        final int[] idx = new int[N];
        double loss;

        Ref(float[] x, float[] dq, double wc, double we, double gamma, double tau) {
            int e = B * C * HW;
            double commit = 0;
            for (int n = 0; n < N; n++) {
                for (int c = 0; c < C; c++) {
                    int i = at(n, c);
                    q[i] = x[i] > 0 ? 1 : -1;
                    idx[n] |= (x[i] > 0 ? 1 : 0) << (C - 1 - c);
                    commit += (x[i] - q[i]) * (x[i] - q[i]);
                    dx[i] = dq[i] + 2 * wc * (x[i] - q[i]) / e;
                }
            }
            loss = wc * commit / e;
            if (we == 0) {
                return;
            }
            double[][] p = new double[N][M];
            double[] a = new double[M];
            double per = 0;
            for (int n = 0; n < N; n++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < M; j++) {
                    double l = 0;
                    for (int c = 0; c < C; c++) {
                        double d = x[at(n, c)] - s(j, c);
                        l -= tau * d * d;
                    }
                    p[n][j] = l;
                    max = Math.max(max, l);
                }
                for (int j = 0; j < M; j++) {
                    sum += p[n][j] = Math.exp(p[n][j] - max);
                }
                for (int j = 0; j < M; j++) {
                    p[n][j] /= sum;
                    per += ent(p[n][j]);
                    a[j] += p[n][j] / N;
                }
            }
            double book = 0;
            for (int j = 0; j < M; j++) {
                book += ent(a[j]);
            }
            loss += we * (per / ((double) N * M) - gamma * book / M);
            for (int n = 0; n < N; n++) {
                double[] g = new double[M];
                double gsum = 0;
                for (int j = 0; j < M; j++) {
                    g[j] = we * (dent(p[n][j]) - gamma * dent(a[j])) / ((double) N * M);
                    gsum += p[n][j] * g[j];
                }
                for (int j = 0; j < M; j++) {
                    double dl = p[n][j] * (g[j] - gsum);
                    for (int c = 0; c < C; c++) {
                        dx[at(n, c)] += -2 * tau * dl * (x[at(n, c)] - s(j, c));
                    }
                }
            }
        }

        static int at(int n, int c) {
            return (n / HW * C + c) * HW + n % HW;
        }

        static double s(int j, int c) {
            return ((j >> (C - 1 - c)) & 1) != 0 ? 1 : -1;
        }

        static double ent(double p) {
            return -p * Math.log(Math.max(p, 1e-5));
        }

        static double dent(double p) {
            return p >= 1e-5 ? -(Math.log(p) + 1) : -Math.log(1e-5);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void forwardBackwardAndDecodeMatchTheReference(Backend backend) {
        SplittableRandom random = Seeds.random("LfqTest.forward." + backend);
        double[][] weights = {{0, 0}, {0.25, 0}, {0.25, 0.1}, {0, 0.5}};
        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device)) {
            for (double[] wt : weights) {
                float[] x = Seeds.gaussian(random, B * C * HW, 0.8);
                x[3] = 0f; // gives -1
                float[] dq = Seeds.gaussian(random, x.length, 1e-6);
                Lfq lfq = Lfq.builder(C).commitmentWeight(wt[0]).entropyWeight(wt[1]).diversityGamma(2.5)
                        .invTemperature(0.8).build(device);
                Ref ref = new Ref(x, dq, wt[0], wt[1], 2.5, 0.8);
                Tensor tx = scope.fromArray(x, B, C, H, W);
                Lfq.Output out = lfq.forward(tx);
                String what = "w_c " + wt[0] + ", w_e " + wt[1];
                Approx.assertClose("q, " + what, ref.q, out.q().toFloatArray(), null, 0, 0);
                assertArrayEquals(ref.idx, out.indices().toIntArray(), "indices, " + what);
                Approx.assertClose("loss, " + what, new double[] {ref.loss}, out.loss().toFloatArray(), null, 1e-9, 1e-5);
                float[] dx = lfq.backward(tx, scope.fromArray(dq, B, C, H, W)).toFloatArray();
                double scale = 0;
                for (double v : ref.dx) {
                    scale = Math.max(scale, Math.abs(v));
                }
                Approx.assertClose("dx, " + what, ref.dx, dx, null, 1e-4 * scale, 0);
                assertArrayEquals(ref.idx, lfq.encode(tx).toIntArray(), "encode, " + what);
                Approx.assertClose("decode, " + what, ref.q, lfq.decode(out.indices()).toFloatArray(), null, 0, 0);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void badDataFailsNamingTheOp(Backend backend) {
        try (Device device = Backends.open(backend); Scope scope = Scope.open(device)) {
            Lfq lfq = Lfq.builder(C).build(device);
            float[] x = Seeds.gaussian(Seeds.random("LfqTest.nan"), B * C * HW, 1);
            x[11] = Float.NaN;
            RfsqException e = assertThrows(RfsqException.class, () -> lfq.encode(scope.fromArray(x, B, C, H, W)));
            assertEquals("RFSQ_E_NONFINITE", e.statusName(), e.getMessage());
            assertTrue(e.getMessage().contains("rfsq_lfq_forward"), e.getMessage());
            for (int bad : new int[] {M, -1}) {
                int[] idx = new int[N];
                idx[5] = bad;
                Tensor t = scope.fromArray(idx, B, H, W);
                e = assertThrows(RfsqException.class, () -> lfq.decode(t), "index " + bad);
                assertEquals("RFSQ_E_RANGE", e.statusName(), e.getMessage());
                assertTrue(e.getMessage().contains("rfsq_lfq_decode"), e.getMessage());
            }
        }
    }

    @Test
    void shapeAndConfigurationErrorsNameTheArgument() {
        try (Device device = Backends.open(Backend.CPU); Scope scope = Scope.open(device)) {
            Lfq lfq = Lfq.builder(C).build(device);
            var e = assertThrows(IllegalArgumentException.class, () -> lfq.forward(scope.allocate(DType.F32, 2, 4, 3, 3)));
            assertTrue(e.getMessage().startsWith("x must be float32 (B,5,H,W)"), e.getMessage());
            Tensor x = scope.allocate(DType.F32, 2, C, 3, 3);
            e = assertThrows(IllegalArgumentException.class, () -> lfq.backward(x, scope.allocate(DType.F32, 2, C, 3, 4)));
            assertTrue(e.getMessage().startsWith("dq must be"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> lfq.decode(scope.allocate(DType.F32, 2, 3, 3)));
            assertTrue(e.getMessage().startsWith("indices must be int32 (B,H,W)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Lfq.builder(25));
            assertTrue(e.getMessage().contains("channels must be 1..24"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Lfq.builder(4).entropyWeight(-1));
            assertTrue(e.getMessage().contains("entropy weight"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Lfq.builder(4).invTemperature(0));
            assertTrue(e.getMessage().contains("inverse temperature"), e.getMessage());
            assertEquals(12.0, Lfq.builder(12).build(device).bitsPerPosition());
        }
    }
}
