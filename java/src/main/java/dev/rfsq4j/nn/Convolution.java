package dev.rfsq4j.nn;

import static dev.rfsq4j.internal.Checks.exactly;
import static dev.rfsq4j.internal.Checks.expect;

import dev.rfsq4j.DType;
import dev.rfsq4j.Device;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.bindings.rfsq_conv_cfg;
import dev.rfsq4j.bindings.rfsq_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * The native convolution both {@link Conv2d} and {@link ConvTranspose2d} run (rfsq_conv_forward_ex / _backward_ex):
 * weights and gradients are views into a {@link ParameterStore} (a frozen one: no weight gradients, the backward
 * computes dx only); activations belong to the caller, in the layouts a {@link ConvIo} names.
 */
final class Convolution {
    private final String name;
    private final int in;
    private final int out;

    private final MemorySegment cfg;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor dweight;
    private final Tensor dbias;

    Convolution(String name, int in, int out, int kernel, int stride, int padding, boolean transposed,
            ParameterStore store) {
        this.name = name;
        this.in = in;
        this.out = out;

        this.cfg = rfsq_conv_cfg.allocate(Arena.ofAuto());
        rfsq_conv_cfg.in_channels(cfg, in);
        rfsq_conv_cfg.out_channels(cfg, out);
        rfsq_conv_cfg.kernel(cfg, kernel);
        rfsq_conv_cfg.stride(cfg, stride);
        rfsq_conv_cfg.padding(cfg, padding);
        rfsq_conv_cfg.transposed(cfg, transposed ? 1 : 0);
        this.weight = store.value(name + ".weight");
        this.bias = store.value(name + ".bias");
        this.dweight = store.grad(name + ".weight");
        this.dbias = store.grad(name + ".bias");
        long[] expected = transposed ? new long[] {in, out, kernel, kernel} : new long[] {out, in, kernel, kernel};
        expect(weight, name + ".weight", DType.F32, "", exactly(expected));
        expect(bias, name + ".bias", DType.F32, "", exactly(out));
    }

    /**
     * PyTorch's default init: weight and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = weight.size(1) * k * k
     * as PyTorch computes it for any weight, so for a transposed convolution out * k * k (spec §4's quirk).
     */
    void initialize(SplittableRandom random) {
        double bound = 1 / Math.sqrt((double) weight.dim(1) * weight.dim(2) * weight.dim(3));
        weight.copyFrom(uniform(random, weight.numel(), bound));
        bias.copyFrom(uniform(random, bias.numel(), bound));
    }

    private static float[] uniform(SplittableRandom random, long n, double bound) {
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (random.nextDouble(-bound, bound));
        }
        return a;
    }

    /** Declares weight (PyTorch's layout) and bias. */
    static void declare(ParameterStore.Layout layout, String name, int in, int out, int kernel, boolean transposed) {
        layout.add(name + ".weight", transposed ? new long[] {in, out, kernel, kernel} : new long[] {out, in, kernel, kernel});
        layout.add(name + ".bias", out);
    }

    /** Output (B, out, OH, OW) shape for x (B, in, H, W). */
    long[] outputShape(long[] x) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment oh = arena.allocate(rfsq_h.C_LONG);
            MemorySegment ow = arena.allocate(rfsq_h.C_LONG);
            // Needs no context; going through the device keeps the error handling in one place.
            weight.device().call("rfsq_conv_output_size (" + name + ")",
                    ctx -> rfsq_h.rfsq_conv_output_size(cfg, x[2], x[3], oh, ow));
            return new long[] {x[0], out, oh.get(rfsq_h.C_LONG, 0), ow.get(rfsq_h.C_LONG, 0)};
        }
    }

    /** y = conv(x) + bias (then ReLU if io says so), x and y in io's layouts (shapes: {@link ConvLayout#shape}). */
    void forward(Tensor x, Tensor y, ConvIo io) {
        Device device = weight.device();
        long[] xs = logical(x, io.input(), "input");
        expect(y, name + " output", DType.F32, " for input " + x.describe() + " in " + io.output(),
                exactly(io.output().shape(device, outputShape(xs))));
        long b = xs[0], h = xs[2], w = xs[3];
        int flags = io.forwardFlags();
        device.call("rfsq_conv_forward_ex (" + name + ")",
                ctx -> rfsq_h.rfsq_conv_forward_ex(ctx, cfg, x.address(), b, h, w, weight.address(), bias.address(), flags,
                        y.address()),
                x, y, weight, bias);
    }

    /**
     * Writes this layer's weight and bias gradients (none in a frozen store), and dx unless it is null (the first
     * layer needs none), each in io's layout; with io.reluInput() dx is zero where x is (the backward of the ReLU
     * that made x).
     */
    void backward(Tensor x, Tensor dy, Tensor dx, ConvIo io) {
        Device device = weight.device();
        long[] xs = logical(x, io.input(), "input");
        expect(dy, name + " output gradient", DType.F32, " for input " + x.describe() + " in " + io.output(),
                exactly(io.output().shape(device, outputShape(xs))));
        if (dx != null) {
            expect(dx, name + " input gradient", DType.F32, " like the input", exactly(x.shape()));
        }
        if (dx == null && dweight == null) {
            throw new IllegalArgumentException(name + ": a frozen layer's backward needs an input gradient to write");
        }
        long b = xs[0], h = xs[2], w = xs[3];
        int flags = io.backwardFlags();
        MemorySegment dxp = dx == null ? MemorySegment.NULL : dx.address();
        MemorySegment dwp = dweight == null ? MemorySegment.NULL : dweight.address();
        MemorySegment dbp = dbias == null ? MemorySegment.NULL : dbias.address();
        device.call("rfsq_conv_backward_ex (" + name + ")",
                ctx -> rfsq_h.rfsq_conv_backward_ex(ctx, cfg, x.address(), b, h, w, weight.address(), dy.address(), flags,
                        dxp, dwp, dbp),
                x, dy, dx, weight, dweight, dbias);
    }

    /** The (B, in, H, W) that x holds in layout, checking that its shape is that layout's. */
    private long[] logical(Tensor x, ConvLayout layout, String what) {
        if (layout == ConvLayout.NCHW) {
            expect(x, name + " " + what, DType.F32, "", "B", (long) in, "H", "W");
            return x.shape();
        }
        long padded = layout.shape(weight.device(), new long[] {1, in, 1, 1})[1];
        expect(x, name + " " + what, DType.F32, " (" + in + " channels in the blocked layout)", "B", padded, "H", "W");
        return new long[] {x.dim(0), in, x.dim(2), x.dim(3)};
    }
}
