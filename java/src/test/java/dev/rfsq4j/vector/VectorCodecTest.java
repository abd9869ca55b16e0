package dev.rfsq4j.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rfsq4j.Backend;
import dev.rfsq4j.Backends;
import dev.rfsq4j.Device;
import dev.rfsq4j.NoLeaks;
import dev.rfsq4j.Seeds;
import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.Strategy;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** VectorCodec on CPU always and CUDA when a GPU is present (skipped visibly otherwise). */
@ExtendWith(NoLeaks.class)
class VectorCodecTest {
    private static final Levels LEVELS = Levels.of(8, 8, 8, 4); // 2048 codes, 11 bits per index
    private static final int D = 50; // 13 positions of 4 channels, 2 padding slots
    private static final int FIT_STEPS = 60;

    @TempDir
    Path dir;

    /** Vectors with structure: per-dimension offsets and scales, and a few shared factors. */
    static float[][] vectors(String name, int n, int dim) {
        SplittableRandom random = Seeds.random(name);
        float[] offset = Seeds.gaussian(random, dim, 3.0);
        float[] spread = new float[dim];
        float[][] factors = new float[3][];
        for (int d = 0; d < dim; d++) {
            spread[d] = (float) (0.2 + 2 * random.nextDouble());
        }
        for (int f = 0; f < factors.length; f++) {
            factors[f] = Seeds.gaussian(random, dim, 1.0);
        }
        float[][] out = new float[n][dim];
        for (int i = 0; i < n; i++) {
            double[] w = {Seeds.gaussian(random), Seeds.gaussian(random), Seeds.gaussian(random)};
            for (int d = 0; d < dim; d++) {
                double v = offset[d] + 0.5 * spread[d] * Seeds.gaussian(random);
                for (int f = 0; f < factors.length; f++) {
                    v += w[f] * factors[f][d];
                }
                out[i][d] = (float) v;
            }
        }
        return out;
    }

    static VectorCodecConfig config(Levels levels, int stages, Strategy strategy) {
        return VectorCodecConfig.of(levels, stages, strategy).withFitSteps(FIT_STEPS).withFitBatch(64);
    }

