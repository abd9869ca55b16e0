package dev.rfsq4j.vector;

import dev.rfsq4j.Device;
import dev.rfsq4j.Scope;
import dev.rfsq4j.Tensor;
import dev.rfsq4j.quant.Levels;
import dev.rfsq4j.quant.Rfsq;
import dev.rfsq4j.quant.StatsMode;
import dev.rfsq4j.quant.Strategy;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * RFSQ as a vector codec: D-dimensional float vectors to fixed-size byte codes and back.
 *
 * <p>A vector is standardized with statistics fitted on a sample (per-dimension mean, one global scale), laid out
 * as P = ceil(D / C) positions of C channels (see {@link VectorLayout}: dimension d at channel d / P, position
 * d % P; padding when C does not divide D) and quantized by K RFSQ stages; its code is the K*P indices bit-packed
 * at ceil(log2 codebook) bits each ({@link IndexPacking}). Nothing else is stored per vector: the code is all that
 * decode needs besides the codec itself, and {@link #codeSizeBytes()} is the whole per-vector cost.
 *
 * <p>A code depends on its vector only, never on the rest of a batch: layernorm runs on statistics frozen at fit
 * time (per-vector statistics would have to be stored with every code; a vector laid out as one position would then
 * carry all its information in them), and the other strategies have none.
 *
 * <p>Thread-safe: calls may come from many threads (the {@link Device} serializes native calls; every call works
 * in its own {@link Scope}). {@link #close()} frees the codec's device memory; the device stays the caller's.
 */
public final class VectorCodec implements AutoCloseable {
    /** Vectors per native call: bounds the device memory one encode or decode call holds. */
    private static final int CHUNK_VECTORS = 8192;

    private final Device device;
    private final Scope scope;
    private final Levels levels;
    private final int stages;
    private final Strategy strategy;
    private final Standardizer standardizer;
    private final float[] params;
    private final float[] frozenStats;
    private final VectorLayout layout;
    private final IndexPacking packing;
    /** decoders[k - 1] decodes the first k stages; decoders[K - 1] also encodes. */
    private final Rfsq[] decoders;

    VectorCodec(Device device, Levels levels, int stages, Strategy strategy, Standardizer standardizer, float[] params,
            float[] frozenStats, int imagePositions) {
        this.device = Objects.requireNonNull(device, "device");
        this.levels = levels;
        this.stages = stages;
        this.strategy = strategy;
        this.standardizer = standardizer;
        this.params = params.clone();
        this.frozenStats = frozenStats == null ? null : frozenStats.clone();
        int dim = standardizer.dimension();
        VectorLayout base = VectorLayout.of(dim, levels.count(), 1);
        int perImage = Math.max(1, Math.min(CHUNK_VECTORS, imagePositions / base.positions()));
        this.layout = base.withVectorsPerImage(perImage);
        this.packing = IndexPacking.of(layout.positions(), stages, levels.codebookSize());
        this.scope = Scope.open(device);
        this.decoders = new Rfsq[stages];
        try {
            for (int k = 1; k <= stages; k++) {
                decoders[k - 1] = quantizer(k);
            }
        } catch (RuntimeException e) {
            scope.close();
            throw e;
        }
    }

    /** Fits a codec on sample vectors float[n][D] (see {@link VectorCodecConfig} for what is fitted and how). */
    public static VectorCodec fit(Device device, VectorCodecConfig config, float[][] sample) {
        return fit(device, config, Rows.of(sample));
    }

    /** Fits a codec on n row-major float32 vectors of {@code dimension} floats (native byte order) in sample. */
    public static VectorCodec fit(Device device, VectorCodecConfig config, MemorySegment sample, int dimension) {
        return fit(device, config, Rows.of(sample, dimension));
    }

    private static VectorCodec fit(Device device, VectorCodecConfig config, Rows rows) {
        Objects.requireNonNull(config, "config");
        CodecFit.Result fitted = CodecFit.fit(device, config, rows);
        return new VectorCodec(device, config.levels(), config.stages(), config.strategy(), fitted.standardizer(),
                fitted.params(), fitted.frozenStats(), config.imagePositions());
    }

    /** Reads a codec written by {@link #save}; a damaged or foreign file fails with a one-line IOException. */
    public static VectorCodec load(Path file, Device device) throws IOException {
        return CodecFile.read(file, device, VectorCodecConfig.DEFAULT_IMAGE_POSITIONS);
    }

    /** Writes this codec (format: {@link CodecFile}); the file appears complete or not at all. */
    public void save(Path file) throws IOException {
        CodecFile.write(file, this);
    }

    /** The code of one vector. */
    public byte[] encode(float[] vector) {
        return encode(new float[][] {Objects.requireNonNull(vector, "vector")});
    }

    /** Codes of vectors float[n][D], concatenated: vector i's code at i * codeSizeBytes(). */
    public byte[] encode(float[][] vectors) {
        return encode(Rows.of(vectors));
    }

    /** Codes of the n row-major float32 vectors (native byte order) in a segment of n * D * 4 bytes. */
    public byte[] encode(MemorySegment vectors) {
        return encode(Rows.of(vectors, dimension()));
    }

    private byte[] encode(Rows rows) {
        checkDimension(rows.dimension());
        int size = codeSizeBytes();
        long total = Math.multiplyExact(rows.count(), (long) size);
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(rows.count() + " codes of " + size + " bytes exceed one Java array; encode fewer vectors per call");
        }
        byte[] out = new byte[(int) total];
        Rfsq rfsq = decoders[stages - 1];
        for (long from = 0; from < rows.count(); from += CHUNK_VECTORS) {
            int count = (int) Math.min(CHUNK_VECTORS, rows.count() - from);
            float[] latent = new float[(int) layout.latentFloats(count)];
            standardizer.toLatent(rows, from, count, layout, latent);
            int[] idx;
            try (Scope call = Scope.open(device)) {
                Tensor z = call.fromArray(latent, layout.images(count), levels.count(), 1, layout.imageWidth());
                idx = rfsq.encode(z).indices().toIntArray();
            }
            for (int i = 0; i < count; i++) {
                packing.pack(idx, i, out, (int) ((from + i) * size));
            }
        }
        return out;
    }

    /** Decodes concatenated codes (each {@link #codeSizeBytes()} bytes) to float[n][D]. */
    public float[][] decode(byte[] codes) {
        return decode(codes, stages);
    }

    /**
     * Decodes only the first k stages of each code (progressive quality; each code is still {@link #codeSizeBytes()}
     * bytes, of which only the first {@link #codeSizeBytes(int) codeSizeBytes(k)} are read).
     */
    public float[][] decode(byte[] codes, int k) {
        Objects.requireNonNull(codes, "codes");
        if (k < 1 || k > stages) {
            throw new IllegalArgumentException("stages to decode must be 1.." + stages + ", got " + k);
        }
        int size = codeSizeBytes();
        if (codes.length == 0 || codes.length % size != 0) {
            throw new IllegalArgumentException("codes of " + codes.length + " bytes are not a whole number (> 0) of this codec's "
                    + size + "-byte codes (" + this + ")");
        }
        int n = codes.length / size;
        float[][] out = new float[n][dimension()];
        Rfsq rfsq = decoders[k - 1];
        for (int from = 0; from < n; from += CHUNK_VECTORS) {
            int count = Math.min(CHUNK_VECTORS, n - from);
            long images = layout.images(count);
            int[] idx = new int[(int) (images * layout.imageWidth() * k)];
            for (int i = 0; i < count; i++) {
                packing.unpack(codes, (from + i) * size, k, idx, i, from + i);
            }
            float[] latent;
            try (Scope call = Scope.open(device)) {
                Tensor indices = call.fromArray(idx, images, 1, layout.imageWidth(), k);
                latent = rfsq.decode(indices, null).toFloatArray();
            }
            standardizer.fromLatent(latent, layout, out, from, count);
        }
        return out;
    }

    /** Bytes of one code: ceil(K * P * ceil(log2 codebook) / 8), everything stored per vector. */
    public int codeSizeBytes() {
        return packing.bytes(stages);
    }

    /** Bytes of a code's first k stages (a prefix of the full code). */
    public int codeSizeBytes(int k) {
        if (k < 1 || k > stages) {
            throw new IllegalArgumentException("stages must be 1.." + stages + ", got " + k);
        }
        return packing.bytes(k);
    }

    /** D. */
    public int dimension() {
        return standardizer.dimension();
    }

    /** P = ceil(D / C), latent positions per vector. */
    public int positions() {
        return layout.positions();
    }

    /** Bits per index: ceil(log2 of the codebook size). */
    public int bitsPerIndex() {
        return packing.bitsPerIndex();
    }

    public Levels levels() {
        return levels;
    }

    public int stages() {
        return stages;
    }

    public Strategy strategy() {
        return strategy;
    }

    public Device device() {
        return device;
    }

    /** Vectors per native image when encoding and decoding (scheduling only). */
    public int vectorsPerImage() {
        return layout.vectorsPerImage();
    }

    Standardizer standardizer() {
        return standardizer;
    }

    float[] params() {
        return params.clone();
    }

    /** (K, C, 2) frozen (mu, sigma) for layernorm, else null. */
    float[] frozenStats() {
        return frozenStats == null ? null : frozenStats.clone();
    }

    /** Frees the codec's device memory. Idempotent. */
    @Override
    public void close() {
        scope.close();
    }

    @Override
    public String toString() {
        return "VectorCodec[D=" + dimension() + " as " + positions() + "x" + levels.count() + ", " + stages + "x" + levels
                + " " + strategy.label() + ", " + codeSizeBytes() + " bytes/vector]";
    }

    private void checkDimension(int d) {
        if (d != dimension()) {
            throw new IllegalArgumentException("vectors have " + d + " dimensions, this codec encodes " + dimension());
        }
    }

    /** The first k stages: parameters and frozen statistics are prefixes of the K-stage ones (rfsq.h's layouts). */
    private Rfsq quantizer(int k) {
        Rfsq rfsq = Rfsq.builder(levels).stages(k).strategy(strategy).statsMode(StatsMode.RUNNING).build(scope);
        int perStage = params.length / stages;
        if (params.length > 0) {
            rfsq.parameters().copyFrom(Arrays.copyOf(params, perStage * k));
        }
        if (frozenStats != null) {
            rfsq.runningStats().copyFrom(Arrays.copyOf(frozenStats, 2 * levels.count() * k));
        }
        return rfsq;
    }
}
