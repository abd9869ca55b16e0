package dev.rfsq4j.eval;

import static dev.rfsq4j.internal.Checks.exactly;
import static dev.rfsq4j.internal.Checks.expect;

import dev.rfsq4j.internal.Checks;
import dev.rfsq4j.DType;
import dev.rfsq4j.Device;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.io.SafeTensors;
import dev.rfsq4j.nn.ChannelAffine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * LPIPS-VGG v0.1 (Zhang et al. 2018; spec §6), exactly as {@code lpips.LPIPS(net='vgg', version='0.1')} in eval
 * mode computes it: LPIPS's scaling layer ((v - shift) / scale, shift (-0.030, -0.088, -0.188), scale (0.458,
 * 0.448, 0.450)), VGG16's features relu1_2, relu2_2, relu3_3, relu4_3, relu5_3, each unit-normalized over channels
 * (f / (sqrt(sum f^2) + 1e-10)), squared difference, LPIPS's 1x1 linear layer (no bias), spatial mean, summed
 * over the five layers. The linear weights ship with rfsq4j (LPIPS v0.1's, BSD-2: LICENSE-lpips.txt); the VGG16
 * weights come from a file the user names ({@link #load}), never from anywhere else: without one, LPIPS is
 * unavailable. Everything runs on one device; one thread at a time (the methods are synchronized).
 */
public final class Lpips implements AutoCloseable {
    /** The class-path resource with LPIPS v0.1's VGG linear layers (lin0..lin4.model.1.weight, (1,C,1,1)). */
    static final String LINEAR_WEIGHTS = "lpips-vgg-v0.1.safetensors";
    private static final double[] SHIFT = {-0.030, -0.088, -0.188};
    private static final double[] SCALE = {0.458, 0.448, 0.450};
    /** At most this many image pairs per network pass in {@link #distance}. */
    static final int CHUNK = 16;
    /** Activation memory one pass of {@link #distance} may take (the pairs per pass shrink for large images). */
    static final long PASS_BYTES = 1L << 30;
    /** VGG16's activations up to relu5_3, in floats per input pixel (~19 MB for a 128 px image). */
    private static final long ACTIVATION_FLOATS_PER_PIXEL = 303;
    /** Smallest side: relu5_3 comes after four 2x2 pools. */
    public static final int MIN_SIZE = 16;

    private final Device device;
    private final Scope scope;
    private final Vgg16Features vgg;
    private final Tensor[] linear = new Tensor[5];
    private final String backbone;
    private final Map<String, Tensor[]> inputMaps = new HashMap<>();
    private final Buffers work;

    private Lpips(Device device, Vgg16Backbone.Weights weights, SafeTensors lin) {
        this.device = device;
        this.scope = Scope.open(device);
        this.work = new Buffers(scope);
        try {
            this.vgg = new Vgg16Features(scope, weights.tensors());
            for (int l = 0; l < 5; l++) {
                float[] w = lin.floats("lin" + l + ".model.1.weight");
                linear[l] = scope.fromArray(w, w.length);
            }
        } catch (RuntimeException e) {
            scope.close();
            throw e;
        }
        this.backbone = weights.description();
    }

    /**
     * LPIPS on device with the VGG16 weights in backbone: torchvision's {@code vgg16-397923af.pth} (as torch.hub
     * keeps it in {@code ~/.cache/torch/hub/checkpoints/}; its sha256 prefix is verified) or a safetensors file with
     * torchvision's names ({@code features.N.weight}, {@code features.N.bias}). The file's pickle is read by a
     * restricted reader that runs nothing. A missing, damaged or foreign file fails with a one-line IOException.
     */
    public static Lpips load(Device device, Path backbone) throws IOException {
        Vgg16Backbone.Weights weights = Vgg16Backbone.read(backbone);
        return new Lpips(device, weights, linearWeights());
    }

    /** The shipped LPIPS v0.1 linear layers. */
    static SafeTensors linearWeights() {
        try (InputStream in = Lpips.class.getResourceAsStream(LINEAR_WEIGHTS)) {
            if (in == null) {
                throw new IllegalStateException("the resource " + LINEAR_WEIGHTS + " is missing from the rfsq4j jar");
            }
            return SafeTensors.read(Path.of(LINEAR_WEIGHTS), in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The backbone file this instance loaded and how it was verified, e.g. for a report. */
    public String backbone() {
        return backbone;
    }

    public Device device() {
        return device;
    }

    /**
     * The LPIPS distance of each pair a[i], b[i]: float32 (B,3,H,W) tensors on this device, H and W at least 16,
     * holding what range says. Runs in passes of up to {@value #CHUNK} pairs (fewer for large images, so that a
     * pass's activations stay within 1 GiB); returns when the distances are on the host.
     */
    public synchronized float[] distance(Tensor a, Tensor b, InputRange range) {
        checkPair(a, b);
        long n = a.dim(0);
        long pass = pairsPerPass(a.dim(2), a.dim(3));
        Tensor d = work.get("distances", n);
        for (long i = 0; i < n; i += pass) {
            long m = Math.min(pass, n - i);
            Tensor[][] taps = forward(slice(a, i, m), slice(b, i, m), range);
            Tensor di = d.view(i, m);
            for (int l = 0; l < 5; l++) {
                LpipsHead.forward(taps[0][l], taps[1][l], linear[l], l > 0, di);
            }
        }
        return d.toFloatArray();
    }

    /** Pairs of h x w images per pass of {@link #distance}: up to {@value #CHUNK}, their activations within 1 GiB. */
    static long pairsPerPass(long h, long w) {
        long perPair = 2 * Float.BYTES * ACTIVATION_FLOATS_PER_PIXEL * h * w;
        return Math.max(1, Math.min(CHUNK, PASS_BYTES / perPair));
    }

    /**
     * The training loss's LPIPS term, left on the device: distances (B) = LPIPS of each pair, and gradA +=
     * d(weight * mean_i distance_i) / d a. Nothing here waits for the device or allocates once the batch shape has
     * been seen (a CUDA graph can record it). The whole batch runs in one pass (~55 MB per 128 px pair: the
     * activations of both images and the gradients of one).
     */
    public synchronized void lossAndGradient(Tensor a, Tensor b, InputRange range, double weight, Tensor distances,
            Tensor gradA) {
        checkPair(a, b);
        long n = a.dim(0);
        expect(distances, "LPIPS distances", DType.F32, " (one per image)", n);
        expect(gradA, "LPIPS input gradient", DType.F32, " like the images", exactly(a.shape()));
        Checks.sameDevice(device, "LPIPS distances", distances);
        Checks.sameDevice(device, "LPIPS input gradient", gradA);
        if (!Double.isFinite(weight)) {
            throw new IllegalArgumentException("the LPIPS weight must be finite, got " + weight);
        }
        Tensor[][] taps = forward(a, b, range);
        for (int l = 0; l < 5; l++) {
            LpipsHead.forward(taps[0][l], taps[1][l], linear[l], l > 0, distances);
        }
        double scale = weight / n;
        Tensor dInput = work.get("input gradient", a.shape());
        vgg.backward(n, (tap, g) -> LpipsHead.backward(taps[0][tap], taps[1][tap], linear[tap], scale, tap < 4, g),
                dInput);
        ChannelAffine.scaleAdd(dInput, inputMap(range)[0], gradA);
    }

    /** Frees the network's device memory. Idempotent. */
    @Override
    public synchronized void close() {
        scope.close();
    }

    @Override
    public String toString() {
        return "LPIPS-VGG v0.1 on " + device + " (backbone " + backbone + ")";
    }

    /** One pass of a and b (n each) through VGG16 as a batch of 2n; the taps of a, then of b. */
    private Tensor[][] forward(Tensor a, Tensor b, InputRange range) {
        long n = a.dim(0);
        long[] shape = a.shape();
        shape[0] = 2 * n;
        Tensor in = work.get("input", shape);
        Tensor[] map = inputMap(range);
        ChannelAffine.apply(a, map[0], map[1], slice(in, 0, n));
        ChannelAffine.apply(b, map[0], map[1], slice(in, n, n));
        Tensor[] taps = vgg.forward(in);
        Tensor[][] out = new Tensor[2][5];
        for (int l = 0; l < 5; l++) {
            out[0][l] = slice(taps[l], 0, n);
            out[1][l] = slice(taps[l], n, n);
        }
        return out;
    }

    /** Device constants (alpha, beta) of the network input alpha * x + beta for range, built once per range. */
    private Tensor[] inputMap(InputRange range) {
        float[] alpha = new float[3], beta = new float[3];
        for (int c = 0; c < 3; c++) {
            alpha[c] = (float) (range.scale(c) / SCALE[c]);
            beta[c] = (float) ((range.shift(c) - SHIFT[c]) / SCALE[c]);
        }
        String key = Arrays.toString(alpha) + Arrays.toString(beta);
        return inputMaps.computeIfAbsent(key, k -> new Tensor[] {scope.fromArray(alpha, 3), scope.fromArray(beta, 3)});
    }

    private void checkPair(Tensor a, Tensor b) {
        expect(a, "images", DType.F32, "", "B", 3L, "H", "W");
        expect(b, "target images", DType.F32, " like the images", exactly(a.shape()));
        Checks.sameDevice(device, "images", a);
        Checks.sameDevice(device, "target images", b);
        if (a.dim(2) < MIN_SIZE || a.dim(3) < MIN_SIZE) {
            throw new IllegalArgumentException("LPIPS-VGG needs images of at least " + MIN_SIZE + "x" + MIN_SIZE
                    + " pixels, got " + a.dim(2) + "x" + a.dim(3));
        }
    }

    /** Images [from, from + n) of t (a view). */
    private static Tensor slice(Tensor t, long from, long n) {
        long[] shape = t.shape();
        long per = t.numel() / shape[0];
        shape[0] = n;
        return t.view(from * per, shape);
    }
}
