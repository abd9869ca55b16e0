package dev.rfsq4j.bench;

import dev.rfsq4j.Backend;
import dev.rfsq4j.DType;
import dev.rfsq4j.Device;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.nn.Conv2d;
import dev.rfsq4j.nn.ConvTranspose2d;
import dev.rfsq4j.nn.ParameterStore;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The six convolutions of the reference VQ-VAE (spec §4) one by one, forward and backward, with their GFLOP/s:
 * where a training step's time goes. Usage: {@code ConvLayerBench cpu|cuda BATCH IMAGE_SIZE REPEATS [C]}.
 */
public final class ConvLayerBench {
    private ConvLayerBench() {}

    private record Layer(String name, int in, int out, int k, int stride, int pad, boolean transposed, int inSize) {}

    public static void main(String[] args) {
        if (args.length < 4) {
            System.err.println("usage: ConvLayerBench cpu|cuda BATCH IMAGE_SIZE REPEATS [LATENT_CHANNELS]");
            System.exit(2);
        }
        Backend backend = Backend.parse(args[0]);
        int b = Integer.parseInt(args[1]), s = Integer.parseInt(args[2]), repeats = Integer.parseInt(args[3]);
        int c = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        Layer[] layers = {
            new Layer("encoder.0", 3, 128, 4, 2, 1, false, s), new Layer("encoder.2", 128, 256, 4, 2, 1, false, s / 2),
            new Layer("encoder.4", 256, c, 1, 1, 0, false, s / 4), new Layer("decoder.0", c, 256, 1, 1, 0, false, s / 4),
            new Layer("decoder.2", 256, 128, 4, 2, 1, true, s / 4), new Layer("decoder.4", 128, 3, 4, 2, 1, true, s / 2),
        };
        System.out.printf(Locale.ROOT, "%-10s %-22s %10s %10s %12s %12s%n", "layer", "input", "fwd ms", "bwd ms",
                "fwd GFLOP/s", "bwd GFLOP/s");
        double total = 0;
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
                    Tensor y = scope.allocate(DType.F32, ys);
                    Tensor dy = scope.fromArray(random((int) y.numel()), ys);
                    Tensor dx = scope.allocate(DType.F32, xs);
                    // The first layer needs no input gradient in training; the others do.
                    Tensor dxOrNull = l.name().equals("encoder.0") ? null : dx;
                    Runnable fwd = conv != null ? () -> conv.forward(x, y) : () -> convT.forward(x, y);
                    Runnable bwd = conv != null ? () -> conv.backward(x, dy, dxOrNull) : () -> convT.backward(x, dy, dxOrNull);
                    double f = time(device, fwd, repeats), g = time(device, bwd, repeats);
                    // MACs of the forward: output elements x in x k x k (conv), input elements x out x k x k (transposed).
                    double macs = l.transposed() ? (double) x.numel() * l.out() * l.k() * l.k() : (double) y.numel() * l.in() * l.k() * l.k();
                    double bwdFlops = 2 * macs * (dxOrNull == null ? 1 : 2);
                    total += f + g;
                    System.out.printf(Locale.ROOT, "%-10s %-22s %10.2f %10.2f %12.1f %12.1f%n", l.name(),
                            Tensor.shapeString(xs), f * 1e3, g * 1e3, 2 * macs / f / 1e9, bwdFlops / g / 1e9);
                }
            }
            System.out.printf(Locale.ROOT, "all six, forward + backward: %.1f ms on %s (batch %d, %dpx)%n", total * 1e3, device, b, s);
        }
    }

    /** Median seconds of one call, after a warm-up call (plans and caches). */
    private static double time(Device device, Runnable op, int repeats) {
        op.run();
        device.sync();
        double[] t = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long start = System.nanoTime();
            op.run();
            device.sync();
            t[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(t);
        return t[repeats / 2];
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
