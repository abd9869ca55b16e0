package dev.rfsq4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rfsq4j.Approx;
import dev.rfsq4j.Backend;
import dev.rfsq4j.Backends;
import dev.rfsq4j.DType;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.Python;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Seeds;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.data.ImageFolder;
import dev.rfsq4j.io.Npy;
import dev.rfsq4j.io.SafeTensors;
import dev.rfsq4j.io.TorchZips;
import dev.rfsq4j.nn.ImageNormalization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * LPIPS-VGG v0.1: against a float64 PyTorch implementation (bench/pytorch/lpips_torch.py) given the same random
 * VGG16-shaped backbone (written by torch.save, so the .pth reader runs) and LPIPS's real linear weights, forward
 * in all three input conventions and the training gradient; sanity without any real backbone; refusals.
 */
@ExtendWith(NoLeaks.class)
class LpipsTest {
    static final Path SCRIPT = Python.ORACLES.resolve("lpips_torch.py");
    static final Path EXAMPLES = Path.of("..", "..", "shared", "data", "lpips-examples");
    static final Path LIN_ORIGINAL = Path.of("..", "..", "shared", "weights", "lpips-v0.1", "vgg.pth");
    static final Path LIN_SHIPPED = Path.of("src", "main", "resources", "dev", "rfsq4j", "eval", Lpips.LINEAR_WEIGHTS);
    static final InputRange UNIT = InputRange.UNIT.ofNormalized(ImageNormalization.IMAGENET_MEAN,
            ImageNormalization.IMAGENET_STD);
    static final InputRange REFERENCE = InputRange.UNIT_UNSCALED.ofNormalized(ImageNormalization.IMAGENET_MEAN,
            ImageNormalization.IMAGENET_STD);

    @TempDir
    Path tmp;

    /** LPIPS's example photos (64 px, normalized): x = (ref, ref, p0), xhat = (p0, p1, p0 + noise). */
    static float[][] examplePairs() throws IOException {
        assumeTrue(Files.isDirectory(EXAMPLES), EXAMPLES + " is absent (../shared not mounted): skipped");
        ImageFolder folder = ImageFolder.open(EXAMPLES, 64); // sorted: ex_p0, ex_p1, ex_ref
        int n = 3 * 64 * 64;
        float[] all = new float[3 * n];
        folder.load(new int[] {0, 1, 2}, all);
        float[] x = new float[3 * n], xhat = new float[3 * n];
        System.arraycopy(all, 2 * n, x, 0, n);
        System.arraycopy(all, 2 * n, x, n, n);
        System.arraycopy(all, 0, x, 2 * n, n);
        System.arraycopy(all, 0, xhat, 0, n);
        System.arraycopy(all, n, xhat, n, n);
        SplittableRandom random = Seeds.random("lpips noisy p0");
        for (int i = 0; i < n; i++) {
            xhat[2 * n + i] = all[i] + (float) (0.1 * Seeds.gaussian(random));
        }
        return new float[][] {normalize(x), normalize(xhat)};
    }

