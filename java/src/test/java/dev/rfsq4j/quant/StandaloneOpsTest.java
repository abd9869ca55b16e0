package dev.rfsq4j.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.rfsq4j.Approx;
import dev.rfsq4j.Backend;
import dev.rfsq4j.Backends;
import dev.rfsq4j.DType;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Seeds;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.bindings.rfsq_levels;
import dev.rfsq4j.bindings.testing.rfsq_testing_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The building-block ops that the fused RFSQ composes (rfsq_testing.h: exported for tests, not part of rfsq.h),
 * called directly through {@link Device#call}.
 */
@ExtendWith(NoLeaks.class)
class StandaloneOpsTest {
    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void layernormInverseUndoesForward(Backend backend) {
        SplittableRandom random = Seeds.random("layernorm " + backend);
        int b = 2, c = 3, h = 5, w = 4, hw = h * w;
        float[] x = Seeds.gaussian(random, b * c * hw, 2.0);
        for (int i = 0; i < x.length; i++) {
            x[i] += i / hw % c; // a different mean per channel
        }
        float[] gamma = {0.7f, -1.5f, 2.0f};
        float[] beta = {0.1f, -0.3f, 0f};
        double[] n = new double[x.length];
        double[] stats = new double[b * c * 2];
        for (int p = 0; p < b * c; p++) {
            double mean = 0, var = 0;
            for (int i = 0; i < hw; i++) {
                mean += x[p * hw + i] / (double) hw;
            }
            for (int i = 0; i < hw; i++) {
                var += (x[p * hw + i] - mean) * (x[p * hw + i] - mean) / hw;
            }
            double sigma = Math.sqrt(var + Reference.LN_EPS);
            stats[2 * p] = mean;
            stats[2 * p + 1] = sigma;
            for (int i = 0; i < hw; i++) {
                n[p * hw + i] = gamma[p % c] * (x[p * hw + i] - mean) / sigma + beta[p % c];
            }
        }
        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device)) {
            Tensor tx = scope.fromArray(x, b, c, h, w);
            Tensor tg = scope.fromArray(gamma, c);
            Tensor tb = scope.fromArray(beta, c);
            Tensor tn = scope.allocate(DType.F32, b, c, h, w);
            Tensor ts = scope.allocate(DType.F32, b, c, 2);
            Tensor back = scope.allocate(DType.F32, b, c, h, w);
            device.call("rfsq_layernorm_forward", ctx -> rfsq_testing_h.rfsq_layernorm_forward(ctx, tx.address(), b, c, h, w,
                    tg.address(), tb.address(), tn.address(), ts.address()), tx, tg, tb, tn, ts);
            device.call("rfsq_layernorm_inverse", ctx -> rfsq_testing_h.rfsq_layernorm_inverse(ctx, tn.address(), b, c, h, w,
                    tg.address(), tb.address(), ts.address(), back.address()), tn, tg, tb, ts, back);
            Approx.assertClose("layernorm n", n, tn.toFloatArray(), null, 1e-5, 1e-4);
            Approx.assertClose("layernorm stats", stats, ts.toFloatArray(), null, 1e-6, 1e-5);
            Approx.assertClose("inverse(forward(x))", Seeds.toDouble(x), back.toFloatArray(), null, 1e-5, 1e-5);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void residualSubIsExactAndMayAlias(Backend backend) {
        SplittableRandom random = Seeds.random("residual " + backend);
        float[] r = Seeds.gaussian(random, 1000, 1.0);
        float[] q = Seeds.gaussian(random, 1000, 1.0);
        float[] expected = new float[r.length];
        for (int i = 0; i < r.length; i++) {
            expected[i] = r[i] - q[i];
        }
        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device)) {
            Tensor tr = scope.fromArray(r, r.length);
            Tensor tq = scope.fromArray(q, q.length);
            Tensor out = scope.allocate(DType.F32, r.length);
            device.call("rfsq_residual_sub",
                    ctx -> rfsq_testing_h.rfsq_residual_sub(ctx, tr.address(), tq.address(), r.length, out.address()), tr, tq, out);
            assertArrayEquals(expected, out.toFloatArray(), "r - q");
            device.call("rfsq_residual_sub",
                    ctx -> rfsq_testing_h.rfsq_residual_sub(ctx, tr.address(), tq.address(), r.length, tr.address()), tr, tq);
            assertArrayEquals(expected, tr.toFloatArray(), "r - q written over r");
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void scaleForwardIsFsqOfScaledInputDividedByScale(Backend backend) {
        SplittableRandom random = Seeds.random("scale " + backend);
        Levels levels = Levels.of(8, 5, 4, 4);
        Reference ref = new Reference(levels, 1, Strategy.SCALE);
        int b = 2, c = levels.count(), h = 4, w = 6, hw = h * w;
        float[] x = Seeds.gaussian(random, b * c * hw, 0.3);
        float theta = 1.7f;
        double s = Reference.softplus(theta);
        double[] q = new double[x.length];
        boolean[] near = new boolean[x.length];
        for (int i = 0; i < x.length; i++) {
            int j = i / hw % c;
            double f = ref.bound(j, s * x[i]);
            near[i] = 0.5 - Math.abs(f - Math.rint(f)) < 1e-4;
            q[i] = ref.code(j, s * x[i]) / s;
        }
        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device);
                Arena arena = Arena.ofConfined()) {
            MemorySegment lv = rfsq_levels.allocate(arena);
            levels.writeTo(lv);
            Tensor tx = scope.fromArray(x, b, c, h, w);
            Tensor tt = scope.fromArray(new float[] {theta}, 1);
            Tensor tq = scope.allocate(DType.F32, b, c, h, w);
            device.call("rfsq_scale_forward",
                    ctx -> rfsq_testing_h.rfsq_scale_forward(ctx, lv, tt.address(), tx.address(), b, h, w, tq.address()),
                    tx, tt, tq);
            Approx.assertClose("FSQ(s x) / s", q, tq.toFloatArray(), near, 1e-6, 1e-5);
        }
    }
}
