package dev.rfsq4j.bench;

import dev.rfsq4j.Backend;
import dev.rfsq4j.DType;
import dev.rfsq4j.Device;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.nn.Conv2d;
import dev.rfsq4j.nn.ConvIo;
import dev.rfsq4j.nn.ConvLayout;
import dev.rfsq4j.nn.ConvTranspose2d;
import dev.rfsq4j.nn.ParameterStore;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The six convolutions of the reference VQ-VAE (spec §4) one by one, forward and backward, with their GFLOP/s:
 * where a training step's time goes. Each layer runs two ways, alternately: "plain" (NCHW in and out, no ReLU:
 * rfsq_conv_forward / _backward) and "model" (as the Encoder and Decoder call it: blocked activations between the
 * layers, the ReLU fused into the forward and its backward into the next layer's backward). Usage:
 * {@code ConvLayerBench cpu|cuda BATCH IMAGE_SIZE REPEATS [C]}.
 */
public final class ConvLayerBench {
    private ConvLayerBench() {}

    private record Layer(String name, int in, int out, int k, int stride, int pad, boolean transposed, int inSize, ConvIo io) {}

    private static final ConvIo IN = new ConvIo(ConvLayout.NCHW, ConvLayout.BLOCKED, true, false);
    private static final ConvIo MID = new ConvIo(ConvLayout.BLOCKED, ConvLayout.BLOCKED, true, true);
    private static final ConvIo OUT = new ConvIo(ConvLayout.BLOCKED, ConvLayout.NCHW, false, true);

    public static void main(String[] args) {
        if (args.length < 4) {
            System.err.println("usage: ConvLayerBench cpu|cuda BATCH IMAGE_SIZE REPEATS [LATENT_CHANNELS]");
            System.exit(2);
        }
        Backend backend = Backend.parse(args[0]);
        int b = Integer.parseInt(args[1]), s = Integer.parseInt(args[2]), repeats = Integer.parseInt(args[3]);
        int c = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        Layer[] layers = {
            new Layer("encoder.0", 3, 128, 4, 2, 1, false, s, IN), new Layer("encoder.2", 128, 256, 4, 2, 1, false, s / 2, MID),
            new Layer("encoder.4", 256, c, 1, 1, 0, false, s / 4, OUT), new Layer("decoder.0", c, 256, 1, 1, 0, false, s / 4, IN),
            new Layer("decoder.2", 256, 128, 4, 2, 1, true, s / 4, MID), new Layer("decoder.4", 128, 3, 4, 2, 1, true, s / 2, OUT),
        };
        System.out.printf(Locale.ROOT, "%-10s %-6s %-22s %10s %10s %12s %12s%n", "layer", "calls", "input", "fwd ms", "bwd ms",
                "fwd GFLOP/s", "bwd GFLOP/s");
        double[] total = new double[2];
        try (Device device = Device.open(backend)) {
            for (Layer l : layers) {
                try (Scope scope = Scope.open(device)) {
                    ParameterStore.Layout layout = new ParameterStore.Layout();
                    if (l.transposed()) {
                        ConvTranspose2d.declare(layout, l.name(), l.in(), l.out(), l.k());
                    } else {
                        Conv2d.declare(layout, l.name(), l.in(), l.out(), l.k());
                    }
                    ParameterStore store = ParameterStore.allocate(layout, scope);
                    store.values().copyFrom(random((int) store.count()));
                    long[] xs = {b, l.in(), l.inSize(), l.inSize()};
                    Tensor x = scope.fromArray(random((int) (b * (long) l.in() * l.inSize() * l.inSize())), xs);
                    Conv2d conv = l.transposed() ? null : new Conv2d(l.name(), l.in(), l.out(), l.k(), l.stride(), l.pad(), store);
                    ConvTranspose2d convT = l.transposed()
                            ? new ConvTranspose2d(l.name(), l.in(), l.out(), l.k(), l.stride(), l.pad(), store) : null;
                    long[] ys = conv != null ? conv.outputShape(xs) : convT.outputShape(xs);
                    // MACs of the forward: output elements x in x k x k (conv), input elements x out x k x k (transposed).
                    double macs = l.transposed() ? (double) b * l.in() * l.inSize() * l.inSize() * l.out() * l.k() * l.k()
                            : (double) ys[0] * ys[1] * ys[2] * ys[3] * l.in() * l.k() * l.k();
                    // The first layer needs no input gradient in training; the others do.
                    boolean needDx = !l.name().equals("encoder.0");
                    double bwdFlops = 2 * macs * (needDx ? 2 : 1);
                    double[][] t = new double[2][2]; // [plain, model][fwd, bwd]
                    Runnable[][] ops = new Runnable[2][];
                    for (int m = 0; m < 2; m++) {
                        ConvIo io = m == 0 ? ConvIo.PLAIN : l.io();
                        Tensor xm = m == 0 ? x : scope.fromArray(random((int) numel(io.input().shape(device, xs))),
                                io.input().shape(device, xs));
                        Tensor y = scope.allocate(DType.F32, io.output().shape(device, ys));
                        Tensor dy = scope.fromArray(random((int) y.numel()), y.shape());
                        Tensor dx = needDx ? scope.allocate(DType.F32, xm.shape()) : null;
                        ops[m] = conv != null
                                ? new Runnable[] {() -> conv.forward(xm, y, io), () -> conv.backward(xm, dy, dx, io)}
                                : new Runnable[] {() -> convT.forward(xm, y, io), () -> convT.backward(xm, dy, dx, io)};
                    }
                    for (int m = 0; m < 2; m++) { // warm-up: plans and caches
                        ops[m][0].run();
                        ops[m][1].run();
                    }
                    for (int d = 0; d < 2; d++) {
                        double[][] runs = new double[2][repeats];
                        for (int i = 0; i < repeats; i++) { // plain and model alternately
                            for (int m = 0; m < 2; m++) {
                                runs[m][i] = once(device, ops[m][d]);
                            }
                        }
                        for (int m = 0; m < 2; m++) {
                            Arrays.sort(runs[m]);
                            t[m][d] = runs[m][repeats / 2];
                        }
                    }
                    for (int m = 0; m < 2; m++) {
                        total[m] += t[m][0] + t[m][1];
                        System.out.printf(Locale.ROOT, "%-10s %-6s %-22s %10.2f %10.2f %12.1f %12.1f%n", l.name(),
                                m == 0 ? "plain" : "model", Tensor.shapeString(xs), t[m][0] * 1e3, t[m][1] * 1e3,
                                2 * macs / t[m][0] / 1e9, bwdFlops / t[m][1] / 1e9);
                    }
                }
            }
            System.out.printf(Locale.ROOT, "all six, forward + backward: plain %.1f ms, model %.1f ms on %s (%s, batch %d, %dpx)%n",
                    total[0] * 1e3, total[1] * 1e3, device, device.isCuda() ? "cuDNN" : "kernels " + device.cpuIsa(), b, s);
        }
    }

    /** Seconds of one call. */
    private static double once(Device device, Runnable op) {
        device.sync();
        long start = System.nanoTime();
        op.run();
        device.sync();
        return (System.nanoTime() - start) / 1e9;
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    private static float[] random(int n) {
        SplittableRandom r = new SplittableRandom(n);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextDouble(-0.5, 0.5);
        }
        return a;
    }
}