    /** ImageNet-normalizes 64x64 RGB images. */
    static float[] normalize(float[] pixels) {
        int plane = 64 * 64;
        float[] out = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            int c = i / plane % 3;
            out[i] = (float) ((pixels[i] - ImageNormalization.IMAGENET_MEAN[c]) / ImageNormalization.IMAGENET_STD[c]);
        }
        return out;
    }

    // ---- against PyTorch ------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void matchesPyTorchForwardAndGradient(Backend backend) throws Exception {
        assumeTrue(Python.has("torch", "numpy"), Python.EXECUTABLE + " with torch and numpy is not available "
                + "(apt-get install python3-torch, or RFSQ_PYTHON): LPIPS not checked against PyTorch");
        float[][] pair = examplePairs();
        try (Device device = Backends.open(backend)) {
            Python.Result made = Python.run(Files.readString(SCRIPT), "backbone", tmp.toString(), "11");
            assertEquals(0, made.exit(), made.output());
            String[] names = made.output().lines().reduce((a, b) -> b).orElseThrow().split(" ");
            Path zip = tmp.resolve(names[0]), legacy = tmp.resolve(names[1]);
            Npy.write(tmp.resolve("x.npy"), new long[] {3, 3, 64, 64}, pair[0]);
            Npy.write(tmp.resolve("xhat.npy"), new long[] {3, 3, 64, 64}, pair[1]);
            Path lin = Files.isRegularFile(LIN_ORIGINAL) ? LIN_ORIGINAL : LIN_SHIPPED;
            double weight = 0.7;
            Python.Result ref = Python.run(Files.readString(SCRIPT), "reference", zip.toString(), lin.toString(),
                    tmp.resolve("x.npy").toString(), tmp.resolve("xhat.npy").toString(), Double.toString(weight),
                    tmp.toString());
            assertEquals(0, ref.exit(), ref.output());

            float[] g0 = Seeds.gaussian(Seeds.random("lpips gradient start"), pair[0].length, 1e-3);
            try (Lpips lpips = Lpips.load(device, zip); Scope scope = Scope.openPoisoned(device)) {
                assertTrue(lpips.backbone().contains("sha256 prefix " + names[0].substring(6, 14) + " verified"),
                        lpips.backbone());
                Tensor x = scope.fromArray(pair[0], 3, 3, 64, 64), xhat = scope.fromArray(pair[1], 3, 3, 64, 64);
                Approx.assertClose("d, standard LPIPS of [0,1] images", expected("d_unit"),
                        lpips.distance(xhat, x, UNIT), 1e-6, 1e-4);
                Approx.assertClose("d, [0,1] fed unscaled (the reference's loss)", expected("d_unscaled"),
                        lpips.distance(xhat, x, REFERENCE), 1e-6, 1e-4);
                Approx.assertClose("d, [-1,1] images", expected("d_signed"),
                        lpips.distance(xhat, x, InputRange.SIGNED), 1e-6, 1e-4);

                Tensor d = scope.allocate(DType.F32, 3), grad = scope.fromArray(g0, 3, 3, 64, 64);
                lpips.lossAndGradient(xhat, x, REFERENCE, weight, d, grad);
                Approx.assertClose("loss distances", expected("d_unscaled"), d.toFloatArray(), 1e-6, 1e-4);
                float[] got = grad.toFloatArray(), want = expected("grad");
                double scale = 0;
                for (int i = 0; i < got.length; i++) {
                    got[i] -= g0[i]; // lossAndGradient adds to what gradA holds
                    scale = Math.max(scale, Math.abs(want[i]));
                }
                Approx.assertClose("d(weight * mean d)/d xhat", want, got, 1e-4 * scale, 1e-3);
            }
            // The same weights through the legacy format give the same numbers.
            try (Lpips a = Lpips.load(device, zip); Lpips b = Lpips.load(device, legacy);
                    Scope scope = Scope.open(device)) {
                Tensor x = scope.fromArray(pair[0], 3, 3, 64, 64), xhat = scope.fromArray(pair[1], 3, 3, 64, 64);
                assertArrayEquals(a.distance(xhat, x, UNIT), b.distance(xhat, x, UNIT));
            }
        }
    }

    private float[] expected(String name) throws IOException {
        return Npy.readFloats(tmp.resolve(name + ".npy")).data();
    }

    // ---- sanity with a random backbone (no real weights needed) ---------------------------------------------

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void isAPseudoMetricOnRandomWeights(Backend backend) throws IOException {
        Path file = RandomBackbone.write(tmp, "lpips sanity backbone");
        SplittableRandom random = Seeds.random("lpips sanity images");
        int b = 18, s = 16, n = b * 3 * s * s;
        try (Device device = Backends.open(backend); Lpips lpips = Lpips.load(device, file);
                Scope scope = Scope.openPoisoned(device)) {
            assertTrue(lpips.backbone().contains("no sha256 prefix"), lpips.backbone());
            Tensor a = scope.fromArray(Seeds.gaussian(random, n, 0.5), b, 3, s, s);
            Tensor c = scope.fromArray(Seeds.gaussian(random, n, 0.5), b, 3, s, s);
            float[] same = lpips.distance(a, a, InputRange.SIGNED);
            float[] ab = lpips.distance(a, c, InputRange.SIGNED), ba = lpips.distance(c, a, InputRange.SIGNED);
            for (int i = 0; i < b; i++) {
                assertEquals(0, same[i], 1e-7, "d(x, x) = 0");
                assertTrue(ab[i] > 0, "d(a, b) > 0 for different images");
                assertEquals(ab[i], ba[i], 1e-6 * ab[i], "d(a, b) = d(b, a)");
            }
            // 18 pairs run in passes of 16 and 2; each pair alone gives the same distance.
            for (int i : new int[] {0, 17}) {
                float[] one = lpips.distance(a.view((long) i * 3 * s * s, 1, 3, s, s),
                        c.view((long) i * 3 * s * s, 1, 3, s, s), InputRange.SIGNED);
                assertEquals(ab[i], one[0], 1e-6 * ab[i], "pair " + i + " alone");
            }
            // The gradient of d(x, x) is 0; the loss's distances are the eval distances.
            Tensor d = scope.allocate(DType.F32, b), grad = scope.fromArray(new float[n], b, 3, s, s);
            lpips.lossAndGradient(a, a, InputRange.SIGNED, 1.0, d, grad);
            for (float v : grad.toFloatArray()) {
                assertEquals(0, v, 1e-6);
            }
            lpips.lossAndGradient(a, c, InputRange.SIGNED, 1.0, d, grad);
            Approx.assertClose("loss distances = distances", ab, d.toFloatArray(), 1e-7, 1e-6);
            Tensor small = scope.allocate(DType.F32, 1, 3, 15, 32);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> lpips.distance(small, small, InputRange.UNIT))
                    .getMessage().contains("at least 16x16"));
        }
    }

    @Test
    void passesShrinkForLargeImages() {
        assertEquals(16, Lpips.pairsPerPass(128, 128)); // 2 x 19 MB of activations per pair
        assertEquals(4, Lpips.pairsPerPass(300, 300));
        assertEquals(1, Lpips.pairsPerPass(512, 512));
        assertEquals(1, Lpips.pairsPerPass(4096, 4096));
    }

    // ---- refusals -------------------------------------------------------------------------------------------

    @Test
    void unavailableWithoutAGoodBackboneFile() throws IOException {
        try (Device device = Device.open(Backend.CPU)) {
            Path missing = tmp.resolve("vgg16-397923af.pth");
            oneLine(assertThrows(IOException.class, () -> Lpips.load(device, missing)), "no such file");
            Path garbage = Files.write(tmp.resolve("garbage.pth"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
            oneLine(assertThrows(IOException.class, () -> Lpips.load(device, garbage)), "not a PyTorch checkpoint");
            // A name whose sha256 prefix does not match the content.
            Path renamed = Files.copy(RandomBackbone.write(tmp, "renamed"), tmp.resolve("vgg16-deadbeef.safetensors"));
            oneLine(assertThrows(IOException.class, () -> Lpips.load(device, renamed)), "its name says deadbeef");
            // Names or shapes that are not VGG16's.
            Path other = tmp.resolve("other.safetensors");
            SafeTensors.writer().add("features.0.weight", new long[] {64, 3, 5, 5}, new float[64 * 3 * 25]).write(other);
            oneLine(assertThrows(IOException.class, () -> Lpips.load(device, other)), "not torchvision's VGG16");
            Path empty = tmp.resolve("empty.safetensors");
            SafeTensors.writer().add("x", new long[] {1}, new float[1]).write(empty);
            oneLine(assertThrows(IOException.class, () -> Lpips.load(device, empty)), "no tensor features.0.weight");
            // A checkpoint whose pickle calls os.system is refused before anything runs.
            Path evil = tmp.resolve("evil.pth");
            byte[] pickle = {(byte) 0x80, 2, 'c', 'o', 's', '\n', 's', 'y', 's', 't', 'e', 'm', '\n', 'X', 5, 0, 0, 0, 't', 'o',
                'u', 'c', 'h', (byte) 0x85, 'R', '.'};
            TorchZips.write(evil, "evil/data.pkl", pickle);
            oneLine(assertThrows(IOException.class, () -> Lpips.load(device, evil)), "refused");
            // A truncated checkpoint.
            Path cut = tmp.resolve("cut.pth");
            Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(evil), 40));
            assertThrows(IOException.class, () -> Lpips.load(device, cut));
        }
    }

    private static void oneLine(IOException e, String contains) {
        assertTrue(e.getMessage().contains(contains), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    // ---- the real backbone, when a user has one -------------------------------------------------------------

    /** torchvision's VGG16 from $RFSQ_LPIPS_BACKBONE or torch.hub's cache, when present. */
    static Path realBackbone() {
        String env = System.getenv("RFSQ_LPIPS_BACKBONE");
        Path p = env != null ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "torch", "hub", "checkpoints", "vgg16-397923af.pth");
        assumeTrue(Files.isRegularFile(p), "no VGG16 backbone file (" + p + "; set RFSQ_LPIPS_BACKBONE): the LPIPS "
                + "example triplet with real weights is skipped");
        return p;
    }

    @Test
    void exampleTripletWithTheRealBackbone() throws Exception {
        Path backbone = realBackbone();
        float[][] pair = examplePairs();
        try (Device device = Device.open(Backend.CPU); Lpips lpips = Lpips.load(device, backbone);
                Scope scope = Scope.open(device)) {
            Tensor x = scope.fromArray(pair[0], 3, 3, 64, 64), xhat = scope.fromArray(pair[1], 3, 3, 64, 64);
            float[] d = lpips.distance(xhat, x, UNIT);
            System.out.printf("LPIPS-VGG v0.1 (%s): d(ref, p0) = %.4f, d(ref, p1) = %.4f%n", lpips.backbone(), d[0], d[1]);
            assertTrue(d[0] > 0 && d[1] > 0 && Float.isFinite(d[0]) && Float.isFinite(d[1]));
            if (Python.has("torch", "numpy")) {
                Npy.write(tmp.resolve("x.npy"), new long[] {3, 3, 64, 64}, pair[0]);
                Npy.write(tmp.resolve("xhat.npy"), new long[] {3, 3, 64, 64}, pair[1]);
                Python.Result ref = Python.run(Files.readString(SCRIPT), "reference", backbone.toString(),
                        LIN_SHIPPED.toString(), tmp.resolve("x.npy").toString(), tmp.resolve("xhat.npy").toString(), "1",
                        tmp.toString());
                assertEquals(0, ref.exit(), ref.output());
                Approx.assertClose("triplet distances vs PyTorch", expected("d_unit"), d, 1e-6, 1e-4);
            }
        }
    }

    @Test
    void linearWeightsShippedAreLpipsOriginals() throws IOException {
        assumeTrue(Files.isRegularFile(LIN_ORIGINAL), LIN_ORIGINAL + " is absent (../shared not mounted): skipped");
        SafeTensors shipped = Lpips.linearWeights();
        try (var original = dev.rfsq4j.io.TorchCheckpoint.open(LIN_ORIGINAL)) {
            assertEquals(List.copyOf(original.names()), List.copyOf(shipped.names()));
            for (String name : original.names()) {
                assertArrayEquals(original.shape(name), shipped.shape(name), name);
                assertArrayEquals(original.floats(name), shipped.floats(name), 0f, name);
            }
        }
    }
}