    static double mse(float[][] a, float[][] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            for (int d = 0; d < a[i].length; d++) {
                double e = a[i][d] - b[i][d];
                sum += e * e;
            }
        }
        return sum / ((double) a.length * a[0].length);
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void codesAndDecodesMatchAFloat64Reference(Backend backend) {
        float[][] sample = vectors("reference " + backend, 400, D);
        try (Device device = Backends.open(backend)) {
            for (Strategy strategy : Strategy.values()) {
                try (VectorCodec codec = VectorCodec.fit(device, config(LEVELS, 3, strategy), sample)) {
                    VectorCodecReference ref = new VectorCodecReference(codec);
                    float[][] x = Arrays.copyOf(sample, 64);
                    byte[] codes = codec.encode(x);
                    float[][] decoded = codec.decode(codes);
                    int size = codec.codeSizeBytes();
                    IndexPacking packing = IndexPacking.of(codec.positions(), codec.stages(), LEVELS.codebookSize());
                    int compared = 0;
                    for (int i = 0; i < x.length; i++) {
                        VectorCodecReference.Encoded e = ref.encode(x[i], 1e-4);
                        int[] got = new int[codec.positions() * codec.stages()];
                        packing.unpack(codes, i * size, codec.stages(), got, 0, i);
                        for (int j = 0; j < got.length; j++) {
                            if (!e.nearTie()[j]) {
                                assertEquals(e.indices()[j], got[j], strategy + ": vector " + i + ", (position, stage) " + j);
                                compared++;
                            }
                        }
                        double[] want = ref.decode(codes, i * size, codec.stages());
                        for (int d = 0; d < D; d++) {
                            assertEquals(want[d], decoded[i][d], 1e-4 * (1 + Math.abs(want[d])),
                                    strategy + ": decoded vector " + i + ", dimension " + d);
                        }
                    }
                    assertTrue(compared > 0.95 * x.length * codec.positions() * codec.stages(),
                            strategy + ": too few indices away from rounding ties: " + compared);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void aVectorsCodeDoesNotDependOnItsBatch(Backend backend) {
        float[][] sample = vectors("batch " + backend, 300, D);
        float[][] others = vectors("batch others " + backend, 700, D);
        try (Device device = Backends.open(backend)) {
            for (Strategy strategy : Strategy.values()) {
                VectorCodecConfig cfg = config(LEVELS, 2, strategy).withFitSteps(10);
                // One image per vector, the default grouping, and everything in one image: codes must not change.
                try (VectorCodec perVector = VectorCodec.fit(device, cfg.withImagePositions(1), sample);
                        VectorCodec grouped = VectorCodec.fit(device, cfg, sample);
                        VectorCodec oneImage = VectorCodec.fit(device, cfg.withImagePositions(1 << 20), sample)) {
                    assertEquals(1, perVector.vectorsPerImage());
                    assertTrue(grouped.vectorsPerImage() > 1 && oneImage.vectorsPerImage() > grouped.vectorsPerImage());
                    int size = perVector.codeSizeBytes();
                    for (int v = 0; v < 5; v++) {
                        float[] x = sample[v * 37];
                        byte[] alone = perVector.encode(x);
                        for (VectorCodec codec : new VectorCodec[] {perVector, grouped, oneImage}) {
                            assertArrayEquals(alone, codec.encode(x), strategy + ": alone, " + codec.vectorsPerImage() + "/image");
                            for (int batch : new int[] {2, 9, 700}) {
                                float[][] b = Arrays.copyOf(others, batch);
                                int slot = (v * 5 + 3) % batch;
                                b[slot] = x;
                                byte[] codes = codec.encode(b);
                                assertArrayEquals(alone, Arrays.copyOfRange(codes, slot * size, (slot + 1) * size),
                                        strategy + ": in a batch of " + batch + " at " + slot + ", " + codec.vectorsPerImage() + "/image");
                            }
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void everyBitOfAVectorIsInItsCode(Backend backend) throws Exception {
        try (Device device = Backends.open(backend)) {
            // D = 784 as 196 positions of 4 channels, 2 stages of 256 codes: 196 * 2 * 8 bits.
            try (VectorCodec codec = VectorCodec.fit(device, config(Levels.of(4, 4, 4, 4), 2, Strategy.LAYERNORM).withFitSteps(0),
                    vectors("size 784", 64, 784))) {
                assertEquals(196, codec.positions());
                assertEquals(392, codec.codeSizeBytes());
                assertEquals(196, codec.codeSizeBytes(1));
            }
            // D = 50 as 13 positions of [8,8,8,4]: 11 bits per index, 3 stages: ceil(429 / 8) = 54 bytes.
            float[][] sample = vectors("size 50 " + backend, 300, D);
            try (VectorCodec codec = VectorCodec.fit(device, config(LEVELS, 3, Strategy.LAYERNORM), sample)) {
                assertEquals(54, codec.codeSizeBytes());
                byte[] codes = codec.encode(sample);
                assertEquals(sample.length * 54, codes.length);
                // A codec read back from its file (no other state) decodes the codes alone, to the same vectors.
                Path file = dir.resolve("codec.rfsqvec");
                codec.save(file);
                try (VectorCodec loaded = VectorCodec.load(file, device)) {
                    assertArrayEquals(codes, loaded.encode(sample));
                    float[][] a = codec.decode(codes), b = loaded.decode(codes);
                    for (int i = 0; i < a.length; i++) {
                        assertArrayEquals(a[i], b[i], "vector " + i);
                    }
                }
                // The file holds the shared state only: header, levels, 2*C*K parameters and statistics, scale, means.
                assertEquals(8 + 4 * 5 + 4 * 4 + 4 + 4 * 24 + 4 + 4 * 24 + 4 + 4 * D + 4, Files.size(file));
            }
            // The trap of per-image statistics: vectors of C dimensions are one position each. With statistics frozen
            // at fit time the code (2 stages of 11 bits: 3 bytes) still carries the vector: distinct vectors, distinct
            // codes, and a reconstruction far better than the mean.
            float[][] small = vectors("size 4 " + backend, 500, 4);
            try (VectorCodec codec = VectorCodec.fit(device, config(LEVELS, 2, Strategy.LAYERNORM), small)) {
                assertEquals(1, codec.positions());
                assertEquals(3, codec.codeSizeBytes());
                byte[] codes = codec.encode(small);
                Set<String> distinct = new HashSet<>();
                for (int i = 0; i < small.length; i++) {
                    distinct.add(Arrays.toString(Arrays.copyOfRange(codes, 3 * i, 3 * i + 3)));
                }
                assertTrue(distinct.size() > 450, "distinct codes: " + distinct.size());
                float[][] meanOnly = new float[small.length][];
                Arrays.fill(meanOnly, codec.standardizer().mean());
                assertTrue(mse(small, codec.decode(codes)) < 0.05 * mse(small, meanOnly));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void fittingLowersTheErrorAndStagesRefineIt(Backend backend) {
        float[][] sample = vectors("fit " + backend, 600, D);
        float[][] held = vectors("fit held-out " + backend, 200, D);
        try (Device device = Backends.open(backend)) {
            for (Strategy strategy : new Strategy[] {Strategy.SCALE, Strategy.LAYERNORM}) {
                VectorCodecConfig cfg = config(Levels.of(4, 4, 4, 4), 3, strategy).withFitSteps(200);
                try (VectorCodec untrained = VectorCodec.fit(device, cfg.withFitSteps(0), sample);
                        VectorCodec fitted = VectorCodec.fit(device, cfg, sample)) {
                    double before = mse(held, untrained.decode(untrained.encode(held)));
                    byte[] codes = fitted.encode(held);
                    double after = mse(held, fitted.decode(codes));
                    assertTrue(after < 0.8 * before, strategy + ": fitted MSE " + after + " vs untrained " + before);
                    double previous = Double.POSITIVE_INFINITY;
                    for (int k = 1; k <= 3; k++) {
                        double e = mse(held, fitted.decode(codes, k));
                        assertTrue(e < previous, strategy + ": MSE with " + k + " stages " + e + " vs " + previous);
                        previous = e;
                    }
                    // Stage-major packing: decoding k stages reads only the first codeSizeBytes(k) bytes of a code.
                    byte[] scrambled = codes.clone();
                    int size = fitted.codeSizeBytes(), prefix = fitted.codeSizeBytes(1);
                    for (int i = 0; i < held.length; i++) {
                        for (int j = prefix; j < size; j++) {
                            scrambled[i * size + j] = (byte) (j * 31 + i);
                        }
                    }
                    float[][] a = fitted.decode(codes, 1), b = fitted.decode(scrambled, 1);
                    for (int i = 0; i < held.length; i++) {
                        assertArrayEquals(a[i], b[i], strategy + ": vector " + i);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void oneCodecServesManyThreads(Backend backend) throws Exception {
        float[][] sample = vectors("threads " + backend, 300, D);
        try (Device device = Backends.open(backend);
                VectorCodec codec = VectorCodec.fit(device, config(LEVELS, 2, Strategy.LAYERNORM), sample)) {
            byte[] codes = codec.encode(sample);
            float[][] decoded = codec.decode(codes);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int from = t * 50;
                    futures.add(pool.submit(() -> {
                        for (int round = 0; round < 3; round++) {
                            float[][] part = Arrays.copyOfRange(sample, from, from + 100);
                            byte[] c = codec.encode(part);
                            int size = codec.codeSizeBytes();
                            assertArrayEquals(Arrays.copyOfRange(codes, from * size, (from + 100) * size), c);
                            float[][] d = codec.decode(c);
                            for (int i = 0; i < d.length; i++) {
                                assertArrayEquals(decoded[from + i], d[i]);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void segmentsEncodeLikeArrays(Backend backend) {
        float[][] sample = vectors("segment " + backend, 100, D);
        try (Device device = Backends.open(backend); Arena arena = Arena.ofConfined();
                VectorCodec codec = VectorCodec.fit(device, config(LEVELS, 2, Strategy.SCALE).withFitSteps(10), sample)) {
            MemorySegment seg = arena.allocate(ValueLayout.JAVA_FLOAT, (long) sample.length * D);
            for (int i = 0; i < sample.length; i++) {
                MemorySegment.copy(sample[i], 0, seg, ValueLayout.JAVA_FLOAT, (long) i * D * 4, D);
            }
            assertArrayEquals(codec.encode(sample), codec.encode(seg));
            try (VectorCodec fromSegment = VectorCodec.fit(device, config(LEVELS, 2, Strategy.SCALE).withFitSteps(10), seg, D)) {
                assertArrayEquals(codec.encode(sample), fromSegment.encode(sample));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU", "CUDA"})
    void badInputFailsWithOneLine(Backend backend) {
        float[][] sample = vectors("bad " + backend, 100, D);
        try (Device device = Backends.open(backend);
                VectorCodec codec = VectorCodec.fit(device, config(Levels.of(5, 5), 2, Strategy.NONE), sample)) {
            float[][] nan = Arrays.copyOf(sample, 5);
            nan[3] = nan[3].clone();
            nan[3][7] = Float.NaN;
            oneLine(assertThrows(IllegalArgumentException.class, () -> codec.encode(nan)), "vector 3", "NaN", "dimension 7");
            nan[3][7] = Float.NEGATIVE_INFINITY;
            oneLine(assertThrows(IllegalArgumentException.class, () -> codec.encode(nan)), "vector 3", "Infinity");
            oneLine(assertThrows(IllegalArgumentException.class, () -> VectorCodec.fit(device, config(LEVELS, 1, Strategy.SCALE), nan)),
                    "vector 3", "Infinity");
            oneLine(assertThrows(IllegalArgumentException.class, () -> codec.encode(new float[D + 1])), "51 dimensions", "encodes 50");
            oneLine(assertThrows(IllegalArgumentException.class, () -> codec.encode(new float[][] {new float[D], new float[3]})),
                    "vector 1", "3 dimensions");
            oneLine(assertThrows(IllegalArgumentException.class, () -> codec.encode(new float[0][])), "no vectors");
            byte[] codes = codec.encode(sample);
            oneLine(assertThrows(IllegalArgumentException.class, () -> codec.decode(Arrays.copyOf(codes, codes.length - 1))),
                    "not a whole number");
            oneLine(assertThrows(IllegalArgumentException.class, () -> codec.decode(codes, 3)), "1..2");
            // [5,5]: 25 codes in 5 bits, so 31 is no index.
            byte[] bad = codes.clone();
            bad[codec.codeSizeBytes()] |= 0x1F;
            oneLine(assertThrows(IllegalArgumentException.class, () -> codec.decode(bad)), "vector 1", "outside the codebook");
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"CPU"})
    void damagedCodecFilesFailWithOneLine(Backend backend) throws Exception {
        try (Device device = Backends.open(backend);
                VectorCodec codec = VectorCodec.fit(device, config(LEVELS, 2, Strategy.LAYERNORM), vectors("file", 100, D))) {
            Path good = dir.resolve("good.rfsqvec");
            codec.save(good);
            byte[] bytes = Files.readAllBytes(good);
            expectBadFile(device, Arrays.copyOf(bytes, bytes.length - 9), "checksum");
            expectBadFile(device, Arrays.copyOf(bytes, 10), "truncated");
            expectBadFile(device, new byte[0], "truncated");
            byte[] flipped = bytes.clone();
            flipped[40] ^= 0x10;
            expectBadFile(device, flipped, "checksum");
            byte[] magic = bytes.clone();
            magic[0] = 'X';
            expectBadFile(device, magic, "not a vector codec file");
            byte[] version = bytes.clone();
            version[8] = 2;
            expectBadFile(device, version, "version 2");
            byte[] longer = Arrays.copyOf(bytes, bytes.length + 4);
            System.arraycopy(bytes, bytes.length - 4, longer, bytes.length, 4);
            expectBadFile(device, withChecksum(longer), "unexpected bytes");
            byte[] sigma = bytes.clone(); // first frozen sigma: after the header (8+4*5), levels (16), params (4+4*16), count (4)
            int at = 8 + 20 + 16 + 4 + 64 + 4 + 4;
            ByteBuffer.wrap(sigma, at, 4).order(ByteOrder.LITTLE_ENDIAN).putFloat(-1f);
            expectBadFile(device, withChecksum(sigma), "sigma");
            oneLine(assertThrows(IOException.class, () -> VectorCodec.load(dir, device)), dir.toString(), "cannot read");
            Path missing = dir.resolve("missing.rfsqvec");
            oneLine(assertThrows(IOException.class, () -> VectorCodec.load(missing, device)), missing.toString(), "no such file");
        }
    }

    private void expectBadFile(Device device, byte[] bytes, String expected) throws Exception {
        Path file = Files.write(dir.resolve("bad.rfsqvec"), bytes);
        oneLine(assertThrows(IOException.class, () -> VectorCodec.load(file, device)), file.toString(), expected);
    }

    private static byte[] withChecksum(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer.wrap(bytes, bytes.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
        return bytes;
    }

    private static void oneLine(Exception e, String... parts) {
        String m = e.getMessage();
        assertFalse(m == null || m.contains("\n"), "message should be one line: " + m);
        for (String part : parts) {
            assertTrue(m.contains(part), "message should contain '" + part + "': " + m);
        }
    }
}
