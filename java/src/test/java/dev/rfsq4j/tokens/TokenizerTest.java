package dev.rfsq4j.tokens;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Device;
import dev.rfsq4j.Native;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.TrainedRuns;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.data.ImageFolder;
import dev.rfsq4j.io.SafeTensors;
import dev.rfsq4j.nn.ImageNormalization;
import dev.rfsq4j.nn.RfsqQuantizer;
import dev.rfsq4j.nn.VqVae;
import dev.rfsq4j.quant.Rfsq;
import dev.rfsq4j.train.Checkpoint;
import dev.rfsq4j.train.CheckpointConfig;
import dev.rfsq4j.train.Presets;
import dev.rfsq4j.train.StateDict;
import java.awt.image.BufferedImage;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Tokenizer on checkpoints written by {@code rfsq4j train}: loading, every input form, threads, files, stages. */
@ExtendWith(NoLeaks.class)
class TokenizerTest {
    private static final int S = TrainedRuns.IMAGE_SIZE;

    @TempDir
    static Path dir;
    static Path run;

    @BeforeAll
    static void train() throws Exception {
        run = TrainedRuns.train(dir, "rfsq-2x2048-ln", 3);
    }

    private static List<BufferedImage> images(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<BufferedImage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i % 3 == 2 ? TrainedRuns.image(random, 24, 20) : TrainedRuns.image(random, S, S));
        }
        return out;
    }

    @Test
    void encodesAndDecodesExactlyAsTheCheckpointsLayersDo() throws Exception {
        List<BufferedImage> images = images(3, 1);
        byte[][] files = images.stream().map(TrainedRuns::png).toArray(byte[][]::new);
        Path ckpt = Checkpoint.latest(run).orElseThrow();
        SafeTensors weights = SafeTensors.read(ckpt.resolve("model.safetensors"));
        float[] gamma = weights.floats("quantizer.gamma");
        assertFalse(allEqual(gamma, 1f), "training moved gamma off its initial 1 (else this test proves little)");
        try (Tokenizer tok = Tokenizer.load(run, new Tokenizer.Options(Backend.CPU, 2, 0))) {
            assertEquals(ckpt, tok.checkpoint());
            assertEquals("rfsq-2x2048-ln", tok.config().preset());
            assertEquals(2, tok.stages());
            assertEquals(2048, tok.codebookSize());
            Tokens tokens = tok.encode(files);
            assertEquals(List.of(3, 4, 4, 2, 4), List.of(tokens.batch(), tokens.height(), tokens.width(), tokens.stages(),
                    tokens.channels()));
            Images decoded = tok.decode(tokens);
            assertEquals(List.of(3, S, S), List.of(decoded.batch(), decoded.height(), decoded.width()));

            // The same computation by hand from the checkpoint's files, on a context of its own, with the workers'
            // CPU thread count (oneDNN may pick a convolution kernel that rounds differently for another count).
            CheckpointConfig config = CheckpointConfig.read(ckpt);
            int threads = Native.cpuThreads();
            Native.setCpuThreads(tok.cpuThreadsPerWorker());
            try (Device device = Device.open(Backend.CPU); Scope scope = Scope.open(device)) {
                VqVae model = new VqVae(config.quantizer(), scope, 99);
                StateDict.load(model, weights);
                ImageNormalization norm = new ImageNormalization(scope, config.mean(), config.std());
                float[] planes = new float[3 * 3 * S * S];
                for (int i = 0; i < 3; i++) {
                    ImageFolder.decodeImage(files[i], "image " + i, S, planes, i * 3 * S * S);
                }
                Tensor x = scope.fromArray(planes, 3, 3, S, S);
                norm.normalize(x, x);
                Rfsq rfsq = ((RfsqQuantizer) model.quantizer()).rfsq();
                Rfsq.Encoded e = rfsq.encode(model.encode(x));
                assertArrayEquals(e.indices().toIntArray(), tokens.indices(), "indices");
                assertArrayEquals(e.stats().toFloatArray(), tokens.stats(), "statistics");
                Tensor xhat = model.decode(rfsq.decode(e.indices(), e.stats()));
                norm.denormalize(xhat, xhat);
                float[] expected = xhat.toFloatArray();
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = Math.clamp(expected[i], 0f, 1f);
                }
                assertArrayEquals(expected, decoded.pixels(), "decoded pixels");
            } finally {
                Native.setCpuThreads(threads);
            }
        }
    }

    @Test
    void everyInputFormOfOneImageGivesTheSameTokens() throws Exception {
        BufferedImage image = images(1, 2).get(0);
        try (Tokenizer tok = Tokenizer.load(run, Backend.CPU);
                Device device = Device.open(Backend.CPU);
                Scope scope = Scope.open(device);
                Arena arena = Arena.ofConfined()) {
            Tokens expected = tok.encode(image);
            assertEquals(expected, tok.encode(TrainedRuns.png(image)), "PNG bytes");
            float[] planes = new float[3 * S * S];
            byte[] hwc = new byte[3 * S * S];
            for (int y = 0; y < S; y++) {
                for (int x = 0; x < S; x++) {
                    int rgb = image.getRGB(x, y);
                    for (int c = 0; c < 3; c++) {
                        int v = rgb >> (16 - 8 * c) & 0xFF;
                        planes[(c * S + y) * S + x] = v / 255f;
                        hwc[(y * S + x) * 3 + c] = (byte) v;
                    }
                }
            }
            assertEquals(expected, tok.encode(planes, 1, S, S), "float planes");
            assertEquals(expected, tok.encode(scope.fromArray(planes, 1, 3, S, S)), "a tensor of another device");
            assertEquals(expected, tok.encodePixels(MemorySegment.ofArray(hwc), 1, S, S), "uint8 HWC on the heap");
            MemorySegment offHeap = arena.allocate(hwc.length);
            MemorySegment.copy(hwc, 0, offHeap, ValueLayout.JAVA_BYTE, 0, hwc.length);
            assertEquals(expected, tok.encodePixels(offHeap, 1, S, S), "uint8 HWC off the heap");

            var e = assertThrows(IllegalArgumentException.class, () -> tok.encodePixels(offHeap, 1, S, S + 4));
            assertEquals("rgb holds 768 bytes, (1,16,20,3) uint8 needs 960", e.getMessage());
            planes[5] = Float.NaN;
            e = assertThrows(IllegalArgumentException.class, () -> tok.encode(planes, 1, S, S));
            assertEquals("pixel value NaN at element 5 is not finite", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> tok.encode(new float[3 * 18 * 18], 1, 18, 18));
            assertTrue(e.getMessage().contains("multiples of 4"), e.getMessage());
            var io = assertThrows(java.io.IOException.class, () -> tok.encode(new byte[] {1, 2, 3}));
            assertEquals("image 0: not a PNG or JPEG image", io.getMessage());
        }
    }

    @Test
    void anImageGetsTheSameTokensAloneAsInABatch() throws Exception {
        List<BufferedImage> images = images(5, 7);
        try (Tokenizer tok = Tokenizer.load(run, Backend.CPU)) {
            Tokens batch = tok.encode(images);
            Images decoded = tok.decode(batch);
            for (int i = 0; i < images.size(); i++) {
                Tokens alone = tok.encode(images.get(i));
                assertEquals(batch.images(i, i + 1), alone, "tokens of image " + i);
                float[] one = tok.decode(alone).pixels();
                float[] all = Arrays.copyOfRange(decoded.pixels(), i * one.length, (i + 1) * one.length);
                assertArrayEquals(all, one, "pixels of image " + i);
            }
        }
    }

    @Test
    void eightThreadsGetWhatOneThreadGets() throws Exception {
        List<BufferedImage> pool = images(12, 3);
        // Calls of 1, 2 and 5 images, as a service mixes them.
        List<List<BufferedImage>> calls = new ArrayList<>();
        for (int i = 0, n = 1; i + n <= pool.size(); i += n, n = n == 1 ? 2 : n == 2 ? 5 : 1) {
            calls.add(pool.subList(i, i + n));
        }
        try (Tokenizer tok = Tokenizer.load(run, new Tokenizer.Options(Backend.CPU, 3, 0))) {
            List<Tokens> tokens = new ArrayList<>();
            List<Images> decoded = new ArrayList<>();
            for (List<BufferedImage> call : calls) {
                Tokens t = tok.encode(call);
                tokens.add(t);
                decoded.add(tok.decode(t, 1 + tokens.size() % 2));
            }
            ExecutorService threads = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> running = new ArrayList<>();
                for (int thread = 0; thread < 8; thread++) {
                    int offset = thread;
                    running.add(threads.submit(() -> {
                        for (int round = 0; round < 3; round++) {
                            for (int j = 0; j < calls.size(); j++) {
                                int i = (j + offset + round) % calls.size();
                                Tokens t = tok.encode(calls.get(i));
                                assertEquals(tokens.get(i), t, "tokens of call " + i);
                                assertEquals(decoded.get(i), tok.decode(t, 1 + (i + 1) % 2), "images of call " + i);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : running) {
                    f.get();
                }
            } finally {
                threads.shutdown();
            }
        }
    }

    @Test
    void tokenFilesRoundTripAndOnlyTheirModelDecodesThem() throws Exception {
        Path other = TrainedRuns.train(dir, "rfsq-4x1024-ln", 1);
        Path reseeded = TrainedRuns.train(dir, "rfsq-2x2048-ln", 1, "--seed", "5");
        List<BufferedImage> images = images(2, 4);
        try (Tokenizer tok = Tokenizer.load(run, Backend.CPU);
                Tokenizer wrongConfig = Tokenizer.load(other, Backend.CPU);
                Tokenizer wrongModel = Tokenizer.load(reseeded, Backend.CPU)) {
            Tokens tokens = tok.encode(images);
            Path file = dir.resolve("two" + TokenFile.EXTENSION);
            TokenFile.write(file, tokens);
            Tokens read = tok.read(file);
            assertEquals(tokens, read);
            assertEquals(tok.decode(tokens), tok.decode(read));
            assertEquals(tokens.images(1, 2), tok.read(writeOne(tokens.images(1, 2))));

            var e = assertThrows(TokenFormatException.class, () -> wrongConfig.read(file));
            assertTrue(e.getMessage().contains("do not fit this checkpoint's") && e.getMessage().contains("RFSQ 4x[4,4,4,4,4]"),
                    e.getMessage());
            var m = assertThrows(IllegalArgumentException.class, () -> wrongModel.decode(tokens));
            assertTrue(m.getMessage().contains("the same quantizer but other weights"), m.getMessage());
            assertNotEquals(tok.modelHash(), wrongModel.modelHash());
            assertEquals(tok.configHash(), wrongModel.configHash());
        }
    }

    private static Path writeOne(Tokens t) throws Exception {
        Path file = dir.resolve("one" + TokenFile.EXTENSION);
        TokenFile.write(file, t);
        return file;
    }

    @Test
    void progressiveDecodeWorksForEveryRfsqPreset() throws Exception {
        List<BufferedImage> images = images(2, 5);
        for (String preset : Presets.names()) {
            Path p = preset.equals("rfsq-2x2048-ln") ? run : TrainedRuns.train(dir, preset, 1);
            try (Tokenizer tok = Tokenizer.load(p, new Tokenizer.Options(Backend.CPU, 1, 0))) {
                Tokens tokens = tok.encode(images);
                boolean rfsq = preset.startsWith("rfsq") || preset.startsWith("fsq");
                int k = preset.startsWith("rfsq-2x") ? 2 : preset.startsWith("rfsq-4x") ? 4 : 1;
                assertEquals(k, tokens.stages(), preset);
                assertEquals(preset.endsWith("-ln"), tokens.hasStats(), preset + ": statistics");
                assertEquals(tokens, TokenFile.parse(TokenFile.write(tokens)), preset + ": file round trip");
                Images previous = null;
                for (int stages = 1; stages <= k; stages++) {
                    Images decoded = tok.decode(tokens, stages);
                    assertEquals(List.of(2, S, S), List.of(decoded.batch(), decoded.height(), decoded.width()), preset);
                    // A stage changes the image unless every one of its codes is 0 (FSQ's dead zone, which RFSQ's
                    // none strategy falls into at later stages; the zero code adds exactly nothing).
                    if (previous != null && !allZeroCodes(tokens, stages - 1, tok)) {
                        assertNotEquals(previous, decoded, preset + ": stage " + stages + " changed nothing");
                    }
                    previous = decoded;
                }
                assertEquals(tok.decode(tokens), previous, preset + ": all stages equal decode()");
                int over = k + 1;
                var e = assertThrows(IllegalArgumentException.class, () -> tok.decode(tokens, over));
                assertTrue(e.getMessage().startsWith("stages to decode must be 1.." + k), e.getMessage());
                assertTrue(rfsq || k == 1, preset);
            }
        }
    }

    @Test
    void closeLetsQueuedCallsFinishThenRefusesNewOnes() throws Exception {
        List<BufferedImage> images = images(4, 6);
        Tokenizer tok = Tokenizer.load(run, new Tokenizer.Options(Backend.CPU, 1, 0));
        ExecutorService threads = Executors.newFixedThreadPool(4);
        List<Future<Tokens>> calls = new ArrayList<>();
        for (BufferedImage image : images) {
            calls.add(threads.submit(() -> tok.encode(image)));
        }
        Thread.sleep(50);
        tok.close();
        tok.close(); // idempotent
        int done = 0;
        for (Future<Tokens> f : calls) {
            try {
                assertEquals(1, f.get().batch());
                done++;
            } catch (java.util.concurrent.ExecutionException e) {
                assertTrue(e.getCause() instanceof IllegalStateException && e.getCause().getMessage().endsWith("is closed"),
                        e.getCause().toString());
            }
        }
        assertTrue(done >= 1, "the calls queued before close ran");
        threads.shutdown();
        var e = assertThrows(IllegalStateException.class, () -> tok.encode(images.get(0)));
        assertTrue(e.getMessage().endsWith("is closed"), e.getMessage());
    }

    /** Whether every index of stage k is the one whose FSQ code is 0 on every channel (levels' halves as digits). */
    private static boolean allZeroCodes(Tokens tokens, int k, Tokenizer tok) {
        int[] levels = ((dev.rfsq4j.nn.QuantizerSpec.RfsqSpec) tok.config().quantizer()).levels().values();
        int zero = 0;
        for (int c = levels.length - 1; c >= 0; c--) {
            zero = zero * levels[c] + levels[c] / 2;
        }
        int[] idx = tokens.indices();
        for (int i = k; i < idx.length; i += tokens.stages()) {
            if (idx[i] != zero) {
                return false;
            }
        }
        return true;
    }

    private static boolean allEqual(float[] a, float v) {
        return Arrays.stream(toDouble(a)).allMatch(x -> x == v);
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
