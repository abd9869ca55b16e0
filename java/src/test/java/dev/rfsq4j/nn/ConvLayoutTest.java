package dev.rfsq4j.nn;

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
import dev.rfsq4j.Scope;
import dev.rfsq4j.Seeds;
import dev.rfsq4j.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The blocked activation layout and the fused convolutions (ConvLayout, ConvIo): the layout as rfsq.h defines it,
 * and every combination of layouts and fused ReLUs against the plain NCHW convolution followed by a separate ReLU,
 * on channel counts that leave padding in a block; the same on CPU and CUDA.
 */
@ExtendWith(NoLeaks.class)
class ConvLayoutTest {
    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void blockedLayoutIsRfsqHsAndRoundTripsExactly(Backend backend) {
        try (Device device = Backends.open(backend); Scope scope = Scope.openPoisoned(device)) {
            int k = ConvLayout.channelBlock(device);
            assertTrue(k == 1 || k == 8 || k == 16, "channel block " + k);
            if (backend == Backend.CUDA) {
                assertEquals(1, k, "CUDA's blocked layout is NCHW");
            }
            long[] nchw = {2, 20, 3, 5};
            float[] x = Seeds.gaussian(Seeds.random("layout " + backend), 2 * 20 * 15, 1.0);
            Tensor tx = scope.fromArray(x, nchw);
            long[] shape = ConvLayout.BLOCKED.shape(device, nchw);
            assertArrayEquals(new long[] {2, (20 + k - 1) / k * k, 3, 5}, shape);
            Tensor blocked = scope.allocate(DType.F32, shape);
            ConvLayout.toBlocked(tx, blocked);
            assertArrayEquals(toBlocked(x, nchw, k), blocked.toFloatArray());
            Tensor back = scope.allocate(DType.F32, nchw);
            ConvLayout.fromBlocked(blocked, back);
            assertArrayEquals(x, back.toFloatArray());
            Tensor wrong = scope.allocate(DType.F32, 2, 20, 3, 5 + 1);
            var e = assertThrows(IllegalArgumentException.class, () -> ConvLayout.toBlocked(tx, wrong));
            assertTrue(e.getMessage().contains("blocked activations"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void fusedAndBlockedConvolutionsEqualThePlainOnesWithASeparateRelu(Backend backend) {
        try (Device device = Backends.open(backend)) {
            for (boolean transposed : new boolean[] {false, true}) {
                for (int flags = 0; flags < 8; flags++) {
                    ConvIo io = io(flags);
                    Result plain = run(device, transposed, io, true);
                    Result fused = run(device, transposed, io, false);
                    String what = (transposed ? "convT " : "conv ") + io;
                    Approx.assertClose(what + ": y", plain.y, fused.y, 1e-5, 1e-5);
                    Approx.assertClose(what + ": dx", plain.dx, fused.dx, 1e-5, 1e-5);
                    Approx.assertClose(what + ": dweight and dbias", plain.grads, fused.grads, 1e-4, 1e-5);
                }
            }
        }
    }

    @Test
    void cpuAndCudaAgree() {
        Backends.assumeCuda();
        try (Device cpu = Device.open(Backend.CPU); Device gpu = Device.open(Backend.CUDA)) {
            for (boolean transposed : new boolean[] {false, true}) {
                for (int flags = 0; flags < 8; flags++) {
                    Result a = run(cpu, transposed, io(flags), false), b = run(gpu, transposed, io(flags), false);
                    String what = "cpu vs cuda " + (transposed ? "convT " : "conv ") + io(flags);
                    Approx.assertClose(what + ": y", a.y, b.y, 1e-4, 1e-4);
                    Approx.assertClose(what + ": dx", a.dx, b.dx, 1e-4, 1e-4);
                    Approx.assertClose(what + ": grads", a.grads, b.grads, 1e-3, 1e-4);
                }
            }
        }
    }

    private static ConvIo io(int flags) {
        return new ConvIo((flags & 1) != 0 ? ConvLayout.BLOCKED : ConvLayout.NCHW,
                (flags & 2) != 0 ? ConvLayout.BLOCKED : ConvLayout.NCHW, (flags & 4) != 0, true);
    }

    /** y, dx (NCHW) and the parameter gradients of one layer 20 -> 12 channels on x = relu(random). */
    private record Result(float[] y, float[] dx, float[] grads) {}

    /**
     * io's call, or (plain) the same computed with NCHW tensors, PLAIN calls and separate ReLU ops: Relu.forward after
     * the forward when io.relu(), Relu.backward on dx (as the output of the ReLU that made x) after the backward.
     */
    private static Result run(Device device, boolean transposed, ConvIo io, boolean plain) {
        SplittableRandom random = Seeds.random("fused " + transposed + io);
        int in = 20, out = 12;
        ParameterStore.Layout layout = new ParameterStore.Layout();
        Convolution.declare(layout, "c", in, out, transposed ? 4 : 3, transposed);
        try (Scope scope = Scope.openPoisoned(device)) {
            ParameterStore store = ParameterStore.allocate(layout, scope);
            store.values().copyFrom(Seeds.gaussian(random, (int) store.count(), 0.3));
            Convolution conv = transposed ? new Convolution("c", in, out, 4, 2, 1, true, store)
                    : new Convolution("c", in, out, 3, 1, 1, false, store);
            long[] xs = {2, in, 5, 6};
            float[] x = Seeds.gaussian(random, 2 * in * 30, 1.0);
            for (int i = 0; i < x.length; i++) {
                x[i] = Math.max(x[i], 0f); // a ReLU's output
            }
            long[] ys = conv.outputShape(xs);
            float[] dy = Seeds.gaussian(random, (int) (ys[0] * ys[1] * ys[2] * ys[3]), 1.0);
            Tensor tx = scope.fromArray(x, xs), tdy = scope.fromArray(dy, ys);
            Tensor y = scope.allocate(DType.F32, ys), dx = scope.allocate(DType.F32, xs);
            if (plain) {
                conv.forward(tx, y, ConvIo.PLAIN);
                if (io.relu()) {
                    Relu.forward(y, y);
                }
                conv.backward(tx, tdy, dx, ConvIo.PLAIN);
                Relu.backward(tx, dx, dx);
            } else {
                Tensor bx = in(scope, tx, io.input()), bdy = in(scope, tdy, io.output());
                Tensor by = scope.allocate(DType.F32, io.output().shape(device, ys));
                Tensor bdx = scope.allocate(DType.F32, io.input().shape(device, xs));
                conv.forward(bx, by, io);
                conv.backward(bx, bdy, bdx, io);
                out(by, y, io.output());
                out(bdx, dx, io.input());
            }
            return new Result(y.toFloatArray(), dx.toFloatArray(), store.grads().toFloatArray());
        }
    }

    private static Tensor in(Scope scope, Tensor nchw, ConvLayout layout) {
        if (layout == ConvLayout.NCHW) {
            return nchw;
        }
        Tensor t = scope.allocate(DType.F32, layout.shape(nchw.device(), nchw.shape()));
        ConvLayout.toBlocked(nchw, t);
        return t;
    }

    private static void out(Tensor src, Tensor nchw, ConvLayout layout) {
        if (layout == ConvLayout.NCHW) {
            nchw.copyFrom(src);
        } else {
            ConvLayout.fromBlocked(src, nchw);
        }
    }

    /** rfsq.h's blocked layout on the host: (B, ceil(C/k), H, W, k), channels >= C zero. */
    private static float[] toBlocked(float[] x, long[] s, int k) {
        int b = (int) s[0], c = (int) s[1], hw = (int) (s[2] * s[3]), cb = (c + k - 1) / k;
        float[] y = new float[b * cb * k * hw];
        for (int i = 0; i < b; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < hw; p++) {
                    y[((i * cb + ch / k) * hw + p) * k + ch % k] = x[(i * c + ch) * hw + p];
                }
            }
        }
        return y;
    }
}
