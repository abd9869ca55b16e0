package dev.rfsq4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Backends;
import dev.rfsq4j.DType;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Seeds;
import dev.rfsq4j.Tensor;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Finite-difference checks of the layers' backward through their Java wiring (store views, layouts, the transposed
 * flag): the loss sum(g * y) with random g is affine in every weight, bias and input of a convolution, so central
 * differences are exact up to float32 rounding.
 */
@ExtendWith(NoLeaks.class)
class LayerGradientTest {
    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void conv2dGradientsMatchFiniteDifferences(Backend backend) {
        check(backend, false, 3, 5, 4, 2, 1);
        check(backend, false, 4, 3, 1, 1, 0);
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void convTranspose2dGradientsMatchFiniteDifferences(Backend backend) {
        check(backend, true, 5, 3, 4, 2, 1);
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void reluBackwardPassesGradientWhereOutputIsPositive(Backend backend) {
        SplittableRandom random = Seeds.random("relu " + backend);
        float[] x = Seeds.gaussian(random, 64, 1.0);
        float[] dy = Seeds.gaussian(random, 64, 1.0);
        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device)) {
            Tensor tx = scope.fromArray(x, 64);
            Tensor ty = scope.allocate(DType.F32, 64);
            Relu.forward(tx, ty);
            Tensor tdy = scope.fromArray(dy, 64);
            Tensor tdx = scope.allocate(DType.F32, 64);
            Relu.backward(ty, tdy, tdx);
            float[] y = ty.toFloatArray(), dx = tdx.toFloatArray();
            for (int i = 0; i < 64; i++) {
                assertEquals(Math.max(x[i], 0f), y[i], "y[" + i + "]");
                assertEquals(x[i] > 0 ? dy[i] : 0f, dx[i], "dx[" + i + "]");
            }
        }
    }

    /** NaN goes through ReLU as in PyTorch (a NaN weight must not train on as 0), forward and backward. */
    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void reluPropagatesNaNAsPyTorch(Backend backend) {
        float[] x = {Float.NaN, -1f, 2f, Float.NaN};
        float[] dy = {3f, 4f, 5f, 6f};
        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device)) {
            Tensor ty = scope.allocate(DType.F32, 4), tdx = scope.allocate(DType.F32, 4);
            Relu.forward(scope.fromArray(x, 4), ty);
            Relu.backward(ty, scope.fromArray(dy, 4), tdx);
            assertArrayEquals(new float[] {Float.NaN, 0f, 2f, Float.NaN}, ty.toFloatArray());
            assertArrayEquals(new float[] {3f, 0f, 5f, 6f}, tdx.toFloatArray(), "torch.relu's backward passes dy at NaN");
        }
    }

    private static void check(Backend backend, boolean transposed, int in, int out, int k, int stride, int pad) {
        SplittableRandom random = Seeds.random("conv " + transposed + in + out + k + backend);
        ParameterStore.Layout layout = new ParameterStore.Layout();
        if (transposed) {
            ConvTranspose2d.declare(layout, "c", in, out, k);
        } else {
            Conv2d.declare(layout, "c", in, out, k);
        }
        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device)) {
            ParameterStore store = ParameterStore.allocate(layout, scope);
            int n = (int) store.count();
            float[] params = Seeds.gaussian(random, n, 0.5);
            store.values().copyFrom(params);
            long[] xs = {2, in, 5, 6};
            float[] x = Seeds.gaussian(random, (int) (2 * in * 30), 1.0);
            Tensor tx = scope.fromArray(x, xs);
            Consumer<Tensor> forward;
            long[] ys;
            Tensor dx = scope.allocate(DType.F32, xs);
            Tensor dy;
            if (transposed) {
                ConvTranspose2d conv = new ConvTranspose2d("c", in, out, k, stride, pad, store);
                ys = conv.outputShape(xs);
                forward = y -> conv.forward(tx, y);
                dy = scope.fromArray(Seeds.gaussian(random, (int) numel(ys), 1.0), ys);
                conv.backward(tx, dy, dx);
            } else {
                Conv2d conv = new Conv2d("c", in, out, k, stride, pad, store);
                ys = conv.outputShape(xs);
                forward = y -> conv.forward(tx, y);
                dy = scope.fromArray(Seeds.gaussian(random, (int) numel(ys), 1.0), ys);
                conv.backward(tx, dy, dx);
            }
            float[] g = dy.toFloatArray();
            Tensor y = scope.allocate(DType.F32, ys);
            float[] dparams = store.grads().toFloatArray();
            float[] dxs = dx.toFloatArray();
            // Probe 24 random parameters (always the bias's first and last) and 24 random inputs.
            for (int probe = 0; probe < 24; probe++) {
                int i = probe == 0 ? n - out : probe == 1 ? n - 1 : random.nextInt(n);
                double fd = difference(params, i, p -> store.values().copyFrom(p), forward, y, g);
                assertEquals(fd, dparams[i], 2e-3 * (1 + Math.abs(fd)), "d loss / d param[" + i + "]");
                store.values().copyFrom(params);
                int j = random.nextInt(x.length);
                double fdx = difference(x, j, v -> tx.copyFrom(v), forward, y, g);
                assertEquals(fdx, dxs[j], 2e-3 * (1 + Math.abs(fdx)), "d loss / d x[" + j + "]");
                tx.copyFrom(x);
            }
        }
    }

    /** Central difference of sum(g * y) in element i of values, with step 0.5 (exact for an affine loss). */
    private static double difference(float[] values, int i, Consumer<float[]> set, Consumer<Tensor> forward, Tensor y,
            float[] g) {
        float[] v = values.clone();
        double h = 0.5;
        v[i] = (float) (values[i] + h);
        set.accept(v);
        forward.accept(y);
        double plus = dot(g, y.toFloatArray());
        v[i] = (float) (values[i] - h);
        set.accept(v);
        forward.accept(y);
        double minus = dot(g, y.toFloatArray());
        return (plus - minus) / (2 * h);
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
